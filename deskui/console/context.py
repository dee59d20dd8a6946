"""The desk as every screen and widget sees it: one typed context, provided by the app.

Screens and widgets never reach for the concrete app (that would import it, and everything it
imports, from below it). They ask for the context::

    ctx = desk_context(self)      # from any mounted widget or screen
    ctx.desk.claim(ctx.actor, number)

or, on a screen, derive from :class:`~deskui.console.base.DeskScreen` and use ``self.ctx``. The app
(:class:`ConsoleApp`, which :class:`deskui.app.DeskApp` extends) builds the context once from
its settings; tests build the real app with the same factory, so there is no second way in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import App
from textual.dom import DOMNode
from textual.reactive import reactive

from deskui.console.messages import DeskChanged
from deskui.core.clock import Clock
from deskui.i18n import Catalog
from deskui.services.announcements import AnnouncementView
from deskui.services.desk import DeskService
from deskui.services.queries import DeskCounts
from deskui.services.users import Actor


@dataclass(frozen=True)
class DeskContext:
    """What a screen may use of the desk.

    Attributes:
        desk: the use cases; call them from thread workers only, never on the event loop.
        actor: who is at the keyboard.
        t: the catalog, in the operator's language.
        clock: where "now" comes from (frozen in tests and snapshots).
        announce: tell this console and the others that this console wrote to these tables
            (the change then shows here at once, without waiting for the change feed).
        demo: the desk is a demo desk.
    """

    desk: DeskService
    actor: Actor
    t: Catalog
    clock: Clock
    announce: Callable[[frozenset[str]], None]
    demo: bool = False
    """A demo desk (the status line says so)."""


class ConsoleApp(App[None]):
    """An app that carries a :class:`DeskContext` (the console; tests use the same one).

    Besides the context it holds the two figures of the status line that every screen shows.

    Args:
        desk: the use cases.
        actor: who is at the keyboard.
        t: the catalog.
        clock: where "now" comes from.
        demo: the desk is a demo desk.
    """

    counts: reactive[DeskCounts | None] = reactive(None)
    """The status line's figures (open, P1, breached); None until first read."""
    connection_problem: reactive[str | None] = reactive(None)
    """Why the database cannot be reached (in the operator's language); None when all is well."""
    announcements: reactive[tuple[AnnouncementView, ...]] = reactive(())
    """The announcements every screen shows now, the most recently published first."""

    def __init__(
        self, *, desk: DeskService, actor: Actor, t: Catalog, clock: Clock, demo: bool = False
    ) -> None:
        super().__init__()
        self.context = DeskContext(desk, actor, t, clock, self.announce, demo)
        """What screens and widgets use of the desk."""

    def announce(self, tables: frozenset[str]) -> None:
        """This console wrote to ``tables``: every screen of it hears so at once."""
        self.post_message(DeskChanged(tables))


def console_app(node: DOMNode) -> ConsoleApp:
    """The console ``node`` is mounted in (for its status figures; the desk is in the context).

    Raises:
        RuntimeError: ``node`` is not in a deskui console (a programming error).
    """
    app = node.app
    if not isinstance(app, ConsoleApp):
        raise RuntimeError(f"{node!r} is not mounted in the deskui console")
    return app


def desk_context(node: DOMNode) -> DeskContext:
    """The context of the console ``node`` is mounted in.

    Raises:
        RuntimeError: ``node`` is not in a deskui console (a programming error).
    """
    return console_app(node).context
