"""The agent's live queue (F3): views on single keys, search, and triage without leaving it.

The table reads only the rows in view (see :mod:`deskui.widgets.ticket_table`). Triage keys act
on the selection (claim, transfer) or on the cursor's ticket; each change runs in a worker and
the rows it touched are read again at once. A change made on another console arrives as
:class:`~deskui.console.messages.DeskChanged` and refreshes the rows in place: the cursor stays on
its ticket, the selection stays selected.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import ScreenResume
from textual.timer import Timer
from textual.widgets import Input, Static

from deskui.console.base import DeskScreen
from deskui.console.clipboard import copy_text
from deskui.core.enums import Status
from deskui.core.sanitize import sanitize_line
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_actions import (
    ChangesFinished,
    apply_changes,
    may_claim,
    may_handle,
    may_move,
    outcome_text,
)
from deskui.screens.ticket_forms import NoteForm, PickForm, TicketForm, Triage, TriageForm
from deskui.services.queue import GroupChoice, QueueQuery, QueueReader, QueueRow, QueueView
from deskui.services.users import Actor
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.queue_bar import QueueBar
from deskui.widgets.safe_input import SafeInput
from deskui.widgets.ticket_table import TicketTable

#: Seconds between re-reads of the rows in view when nothing announced a change (clocks cross
#: into warning with time alone, which changes the alert view).
REREAD_SECONDS = 30.0
#: Seconds of quiet typing before a search runs.
SEARCH_DELAY = 0.3
#: Changes announced this close together are read once.
CHANGE_DELAY = 0.1
#: Actions whose greying depends on the row under the cursor.
ROW_ACTIONS = ("open", "copy", "claim", "triage", "transfer", "escalate", "pending")


class QueueScreen(DeskScreen[None]):
    """The live queue.

    Reaches the desk through the app: ``app.desk``, ``app.actor``, ``app.t``, ``app.clock``.
    """

    DEFAULT_CSS = """
    QueueScreen #queue-search {
        display: none;
        height: 3;
    }
    QueueScreen.-searching #queue-search {
        display: block;
    }
    QueueScreen #queue-notice {
        height: 1;
        background: $panel;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding(
            "1",
            "view('mine')",
            "queue.key.mine",
            tooltip="queue.key.mine.tip",
            show=False,
            id="queue.view_mine",
        ),
        Binding(
            "2",
            "view('groups')",
            "queue.key.groups",
            tooltip="queue.key.groups.tip",
            show=False,
            id="queue.view_groups",
        ),
        Binding(
            "3",
            "view('unassigned')",
            "queue.key.unassigned",
            tooltip="queue.key.unassigned.tip",
            show=False,
            id="queue.view_unassigned",
        ),
        Binding(
            "4",
            "view('open')",
            "queue.key.open_view",
            tooltip="queue.key.open_view.tip",
            show=False,
            id="queue.view_open",
        ),
        Binding(
            "5",
            "view('alert')",
            "queue.key.alert",
            tooltip="queue.key.alert.tip",
            show=False,
            id="queue.view_alert",
        ),
        Binding("enter", "open", "queue.key.open", tooltip="queue.key.open.tip", id="queue.open"),
        Binding("a", "claim", "queue.key.claim", tooltip="queue.key.claim.tip", id="queue.claim"),
        Binding(
            "t", "triage", "queue.key.triage", tooltip="queue.key.triage.tip", id="queue.triage"
        ),
        Binding(
            "g",
            "transfer",
            "queue.key.transfer",
            tooltip="queue.key.transfer.tip",
            id="queue.transfer",
        ),
        Binding(
            "e",
            "escalate",
            "queue.key.escalate",
            tooltip="queue.key.escalate.tip",
            id="queue.escalate",
        ),
        Binding(
            "p", "pending", "queue.key.pending", tooltip="queue.key.pending.tip", id="queue.pending"
        ),
        Binding("y", "copy", "queue.key.copy", tooltip="queue.key.copy.tip", id="queue.copy"),
        Binding(
            "slash", "search", "queue.key.search", tooltip="queue.key.search.tip", id="queue.search"
        ),
        Binding(
            "escape",
            "clear",
            "queue.key.clear",
            tooltip="queue.key.clear.tip",
            show=False,
            id="queue.clear",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = QueueView.OPEN
        """The view shown."""
        self.notice = ""
        """The last message shown under the table (what a change did, or why not)."""
        self.form: TicketForm | None = None
        """The form waiting for its change to finish, if any."""
        self._groups: list[GroupChoice] = []
        self._action_state: tuple[object, ...] = ()
        self._search_timer: Timer | None = None
        self._change_timer: Timer | None = None
        self._resumed_once = False
        self._shown = ""

    # the desk, through the app ---------------------------------------------------------------

    @property
    def table(self) -> TicketTable:
        """The rows."""
        return self.query_one(TicketTable)

    def _query(self, search: str = "") -> QueueQuery:
        return QueueQuery.for_actor(self.ctx.actor, self.view, search)

    def compose(self) -> ComposeResult:
        """Bar, search field, table, notice, keys."""
        ctx = self.ctx
        yield QueueBar(ctx.t, id="queue-bar")
        yield SafeInput(placeholder=ctx.t("queue.search.placeholder"), id="queue-search")
        yield TicketTable(
            QueueReader.of(ctx.desk), self._query(), ctx.t, ctx.clock.now, id="queue-table"
        )
        yield Static("", id="queue-notice")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Keys in the agent's language, the clocks' second hand, the groups for transfers."""
        self.table.focus()
        self.set_interval(1.0, self._tick, name="queue-clocks")
        self.set_interval(REREAD_SECONDS, self._reread, name="queue-reread")
        self._load_groups()

    def _tick(self) -> None:
        self.table.tick()

    def _reread(self) -> None:
        if self.app.screen is self:
            self.table.reload()

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue-groups")
    def _load_groups(self) -> None:
        groups = QueueReader.of(self.ctx.desk).groups()
        self.app.call_from_thread(setattr, self, "_groups", groups)

    @on(ScreenResume)
    def _resumed(self) -> None:
        """Back from the detail or a form: what changed meanwhile shows."""
        if self._resumed_once:
            self.table.reload()
        self._resumed_once = True

    def on_desk_changed(self, message: Any) -> None:
        """Another console (or this one) changed the desk: read the rows in view again."""
        tables = getattr(message, "tables", None)
        if tables and not {"ticket", "ticket_event", "requester", "desk_user"} & set(tables):
            return
        if self._change_timer is not None:
            self._change_timer.stop()
        self._change_timer = self.set_timer(CHANGE_DELAY, self.table.reload)

    # what applies ------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply to the ticket(s) at hand; let escape through when
        there is nothing to clear."""
        if action == "clear":
            return bool(self.table.selected or self.has_class("-searching"))
        if action not in ROW_ACTIONS:
            return True
        actor = self.ctx.actor
        row = self.table.current_row
        if action in ("claim", "transfer"):
            rows = self.table.targets()
            test = self._claimable if action == "claim" else self._transferable
            return True if any(test(r) for r in rows) else None
        if row is None:
            return None
        if action in ("open", "copy"):
            return True
        if not row.is_open:
            return None
        if action == "triage":
            return True
        if action == "escalate":
            return True if may_handle(actor, row.assignee_login) and row.tier < 3 else None
        return True if may_move(actor, row.status, row.assignee_login, Status.PENDING) else None

    def _claimable(self, row: QueueRow) -> bool:
        return may_claim(self.ctx.actor, row.status, row.assignee_login)

    def _transferable(self, row: QueueRow) -> bool:
        return row.is_open and may_handle(self.ctx.actor, row.assignee_login)

    def _update_keys(self) -> None:
        """Refresh the footer only when what applies changed (it is costly to redraw)."""
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
        self._say(self.ctx.t("queue.error.load", reason=str(message.error).splitlines()[0]))

    def _say(self, text: str, *, remember: bool = True) -> None:
        if remember:
            self.notice = text
        if text != self._shown:  # an unchanged line is not laid out again
            self._shown = text
            self.query_one("#queue-notice", Static).update(Text(sanitize_line(text)))

    # views and search ----------------------------------------------------------------------
    def action_view(self, name: str) -> None:
        """Show another view (1–5)."""
        self.view = QueueView(name)
        self.query_one(QueueBar).view = self.view
        self.table.set_query(self._query(self.table.view_query.search))

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
        self._search_timer = self.set_timer(SEARCH_DELAY, self._run_search)

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

    def action_clear(self) -> None:
        """Escape: leave the search, else drop the selection."""
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
        else:
            self.table.clear_selection()
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
        held = self.table.selected.get(row.id, row)
        return held.version

    def _send(self, kind: str, calls: list[tuple[str, Callable[[], Any]]]) -> None:
        self._say(self.ctx.t("queue.working"), remember=False)
        self._run_changes(kind, calls)

    @work(thread=True, exit_on_error=False, group="queue-changes")
    def _run_changes(self, kind: str, calls: list[tuple[str, Callable[[], Any]]]) -> None:
        self.post_message(ChangesFinished(apply_changes(kind, calls)))

    @on(ChangesFinished)
    def _changes_finished(self, message: ChangesFinished) -> None:
        outcome = message.outcome
        self._say(outcome_text(outcome, self.ctx.t))
        if outcome.done:
            for number in outcome.done:
                self._unselect(number)
        self.table.reload()
        form, self.form = self.form, None
        if form is not None and form.is_attached:
            if outcome.refused:
                form.failed(outcome_text(outcome, self.ctx.t))
                self.form = form
            else:
                form.done()

    def _unselect(self, number: str) -> None:
        for ticket_id, row in list(self.table.selected.items()):
            if row.number == number:
                del self.table.selected[ticket_id]

    def _open_form(self, form: TicketForm) -> None:
        self.form = form
        self.app.push_screen(form)

    def action_claim(self) -> None:
        """``a``: claim the selected tickets (or the cursor's) — exactly one owner each."""
        desk, actor = self.ctx.desk, self.ctx.actor
        rows = [r for r in self.table.targets() if self._claimable(r)]
        calls: list[tuple[str, Callable[[], Any]]] = [
            (r.number, partial(desk.claim, actor, r.number)) for r in rows
        ]
        if calls:
            self._send("claim", calls)

    def action_triage(self) -> None:
        """``t``: new impact and urgency; the matrix gives the priority, due times follow."""
        row = self.table.current_row
        rules = self.table.rules
        if row is None or rules is None:
            return
        desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t

        def preview(impact: int, urgency: int) -> str:
            decision = rules.matrix.decide(impact, urgency, vip=row.vip and rules.vip_raise)
            return str(t(f"priority.{decision.priority}"))

        def send(triage: Triage) -> None:
            version = self._version(row)
            self._send(
                "triage",
                [
                    (
                        row.number,
                        lambda: desk.triage(
                            actor,
                            row.number,
                            triage.impact,
                            triage.urgency,
                            expected_version=version,
                        ),
                    )
                ],
            )

        self._open_form(
            TriageForm(
                t("detail.form.triage_title", number=row.number),
                send,
                impact=row.impact,
                urgency=row.urgency,
                preview=preview,
            )
        )

    def action_transfer(self) -> None:
        """``g``: send the selected tickets (or the cursor's) to another group."""
        rows = [r for r in self.table.targets() if self._transferable(r)]
        if not rows or not self._groups:
            return
        desk, actor, t = self.ctx.desk, self.ctx.actor, self.ctx.t
        current = {r.group_code for r in rows}
        options = [
            (g.code, g.name_zh if t.lang == "zh" else g.name_en)
            for g in self._groups
            if not (len(current) == 1 and g.code in current)
        ]

        def send(code: str) -> None:
            calls: list[tuple[str, Callable[[], Any]]] = [
                (
                    row.number,
                    partial(
                        desk.transfer, actor, row.number, code, expected_version=self._version(row)
                    ),
                )
                for row in rows
            ]
            self._send("transfer", calls)

        numbers = ", ".join(r.number for r in rows)
        self._open_form(PickForm(t("detail.form.transfer_title", numbers=numbers), send, options))

    def action_escalate(self) -> None:
        """``e``: escalate one tier with a note (diagnosis so far, what was tried)."""
        desk = self.ctx.desk
        self._with_note(
            "escalate",
            lambda actor, number, note, version: desk.escalate(
                actor, number, note, expected_version=version
            ),
        )

    def action_pending(self) -> None:
        """``p``: pending, with what the ticket waits for."""
        desk = self.ctx.desk
        self._with_note(
            "pending",
            lambda actor, number, note, version: desk.set_status(
                actor, number, "pending", note=note, expected_version=version
            ),
        )

    def _with_note(self, kind: str, change: Callable[[Actor, str, str, int], object]) -> None:
        """Ask for the note ``detail.form.{kind}_title`` / ``_label`` name, then make ``change``
        to the ticket under the cursor, refused if it moved since it was shown."""
        row = self.table.current_row
        if row is None:
            return
        actor, t = self.ctx.actor, self.ctx.t

        def send(note: str) -> None:
            version = self._version(row)
            self._send(kind, [(row.number, lambda: change(actor, row.number, note, version))])

        self._open_form(
            NoteForm(
                t(f"detail.form.{kind}_title", number=row.number),
                send,
                label=t(f"detail.form.{kind}_label"),
            )
        )
