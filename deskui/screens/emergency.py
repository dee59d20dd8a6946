"""The emergency board (F4): the SLA countdowns of everything urgent, live.

Every open P1 and P2 ticket and every ticket with a clock in warning or breach, three clocks
each, ticking, in the board's order (:func:`deskui.core.alerts.board_order`): alerts nobody has
acknowledged at the very top (a new P1 first), then the other P1s and P2s, then the tickets in
breach (the longest first), then warnings. One timer drives every clock: once a second the board
moves its clocks in memory (no database), checks for new alerts and repaints the visible lines. The
database is read only when the desk changed (the app forwards :class:`DeskChanged` from the
change feed), when the board comes back on screen, and when a ticket not listed may enter it.

A new P1 or a new breach rings the bell once and its row flashes, with a banner, until a duty
lead acknowledges it (``k``; ``K`` for all; a lead's claim from the board acknowledges it too).
The acknowledgement is written to the ticket's record (who, when, which alerts): every board on
the desk stops flashing as soon as the change feed brings it, and shows who acknowledged, when.
Who may acknowledge is :mod:`deskui.core.permissions`' rule; each console rings for itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker

from deskui.console.base import DeskScreen
from deskui.console.errors import describe
from deskui.console.messages import ConnectionLost, ConnectionRestored, DeskChanged
from deskui.core.alerts import Alert
from deskui.core.enums import ClockState, Priority
from deskui.core.permissions import Action, TicketFacts, allows, may_claim_now, role_may
from deskui.screens.ticket_work import Outcome, TicketChanges
from deskui.services.board import (
    BOARD_TABLES,
    AlertBook,
    BoardRow,
    BoardSnapshot,
    ordered_rows,
)
from deskui.widgets.board_table import BoardTable
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.keys import desk_key

_BANNER_ITEMS = 3
#: After a failed read, wait this long before a timed read tries again (the feed's restore
#: triggers one sooner).
_RETRY = timedelta(seconds=5)


def facts(row: BoardRow) -> TicketFacts:
    """What the permission rules need of a board row."""
    return TicketFacts(row.status, row.assignee, row.tier, group=row.group_code)


class EmergencyBoard(DeskScreen[None]):
    """SLA countdowns of every urgent ticket, with alerts that ring until acknowledged."""

    # the title and banner keep one line each, always: updating them never re-lays the screen
    CSS_PATH = "emergency.tcss"

    BINDINGS = [
        desk_key("k", "acknowledge", "board.key.acknowledge"),
        desk_key("K", "acknowledge_all", "board.key.acknowledge_all"),
        desk_key("enter", "open", "board.key.open"),
        desk_key("a", "claim", "board.key.claim"),
        desk_key("e", "escalate", "board.key.escalate", priority=True),
    ]

    tick_seconds = 1.0
    """How often the clocks move."""
    retry_after = _RETRY
    """After a failed read, how long before a timed read tries again (the feed's restore
    triggers one sooner)."""

    class Loaded(Message):
        """A read of the board arrived."""

        def __init__(self, snapshot: BoardSnapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: BoardSnapshot | None = None
        """The latest read (None until the first arrives)."""
        self.alerts = AlertBook()
        """The board's alerts: standing, acknowledged (as the record says), rung for here."""
        self.stale_reason: str | None = None
        """Why the latest read failed, while it keeps failing."""
        self.reads = 0
        """Reads started (the board reads only when it must)."""
        self.changes = TicketChanges(self, say=self._say, finished=self._changes_finished)
        """Claims and escalations from the board."""
        self._loading = False
        self._again = False
        self._retry_at: datetime | None = None
        self._keys_state: tuple[object, ...] | None = None
        self._shown: dict[str, str] = {}
        self._acknowledging = 0
        """Acknowledgements sent and not yet read back."""
        self._stay = False
        """The selected ticket was just acknowledged: the cursor keeps its place, not its ticket."""

    @property
    def table(self) -> BoardTable:
        """The tickets."""
        return self.query_one(BoardTable)

    def compose(self) -> ComposeResult:
        yield Static(id="board-title", markup=False)
        yield Static(id="board-banner", markup=False)
        yield BoardTable(id="board-table")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Translate the keys, start the one timer."""
        self.refresh_bindings()
        self.table.focus()
        self._show_title(self.ctx.clock.now())
        self.set_interval(self.tick_seconds, self.tick)

    def on_screen_resume(self) -> None:
        """Back on screen (or shown the first time): read the board."""
        self.reload()

    # reading -----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the board in a worker; a request during a read makes one more read after it."""
        if self._loading:
            self._again = True
            return
        self._loading, self._again = True, False
        self.reads += 1
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="board-load")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.ctx.desk.board()))

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A failed read keeps every row and the clocks ticking; a failed claim or escalation
        gives its form back."""
        if self.changes.worker_failed(worker, error):
            if worker.name == "ticket-acknowledge":
                # nothing was written: the alerts flash again until acknowledged
                self._acknowledging = max(0, self._acknowledging - 1)
                self.alerts.sending.clear()
                self.tick()
            return True
        if worker.group != "board-load":
            return False
        # keep every row and keep ticking: the clocks stay right without the database
        self._loading, self._again = False, False
        self.stale_reason = describe(error, self.ctx.t)
        now = self.ctx.clock.now()
        self._retry_at = now + self.retry_after
        self._show_title(now)
        return True

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._loading = False
        self.snapshot = message.snapshot
        self.stale_reason = None
        self._retry_at = None
        if not self._acknowledging:
            # what was sent from here is in the record now (or was refused): read it from there
            self.alerts.sending.clear()
        self.table.show(message.snapshot)
        self.tick()
        if self._again:
            self.reload()

    @on(DeskChanged)
    def _desk_changed(self, message: DeskChanged) -> None:
        if message.tables & BOARD_TABLES:
            self.reload()

    @on(ConnectionLost)
    def _connection_lost(self, message: ConnectionLost) -> None:
        # what is shown stays, marked as possibly out of date; the clocks keep ticking
        self.stale_reason = message.reason
        self._show_title(self.ctx.clock.now())

    @on(ConnectionRestored)
    def _connection_restored(self) -> None:
        self.reload()

    # the one timer -----------------------------------------------------------------------------
    def tick(self) -> None:
        """Move every clock to now, ring for new alerts, repaint; read again only if due."""
        now: datetime = self.ctx.clock.now()
        snapshot = self.snapshot
        if snapshot is None:
            return
        due = max(snapshot.recheck_at, self._retry_at or snapshot.recheck_at)
        if now >= due and not self._loading:
            self.reload()
        if self.alerts.update(snapshot, now):
            self.app.bell()
        pending = self.alerts.pending()
        rows = ordered_rows(snapshot, now, pending)
        if [r.number for r in rows] != [r.number for r in self.table.rows]:
            # a breach between two reads, or an acknowledgement: the rows move; the cursor stays
            # on its ticket, or in its place when its ticket was acknowledged from here
            self.table.show(replace(snapshot, rows=rows), stay=self._stay)
        self._stay = False
        numbers = frozenset(a.number for a in pending)
        acknowledged = {
            row.number: ack
            for row in rows
            if row.number not in numbers
            and (ack := self.alerts.acknowledgement_for(row.number)) is not None
        }
        phase = int(now.timestamp()) % 2
        self.table.tick(now, numbers, phase, acknowledged)
        self._show_title(now)
        self._show_banner(pending, phase)
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        # the footer rebuilds itself on refresh_bindings: only when what it greys out changes
        row = self.table.selected
        state = (
            bool(self.alerts.pending()),
            bool(row and self.alerts.pending_for(row.number)),
            row and (row.number, row.assignee, row.tier, row.status),
        )
        if state != self._keys_state:
            self._keys_state = state
            # the footer rebuilds after the frame that shows the change, not before it
            self.call_after_refresh(self.refresh_bindings)

    def _update(self, widget_id: str, text: Text, key: str = "") -> None:
        # only touch a line when its words (or its flash phase) change
        shown = f"{key}|{text.plain}"
        if self._shown.get(widget_id) != shown:
            self._shown[widget_id] = shown
            self.query_one(f"#{widget_id}", Static).update(text, layout=False)

    def _show_title(self, now: datetime) -> None:
        t = self.ctx.t
        title = Text(t("board.title"), style="bold")
        snapshot = self.snapshot
        if snapshot is not None:
            rows = snapshot.rows
            alarms = [snapshot.alarm_at(r, now) for r in rows]
            counts = t(
                "board.counts",
                p1=sum(r.priority == Priority.P1 for r in rows),
                p2=sum(r.priority == Priority.P2 for r in rows),
                breached=alarms.count(ClockState.BREACHED),
                warning=alarms.count(ClockState.WARNING),
            )
            title.append(f"   {counts}   ")
            if snapshot.hidden:
                title.append(t("board.hidden", count=snapshot.hidden), style="bold")
                title.append("   ")
            as_of = snapshot.as_of.astimezone(snapshot.tz).strftime("%H:%M:%S")
            if self.stale_reason is None:
                title.append(t("board.as_of", time=as_of), style="dim")
            else:
                title.append(t("board.stale", time=as_of), style="bold yellow")
        elif self.stale_reason is not None:
            title.append(f"   {t('board.unreadable')}", style="bold yellow")
        else:
            title.append(f"   {t('board.loading')}", style="dim")
        self._update("board-title", title)

    def _show_banner(self, pending: list[Alert], phase: int) -> None:
        t = self.ctx.t
        banner = self.query_one("#board-banner", Static)
        # a class change restyles the node: only when alerts start or end; the flash itself
        # is in the text (reversed every other second), which redraws one line
        if banner.has_class("-alerting") != bool(pending):
            banner.set_class(bool(pending), "-alerting")
        if not pending:
            self._update("board-banner", Text(t("board.calm")))
            return
        items = []
        for alert in pending[:_BANNER_ITEMS]:
            what = (
                t("board.alert.p1")
                if alert.is_p1
                else t("board.alert.breach", clock=t(f"clock.{alert.clock}"))
            )
            items.append(f"{alert.number} {what}")
        if len(pending) > _BANNER_ITEMS:
            items.append(t("board.more", count=len(pending) - _BANNER_ITEMS))
        text = Text(
            f"!! {t('board.banner', count=len(pending), items=' · '.join(items))}  ",
            no_wrap=True,
            overflow="ellipsis",
        )
        hint = "board.banner_hint" if self._may_acknowledge() else "board.banner_hint_watch"
        text.append(t(hint), style="not bold")
        width = banner.content_size.width
        if width:
            # one line: what does not fit ends in an ellipsis, never cut mid-word unannounced
            text.truncate(width, overflow="ellipsis", pad=True)
        if phase == 1:
            text.stylize("reverse")
        self._update("board-banner", text, key=f"{phase}")

    # actions -----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply to the selected ticket."""
        if not self.is_mounted:
            return True
        row = self.table.selected
        if action in ("acknowledge", "acknowledge_all"):
            # shown only to those the rules let acknowledge; greyed while nothing waits
            if not self._may_acknowledge():
                return False
            if action == "acknowledge_all":
                return True if self.alerts.pending() else None
            return True if row and self._acknowledgeable(row) else None
        if action == "claim":
            return True if row and may_claim_now(self.ctx.actor, facts(row)) else None
        if action == "escalate":
            return True if row and allows(self.ctx.actor, Action.ESCALATE, facts(row)) else None
        if action == "open":
            return True if row else None
        return True

    def action_open(self) -> None:
        """Enter: the selected ticket in full."""
        from deskui.screens.ticket import TicketScreen

        row = self.table.selected
        if row is not None:
            self.app.push_screen(TicketScreen(row.number))

    def _may_acknowledge(self) -> bool:
        return role_may(self.ctx.actor.role, Action.ACKNOWLEDGE_ALERT)

    def _acknowledgeable(self, row: BoardRow) -> bool:
        return bool(self.alerts.pending_for(row.number)) and allows(
            self.ctx.actor, Action.ACKNOWLEDGE_ALERT, facts(row)
        )

    def _acknowledge(self, rows: list[BoardRow]) -> None:
        """Record an acknowledgement of each row's alerts waiting now (one change a ticket)."""
        desk, actor = self.ctx.desk, self.ctx.actor
        calls = []
        for row in rows:
            if not self._acknowledgeable(row):
                continue
            waiting = self.alerts.pending_for(row.number)
            keys = [a.key for a in waiting]
            self.alerts.sending.update(waiting)
            calls.append((row.number, partial(desk.acknowledge, actor, row.number, alerts=keys)))
        if calls:
            self._acknowledging += 1
            self.changes.send("acknowledge", calls)
            self.tick()

    def action_acknowledge(self) -> None:
        """Acknowledge the selected ticket's alerts, for every console."""
        row = self.table.selected
        if row is not None and self._acknowledgeable(row):
            self._stay = True
            self._acknowledge([row])

    def action_acknowledge_all(self) -> None:
        """Acknowledge every standing alert, for every console."""
        self._acknowledge(list(self.table.rows))

    def action_claim(self) -> None:
        """Claim the selected ticket (a lead's claim acknowledges its alerts, for every console)."""
        row = self.table.selected
        if row is not None:
            desk, actor = self.ctx.desk, self.ctx.actor
            self.changes.send("claim", [(row.number, partial(desk.claim, actor, row.number))])

    def action_escalate(self) -> None:
        """Escalate the selected ticket with a note, based on the version on the board."""
        row = self.table.selected
        if row is not None:
            self.changes.escalate(row.number, lambda: row.version)

    def _changes_finished(self, outcome: Outcome) -> None:
        if outcome.kind == "acknowledge":
            self._acknowledging -= 1
        self.reload()
        if outcome.kind == "claim" and self._may_acknowledge():
            # a lead is on it now: its alerts are acknowledged, for every console
            claimed = set(outcome.done)
            self._acknowledge([row for row in self.table.rows if row.number in claimed])
        self.tick()

    def _say(self, text: str) -> None:
        if text and text != self.ctx.t("queue.working"):
            self.notify(text, markup=False)

    @on(BoardTable.CursorMoved)
    def _cursor_moved(self) -> None:
        self._refresh_keys()
