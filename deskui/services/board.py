"""What the emergency board shows, and how its clocks move on without asking the database.

The board lists every open P1 and P2 ticket and every open ticket with a clock in warning or
breach, nearest due first. Finding the second kind cheaply relies on the cached due times: a
running clock warns once its remaining time drops to ``(1 - warning_ratio)`` of its target, so
no ticket can be warning unless one of its due times lies within that span of now. The indexed
``next_due`` narrows the scan to the widest such span, the per-clock due columns to the spans of
the ticket's own priority; only those candidates have their clocks recomputed from events.

Between two reads the board's clocks advance in memory (:meth:`BoardSnapshot.clocks_at`): with
no event in between, a running clock only accumulates counted time, so its state at any later
instant follows from the state read plus the time that passed. A read is needed again only when
the desk changes (the change feed says so) or when a ticket not on the board may enter it
(:attr:`BoardSnapshot.recheck_at`).

The per-console memory of alerts (:class:`AlertBook`) lives here too: which new P1s and breaches
this console has already rung for, and which someone at this console acknowledged. It is kept in
memory only; every console acknowledges for itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from deskui.core.enums import ClockKind, ClockState, EventKind, Priority, Status
from deskui.core.sla import WALL_CLOCK, SlaClock, TimeMeasure, advance_clock, nearest_due
from deskui.services.rules import DeskRules
from deskui.services.views import child_counts, ticket_clocks
from deskui.store.models import Group, Requester, Ticket, TicketEvent, User

#: Priorities that are on the board whatever their clocks say.
BOARD_PRIORITIES: tuple[Priority, ...] = (Priority.P1, Priority.P2)
#: How far ahead a read looks for tickets about to enter the board.
LOOKAHEAD = timedelta(minutes=5)
#: Tables whose change can change what the board shows.
BOARD_TABLES = frozenset(
    {"ticket", "ticket_event", "requester", "desk_user", "support_group", "desk_setting"}
)


def _warning_instant(
    clock: SlaClock, as_of: datetime, measure: TimeMeasure, ratio: float
) -> datetime | None:
    """When a running clock will reach the warning threshold (None if it is past it or idle)."""
    if clock.state != ClockState.RUNNING:
        return None
    left = ratio * clock.target_seconds - clock.elapsed_seconds
    return measure.add_business_seconds(as_of, max(0.0, left))


@dataclass(frozen=True)
class BoardRow:
    """One ticket on the board, its clocks as read at the snapshot's ``as_of``.

    Attributes:
        due: the nearest due time among its running clocks (None when all are paused or stopped).
    """

    id: int
    number: str
    priority: Priority
    status: Status
    summary: str
    requester: str
    department: str | None
    vip: bool
    assignee: str | None
    assignee_name: str | None
    group_code: str | None
    group_name_zh: str | None
    group_name_en: str | None
    tier: int
    version: int
    clocks: Mapping[ClockKind, SlaClock]
    due: datetime | None
    warns_at: Mapping[ClockKind, datetime] = field(default_factory=dict)
    """When each running clock reaches its warning threshold (computed once, compared each tick)."""
    children: int = 0
    """The calls under this ticket when it is an outage's parent."""
    estimate: datetime | None = None
    """The new estimate given to the requester when a target could not be met (the last one)."""


@dataclass(frozen=True)
class BoardSnapshot:
    """The board as read at one instant.

    Attributes:
        as_of: when it was read (the clocks' reference instant).
        rows: the tickets, nearest due first.
        recheck_at: read again by then even if the desk does not change: a ticket not listed may
            enter warning.
        tz: the desk's time zone, for showing due times.
        warning_ratio: the share of a target at which a clock warns.
        calendar: the business calendar for clocks counted in working time.
    """

    as_of: datetime
    rows: tuple[BoardRow, ...]
    recheck_at: datetime
    tz: ZoneInfo
    warning_ratio: float
    calendar: TimeMeasure

    def measure(self, clock: SlaClock) -> TimeMeasure:
        """How a clock counts time."""
        return self.calendar if clock.business else WALL_CLOCK

    def clocks_at(self, row: BoardRow, now: datetime) -> dict[ClockKind, SlaClock]:
        """A row's three clocks at ``now``, computed in memory."""
        return {
            kind: advance_clock(clock, self.as_of, now, self.calendar, self.warning_ratio)
            for kind, clock in row.clocks.items()
        }

    def breached_at(self, row: BoardRow, now: datetime) -> frozenset[ClockKind]:
        """The row's clocks in breach at ``now``: a comparison per clock, more only past a due."""
        found = set()
        for kind, clock in row.clocks.items():
            if clock.state == ClockState.BREACHED:
                found.add(kind)
            elif clock.state.is_live and now > clock.due:
                # past the due time; a business clock may still sit on a weekend at zero
                later = advance_clock(clock, self.as_of, now, self.calendar, self.warning_ratio)
                if later.state == ClockState.BREACHED:
                    found.add(kind)
        return frozenset(found)

    def alarm_at(self, row: BoardRow, now: datetime) -> ClockState | None:
        """BREACHED or WARNING if any of the row's clocks is so at ``now``, else None."""
        if self.breached_at(row, now):
            return ClockState.BREACHED
        for kind, clock in row.clocks.items():
            if clock.state == ClockState.WARNING:
                return ClockState.WARNING
            warns = row.warns_at.get(kind)
            if clock.state == ClockState.RUNNING and warns is not None and now >= warns:
                return ClockState.WARNING
        return None


def on_board(priority: Priority, clocks: Mapping[ClockKind, SlaClock]) -> bool:
    """Whether an open ticket belongs on the board."""
    return priority in BOARD_PRIORITIES or any(c.state.is_alarming for c in clocks.values())


def warning_horizons(rules: DeskRules, at: datetime) -> dict[tuple[Priority, ClockKind], datetime]:
    """Per priority and clock, the latest due time a clock can have and still warn at ``at``.

    A running clock warns when its remaining counted time is at most ``(1 - ratio) × target``.
    One extra counted second covers a due time that lands on the end of a working day.
    """
    share = 1 - rules.sla.warning_ratio
    horizons = {}
    for priority, per_kind in rules.sla.targets.items():
        for kind, target in per_kind.items():
            measure = rules.calendar if target.business else WALL_CLOCK
            horizons[Priority(priority), kind] = measure.add_business_seconds(
                at, share * target.seconds + 1
            )
    return horizons


def warning_horizon(rules: DeskRules, at: datetime) -> datetime:
    """The latest due time any clock can have and still warn at ``at``."""
    return max((at, *warning_horizons(rules, at).values()))


_DUE_COLUMNS = {
    ClockKind.RESPONSE: Ticket.response_due,
    ClockKind.UPDATE: Ticket.update_due,
    ClockKind.RESOLUTION: Ticket.resolution_due,
}


@lru_cache(maxsize=8)
def _due_soon(pairs: tuple[tuple[Priority, ClockKind], ...]) -> Any:
    """SQL: the ticket's own priority has a clock whose cached due time is within its horizon.

    ``next_due`` (indexed) narrows the scan to the widest horizon (parameter ``widest``); the
    per-clock due columns (parameters ``due_0``, ``due_1``, … in the order of ``pairs``) then
    drop, say, a P4 whose response is due in 50 minutes although its resolution clock, counted
    in working days, could warn that far out. Built once per set of SLA targets; each read
    only binds new instants.
    """
    per_clock = [
        and_(
            col(Ticket.priority) == str(priority), col(_DUE_COLUMNS[kind]) <= bindparam(f"due_{i}")
        )
        for i, (priority, kind) in enumerate(pairs)
    ]
    return _board_query(
        col(Ticket.next_due).is_not(None),
        col(Ticket.next_due) <= bindparam("widest"),
        or_(*per_clock),
    )


def _board_query(*conditions: Any) -> Any:
    """Open tickets meeting ``conditions``, with their requester's, assignee's and group's names."""
    return (
        sa_select(*_TICKET_COLUMNS, *_NAME_COLUMNS)
        .outerjoin(Requester, col(Requester.id) == col(Ticket.requester_id))
        .outerjoin(User, col(User.id) == col(Ticket.assignee_id))
        .outerjoin(Group, col(Group.id) == col(Ticket.group_id))
        .where(col(Ticket.is_open).is_(True), *conditions)
    )


def board_snapshot(
    *, session: Session, rules: DeskRules, now: datetime, lookahead: timedelta = LOOKAHEAD
) -> BoardSnapshot:
    """Read the board: open P1/P2 tickets and tickets with a clock in warning or breach.

    Args:
        session: a read session.
        rules: the desk's rules (SLA targets, calendar, time zone).
        now: the instant to read at.
        lookahead: also read the tickets that may enter the board within this span, so the board
            knows when to read again.
    """
    horizons = warning_horizons(rules, now + lookahead)
    pairs = tuple(horizons)
    # plain rows, not ORM objects: a read every time the desk changes should allocate little
    urgent = session.execute(_URGENT).all()
    cutoffs = {f"due_{i}": horizons[pair] for i, pair in enumerate(pairs)}
    due_soon = session.execute(
        _due_soon(pairs), {"widest": max(horizons.values()), **cutoffs}
    ).all()
    candidates = {t.id: t for t in (*urgent, *due_soon)}
    events: dict[int, list[Any]] = {}
    if candidates:
        for event in session.execute(
            sa_select(*_EVENT_COLUMNS)
            .where(col(TicketEvent.ticket_id).in_(list(candidates)))
            .order_by(col(TicketEvent.id))
        ):
            events.setdefault(event.ticket_id, []).append(event)

    ratio = rules.sla.warning_ratio
    recheck_at = now + lookahead
    chosen: list[tuple[Any, dict[ClockKind, SlaClock]]] = []
    for ticket in candidates.values():
        # the rows carry every attribute the clocks read from a ticket and its events
        history = cast("list[TicketEvent]", events.get(ticket.id, []))
        clocks = ticket_clocks(cast(Ticket, ticket), history, rules, now)
        if on_board(Priority(ticket.priority), clocks):
            chosen.append((ticket, clocks))
            continue
        for clock in clocks.values():
            measure = rules.calendar if clock.business else WALL_CLOCK
            entry = _warning_instant(clock, now, measure, ratio)
            if entry is not None:
                recheck_at = min(recheck_at, entry)
    counts = child_counts(session, [ticket.id for ticket, _ in chosen])
    rows = [
        replace(
            _row(ticket, clocks, rules, now, _estimate(events.get(ticket.id, []))),
            children=counts.get(ticket.id, 0),
        )
        for ticket, clocks in chosen
    ]
    rows.sort(key=lambda r: (r.due is None, r.due or now, r.priority.level, r.number))
    return BoardSnapshot(
        as_of=now,
        rows=tuple(rows),
        recheck_at=max(recheck_at, now + timedelta(seconds=1)),
        tz=rules.tz,
        warning_ratio=ratio,
        calendar=rules.calendar,
    )


_TICKET_COLUMNS = tuple(
    col(c)
    for c in (
        Ticket.id,
        Ticket.number,
        Ticket.priority,
        Ticket.status,
        Ticket.summary,
        Ticket.vip,
        Ticket.requester_id,
        Ticket.assignee_id,
        Ticket.group_id,
        Ticket.tier,
        Ticket.version,
        Ticket.received_at,
    )
)
_EVENT_COLUMNS = tuple(
    col(c)
    for c in (
        TicketEvent.ticket_id,
        TicketEvent.at,
        TicketEvent.kind,
        TicketEvent.field,
        TicketEvent.new_value,
        TicketEvent.note,
    )
)
_NAME_COLUMNS: tuple[Any, ...] = (
    col(Requester.name).label("requester_name"),
    col(Requester.department),
    col(User.login).label("assignee_login"),
    col(User.name).label("assignee_name"),
    col(Group.code).label("group_code"),
    col(Group.name_zh),
    col(Group.name_en),
)
_URGENT = _board_query(col(Ticket.priority).in_([str(p) for p in BOARD_PRIORITIES]))


def _estimate(events: list[Any]) -> datetime | None:
    """The last new estimate among a ticket's events (oldest first), if any."""
    for event in reversed(events):
        if event.kind == EventKind.ESTIMATE and event.new_value:
            return datetime.fromisoformat(event.new_value)
    return None


def _row(
    ticket: Any,
    clocks: dict[ClockKind, SlaClock],
    rules: DeskRules,
    now: datetime,
    estimate: datetime | None = None,
) -> BoardRow:
    """A board row from a ticket row of :func:`_board_query` and its clocks at ``now``."""
    return BoardRow(
        id=ticket.id,
        number=ticket.number,
        priority=Priority(ticket.priority),
        status=Status(ticket.status),
        summary=ticket.summary,
        requester=ticket.requester_name or "-",
        department=ticket.department,
        vip=ticket.vip,
        assignee=ticket.assignee_login,
        assignee_name=ticket.assignee_name,
        group_code=ticket.group_code,
        group_name_zh=ticket.name_zh,
        group_name_en=ticket.name_en,
        tier=ticket.tier,
        version=ticket.version,
        clocks=clocks,
        due=nearest_due(clocks),
        warns_at=_warns_at(clocks, rules, now),
        estimate=estimate,
    )


def _warns_at(
    clocks: Mapping[ClockKind, SlaClock], rules: DeskRules, now: datetime
) -> dict[ClockKind, datetime]:
    found = {}
    for kind, clock in clocks.items():
        measure = rules.calendar if clock.business else WALL_CLOCK
        instant = _warning_instant(clock, now, measure, rules.sla.warning_ratio)
        if instant is not None:
            found[kind] = instant
    return found


# alerts ---------------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Alert:
    """Something the on-duty staff must notice: a P1 on the board, or a clock in breach.

    Attributes:
        number: the ticket.
        clock: the clock in breach, or None for the P1 itself.
    """

    number: str
    clock: ClockKind | None = None

    @property
    def is_p1(self) -> bool:
        """The alert is for a P1 ticket (not a breach)."""
        return self.clock is None


def current_alerts(snapshot: BoardSnapshot, now: datetime) -> set[Alert]:
    """Every alert the board stands for at ``now``: each P1, each clock in breach."""
    found: set[Alert] = set()
    for row in snapshot.rows:
        if row.priority == Priority.P1:
            found.add(Alert(row.number))
        found.update(Alert(row.number, kind) for kind in snapshot.breached_at(row, now))
    return found


@dataclass
class AlertBook:
    """This console's memory of alerts (in memory: every console acknowledges for itself).

    Attributes:
        seen: alerts already rung for (and still current).
        acknowledged: alerts someone at this console acknowledged (and still current).
    """

    seen: set[Alert] = field(default_factory=set)
    acknowledged: set[Alert] = field(default_factory=set)

    def update(self, current: Iterable[Alert]) -> set[Alert]:
        """Take the alerts standing now; return those never seen before (ring for them).

        Alerts that no longer stand are forgotten, so a ticket that leaves the board and comes
        back (a P1 downgraded and raised again) alerts again.
        """
        now = set(current)
        new = now - self.seen
        self.seen = now
        self.acknowledged &= now
        return new

    def acknowledge(self, alerts: Iterable[Alert]) -> None:
        """Someone at this console has seen these."""
        self.acknowledged.update(set(alerts) & self.seen)

    def pending(self) -> list[Alert]:
        """Standing alerts nobody acknowledged, P1s first, in a stable order."""
        return sorted(
            self.seen - self.acknowledged, key=lambda a: (not a.is_p1, a.number, str(a.clock or ""))
        )

    def pending_for(self, number: str) -> list[Alert]:
        """The unacknowledged alerts of one ticket."""
        return [a for a in self.pending() if a.number == number]
