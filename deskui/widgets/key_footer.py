"""The keys of the screen, in one line: greyed when they do not apply to the ticket at hand.

Textual's own Footer rebuilds a widget per key each time the keys change; on the queue they
change as the cursor moves from a ticket one may claim to one held by someone else, and that
rebuild costs more than a whole frame, and each rebuild left its keys alive (every ``FooterKey``
stayed bound to the footer's ``compact`` setting by a watcher Textual drops only when that
setting changes, which it never does: on the emergency board the console grew by tens of
thousands of objects a minute). This footer draws the same line as a single widget, repainting
it (no layout) when the screen's bindings change; it is the footer of every screen and dialog.
A click on a key presses it.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from deskui.console.context import desk_context
from deskui.widgets.keys import binding_text

#: Keys that stay on the line however narrow it is: the way to the help, which lists the rest.
ALWAYS_SHOWN = frozenset({"desk.help"})


def fit_keys(keys: list[tuple[str | None, Text]], width: int) -> list[Text]:
    """The keys that fit in ``width`` cells, in their order: when they do not all fit, the last
    ones give way first (a screen declares its most used keys first), except those of
    :data:`ALWAYS_SHOWN`, which stay where they are. The last key's trailing blank may fall
    off the edge."""
    shown = list(keys)
    used = sum(piece.cell_len for _id, piece in shown) - 1
    for index in range(len(shown) - 1, -1, -1):
        if used <= width:
            break
        binding_id, piece = shown[index]
        if binding_id not in ALWAYS_SHOWN:
            used -= piece.cell_len
            del shown[index]
    return [piece for _id, piece in shown]


class KeyFooter(Widget):
    """``a Claim  t Triage  g Transfer …`` with what does not apply dimmed."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyFooter > .key-footer--disabled {
        color: $footer-foreground 40%;
        text-style: dim;
    }
    """

    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--disabled"}

    def on_mount(self) -> None:
        """Repaint whenever the screen's keys change."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.refresh()

    def render(self) -> Text:
        """Each shown key with its description (plain catalog text, never markup)."""
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        disabled_style = self.get_component_rich_style("key-footer--disabled")
        t = desk_context(self).t
        keys: list[tuple[str | None, Text]] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            click = Style(meta={"key": binding.key.split(",")[0]})
            key = self.app.get_key_display(binding)
            description, _tooltip = binding_text(binding, t)
            piece = Text(no_wrap=True)
            if enabled:
                piece.append(f" {key} ", key_style + click)
                piece.append(f"{description} ", description_style + click)
            else:
                piece.append(f" {key} {description} ", disabled_style + click)
            keys.append((binding.id, piece))
        text = Text(no_wrap=True, overflow="ellipsis")
        for piece in fit_keys(keys, self.size.width):
            text.append_text(piece)
        if text.cell_len > self.size.width:
            text.rstrip()  # the last key's trailing blank, not the key, gives way
        return text

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it."""
        key = event.style.meta.get("key") if event.style else None
        if key:
            event.stop()
            self.app.simulate_key(key)
