"""Textual's footer, without keeping every key it ever showed alive.

Each time a screen's keys change (focus moves, a key greys out) Textual's ``Footer`` recomposes:
it removes its ``FooterKey`` widgets and mounts new ones, each bound to the footer's ``compact``
setting with ``data_bind``. That binding is a watcher kept on the footer, and Textual drops a
watcher whose widget is gone only when ``compact`` changes, which it never does here. So every
rebuild left its keys alive: on the emergency board, with a key greying in and out on each new
P1, the console grew by tens of thousands of objects a minute and spent ever longer re-styling
keys nobody could see. :class:`DeskFooter` forgets the removed keys' watchers after each rebuild.
"""

from __future__ import annotations

from textual.widgets import Footer


class DeskFooter(Footer):
    """The screen's keys, as Textual's Footer draws them (the screens' snapshots are unchanged)."""

    async def recompose(self) -> None:
        """Rebuild the keys, then let go of the ones removed."""
        await super().recompose()
        self.forget_removed_keys()

    def forget_removed_keys(self) -> None:
        """Drop the watchers of keys no longer mounted (see the module docstring)."""
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [
                (node, callback)
                for node, callback in entries
                if node is self or getattr(node, "is_attached", True)
            ]
