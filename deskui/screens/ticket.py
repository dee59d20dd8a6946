"""A ticket in full (enter on the queue): every field, the clocks ticking, the timeline, actions.

Every change names the version the agent was looking at. If another console changed the ticket
meanwhile the change is refused, the ticket is read again, and the form stays open with what
was typed, so sending again applies it to what the ticket is now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from deskui.console.base import DeskScreen
from deskui.console.clipboard import copy_text
from deskui.core.enums import Status
from deskui.core.sanitize import sanitize_line
from deskui.core.workflow import allowed_targets, find_transition
from deskui.screens.ticket_actions import (
    ChangesFinished,
    apply_changes,
    may_claim,
    may_handle,
    may_move,
    may_take_over,
    outcome_text,
)
from deskui.screens.ticket_forms import Confirmation, ConfirmForm, NoteForm, PickForm, TicketForm
from deskui.services.errors import DatabaseUnavailable, ServiceError
from deskui.services.queue import advance_clocks
from deskui.services.rules import DeskRules
from deskui.services.views import TicketView
from deskui.widgets.detail_clocks import DetailClocks
from deskui.widgets.detail_fields import DetailFields
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.timeline import Timeline

#: Where "reopen" leads from each closed-for-now status.
REOPEN_TARGETS = {Status.RESOLVED: Status.IN_PROGRESS, Status.REJECTED: Status.TO_ASSIGN}
#: Actions that need the ticket on screen.
TICKET_ACTIONS = (
    "claim",
    "take_over",
    "worklog",
    "progress",
    "status",
    "pending",
    "escalate",
    "solution",
    "confirm",
    "reject",
    "reopen",
    "copy",
)


class TicketScreen(DeskScreen[None]):
    """One ticket.

    Args:
        number: the ticket number (``IT20261102001``).
    """

    DEFAULT_CSS = """
    TicketScreen #detail-head {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    TicketScreen #detail-body {
        height: 1fr;
    }
    TicketScreen DetailFields {
        width: 3fr;
    }
    TicketScreen Timeline {
        width: 4fr;
    }
    TicketScreen #detail-notice {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding(
            "escape", "back", "detail.key.back", tooltip="detail.key.back.tip", id="detail.back"
        ),
        Binding(
            "a", "claim", "detail.key.claim", tooltip="detail.key.claim.tip", id="detail.claim"
        ),
        Binding(
            "A",
            "take_over",
            "detail.key.take_over",
            tooltip="detail.key.take_over.tip",
            id="detail.take_over",
        ),
        Binding(
            "w",
            "worklog",
            "detail.key.worklog",
            tooltip="detail.key.worklog.tip",
            id="detail.worklog",
        ),
        Binding(
            "u",
            "progress",
            "detail.key.progress",
            tooltip="detail.key.progress.tip",
            id="detail.progress",
        ),
        Binding(
            "s", "status", "detail.key.status", tooltip="detail.key.status.tip", id="detail.status"
        ),
        Binding(
            "p",
            "pending",
            "detail.key.pending",
            tooltip="detail.key.pending.tip",
            show=False,
            id="detail.pending",
        ),
        Binding(
            "e",
            "escalate",
            "detail.key.escalate",
            tooltip="detail.key.escalate.tip",
            id="detail.escalate",
        ),
        Binding(
            "o",
            "solution",
            "detail.key.solution",
            tooltip="detail.key.solution.tip",
            id="detail.solution",
        ),
        Binding(
            "c",
            "confirm",
            "detail.key.confirm",
            tooltip="detail.key.confirm.tip",
            id="detail.confirm",
        ),
        Binding(
            "x", "reject", "detail.key.reject", tooltip="detail.key.reject.tip", id="detail.reject"
        ),
        Binding(
            "R", "reopen", "detail.key.reopen", tooltip="detail.key.reopen.tip", id="detail.reopen"
        ),
        Binding("y", "copy", "detail.key.copy", tooltip="detail.key.copy.tip", id="detail.copy"),
    ]

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        """The ticket shown."""
        self.ticket: TicketView | None = None
        """The ticket as last read (None until it arrives)."""
        self.form: TicketForm | None = None
        """The form whose change is under way or was refused, if any."""
        self.notice = ""
        """The last message shown."""
        self._rules: DeskRules | None = None
        self._read_at: datetime | None = None

    def compose(self) -> ComposeResult:
        """Heading, clocks, fields beside the timeline, notice, keys."""
        t = self.ctx.t
        yield Static(Text(self.number, style="bold"), id="detail-head")
        yield DetailClocks(t, id="detail-clocks")
        with Horizontal(id="detail-body"):
            yield DetailFields(id="detail-fields")
            yield Timeline(id="detail-timeline")
        yield Static(Text(t("detail.loading")), id="detail-notice")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Keys in the agent's language; read the ticket; one timer moves the clocks."""
        self.query_one(Timeline).focus()
        self.set_interval(1.0, self._tick, name="detail-clocks")
        self.reload()

    # reading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the ticket again (in a worker)."""
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail-read")
    def _read(self) -> None:
        desk = self.ctx.desk
        try:
            rules = desk.rules
            view = desk.ticket(self.number)
        except (ServiceError, DatabaseUnavailable) as exc:
            self.app.call_from_thread(self._say, str(exc))
            return
        self.app.call_from_thread(self._show, view, rules, desk.clock.now())

    def _show(self, view: TicketView, rules: DeskRules, read_at: datetime) -> None:
        """Lay out a freshly read ticket."""
        self.ticket, self._rules, self._read_at = view, rules, read_at
        t = self.ctx.t
        head = Text()
        head.append(view.number, style="bold")
        head.append("  ")
        head.append(t(f"status.{view.status}"), style="bold reverse")
        head.append("  ")
        head.append(
            t(f"priority.{view.priority}"), style="bold red" if view.priority == "P1" else "bold"
        )
        if view.vip:
            head.append("  VIP", style="bold magenta")
        head.append("  ")
        head.append(sanitize_line(view.summary))
        self.query_one("#detail-head", Static).update(head)
        self.query_one(DetailFields).show(view, rules.tz, t)
        self.query_one(Timeline).show(view.events, rules.tz, t)
        self._tick()
        if not self.notice:
            self.query_one("#detail-notice", Static).update("")
        self.refresh_bindings()

    def _tick(self) -> None:
        """The second hand: the clocks carried forward from when they were read."""
        view, rules, read_at = self.ticket, self._rules, self._read_at
        if view is None or rules is None or read_at is None:
            return
        clocks = advance_clocks(view.clocks, read_at, self.ctx.clock.now(), rules)
        self.query_one(DetailClocks).show(clocks, rules.tz)

    def on_desk_changed(self, message: Any) -> None:
        """Someone changed the desk: show the ticket as it is now."""
        tables = getattr(message, "tables", None)
        if not tables or {"ticket", "ticket_event"} & set(tables):
            self.reload()

    def _say(self, text: str) -> None:
        self.notice = text
        self.query_one("#detail-notice", Static).update(Text(sanitize_line(text)))

    # what applies ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what the workflow, the role or the ticket's holder does not allow."""
        if action not in TICKET_ACTIONS:
            return True
        view = self.ticket
        if view is None:
            return None
        actor, status, holder = self.ctx.actor, view.status, view.assignee
        allowed = {
            "claim": may_claim(actor, status, holder),
            "take_over": may_take_over(actor, status, holder),
            "worklog": status != Status.CLOSED,
            "progress": status.is_open,
            "status": bool(self._targets()),
            "pending": may_move(actor, status, holder, Status.PENDING),
            "escalate": status.is_open and may_handle(actor, holder) and view.tier < 3,
            "solution": may_move(actor, status, holder, Status.AWAITING_CONFIRMATION),
            "confirm": may_move(actor, status, holder, Status.RESOLVED),
            "reject": may_move(actor, status, holder, Status.REJECTED),
            "reopen": status in REOPEN_TARGETS
            and may_move(actor, status, holder, REOPEN_TARGETS[status]),
            "copy": True,
        }[action]
        return True if allowed else None

    def _targets(self) -> list[Status]:
        view = self.ticket
        if view is None:
            return []
        actor = self.ctx.actor
        return [
            s
            for s in allowed_targets(view.status, actor.role)
            if may_move(actor, view.status, view.assignee, s)
            and not (
                s == Status.IN_PROGRESS
                and view.status in (Status.NEW, Status.TO_ASSIGN)
                and not may_claim(actor, view.status, view.assignee)
            )
        ]

    # sending changes -------------------------------------------------------------------------
    def _change(self, kind: str, call: Callable[[int], Any]) -> None:
        """Run ``call(expected_version)`` in a worker, based on the version on screen now."""
        view = self.ticket
        if view is None:
            return
        version = view.version
        self._say(self.ctx.t("queue.working"))
        self._run(kind, [(view.number, lambda: call(version))])

    @work(thread=True, exit_on_error=False, group="detail-changes")
    def _run(self, kind: str, calls: list[tuple[str, Callable[[], Any]]]) -> None:
        self.post_message(ChangesFinished(apply_changes(kind, calls)))

    @on(ChangesFinished)
    def _finished(self, message: ChangesFinished) -> None:
        outcome = message.outcome
        t = self.ctx.t
        self._say(outcome_text(outcome, t))
        if isinstance(outcome.result, TicketView) and self._rules is not None:
            self._show(outcome.result, self._rules, self.ctx.clock.now())
        else:
            self.reload()
        form, self.form = self.form, None
        if form is None or not form.is_attached:
            return
        if outcome.refused:
            form.failed(outcome_text(outcome, t))
            self.form = form
        else:
            form.done()

    def _open(self, form: TicketForm) -> None:
        self.form = form
        self.app.push_screen(form)

    def _note(
        self,
        kind: str,
        title_key: str,
        label_key: str,
        call: Callable[[str, int], Any],
        *,
        required: bool = True,
    ) -> None:
        """A note form whose text goes to ``call(text, expected_version)``."""
        t = self.ctx.t

        def send(text: str) -> None:
            self._change(kind, lambda version: call(text, version))

        self._open(
            NoteForm(t(title_key, number=self.number), send, label=t(label_key), required=required)
        )

    def _set_status(self, kind: str, target: Status, title_key: str, label_key: str) -> None:
        desk, actor = self.ctx.desk, self.ctx.actor
        self._note(
            kind,
            title_key,
            label_key,
            lambda text, version: desk.set_status(
                actor, self.number, str(target), note=text, expected_version=version
            ),
        )

    # actions ---------------------------------------------------------------------------------
    def action_back(self) -> None:
        """Back to the queue."""
        self.dismiss(None)

    def action_claim(self) -> None:
        """``a``: claim it (one owner; if someone else got there first, who)."""
        desk, actor = self.ctx.desk, self.ctx.actor
        self._change("claim", lambda version: desk.claim(actor, self.number))

    def action_take_over(self) -> None:
        """``A`` (leads): take it over from whoever holds it; audited."""
        desk, actor = self.ctx.desk, self.ctx.actor
        self._change(
            "take_over",
            lambda version: desk.claim(actor, self.number, takeover=True, expected_version=version),
        )

    def action_worklog(self) -> None:
        """``w``: a worklog entry (internal)."""
        desk, actor = self.ctx.desk, self.ctx.actor
        self._note(
            "worklog",
            "detail.form.worklog_title",
            "detail.form.worklog_label",
            lambda text, version: desk.worklog(actor, self.number, text, expected_version=version),
        )

    def action_progress(self) -> None:
        """``u``: an update to the requester (restarts the update clock)."""
        desk, actor = self.ctx.desk, self.ctx.actor
        self._note(
            "progress",
            "detail.form.progress_title",
            "detail.form.progress_label",
            lambda text, version: desk.worklog(
                actor, self.number, text, progress=True, expected_version=version
            ),
        )

    def action_escalate(self) -> None:
        """``e``: one tier up, with the diagnosis so far."""
        desk, actor = self.ctx.desk, self.ctx.actor
        self._note(
            "escalate",
            "detail.form.escalate_title",
            "detail.form.escalate_label",
            lambda text, version: desk.escalate(actor, self.number, text, expected_version=version),
        )

    def action_pending(self) -> None:
        """``p``: pending, with what it waits for."""
        self._set_status(
            "pending", Status.PENDING, "detail.form.pending_title", "detail.form.pending_label"
        )

    def action_solution(self) -> None:
        """``o``: the solution; the requester is asked to confirm it."""
        self._set_status(
            "solution",
            Status.AWAITING_CONFIRMATION,
            "detail.form.solution_title",
            "detail.form.solution_label",
        )

    def action_reject(self) -> None:
        """``x``: reject, with politely worded guidance."""
        self._set_status(
            "reject", Status.REJECTED, "detail.form.reject_title", "detail.form.reject_label"
        )

    def action_reopen(self) -> None:
        """``R``: reopen a resolved or rejected ticket, with the reason."""
        view = self.ticket
        if view is None or view.status not in REOPEN_TARGETS:
            return
        self._set_status(
            "reopen",
            REOPEN_TARGETS[view.status],
            "detail.form.reopen_title",
            "detail.form.reopen_label",
        )

    def action_confirm(self) -> None:
        """``c``: the requester confirms the solution, with 1–5 stars."""
        desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t

        def send(confirmation: Confirmation) -> None:
            self._change(
                "confirm",
                lambda version: desk.confirm(
                    actor,
                    self.number,
                    confirmation.satisfaction,
                    remark=confirmation.remark or None,
                    expected_version=version,
                ),
            )

        self._open(ConfirmForm(t("detail.form.confirm_title", number=self.number), send))

    def action_status(self) -> None:
        """``s``: any status change the workflow allows here."""
        view = self.ticket
        if view is None:
            return
        t = self.ctx.t
        options = [(str(s), t(f"status.{s}")) for s in self._targets()]
        note = t("detail.form.status_now", status=t(f"status.{view.status}"))
        picker = PickForm(
            t("detail.form.status_title", number=self.number), lambda v: None, options, note=note
        )
        picker.send = lambda value: self._status_chosen(picker, Status(value))
        self.app.push_screen(picker)

    def _status_chosen(self, picker: PickForm, target: Status) -> None:
        """Go on from the status picker to what that move needs."""
        view = self.ticket
        picker.dismiss(None)
        if view is None:
            return
        if target == Status.IN_PROGRESS and view.status in (Status.NEW, Status.TO_ASSIGN):
            self.action_claim()
        elif target == Status.AWAITING_CONFIRMATION:
            self.action_solution()
        elif target == Status.RESOLVED:
            self.action_confirm()
        elif target == Status.CLOSED:
            desk, actor = self.ctx.desk, self.ctx.actor
            self._change(
                "status",
                lambda version: desk.set_status(
                    actor, self.number, "closed", expected_version=version
                ),
            )
        else:
            transition = find_transition(view.status, target)
            needs_note = transition is not None and transition.needs_note
            desk, actor = self.ctx.desk, self.ctx.actor
            self._note(
                "status",
                "detail.form.status_note_title",
                "detail.form.status_note_label",
                lambda text, version: desk.set_status(
                    actor, self.number, str(target), note=text or None, expected_version=version
                ),
                required=needs_note,
            )

    def action_copy(self) -> None:
        """``y``: number and summary to the clipboard."""
        view = self.ticket
        if view is None:
            return
        text = f"{view.number} {sanitize_line(view.summary)}"
        copy_text(self.app, text)
        self._say(self.ctx.t("queue.copied", text=text))
