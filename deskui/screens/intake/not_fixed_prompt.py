"""A caller rings again about a ticket that awaits their confirmation: is it not fixed?

The solution was sent and the desk waits for the caller's answer. A second call about it
usually is that answer: enter (or ``r``) records that the caller says it is not fixed and puts
the ticket back in progress with what they said; ``n`` only adds the note; escape goes back to
the form with nothing sent.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from deskui.console.base import DeskModal
from deskui.core.sanitize import sanitize_line

NotFixedChoice = Literal["reopen", "note", "cancel"]


class NotFixedScreen(DeskModal[NotFixedChoice]):
    """Reopen the ticket awaiting confirmation, or only note the call?"""

    CSS_PATH = "not_fixed_prompt.tcss"

    BINDINGS = [
        Binding("enter,r", "choose('reopen')", "intake.key.not_fixed_reopen", id="desk.nf.reopen"),
        Binding("n", "choose('note')", "intake.key.not_fixed_note", id="desk.nf.note"),
        Binding("escape", "choose('cancel')", "intake.key.not_fixed_cancel", id="desk.nf.cancel"),
    ]

    def __init__(self, number: str, summary: str) -> None:
        super().__init__()
        self.number = number
        self.summary = summary

    def compose(self) -> ComposeResult:
        """The question, the ticket, and the keys."""
        t = self.ctx.t
        with Vertical(id="not-fixed-box"):
            yield Static(Text(t("intake.not_fixed.title")), id="not-fixed-title")
            ticket = Text(self.number, style="bold")
            ticket.append("  " + sanitize_line(self.summary))
            yield Static(ticket, id="not-fixed-ticket")
            yield Static(Text(t("intake.not_fixed.keys")), id="not-fixed-keys")

    def action_choose(self, choice: NotFixedChoice) -> None:
        """Close with the operator's answer."""
        self.dismiss(choice)
