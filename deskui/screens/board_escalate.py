"""Escalating from the emergency board: a small form for the note the next tier needs.

The dialog stays open until the escalation is stored: if the database refuses or is away, the
reason shows under the note and what was typed stays, to be sent again.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label, Static, TextArea

from deskui.console.base import DeskModal
from deskui.services.errors import DatabaseUnavailable, PermissionDenied, ServiceError
from deskui.widgets.key_footer import KeyFooter


class EscalateDialog(DeskModal[int | None]):
    """Ask for the escalation note and escalate; dismissed with the new tier, or None.

    Args:
        number: the ticket.
        tier: its current tier (1–3).
    """

    DEFAULT_CSS = """
    EscalateDialog { align: center middle; }
    EscalateDialog > #escalate-box {
        width: 80; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    EscalateDialog #escalate-title { text-style: bold; margin-bottom: 1; }
    EscalateDialog #escalate-note { height: 8; }
    EscalateDialog #escalate-error { color: $error; height: auto; }
    EscalateDialog #escalate-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    EscalateDialog Button { margin-left: 2; }
    """

    BINDINGS = [
        Binding(
            "ctrl+s",
            "submit",
            "board.key.submit",
            tooltip="board.tip.submit",
            id="board.escalate.submit",
        ),
        Binding(
            "escape",
            "cancel",
            "board.key.cancel",
            tooltip="board.tip.cancel",
            id="board.escalate.cancel",
        ),
    ]

    class Done(Message):
        """The escalation is stored."""

        def __init__(self, tier: int) -> None:
            super().__init__()
            self.tier = tier

    class Failed(Message):
        """The escalation was refused or could not be stored."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, number: str, tier: int) -> None:
        super().__init__()
        self.number = number
        self.tier = tier
        self.sending = False
        """A send is under way (a second ctrl+s waits for it)."""

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        with Vertical(id="escalate-box"):
            title = t(
                "board.escalate.title",
                number=self.number,
                tier=self.tier,
                next=min(3, self.tier + 1),
            )
            yield Static(title, id="escalate-title", markup=False)
            yield Label(t("board.escalate.prompt"))
            yield TextArea(id="escalate-note", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="escalate-error", markup=False)
            with Horizontal(id="escalate-buttons"):
                yield Button(t("board.key.submit"), id="escalate-submit", variant="warning")
                yield Button(t("board.key.cancel"), id="escalate-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Translate the keys and put the cursor in the note."""
        self.refresh_bindings()
        self.query_one("#escalate-note", TextArea).focus()

    @on(Button.Pressed, "#escalate-submit")
    def action_submit(self) -> None:
        """Send the escalation (the note is required)."""
        if self.sending:
            return
        note = self.query_one("#escalate-note", TextArea).text.strip()
        if not note:
            self._show_error(self.ctx.t("board.escalate.empty"))
            return
        self.sending = True
        self._show_error("")
        self._send(note)

    @on(Button.Pressed, "#escalate-cancel")
    def action_cancel(self) -> None:
        """Close without escalating."""
        self.dismiss(None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="board-escalate")
    def _send(self, note: str) -> None:
        t = self.ctx.t
        try:
            view = self.ctx.desk.escalate(self.ctx.actor, self.number, note)
        except DatabaseUnavailable:
            self.post_message(self.Failed(t("board.unavailable")))
        except PermissionDenied as exc:
            self.post_message(self.Failed(t("board.denied", message=exc.message)))
        except ServiceError as exc:
            self.post_message(self.Failed(t("board.failed", message=str(exc))))
        else:
            self.post_message(self.Done(view.tier))

    @on(Done)
    def _done(self, message: Done) -> None:
        self.sending = False
        self.dismiss(message.tier)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.sending = False
        self._show_error(message.reason)

    def _show_error(self, text: str) -> None:
        # plain Text: the reason may quote what someone typed
        self.query_one("#escalate-error", Static).update(Text(text))
