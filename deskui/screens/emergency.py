"""The emergency board (F4): the SLA countdowns of everything urgent, live.

Every open P1 and P2 ticket and every ticket with a clock in warning or breach, nearest due
first, three clocks each, ticking. One timer drives every clock: once a second the board moves
its clocks in memory (no database), checks for new alerts and repaints the visible lines. The
database is read only when the desk changed (the app forwards :class:`DeskChanged` from the
change feed), when the board comes back on screen, and when a ticket not listed may enter it.

A new P1 or a new breach rings the bell once and its row flashes, with a banner, until someone at
this console acknowledges it (``k``; ``K`` for all; claiming a ticket acknowledges it too).
Acknowledgements are kept in memory, per console: every console on the desk rings for itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from deskui.console.base import DeskScreen
from deskui.console.messages import ConnectionLost, ConnectionRestored, DeskChanged
from deskui.core.enums import ClockState, Priority, Role
from deskui.screens.board_escalate import EscalateDialog
from deskui.services.board import (
    BOARD_TABLES,
    Alert,
    AlertBook,
    BoardSnapshot,
    board_snapshot,
    current_alerts,
)
from deskui.services.errors import (
    ClaimConflict,
    DatabaseUnavailable,
    PermissionDenied,
    ServiceError,
)
from deskui.widgets.board_table import BoardTable
from deskui.widgets.key_footer import KeyFooter

_BANNER_ITEMS = 3
#: After a failed read, wait this long before a timed read tries again (the feed's restore
#: triggers one sooner).
_RETRY = timedelta(seconds=5)


class EmergencyBoard(DeskScreen[None]):
    """SLA countdowns of every urgent ticket, with alerts that ring until acknowledged."""

    # the title and banner keep one line each, always: updating them never re-lays the screen
    DEFAULT_CSS = """
    EmergencyBoard #board-title { width: 1fr; height: 1; padding: 0 1; background: $panel; }
    EmergencyBoard #board-banner { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
    EmergencyBoard #board-banner.-alerting { background: $error; color: $text; text-style: bold; }
    """

    BINDINGS = [
        Binding(
            "k",
            "acknowledge",
            "board.key.acknowledge",
            tooltip="board.tip.acknowledge",
            id="board.acknowledge",
        ),
        Binding(
            "K",
            "acknowledge_all",
            "board.key.acknowledge_all",
            tooltip="board.tip.acknowledge_all",
            id="board.acknowledge_all",
        ),
        Binding("enter", "open", "board.key.open", tooltip="board.tip.open", id="board.open"),
        Binding("a", "claim", "board.key.claim", tooltip="board.tip.claim", id="board.claim"),
        Binding(
            "e", "escalate", "board.key.escalate", tooltip="board.tip.escalate", id="board.escalate"
        ),
    ]

    TICK_SECONDS = 1.0
    """How often the clocks move."""

    class Loaded(Message):
        """A read of the board arrived."""

        def __init__(self, snapshot: BoardSnapshot) -> None:
            super().__init__()
            self.snapshot = snapshot

    class LoadFailed(Message):
        """The board could not be read; what is shown stays."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Claimed(Message):
        """This console claimed a ticket."""

        def __init__(self, number: str) -> None:
            super().__init__()
            self.number = number

    class Refused(Message):
        """An action was refused or failed; ``text`` says why, in the user's language."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: BoardSnapshot | None = None
        """The latest read (None until the first arrives)."""
        self.alerts = AlertBook()
        """This console's alerts: rung for, acknowledged (in memory only)."""
        self.stale_reason: str | None = None
        """Why the latest read failed, while it keeps failing."""
        self.reads = 0
        """Reads started (the board reads only when it must)."""
        self._loading = False
        self._again = False
        self._retry_at: datetime | None = None
        self._keys_state: tuple[object, ...] | None = None
        self._shown: dict[str, str] = {}

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
        self.set_interval(self.TICK_SECONDS, self.tick)

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
        desk = self.ctx.desk
        try:
            snapshot = desk.read(
                lambda s: board_snapshot(session=s, rules=desk.rules, now=self.ctx.clock.now())
            )
        except DatabaseUnavailable as exc:
            self.post_message(self.LoadFailed(str(exc)))
        except Exception as exc:  # noqa: BLE001 - shown, and the board keeps what it has
            self.post_message(self.LoadFailed(f"{type(exc).__name__}: {exc}"))
        else:
            self.post_message(self.Loaded(snapshot))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._loading = False
        self.snapshot = message.snapshot
        self.stale_reason = None
        self._retry_at = None
        self.table.show(message.snapshot)
        self.tick()
        if self._again:
            self.reload()

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        # keep every row and keep ticking: the clocks stay right without the database
        self._loading, self._again = False, False
        self.stale_reason = message.reason
        self._retry_at = self.ctx.clock.now() + _RETRY
        self._show_title(self.ctx.clock.now())

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
        if self.alerts.update(current_alerts(snapshot, now)):
            self.app.bell()
        pending = self.alerts.pending()
        numbers = frozenset(a.number for a in pending)
        phase = int(now.timestamp()) % 2
        self.table.tick(now, numbers, phase)
        self._show_title(now)
        self._show_banner(pending, phase)
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        # the footer rebuilds itself on refresh_bindings: only when what it greys out changes
        row = self.table.selected
        state = (
            bool(self.alerts.seen - self.alerts.acknowledged),
            bool(row and self.alerts.pending_for(row.number)),
            row and (row.number, row.assignee, row.tier),
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
        text = Text(f"!! {t('board.banner', count=len(pending), items=' · '.join(items))}  ")
        text.append(t("board.banner_hint"), style="not bold")
        text.align("left", max(text.cell_len, banner.content_size.width))
        if phase == 1:
            text.stylize("reverse")
        self._update("board-banner", text, key=f"{phase}")

    # actions -----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what does not apply to the selected ticket."""
        if not self.is_mounted:
            return True
        row = self.table.selected
        if action == "acknowledge":
            return True if row and self.alerts.pending_for(row.number) else None
        if action == "acknowledge_all":
            return True if self.alerts.pending() else None
        if action == "claim":
            actor = self.ctx.actor
            if row is None or actor.role == Role.OPERATOR or row.assignee == actor.login:
                return None
            return True
        if action == "escalate":
            return True if row and row.tier < 3 else None
        if action == "open":
            return True if row else None
        return True

    def action_open(self) -> None:
        """Enter: the selected ticket in full."""
        from deskui.screens.ticket import TicketScreen

        row = self.table.selected
        if row is not None:
            self.app.push_screen(TicketScreen(row.number))

    def action_acknowledge(self) -> None:
        """Acknowledge the selected ticket's alerts (at this console)."""
        row = self.table.selected
        if row is not None:
            self.alerts.acknowledge(self.alerts.pending_for(row.number))
            self.tick()

    def action_acknowledge_all(self) -> None:
        """Acknowledge every standing alert (at this console)."""
        self.alerts.acknowledge(self.alerts.pending())
        self.tick()

    def action_claim(self) -> None:
        """Claim the selected ticket."""
        row = self.table.selected
        if row is not None:
            self._claim(row.number)

    @work(thread=True, exclusive=True, exit_on_error=False, group="board-claim")
    def _claim(self, number: str) -> None:
        t = self.ctx.t
        try:
            self.ctx.desk.claim(self.ctx.actor, number)
        except ClaimConflict as exc:
            self.post_message(
                self.Refused(t("board.claim_conflict", number=number, holder=exc.holder))
            )
        except DatabaseUnavailable:
            self.post_message(self.Refused(t("board.unavailable")))
        except PermissionDenied as exc:
            self.post_message(self.Refused(t("board.denied", message=exc.message)))
        except ServiceError as exc:
            self.post_message(self.Refused(t("board.failed", message=str(exc))))
        else:
            self.post_message(self.Claimed(number))

    @on(Claimed)
    def _claimed(self, message: Claimed) -> None:
        # someone is on it now: its alerts are acknowledged here
        self.alerts.acknowledge(self.alerts.pending_for(message.number))
        self.notify(self.ctx.t("board.claimed", number=message.number), markup=False)
        self.reload()
        self.tick()

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.notify(message.text, severity="warning", markup=False)

    def action_escalate(self) -> None:
        """Escalate the selected ticket with a note (a small form)."""
        row = self.table.selected
        if row is not None:
            self.app.push_screen(
                EscalateDialog(row.number, row.tier), partial(self._escalated, row.number)
            )

    def _escalated(self, number: str, tier: int | None) -> None:
        if tier is not None:
            self.notify(self.ctx.t("board.escalated", number=number, tier=tier), markup=False)
            self.reload()

    @on(BoardTable.CursorMoved)
    def _cursor_moved(self) -> None:
        self._refresh_keys()
