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

The read is bounded: every open P1 and P2 (up to :data:`URGENT_LIMIT`, the newest first when
there are more), and at most :data:`BREACH_LIMIT` other tickets, the earliest due first (the
longest breached, then those about to warn); how many more there are is counted, not read
(:attr:`BoardSnapshot.hidden`). A desk holding thousands of tickets breached days ago reads the
same few hundred rows, and a new P1 is always among them.

Acknowledgements are events in the tickets' records (:data:`EventKind.ALERT_ACKNOWLEDGED`),
read with the board: every console shows who acknowledged what, and when. Each console still
keeps its own memory of what it has rung for (:class:`AlertBook`), so each rings once for a
new alert. The rows' order is :func:`deskui.core.alerts.board_order`'s, applied at every tick
(:func:`ordered_rows`), so a breach that happens between two reads moves up at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from deskui.core.alerts import (
    Acknowledgement,
    Alert,
    Standing,
    alert_keys,
    board_order,
    covering,
)
from deskui.core.enums import ClockKind, ClockState, EventKind, Priority, Status
from deskui.core.sla import WALL_CLOCK, SlaClock, TimeMeasure, advance_clock, nearest_due
from deskui.services.rules import DeskRules
from deskui.services.views import child_counts, ticket_clocks
from deskui.store.models import Group, Requester, Ticket, TicketEvent, User

#: Priorities that are on the board whatever their clocks say.
BOARD_PRIORITIES: tuple[Priority, ...] = (Priority.P1, Priority.P2)
#: At most this many P1 and P2 tickets are read (the newest first, when there are more).
URGENT_LIMIT = 200
#: At most this many other tickets in warning or breach are read (the earliest due first).
BREACH_LIMIT = 150
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
    p1_since: datetime | None = None
    """When the ticket last became P1 (None unless it is P1)."""
    acknowledgements: tuple[Acknowledgement, ...] = ()
    """Every acknowledgement of its alerts in its record, oldest first."""


@dataclass(frozen=True)
class BoardSnapshot:
    """The board as read at one instant.

    Attributes:
        as_of: when it was read (the clocks' reference instant).
        rows: the tickets, in the board's order at ``as_of`` as far as the read knows it (every
            alert unacknowledged: :func:`ordered_rows` applies what this console knows).
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
    hidden: int = 0
    """Open tickets that belong on the board (or may) beyond what was read: see the queue."""

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

    def alerts_at(self, row: BoardRow, now: datetime) -> dict[Alert, datetime]:
        """The row's standing alerts at ``now``, each with the instant it began."""
        found: dict[Alert, datetime] = {}
        if row.priority == Priority.P1:
            found[Alert(row.number)] = row.p1_since or self.as_of
        for kind in self.breached_at(row, now):
            found[Alert(row.number, kind)] = row.clocks[kind].due
        return found

    def standing(self, row: BoardRow, now: datetime, pending: Iterable[Alert]) -> Standing:
        """What the board's order reads of ``row`` at ``now``, given its alerts nobody has
        acknowledged (``pending``)."""
        alerts = self.alerts_at(row, now)
        unacknowledged = [alerts[a] for a in pending if a in alerts]
        breached = [since for a, since in alerts.items() if a.clock is not None]
        return Standing(
            number=row.number,
            priority=row.priority,
            unacknowledged_since=max(unacknowledged) if unacknowledged else None,
            breached_since=min(breached) if breached else None,
            due=row.due,
        )


def ordered_rows(
    snapshot: BoardSnapshot, now: datetime, pending: Iterable[Alert]
) -> tuple[BoardRow, ...]:
    """The snapshot's rows in the board's order at ``now`` (:func:`deskui.core.alerts.board_order`),
    ``pending`` being the alerts nobody has acknowledged."""
    by_number: dict[str, list[Alert]] = {}
    for alert in pending:
        by_number.setdefault(alert.number, []).append(alert)
    rows = {row.number: row for row in snapshot.rows}
    order = board_order(
        snapshot.standing(row, now, by_number.get(row.number, ())) for row in snapshot.rows
    )
    return tuple(rows[s.number] for s in order)


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
def _due_soon(pairs: tuple[tuple[Priority, ClockKind], ...]) -> tuple[Any, ...]:
    """SQL conditions: a ticket other than a P1 or P2 whose own priority has a clock whose cached
    due time is within its horizon.

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
    return (
        col(Ticket.priority).not_in([str(p) for p in BOARD_PRIORITIES]),
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


def _count(conditions: tuple[Any, ...], params: Mapping[str, object], session: Session) -> int:
    """How many open tickets meet ``conditions`` (no names joined: a count reads the index)."""
    counted = sa_select(func.count()).select_from(Ticket)
    counted = counted.where(col(Ticket.is_open).is_(True), *conditions)
    return int(session.execute(counted, dict(params)).scalar_one())


def board_snapshot(
    *,
    session: Session,
    rules: DeskRules,
    now: datetime,
    lookahead: timedelta = LOOKAHEAD,
    urgent_limit: int = URGENT_LIMIT,
    breach_limit: int = BREACH_LIMIT,
) -> BoardSnapshot:
    """Read the board: open P1/P2 tickets and tickets with a clock in warning or breach.

    Args:
        session: a read session.
        rules: the desk's rules (SLA targets, calendar, time zone).
        now: the instant to read at.
        lookahead: also read the tickets that may enter the board within this span, so the board
            knows when to read again.
        urgent_limit: at most this many P1/P2 tickets are read, the newest first.
        breach_limit: at most this many other candidates are read, the earliest due first.
    """
    horizons = warning_horizons(rules, now + lookahead)
    pairs = tuple(horizons)
    # plain rows, not ORM objects: a read every time the desk changes should allocate little
    urgent = session.execute(_URGENT.limit(urgent_limit + 1)).all()
    cutoffs: dict[str, object] = {f"due_{i}": horizons[pair] for i, pair in enumerate(pairs)}
    cutoffs["widest"] = max(horizons.values())
    soon = _due_soon(pairs)
    due_soon = session.execute(
        _board_query(*soon).order_by(col(Ticket.next_due), col(Ticket.id)).limit(breach_limit + 1),
        cutoffs,
    ).all()
    hidden = 0
    if len(urgent) > urgent_limit or len(due_soon) > breach_limit:
        # one count of both kinds (one pass over the open tickets), less what was read
        urgent, due_soon = urgent[:urgent_limit], due_soon[:breach_limit]
        either = (or_(and_(*_URGENT_CONDITIONS), and_(*soon)),)
        hidden = _count(either, cutoffs, session) - len(urgent) - len(due_soon)
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
    people = _people(session, events.values())
    rows = [
        replace(
            _row(ticket, clocks, rules, now, _estimate(events.get(ticket.id, []))),
            children=counts.get(ticket.id, 0),
            p1_since=priority_since(events.get(ticket.id, []), Priority.P1)
            if ticket.priority == Priority.P1
            else None,
            acknowledgements=acknowledgements(events.get(ticket.id, []), people),
        )
        for ticket, clocks in chosen
    ]
    snapshot = BoardSnapshot(
        as_of=now,
        rows=tuple(rows),
        recheck_at=max(recheck_at, now + timedelta(seconds=1)),
        tz=rules.tz,
        warning_ratio=ratio,
        calendar=rules.calendar,
        hidden=hidden,
    )
    # in the board's order as the record stands: what nobody acknowledged first
    pending = [
        alert
        for row in snapshot.rows
        for alert, since in snapshot.alerts_at(row, now).items()
        if covering(row.acknowledgements, alert, since) is None
    ]
    return replace(snapshot, rows=ordered_rows(snapshot, now, pending))


def priority_since(events: Iterable[Any], priority: Priority) -> datetime | None:
    """When a ticket last became ``priority``, from its events (oldest first): every event that
    sets the priority records it as the last word of its new value (``P1``, ``I1 U1 P1``)."""
    current: str | None = None
    since: datetime | None = None
    for event in events:
        if event.field != "priority" or not event.new_value:
            continue
        value = str(event.new_value).split()[-1]
        if value == priority and current != priority:
            since = event.at
        current = value
    return since if current == priority else None


def acknowledgements(
    events: Iterable[Any], people: Mapping[int, tuple[str, str]]
) -> tuple[Acknowledgement, ...]:
    """The acknowledgements among a ticket's events (oldest first); ``people`` names the actors
    (id → login, name)."""
    found = []
    for event in events:
        if event.kind != EventKind.ALERT_ACKNOWLEDGED:
            continue
        login, name = people.get(event.actor_id, (None, None)) if event.actor_id else (None, None)
        found.append(Acknowledgement(event.at, login, name, alert_keys(event.new_value)))
    return tuple(found)


def _people(session: Session, histories: Iterable[list[Any]]) -> dict[int, tuple[str, str]]:
    """The login and name of whoever acknowledged an alert among ``histories``."""
    ids = {
        e.actor_id
        for history in histories
        for e in history
        if e.kind == EventKind.ALERT_ACKNOWLEDGED and e.actor_id is not None
    }
    if not ids:
        return {}
    found = session.execute(
        sa_select(col(User.id), col(User.login), col(User.name)).where(col(User.id).in_(ids))
    )
    return {int(i): (str(login), str(name)) for i, login, name in found}


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
        TicketEvent.actor_id,
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
#: Open P1/P2 tickets, the newest first (a new P1 is always among those read).
_URGENT_CONDITIONS = (col(Ticket.priority).in_([str(p) for p in BOARD_PRIORITIES]),)
_URGENT = _board_query(*_URGENT_CONDITIONS).order_by(
    col(Ticket.priority), col(Ticket.received_at).desc(), col(Ticket.id).desc()
)


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
def current_alerts(snapshot: BoardSnapshot, now: datetime) -> dict[Alert, datetime]:
    """Every alert the board stands for at ``now`` (each P1, each clock in breach), with the
    instant each began."""
    found: dict[Alert, datetime] = {}
    for row in snapshot.rows:
        found.update(snapshot.alerts_at(row, now))
    return found


@dataclass
class AlertBook:
    """One console's view of the board's alerts: which stand, which someone acknowledged (in
    the record, shared by every console, or just sent from here), which this console has
    already rung for.

    Attributes:
        seen: standing alerts this console has rung for (or found acknowledged).
        standing: the alerts standing at the last update, each with when it began.
        acknowledged: the acknowledgement (from the record) of each standing alert that has one.
        sending: alerts this console is acknowledging now (the write not yet read back).
    """

    seen: set[Alert] = field(default_factory=set)
    standing: dict[Alert, datetime] = field(default_factory=dict)
    acknowledged: dict[Alert, Acknowledgement] = field(default_factory=dict)
    sending: set[Alert] = field(default_factory=set)

    def update(self, snapshot: BoardSnapshot, now: datetime) -> set[Alert]:
        """Take the alerts standing at ``now``; return those to ring for: new, and nobody has
        acknowledged them.

        Alerts that no longer stand are forgotten, so a ticket that leaves the board and comes
        back (a P1 downgraded and raised again) alerts again.
        """
        rows = {row.number: row for row in snapshot.rows}
        self.standing = current_alerts(snapshot, now)
        self.acknowledged = {}
        for alert, since in self.standing.items():
            ack = covering(rows[alert.number].acknowledgements, alert, since)
            if ack is not None:
                self.acknowledged[alert] = ack
        new = {a for a in self.standing if a not in self.seen and a not in self.acknowledged}
        self.seen = set(self.standing)
        self.sending &= self.seen
        return new

    def pending(self) -> list[Alert]:
        """Standing alerts nobody acknowledged, P1s first, in a stable order."""
        waiting = set(self.standing) - set(self.acknowledged) - self.sending
        return sorted(waiting, key=lambda a: (not a.is_p1, a.number, str(a.clock or "")))

    def pending_for(self, number: str) -> list[Alert]:
        """The unacknowledged alerts of one ticket."""
        return [a for a in self.pending() if a.number == number]

    def acknowledgement_for(self, number: str) -> Acknowledgement | None:
        """The latest acknowledgement of one ticket's standing alerts, if any."""
        found = [ack for alert, ack in self.acknowledged.items() if alert.number == number]
        return max(found, key=lambda ack: ack.at) if found else None
