"""The caller's open tickets, so a repeat call becomes a note on the ticket instead of a duplicate.

↑/↓ choose the ticket; ``n`` or enter (or ctrl+o from anywhere on the form) adds the call to it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from deskui.console.context import desk_context
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.views import OpenTicketView

PRIORITY_STYLES = {"P1": "bold white on red", "P2": "bold yellow", "P3": "cyan", "P4": "dim"}


def ticket_line(ticket: OpenTicketView, t: Catalog, tz: ZoneInfo) -> Text:
    """Two lines: ``IT20261101003  P2  处理中  11-01 09:12`` and the summary under it."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(ticket.number, style="bold")
    text.append("  ")
    text.append(ticket.priority, style=PRIORITY_STYLES.get(ticket.priority, ""))
    text.append(f"  {t(f'status.{ticket.status}')}  ")
    text.append(ticket.received_at.astimezone(tz).strftime("%m-%d %H:%M"), style="dim")
    text.append("\n  ")
    text.append(sanitize_line(ticket.summary))
    return text


class OpenTicketList(OptionList):
    """The caller's open tickets, newest first."""

    BINDINGS = [
        Binding(
            "n",
            "note",
            "intake.key.note_here",
            tooltip="intake.key.note.tip",
            id="desk.intake.note_here",
        ),
    ]

    class NoteRequested(Message):
        """Add the call as a worklog note to ``number``."""

        def __init__(self, number: str) -> None:
            super().__init__()
            self.number = number

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tickets: list[OpenTicketView] = []

    def show(self, tickets: list[OpenTicketView], tz: ZoneInfo) -> None:
        """Replace the list."""
        t = desk_context(self).t
        self.tickets = list(tickets)
        self.set_options([Option(ticket_line(x, t, tz), id=x.number) for x in tickets])
        if tickets:
            self.highlighted = 0

    @property
    def selected(self) -> OpenTicketView | None:
        """The highlighted ticket."""
        index = self.highlighted
        if index is None or not (0 <= index < len(self.tickets)):
            return None
        return self.tickets[index]

    def action_note(self) -> None:
        """Add the call to the highlighted ticket."""
        if self.selected is not None:
            self.post_message(self.NoteRequested(self.selected.number))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) on a ticket does the same as ``n``."""
        event.stop()
        self.action_note()
