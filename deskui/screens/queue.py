"""The agent's live queue (F3): views on single keys, search, and triage without leaving it.

The table reads only the rows in view (see :mod:`deskui.widgets.queue_table`). Triage keys act
on the selection (claim, transfer) or on the cursor's ticket; each change goes through the
shared :class:`~deskui.screens.ticket_work.TicketChanges` and the rows it touched are read again
at once. A change made on another console arrives as
:class:`~deskui.console.messages.DeskChanged` and refreshes the rows in place: the cursor stays
on its ticket, the selection stays selected. What a key may do is decided by
:mod:`deskui.core.permissions`, the same rules the services enforce.
"""

from __future__ import annotations

import logging
from functools import partial
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.events import ScreenResume
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, get_current_worker

from deskui.console.base import DeskScreen
from deskui.console.clipboard import copy_text
from deskui.console.errors import describe
from deskui.console.messages import DeskChanged
from deskui.core.enums import Status
from deskui.core.permissions import (
    Action,
    TicketFacts,
    allows,
    may_claim_now,
    role_may,
    works_own_groups_first,
)
from deskui.core.sanitize import sanitize_line
from deskui.core.workflow import status_targets
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_forms import NoteForm, PickForm, Triage, TriageForm
from deskui.screens.ticket_work import (
    LEAD_ACTIONS,
    Call,
    Outcome,
    TicketChanges,
    lead_key,
    numbers_text,
)
from deskui.services.errors import ServiceError
from deskui.services.queue import GroupChoice, QueueQuery, QueueReader, QueueRow, QueueView
from deskui.services.review import ReviewItem
from deskui.services.ticket_filters import TicketFilter
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.keys import desk_key
from deskui.widgets.queue_bar import QueueBar
from deskui.widgets.queue_filters import FilterBar, Person
from deskui.widgets.queue_table import TicketTable
from deskui.widgets.safe_input import SafeInput

log = logging.getLogger(__name__)

#: Actions whose greying depends on the row under the cursor (or the selection).
ROW_ACTIONS = (
    "open",
    "copy",
    "claim",
    "triage",
    "transfer",
    "escalate",
    "pending",
    "close",
    *LEAD_ACTIONS,
)
#: The order the view key (``v``) goes through the views.
VIEW_ORDER = tuple(QueueView)
#: Tables whose changes can change what the queue shows.
QUEUE_TABLES = frozenset({"ticket", "ticket_event", "requester", "desk_user"})


def facts(row: QueueRow) -> TicketFacts:
    """What the permission rules need of a queue row."""
    return TicketFacts(row.status, row.assignee_login, row.tier, group=row.group_code)


class QueueScreen(DeskScreen[None]):
    """The live queue."""

    CSS_PATH = "queue.tcss"

    # keys that open a form or the detail are priority keys (read and acted on before the next
    # key is read, so what is typed right after them lands there); while the search field has
    # the focus they do not apply, and the letters go into the field
    BINDINGS = [
        desk_key("1", "view('mine')", "queue.key.mine", show=False),
        desk_key("2", "view('groups')", "queue.key.groups", show=False),
        desk_key("3", "view('unassigned')", "queue.key.unassigned", show=False),
        desk_key("4", "view('open')", "queue.key.open_view", show=False),
        desk_key("5", "view('alert')", "queue.key.alert", show=False),
        desk_key("6", "view('resolved')", "queue.key.resolved", show=False),
        desk_key("7", "view('review')", "queue.key.review", show=False),
        desk_key("8", "view('closed')", "queue.key.closed", show=False),
        desk_key("9", "view('rejected')", "queue.key.rejected", show=False),
        desk_key("0", "view('all')", "queue.key.all", show=False),
        desk_key("v", "next_view", "queue.key.next_view"),
        desk_key("enter", "open", "queue.key.open", priority=True),
        desk_key("a", "claim", "queue.key.claim"),
        desk_key("t", "triage", "queue.key.triage", priority=True),
        desk_key("g", "transfer", "queue.key.transfer", priority=True),
        desk_key("e", "escalate", "queue.key.escalate", priority=True),
        desk_key("p", "pending", "queue.key.pending", priority=True),
        desk_key("C", "close", "queue.key.close", priority=True),
        desk_key("P", "override", "lifecycle.key.override", priority=True),
        desk_key("n", "assign", "lifecycle.key.assign", priority=True),
        desk_key("T", "take_over", "detail.key.take_over", priority=True),
        desk_key("D", "estimate", "lifecycle.key.estimate", priority=True),
        desk_key("y", "copy", "queue.key.copy"),
        desk_key("slash", "search", "queue.key.search"),
        desk_key("f", "filter", "queue.key.filter"),
        desk_key("escape", "clear", "queue.key.clear", show=False),
    ]

    reread_seconds = 30.0
    """Seconds between re-reads of the rows in view when nothing announced a change (clocks
    cross into warning with time alone, which changes the alert view)."""
    search_delay = 0.3
    """Seconds of quiet typing before a search runs."""
    change_delay = 0.1
    """Changes announced this close together are read once."""
    tick_seconds = 1.0
    """How often the clocks in view move."""

    def __init__(self) -> None:
        super().__init__()
        self.view = QueueView.OPEN
        """The view shown."""
        self.notice = ""
        """The last message shown under the table (what a change did, or why not)."""
        self.changes = TicketChanges(self, say=self._say, finished=self._changes_finished)
        """Sends the changes of this screen's keys."""
        self.filters = TicketFilter()
        """The filter bar's filters applied (kept through views, searches and refreshes)."""
        self._groups: list[GroupChoice] = []
        self._action_state: tuple[object, ...] = ()
        self._search_timer: Timer | None = None
        self._change_timer: Timer | None = None
        self._resumed_once = False
        self._shown = ""

    @property
    def table(self) -> TicketTable:
        """The rows."""
        return self.query_one(TicketTable)

    def _query(self, search: str = "") -> QueueQuery:
        return QueueQuery.for_actor(self.ctx.actor, self.view, search, self.filters)

    def _tz(self) -> ZoneInfo | None:
        rules = self.table.rules
        return None if rules is None else rules.tz

    def compose(self) -> ComposeResult:
        """Bar, search field, table, notice, keys."""
        ctx = self.ctx
        if works_own_groups_first(ctx.actor):
            self.view = QueueView.GROUPS  # an agent works their groups' tickets first
        bar = QueueBar(ctx.t, id="queue-bar")
        bar.view = self.view
        yield bar
        yield FilterBar(ctx.t, self._tz, id="queue-filters")
        yield SafeInput(placeholder=ctx.t("queue.search.placeholder"), id="queue-search")
        yield TicketTable(
            QueueReader.of(ctx.desk), self._query(), ctx.t, ctx.clock.now, id="queue-table"
        )
        yield Static("", id="queue-notice")
        yield KeyFooter()

    def on_mount(self) -> None:
        """The clocks' second hand, the slow re-read, the groups for transfers."""
        self.table.focus()
        self.set_interval(self.tick_seconds, self.table.tick, name="queue-clocks")
        self.set_interval(self.reread_seconds, self._reread, name="queue-reread")
        self._load_choices()

    def _reread(self) -> None:
        if self.app.screen is self:
            self.table.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-groups")
    def _load_choices(self) -> None:
        """The groups (for transfers and the filter bar) and the people (for the filter bar)."""
        groups = self.ctx.desk.groups()
        people = [Person(u.login, u.name) for u in self.ctx.desk.users() if u.active]
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._choices_read, groups, people)

    def _choices_read(self, groups: list[GroupChoice], people: list[Person]) -> None:
        self._groups = groups
        bar = self.query_one(FilterBar)
        bar.set_groups((g.code, self.ctx.t.pick(g.name_zh, g.name_en)) for g in groups)
        bar.set_people(people)

    @on(ScreenResume)
    def _resumed(self) -> None:
        """Back from the detail or a form: what changed meanwhile shows."""
        if self._resumed_once:
            self.table.reload()
        self._resumed_once = True

    def on_desk_changed(self, message: DeskChanged) -> None:
        """Another console (or this one) changed the desk: read the rows in view again."""
        if not QUEUE_TABLES & message.tables:
            return
        if self._change_timer is not None:
            self._change_timer.stop()
        self._change_timer = self.set_timer(self.change_delay, self.table.reload)

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A change that failed gives its form back; a failed read is said under the table."""
        if self.changes.worker_failed(worker, error):
            return True
        self._say(describe(error, self.ctx.t))
        return True

    # what applies ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply to the ticket(s) at hand; let escape through when
        there is nothing to clear."""
        if action == "clear":
            return bool(self.table.selected or self.has_class("-searching") or self.filters.narrows)
        if self._in_filter_bar():
            return False  # the bar's keys apply there; letters and digits are the fields'
        if action not in ROW_ACTIONS:
            return True
        if isinstance(self.focused, Input):
            return False
        if action in LEAD_ACTIONS:
            row = self.table.current_row
            return lead_key(self.ctx.actor, action, None if row is None else facts(row))
        if action == "close" and not role_may(self.ctx.actor.role, Action.CLOSE):
            return False  # not the desk's reviewer: the key is not offered at all
        if action in ("claim", "transfer", "close", "pending"):
            test = {
                "claim": self._claimable,
                "transfer": self._transferable,
                "close": self._closable,
                "pending": self._pendable,
            }[action]
            return True if any(test(r) for r in self.table.targets()) else None
        row = self.table.current_row
        if row is None:
            return None
        if action in ("open", "copy"):
            return True
        wanted = {"triage": Action.TRIAGE, "escalate": Action.ESCALATE}
        return True if allows(self.ctx.actor, wanted[action], facts(row)) else None

    def _in_filter_bar(self) -> bool:
        focused = self.focused
        return focused is not None and self.query_one(FilterBar) in focused.ancestors_with_self

    def _claimable(self, row: QueueRow) -> bool:
        return may_claim_now(self.ctx.actor, facts(row))

    def _transferable(self, row: QueueRow) -> bool:
        return allows(self.ctx.actor, Action.TRANSFER, facts(row))

    def _pendable(self, row: QueueRow) -> bool:
        return Status.PENDING in status_targets(self.ctx.actor, facts(row))

    def _closable(self, row: QueueRow) -> bool:
        return row.status == Status.RESOLVED and allows(self.ctx.actor, Action.CLOSE, facts(row))

    def _update_keys(self) -> None:
        """Refresh the footer only when what applies changed."""
        state = tuple(self.check_action(a, ()) for a in (*ROW_ACTIONS, "clear"))
        if state != self._action_state:
            self._action_state = state
            self.refresh_bindings()

    @on(TicketTable.CursorMoved)
    def _cursor_moved(self) -> None:
        self._update_keys()

    @on(TicketTable.Loaded)
    def _loaded(self, message: TicketTable.Loaded) -> None:
        bar = self.query_one(QueueBar)
        bar.total = message.total
        bar.selected = len(self.table.selected)
        if message.total == 0:
            self._say(self.notice or self.ctx.t("queue.empty"), remember=False)
        else:
            self._say(self.notice, remember=False)
        self._update_keys()

    @on(TicketTable.LoadFailed)
    def _load_failed(self, message: TicketTable.LoadFailed) -> None:
        if not isinstance(message.error, ServiceError):
            log.error("reading the queue failed", exc_info=message.error)
        self._say(self.ctx.t("queue.error.load", reason=describe(message.error, self.ctx.t)))

    def _say(self, text: str, *, remember: bool = True) -> None:
        if remember:
            self.notice = text
        if text != self._shown:  # an unchanged line is not laid out again
            self._shown = text
            self.query_one("#queue-notice", Static).update(Text(sanitize_line(text)))

    # views and search ----------------------------------------------------------------------
    def action_view(self, name: str) -> None:
        """Show another view (1–0)."""
        self.view = QueueView(name)
        self.query_one(QueueBar).view = self.view
        self.table.set_query(self._query(self.table.view_query.search))

    def action_next_view(self) -> None:
        """``v``: the next view, round to the first."""
        self.action_view(str(VIEW_ORDER[(VIEW_ORDER.index(self.view) + 1) % len(VIEW_ORDER)]))

    def action_search(self) -> None:
        """``/``: type to narrow the view by number, requester or text."""
        self.add_class("-searching")
        self.query_one("#queue-search", SafeInput).focus()
        self._update_keys()

    @on(Input.Changed, "#queue-search")
    def _search_typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(self.search_delay, self._run_search)

    def _run_search(self) -> None:
        text = self.query_one("#queue-search", SafeInput).value
        self.query_one(QueueBar).search = text
        if text != self.table.view_query.search:
            self.table.set_query(self._query(text))

    @on(Input.Submitted, "#queue-search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self._run_search()
        self.table.focus()

    # the filter bar --------------------------------------------------------------------------
    def action_filter(self) -> None:
        """``f``: the filter bar (status, priority, type, category, channel, group, assignee,
        received from/to)."""
        self.add_class("-filtering")
        self.query_one(FilterBar).focus_first()
        self._update_keys()

    def show_held_by(self, person: Person) -> None:
        """The open tickets ``person`` holds (the palette's people): the open view, the filter
        bar's assignee set to them and nothing else (escape clears it, as any filter)."""
        if not self.is_mounted:
            self.call_after_refresh(self.show_held_by, person)
            return
        if self.view != QueueView.OPEN:
            self.action_view(str(QueueView.OPEN))
        self.query_one(FilterBar).show_held_by(person)

    @on(FilterBar.Applied)
    def _filtered(self, message: FilterBar.Applied) -> None:
        message.stop()
        self.filters = message.filters
        self.query_one(QueueBar).filters = message.summary
        if message.close:
            self.remove_class("-filtering")
            self.table.focus()
        if self.table.view_query.filters != self.filters:
            self.table.set_query(self._query(self.table.view_query.search))
        self._update_keys()

    def action_clear(self) -> None:
        """Escape: leave the search, else drop the selection, else clear the filters."""
        if self.has_class("-searching"):
            self.remove_class("-searching")
            field = self.query_one("#queue-search", SafeInput)
            field.value = ""
            self.query_one(QueueBar).search = ""
            if self._search_timer is not None:
                self._search_timer.stop()
            self.table.focus()
            if self.table.view_query.search:
                self.table.set_query(self._query())
        elif self.table.selected:
            self.table.clear_selection()
        elif self.filters.narrows:
            self.query_one(FilterBar).clear()
        self._update_keys()

    # opening and copying -------------------------------------------------------------------
    def action_open(self) -> None:
        """Enter: the ticket's detail."""
        row = self.table.current_row
        if row is not None:
            self.app.push_screen(TicketScreen(row.number))

    def action_copy(self) -> None:
        """``y``: the number and summary to the clipboard."""
        row = self.table.current_row
        if row is None:
            return
        text = f"{row.number} {sanitize_line(row.summary)}"
        copy_text(self.app, text)
        self._say(self.ctx.t("queue.copied", text=text))

    # triage ---------------------------------------------------------------------------------
    def _version(self, row: QueueRow) -> int:
        """The newest version of the row the table holds (re-read after a stale edit)."""
        for held in self.table.loaded_rows:
            if held.id == row.id:
                return held.version
        return self.table.selected.get(row.id, row).version

    def _changes_finished(self, outcome: Outcome) -> None:
        for number in outcome.done:
            self._unselect(number)
        self.table.reload()

    def _unselect(self, number: str) -> None:
        for ticket_id, row in list(self.table.selected.items()):
            if row.number == number:
                del self.table.selected[ticket_id]

    def action_claim(self) -> None:
        """``a``: claim the selected tickets (or the cursor's) — exactly one owner each."""
        desk, actor = self.ctx.desk, self.ctx.actor
        rows = [r for r in self.table.targets() if self._claimable(r)]
        calls: list[Call] = [(r.number, partial(desk.claim, actor, r.number)) for r in rows]
        self.changes.send("claim", calls)

    def action_triage(self) -> None:
        """``t``: new impact and urgency; the matrix gives the priority, due times follow."""
        row = self.table.current_row
        rules = self.table.rules
        if row is None or rules is None:
            return
        desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t

        def preview(impact: int, urgency: int) -> str:
            decision = rules.matrix.decide(impact, urgency, vip=row.vip and rules.vip_raise)
            return t(f"priority.{decision.priority}")

        def send(triage: Triage) -> None:
            version = self._version(row)
            change = partial(
                desk.triage,
                actor,
                row.number,
                triage.impact,
                triage.urgency,
                note=triage.note or None,
                expected_version=version,
            )
            self.changes.send("triage", [(row.number, change)])

        title = t("detail.form.triage_title", number=row.number)
        form = TriageForm(title, send, impact=row.impact, urgency=row.urgency, preview=preview)
        self.changes.open(form)

    def action_transfer(self) -> None:
        """``g``: send the selected tickets (or the cursor's) to another group."""
        rows = [r for r in self.table.targets() if self._transferable(r)]
        if not rows or not self._groups:
            return
        desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t
        current = {r.group_code for r in rows}
        options = [
            (g.code, t.pick(g.name_zh, g.name_en))
            for g in self._groups
            if not (len(current) == 1 and g.code in current)
        ]

        def send(code: str) -> None:
            calls: list[Call] = [
                (
                    row.number,
                    partial(
                        desk.transfer, actor, row.number, code, expected_version=self._version(row)
                    ),
                )
                for row in rows
            ]
            self.changes.send("transfer", calls)

        title = t("detail.form.transfer_title", numbers=numbers_text([r.number for r in rows], t))
        self.changes.open(PickForm(title, send, options=options, note=self._left_out(rows) or ""))

    def _left_out(self, rows: list[QueueRow]) -> str | None:
        """The selected tickets a key does not apply to, named under the dialog's title."""
        acting = {r.id for r in rows}
        others = [r.number for r in self.table.selected.values() if r.id not in acting]
        if not others:
            return None
        return self.ctx.t("queue.left_out", numbers=numbers_text(others, self.ctx.t))

    def action_close(self) -> None:
        """``C``: the desk's review and close of the selected resolved tickets (or the cursor's):
        their records are read, the dialog names each with what it lacks."""
        rows = [r for r in self.table.targets() if self._closable(r)]
        if rows:
            self._say(self.ctx.t("lifecycle.close.reading"))
            self._read_review([r.number for r in rows])

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-review")
    def _read_review(self, numbers: list[str]) -> None:
        items = self.ctx.desk.review(numbers)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._ask_close, items)

    def _ask_close(self, items: list[ReviewItem]) -> None:
        self._say("")
        rows = {r.number: r for r in self.table.targets()}
        closing = [r for r in rows.values() if self._closable(r)]
        self.changes.close(
            items,
            lambda number: self._version(rows[number]) if number in rows else None,
            left_out=self._left_out(closing),
        )

    # the lead's tools ---------------------------------------------------------------------------
    def action_override(self) -> None:
        """``P`` (leads): the priority by hand with a reason, or the matrix's again."""
        row = self.table.current_row
        if row is not None:
            self.changes.override(row.number, str(row.priority), False, lambda: self._version(row))

    def action_assign(self) -> None:
        """``n`` (leads): assign to a named person of the ticket's group."""
        row = self.table.current_row
        if row is not None:
            self.changes.assign(row.number, row.group_code, lambda: self._version(row))

    def action_take_over(self) -> None:
        """``T`` (leads): take the ticket over from its holder, with a reason."""
        row = self.table.current_row
        if row is not None:
            holder = f"{row.assignee_name} ({row.assignee_login})" if row.assignee_login else None
            self.changes.take_over(row.number, holder, lambda: self._version(row))

    def action_estimate(self) -> None:
        """``D``: the target cannot be met — a new estimate for the requester, and why."""
        row, rules = self.table.current_row, self.table.rules
        if row is not None and rules is not None:
            self.changes.estimate(row.number, rules.tz, lambda: self._version(row))

    def action_escalate(self) -> None:
        """``e``: escalate one tier with a note (diagnosis so far, what was tried)."""
        row = self.table.current_row
        if row is not None:
            self.changes.escalate(row.number, lambda: self._version(row))

    def action_pending(self) -> None:
        """``p``: the selected tickets (or the cursor's) pending, with what they wait for."""
        rows = [r for r in self.table.targets() if self._pendable(r)]
        if not rows:
            return
        desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t

        def send(note: str) -> None:
            calls: list[Call] = [
                (
                    row.number,
                    partial(
                        desk.set_status,
                        actor,
                        row.number,
                        "pending",
                        note=note,
                        expected_version=self._version(row),
                    ),
                )
                for row in rows
            ]
            self.changes.send("pending", calls)

        left_out = self._left_out(rows)
        form = NoteForm(
            t("detail.form.pending_title", number=numbers_text([r.number for r in rows], t)),
            send,
            label=t("detail.form.pending_label"),
            intro=[left_out] if left_out else (),
        )
        self.changes.open(form)
