"""App-wide messages: the desk changed, the database went away or came back.

They are posted to the app (from the change feed's thread, or from a worker); the app reacts —
status-line counts, the connection banner — and forwards a copy to the active screen. They do
not bubble: a copy forwarded to a screen must not climb back up to the app and loop.
"""

from __future__ import annotations

from textual.message import Message


class DeskChanged(Message, bubble=False):
    """Rows of the desk changed somewhere (this console or another one).

    Attributes:
        tables: the names of the tables that changed (``ticket``, ``ticket_event`` …).
    """

    def __init__(self, tables: frozenset[str]) -> None:
        super().__init__()
        self.tables = tables


class ConnectionLost(Message, bubble=False):
    """The database cannot be reached.

    Attributes:
        reason: why, in the operator's language (a refusal worded by the catalog); None when
            the change feed lost its connection (the driver's own words are in the log).
    """

    def __init__(self, reason: str | None = None) -> None:
        super().__init__()
        self.reason = reason


class ConnectionRestored(Message, bubble=False):
    """The database answers again."""


class LeaveArea(Message):
    """A screen is done (escape on the intake form): back to the area the operator came from.

    Posted by the screen; it bubbles up to the app, which knows the areas.
    """
