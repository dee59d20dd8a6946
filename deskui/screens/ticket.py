"""A ticket in full (enter on the queue): every field, the clocks ticking, the timeline, actions.

Every change names the version the agent was looking at. If another console changed the ticket
meanwhile the change is refused, the ticket is read again, and the form stays open with what
was typed, so sending again applies it to what the ticket is now. Changes go through the shared
:class:`~deskui.screens.ticket_work.TicketChanges`; what a key may do is decided by
:mod:`deskui.core.permissions` and :func:`deskui.core.workflow.status_targets`, the rules the
services enforce.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from deskui.console.base import DeskScreen
from deskui.console.clipboard import copy_text
from deskui.console.errors import describe
from deskui.console.messages import DeskChanged
from deskui.core.enums import EventKind, Status
from deskui.core.permissions import Action, TicketFacts, allows, may_claim_now, role_may
from deskui.core.sanitize import sanitize_line
from deskui.core.sla import advance_clocks
from deskui.core.workflow import find_transition, status_targets, target_of
from deskui.i18n import Catalog
from deskui.screens.knowledge_forms import TicketArticleForm, may_draft_from, show_suggestion
from deskui.screens.ticket_forms import (
    Confirmation,
    ConfirmForm,
    PickForm,
    Worklog,
    WorklogForm,
)
from deskui.screens.ticket_work import LEAD_ACTIONS, Outcome, TicketChanges, lead_key
from deskui.services.knowledge import KnowledgeBase
from deskui.services.names import DeskNames
from deskui.services.review import ReviewItem, gaps_of
from deskui.services.rules import DeskRules
from deskui.services.views import TicketView
from deskui.widgets.detail_clocks import DetailClocks
from deskui.widgets.detail_fields import DetailFields
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.keys import desk_key
from deskui.widgets.suggestion_panel import SuggestionPanel
from deskui.widgets.timeline import Timeline

#: Each key's action → what the permission rules call it (``status`` and ``copy`` aside).
ACTIONS = {
    "claim": Action.CLAIM,
    "worklog": Action.WORKLOG,
    "progress": Action.PROGRESS,
    "pending": Action.PEND,
    "escalate": Action.ESCALATE,
    "solution": Action.SOLVE,
    "confirm": Action.CONFIRM,
    "reject": Action.REJECT,
    "reopen": Action.REOPEN,
}
#: Keys that are a status change: the workflow says where each leads from where the ticket is.
STATUS_KEYS = frozenset({"pending", "solution", "confirm", "reject", "reopen"})


def lifecycle_text(view: TicketView, t: Catalog, tz: ZoneInfo) -> str:
    """The line under the clocks: a new estimate given to the requester (the target cannot be
    met), where the ticket stands in the desk's review."""
    parts: list[str] = []
    if view.children:
        numbers = ", ".join(view.children)
        parts.append(t("lifecycle.outage.parent_of", count=len(view.children), numbers=numbers))
    if view.parent:
        parts.append(t("lifecycle.outage.child_of", parent=view.parent))
    estimates = [e for e in view.events if e.kind == EventKind.ESTIMATE]
    if view.is_open and estimates and view.expected_by is not None:
        when = view.expected_by.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        parts.append(t("lifecycle.estimate.line", time=when, reason=estimates[-1].note or ""))
    if view.status == Status.RESOLVED:
        gaps = gaps_of(view)
        listed = t.pick("、", ", ").join(t(f"lifecycle.gap.{g}") for g in gaps)
        state = t("lifecycle.review.missing", gaps=listed) if gaps else None
        parts.append(t("lifecycle.review.line", state=state or t("lifecycle.review.complete")))
    return "  ·  ".join(parts)


class TicketScreen(DeskScreen[None]):
    """One ticket.

    Args:
        number: the ticket number (``IT20261102001``).
    """

    CSS_PATH = "ticket.tcss"

    # keys that open a form are priority keys: read and acted on before the next key is read,
    # so what is typed right after them lands in the form, not on this screen
    BINDINGS = [
        desk_key("escape", "back", "detail.key.back"),
        desk_key("a", "claim", "detail.key.claim"),
        desk_key("T", "take_over", "detail.key.take_over", priority=True),
        desk_key("P", "override", "lifecycle.key.override", priority=True),
        desk_key("n", "assign", "lifecycle.key.assign", priority=True),
        desk_key("D", "estimate", "lifecycle.key.estimate", priority=True),
        desk_key("w", "worklog", "detail.key.worklog", priority=True),
        desk_key("u", "progress", "detail.key.progress", priority=True),
        desk_key("s", "status", "detail.key.status", priority=True),
        desk_key("p", "pending", "detail.key.pending", show=False, priority=True),
        desk_key("e", "escalate", "detail.key.escalate", priority=True),
        desk_key("o", "solution", "detail.key.solution", priority=True),
        desk_key("c", "confirm", "detail.key.confirm", priority=True),
        desk_key("x", "reject", "detail.key.reject", priority=True),
        desk_key("R", "reopen", "detail.key.reopen", priority=True),
        desk_key("C", "close", "detail.key.close", priority=True),
        desk_key("y", "copy", "detail.key.copy"),
        desk_key("v", "reveal_phone", "detail.key.reveal_phone"),
        desk_key("k", "draft_article", "kb.key.draft_article"),
        desk_key("ctrl+g", "suggestion_open", "kb.key.suggest_open"),
        desk_key("ctrl+t", "suggestion_use", "kb.key.suggest_solution", show=False),
        desk_key("alt+down", "suggestion_move(1)", "kb.key.suggest_next", show=False),
        desk_key("alt+up", "suggestion_move(-1)", "kb.key.suggest_previous", show=False),
    ]

    tick_seconds = 1.0
    """How often the clocks move."""

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        """The ticket shown."""
        self.ticket: TicketView | None = None
        """The ticket as last read (None until it arrives)."""
        self.notice = ""
        """The last message shown."""
        self.changes = TicketChanges(self, say=self._say, finished=self._changes_finished)
        """Sends the changes of this screen's keys."""
        self._rules: DeskRules | None = None
        self._read_at: datetime | None = None
        self._names = DeskNames()
        self.phone_revealed = False
        """The requester's whole phone was revealed here (on the record) by someone who does
        not hold the ticket."""

    def compose(self) -> ComposeResult:
        """Heading, clocks, fields beside the timeline, notice, keys."""
        t = self.ctx.t
        yield Static(Text(self.number, style="bold"), id="detail-head")
        yield DetailClocks(t, id="detail-clocks")
        yield Static("", id="detail-lifecycle")
        with Horizontal(id="detail-body"):
            yield DetailFields(id="detail-fields")
            yield Timeline(id="detail-timeline")
            yield SuggestionPanel(id="kb-suggestions", exclude=self.number)
        yield Static(Text(t("detail.loading")), id="detail-notice")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Read the ticket; one timer moves the clocks."""
        self.query_one(Timeline).focus()
        self.set_interval(self.tick_seconds, self._tick, name="detail-clocks")
        self.reload()

    # reading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the ticket again (in a worker)."""
        self._read()

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail-read")
    def _read(self) -> None:
        desk = self.ctx.desk
        rules = desk.rules
        view = desk.ticket(self.number)
        names = desk.names()
        if not get_current_worker().is_cancelled:  # a newer read is on its way
            self.app.call_from_thread(self._show, view, rules, desk.clock.now(), names)

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A failed change gives its form back; a failed read is said in the notice line."""
        if self.changes.worker_failed(worker, error):
            return True
        self._say(describe(error, self.ctx.t))
        return True

    def _show(
        self, view: TicketView, rules: DeskRules, read_at: datetime, names: DeskNames
    ) -> None:
        """Lay out a freshly read ticket."""
        self.ticket, self._rules, self._read_at, self._names = view, rules, read_at, names
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
        lifecycle = lifecycle_text(view, t, rules.tz)
        line = self.query_one("#detail-lifecycle", Static)
        line.update(Text(sanitize_line(lifecycle)))
        line.display = bool(lifecycle)
        self.query_one(DetailFields).show(
            view, rules.tz, t, names, phone_shown=self.phone_revealed or self._holds(view)
        )
        self.query_one(Timeline).show(view.events, rules.tz, t, names)
        self._tick()
        if not self.notice:
            self.query_one("#detail-notice", Static).update("")
        self.query_one(SuggestionPanel).update_query(f"{view.summary} {view.description}")
        self._show_suggestion_keys()
        self.refresh_bindings()

    def _tick(self) -> None:
        """The second hand: the clocks carried forward from when they were read."""
        view, rules, read_at = self.ticket, self._rules, self._read_at
        if view is None or rules is None or read_at is None:
            return
        clocks = advance_clocks(view.clocks, read_at, self.ctx.clock.now(), rules)
        self.query_one(DetailClocks).show(clocks, rules.tz)

    def on_desk_changed(self, message: DeskChanged) -> None:
        """Someone changed the desk: show the ticket as it is now."""
        if {"ticket", "ticket_event"} & message.tables:
            self.reload()

    def _say(self, text: str) -> None:
        self.notice = text
        self.query_one("#detail-notice", Static).update(Text(sanitize_line(text)))

    # the knowledge base ----------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        """Suggestions beside the timeline, or under it on a narrow terminal."""
        self.query_one(SuggestionPanel).fit(event.size.width)

    def action_suggestion_open(self) -> None:
        """Read the highlighted suggestion."""
        show_suggestion(self, self.query_one(SuggestionPanel))

    def action_suggestion_move(self, step: int) -> None:
        """Highlight the next or previous suggestion."""
        self.query_one(SuggestionPanel).move(step)

    def action_suggestion_use(self) -> None:
        """The highlighted suggestion's solution into the solution form (``o``), to edit and
        send; said so when no solution may be given on this ticket now."""
        item = self.query_one(SuggestionPanel).selected
        if item is None:
            return
        if not self.check_action("solution", ()):
            self._say(self.ctx.t("kb.suggest.use_not_now"))
            return
        self.action_solution(item.solution)

    def _show_suggestion_keys(self) -> None:
        """The panel names ctrl+t only while a solution may be given here."""
        keys = "kb.suggest.keys" if self.check_action("solution", ()) else "kb.suggest.keys_read"
        self.query_one(SuggestionPanel).show_keys(keys)

    def action_draft_article(self) -> None:
        """Draft a knowledge-base article from this solved ticket."""
        self._draft_article(self.number)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail-article")
    def _draft_article(self, number: str) -> None:
        draft = KnowledgeBase.of(self.ctx.desk).draft_from_ticket(number)
        title = self.ctx.t("kb.form.from_ticket", number=number)
        self.app.call_from_thread(self.app.push_screen, TicketArticleForm(number, draft, title))

    # what applies ----------------------------------------------------------------------------
    def _holds(self, view: TicketView) -> bool:
        return view.shows_phone_to(self.ctx.actor)

    def _facts(self) -> TicketFacts | None:
        # with whoever gave the solution awaiting an answer (the rules keep them from confirming)
        return None if self.ticket is None else self.ticket.facts

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what the workflow, the role or the ticket's holder does not allow."""
        if action in LEAD_ACTIONS:
            return lead_key(self.ctx.actor, action, self._facts())
        if action == "close" and not role_may(self.ctx.actor.role, Action.CLOSE):
            return False  # not the desk's reviewer: the key is not offered at all
        if action == "draft_article":
            solved = self.ticket is not None and may_draft_from(self.ticket.status)
            return True if solved and role_may(self.ctx.actor.role, Action.KB_DRAFT) else None
        if action.startswith("suggestion_"):
            return True if self.query_one(SuggestionPanel).items else None
        if action == "reveal_phone":
            view = self.ticket
            if view is None or self._holds(view):
                return None if view is None else False  # the holder sees it: no key
            hidden = bool(view.requester.phone) and not self.phone_revealed
            return True if hidden and allows(self.ctx.actor, Action.REVEAL_PHONE) else None
        if action not in (*ACTIONS, "status", "copy", "close"):
            return True
        ticket = self._facts()
        if ticket is None:
            return None
        return True if self._applies(action, ticket) else None

    def _applies(self, action: str, ticket: TicketFacts) -> bool:
        actor = self.ctx.actor
        if action == "copy":
            return True
        if action == "status":
            return bool(status_targets(actor, ticket))
        if action == "claim":
            return may_claim_now(actor, ticket)
        if action == "close":
            return ticket.status == Status.RESOLVED and allows(actor, Action.CLOSE, ticket)
        if action in STATUS_KEYS:
            target = target_of(ticket.status, ACTIONS[action])
            return target is not None and target in status_targets(actor, ticket)
        return allows(actor, ACTIONS[action], ticket)

    # actions ---------------------------------------------------------------------------------
    def _changes_finished(self, outcome: Outcome) -> None:
        if outcome.kind == "reveal_phone" and outcome.done:
            self.phone_revealed = True
        if outcome.result is not None and self._rules is not None:
            self._show(outcome.result, self._rules, self.ctx.clock.now(), self._names)
        else:
            self.reload()

    def _version(self) -> int | None:
        return None if self.ticket is None else self.ticket.version

    def _now(self, kind: str, call: Callable[[int | None], TicketView]) -> None:
        """Run ``call(expected_version)`` now, based on the version on screen."""
        version = self._version()
        self.changes.send(kind, [(self.number, lambda: call(version))])

    def _noted(
        self,
        kind: str,
        call: Callable[[str, int | None], TicketView],
        *,
        title: str | None = None,
        label: str | None = None,
        required: bool = True,
        text: str = "",
    ) -> None:
        """A note form (``text`` already in it) whose text goes to
        ``call(text, expected_version)``."""
        self.changes.with_note(
            kind,
            self.number,
            lambda note: partial(call, note, self._version()),
            title=title,
            label=label,
            required=required,
            text=text,
        )

    def _set_status(self, kind: str, target: Status, text: str = "") -> None:
        desk, actor = self.ctx.desk, self.ctx.actor
        self._noted(
            kind,
            lambda note, version: desk.set_status(
                actor, self.number, str(target), note=note, expected_version=version
            ),
            text=text,
        )

    def action_back(self) -> None:
        """Back to the queue."""
        self.dismiss(None)

    def action_claim(self) -> None:
        """``a``: claim it (one owner; if someone else got there first, who)."""
        desk, actor = self.ctx.desk, self.ctx.actor
        self._now("claim", lambda version: desk.claim(actor, self.number))

    def action_take_over(self) -> None:
        """``T`` (leads): take it over from whoever holds it, with a reason; audited. Far from
        ``a``: a takeover is never a slip of the finger on claim."""
        view = self.ticket
        if view is not None:
            holder = f"{view.assignee_name} ({view.assignee})" if view.assignee else None
            self.changes.take_over(self.number, holder, self._version)

    def action_override(self) -> None:
        """``P`` (leads): the priority by hand with a reason, or the matrix's again."""
        view = self.ticket
        if view is not None:
            overridden = view.override_reason is not None
            self.changes.override(self.number, str(view.priority), overridden, self._version)

    def action_assign(self) -> None:
        """``n`` (leads): assign to a named person of the ticket's group."""
        view = self.ticket
        if view is not None:
            self.changes.assign(self.number, view.group_code, self._version)

    def action_estimate(self) -> None:
        """``D``: the target cannot be met — a new estimate for the requester, and why."""
        if self._rules is not None:
            self.changes.estimate(self.number, self._rules.tz, self._version)

    def action_worklog(self) -> None:
        """``w``: a worklog entry (internal), with the minutes spent if given."""
        self._worked("worklog", progress=False)

    def action_progress(self) -> None:
        """``u``: an update to the requester (restarts the update clock), with the minutes."""
        self._worked("progress", progress=True)

    def _worked(self, kind: str, *, progress: bool) -> None:
        desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t

        def send(entry: Worklog) -> None:
            version = self._version()
            change = partial(
                desk.worklog,
                actor,
                self.number,
                entry.text,
                progress=progress,
                minutes=entry.minutes,
                expected_version=version,
            )
            self.changes.send(kind, [(self.number, change)])

        title = t(f"detail.form.{kind}_title", number=self.number)
        self.changes.open(WorklogForm(title, send, label=t(f"detail.form.{kind}_label")))

    def action_escalate(self) -> None:
        """``e``: one tier up, with the diagnosis so far."""
        self.changes.escalate(self.number, self._version)

    def action_pending(self) -> None:
        """``p``: pending, with what it waits for."""
        self._set_status("pending", Status.PENDING)

    def action_solution(self, text: str = "") -> None:
        """``o``: the solution (``text`` already in the form); the requester is asked to
        confirm it."""
        self._set_status("solution", Status.AWAITING_CONFIRMATION, text)

    def action_reject(self) -> None:
        """``x``: reject, with politely worded guidance."""
        self._set_status("reject", Status.REJECTED)

    def action_reopen(self) -> None:
        """``R``: reopen a resolved or rejected ticket, with the reason."""
        view = self.ticket
        target = None if view is None else target_of(view.status, Action.REOPEN)
        if target is not None:
            self._set_status("reopen", target)

    def action_confirm(self) -> None:
        """``c``: the requester's answer, recorded by the desk: confirmed with 1–5 stars (and
        per aspect) or refused with their reason, and the channel it came by."""
        desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t

        def send(answer: Confirmation) -> None:
            if answer.refused:
                self._now(
                    "refuse",
                    lambda version: desk.refuse(
                        actor, self.number, answer.remark, answer.channel, expected_version=version
                    ),
                )
                return
            self._now(
                "confirm",
                lambda version: desk.confirm(
                    actor,
                    self.number,
                    answer.satisfaction,
                    channel=answer.channel,
                    aspects=answer.aspects,
                    remark=answer.remark or None,
                    expected_version=version,
                ),
            )

        self.changes.open(ConfirmForm(t("detail.form.confirm_title", number=self.number), send))

    def action_status(self) -> None:
        """``s``: any status change the workflow allows here; the picker asks, then what that
        move needs follows."""
        ticket = self._facts()
        if ticket is None:
            return
        t = self.ctx.t
        options = [(str(s), t(f"status.{s}")) for s in status_targets(self.ctx.actor, ticket)]
        note = t("detail.form.status_now", status=t(f"status.{ticket.status}"))
        picker = PickForm(
            t("detail.form.status_title", number=self.number), options=options, note=note
        )
        self.app.push_screen(picker, self._status_chosen)

    def _status_chosen(self, value: str | None) -> None:
        """Go on from the status picker to what that move needs."""
        view = self.ticket
        if value is None or view is None:
            return
        target = Status(value)
        if target == Status.IN_PROGRESS and view.status in (Status.NEW, Status.TO_ASSIGN):
            self.action_claim()
        elif target == Status.AWAITING_CONFIRMATION:
            self.action_solution()
        elif target == Status.RESOLVED:
            self.action_confirm()
        elif target == Status.CLOSED:
            desk, actor = self.ctx.desk, self.ctx.actor
            self._now(
                "status",
                lambda version: desk.set_status(
                    actor, self.number, "closed", expected_version=version
                ),
            )
        else:
            transition = find_transition(view.status, target)
            desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t
            self._noted(
                "status",
                lambda text, version: desk.set_status(
                    actor, self.number, str(target), note=text or None, expected_version=version
                ),
                title=t("detail.form.status_note_title", number=self.number),
                label=t("detail.form.status_note_label"),
                required=transition is not None and transition.needs_note,
            )

    def action_close(self) -> None:
        """``C``: the desk's review and close, with a note; the dialog says what the record
        lacks."""
        view = self.ticket
        if view is not None:
            item = ReviewItem(view.number, view.summary, view.status, gaps_of(view))
            self.changes.close([item], lambda number: self._version())

    def action_reveal_phone(self) -> None:
        """``v``: the requester's whole phone number, for someone who does not hold the ticket;
        the reading is recorded (who, whose number, when) and shows in the timeline."""
        desk, actor = self.ctx.desk, self.ctx.actor
        self._now("reveal_phone", lambda version: desk.reveal_phone(actor, self.number))

    def action_copy(self) -> None:
        """``y``: number and summary to the clipboard."""
        view = self.ticket
        if view is None:
            return
        text = f"{view.number} {sanitize_line(view.summary)}"
        copy_text(self.app, text)
        self._say(self.ctx.t("queue.copied", text=text))
