"""The live queue read by keyset: only the rows in view, in the order nearest SLA due first.

The order is ``ticket.next_due`` (the cached nearest due of the running clocks) then the id,
tickets with no running clock last. That order is served by the ``(is_open, next_due, id)``
index and its per-group and per-assignee siblings, so a window of rows after or before a known
row costs the same at a thousand tickets as at a million. Positions (for the scrollbar and to
keep the cursor on its ticket) are counts over the same indexes.

The three clocks shown for a row are computed from the row's own events with
:func:`deskui.services.views.ticket_clocks`, for the rows of the window only. Between two
changes of a ticket (two versions) its clocks move with time alone, so :func:`advance_clock`
carries them forward — each second on screen, and when the same version is read again — without
reading its events again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import Select, false, func, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from deskui.core.enums import ClockKind, Priority, Status
from deskui.core.sanitize import sanitize_line
from deskui.core.sla import WALL_CLOCK, SlaClock, advance_clock, advance_clocks
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.views import ticket_clocks
from deskui.store.models import Group, Requester, Ticket, TicketEvent, User

T = TypeVar("T")

#: Clocks whose state moves with time alone.
#: How many (ticket, version) clocks and warning instants a reader remembers.
_MEMO_LIMIT = 50_000
#: Rows of events fetched per statement (well under every driver's parameter limit).
_CHUNK = 500


class QueueView(StrEnum):
    """The queue's views, each on a single key."""

    MINE = "mine"
    GROUPS = "groups"
    UNASSIGNED = "unassigned"
    OPEN = "open"
    ALERT = "alert"
    """Tickets with a clock in warning or breached."""


@dataclass(frozen=True)
class QueueQuery:
    """What the queue shows: a view for one actor, optionally narrowed by a search.

    Attributes:
        view: which tickets.
        search: text typed after ``/`` (number, requester, summary or description).
        user_id: the actor (for "mine").
        group_ids: the actor's groups (for "my groups").
    """

    view: QueueView = QueueView.OPEN
    search: str = ""
    user_id: int | None = None
    group_ids: frozenset[int] = frozenset()

    @classmethod
    def for_actor(
        cls, actor: Actor, view: QueueView = QueueView.OPEN, search: str = ""
    ) -> QueueQuery:
        """The query of ``view`` as seen by ``actor``."""
        return cls(QueueView(view), search, actor.id, actor.group_ids)


@dataclass(frozen=True, order=True)
class QueueKey:
    """A row's place in the order: its nearest due (None sorts last), then its id."""

    due: datetime | None
    id: int


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue: only what the table shows, plus the key and version.

    Attributes:
        clocks: the three clocks as they stood at ``clocks_at``.
        clocks_at: when the clocks were computed (carry them on with :func:`advance_clocks`).
    """

    id: int
    number: str
    priority: Priority
    status: Status
    impact: int
    urgency: int
    vip: bool
    tier: int
    category: str
    summary: str
    requester_name: str
    requester_phone: str | None
    group_code: str | None
    group_name_zh: str | None
    group_name_en: str | None
    assignee_id: int | None
    assignee_login: str | None
    assignee_name: str | None
    received_at: datetime
    next_due: datetime | None
    version: int
    clocks: Mapping[ClockKind, SlaClock]
    clocks_at: datetime

    @property
    def key(self) -> QueueKey:
        """The row's place in the queue order."""
        return QueueKey(self.next_due, self.id)

    @property
    def is_open(self) -> bool:
        """The ticket still needs work."""
        return self.status.is_open


@dataclass(frozen=True)
class GroupChoice:
    """A group a ticket can be sent to."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class QueueWindow:
    """Rows of the queue with the absolute index of the first one.

    Attributes:
        rows: consecutive rows in queue order.
        start: the index of ``rows[0]`` in the whole view.
        total: how many rows the view has.
        cursor: the index of the ticket asked for, if it is in the view.
    """

    rows: tuple[QueueRow, ...]
    start: int
    total: int
    cursor: int | None = None


def _chunks(values: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_terms(text: str) -> str:
    """The search as it is matched: one line, control characters removed, trimmed."""
    return sanitize_line(text).strip()


def _search_clause(terms: str) -> Any:
    """Number, requester (name, or pinyin/initials prefix) or text (summary, description)."""
    inside = f"%{_escape_like(terms)}%"
    spelled = f"{_escape_like(terms.lower().replace(' ', ''))}%"
    requesters = select(col(Requester.id)).where(
        or_(
            col(Requester.name).like(inside, escape="\\"),
            col(Requester.name_pinyin).like(spelled, escape="\\"),
            col(Requester.name_initials).like(spelled, escape="\\"),
        )
    )
    return or_(
        col(Ticket.number).like(f"%{_escape_like(terms.upper())}%", escape="\\"),
        col(Ticket.requester_id).in_(requesters.scalar_subquery()),
        col(Ticket.summary).ilike(inside, escape="\\"),
        col(Ticket.description).ilike(inside, escape="\\"),
    )


@dataclass(frozen=True)
class _AnyGroup:
    """Several groups: each is read in due order from its own index and the reads merged, which
    stays a short index walk however small or large each group is (one ``IN`` would make the
    database either sort all their tickets or walk the whole open queue)."""

    ids: tuple[int, ...]

    def clause(self) -> Any:
        """The same condition as a plain filter (for counts)."""
        return col(Ticket.group_id).in_(self.ids)


@dataclass(frozen=True)
class _DueBy:
    """Due no later than ``instant``: a bound the keyset reading backwards tightens to its
    key, so the database walks back from the key rather than from this bound."""

    instant: datetime

    def clause(self) -> Any:
        """As a plain filter."""
        return col(Ticket.next_due) <= self.instant

    def before(self, key: QueueKey) -> _DueBy:
        """The bound for rows before ``key``."""
        return self if key.due is None or key.due >= self.instant else _DueBy(key.due)


def _plain(where: Sequence[Any]) -> list[Any]:
    return [w.clause() if isinstance(w, (_AnyGroup, _DueBy)) else w for w in where]


_Assignee = aliased(User)
_COLUMNS: tuple[Any, ...] = (
    col(Ticket.id),
    col(Ticket.number),
    col(Ticket.priority),
    col(Ticket.status),
    col(Ticket.impact),
    col(Ticket.urgency),
    col(Ticket.vip),
    col(Ticket.tier),
    col(Ticket.category),
    col(Ticket.summary),
    col(Ticket.received_at),
    col(Ticket.next_due),
    col(Ticket.version),
    col(Ticket.assignee_id),
    col(Requester.name).label("requester_name"),
    col(Requester.phone).label("requester_phone"),
    col(Group.code).label("group_code"),
    col(Group.name_zh).label("group_name_zh"),
    col(Group.name_en).label("group_name_en"),
    col(_Assignee.login).label("assignee_login"),
    col(_Assignee.name).label("assignee_name"),
)


class QueueReader:
    """Reads windows of the queue for one desk; every method is one short read.

    Call the methods from a worker thread, never on the event loop.

    Args:
        db_read: runs a function in a read session (:meth:`DeskService.read`).
        rules: returns the desk's rules (read once, then cached by the desk).
        now: the desk's clock.
    """

    def __init__(
        self,
        db_read: Callable[[Callable[[Session], Any]], Any],
        rules: Callable[[], DeskRules],
        now: Callable[[], datetime],
    ) -> None:
        self._read = db_read
        self._rules = rules
        self._now = now
        self._warn_memo: dict[tuple[int, int], datetime | None] = {}
        self._clock_memo: dict[tuple[int, int], tuple[Mapping[ClockKind, SlaClock], datetime]] = {}

    @classmethod
    def of(cls, desk: Any) -> QueueReader:
        """A reader on a :class:`~deskui.services.desk.DeskService`."""
        return cls(desk.read, lambda: desk.rules, desk.clock.now)

    def rules(self) -> DeskRules:
        """The desk's rules (read from the database the first time)."""
        return self._rules()

    def groups(self) -> list[GroupChoice]:
        """Every group, for transferring (few rows: read whole)."""

        def run(session: Session) -> list[GroupChoice]:
            rows = session.execute(
                select(col(Group.code), col(Group.name_zh), col(Group.name_en)).order_by(
                    col(Group.tier), col(Group.id)
                )
            )
            return [GroupChoice(r.code, r.name_zh, r.name_en) for r in rows]

        return cast(list[GroupChoice], self._read(run))

    # the view as SQL -------------------------------------------------------------------------
    def _filters(self, session: Session, query: QueueQuery, now: datetime) -> list[Any]:
        filters: list[Any] = [col(Ticket.is_open).is_(True)]
        view = query.view
        if view == QueueView.MINE:
            filters.append(col(Ticket.assignee_id) == query.user_id if query.user_id else false())
        elif view == QueueView.GROUPS:
            groups = tuple(sorted(query.group_ids))
            if len(groups) > 1:
                filters.append(_AnyGroup(groups))
            else:
                filters.append(col(Ticket.group_id) == groups[0] if groups else false())
        elif view == QueueView.UNASSIGNED:
            filters.append(col(Ticket.assignee_id).is_(None))
        elif view == QueueView.ALERT:
            filters.extend(self._alert_filters(session, now))
        terms = search_terms(query.search)
        if terms:
            filters.append(_search_clause(terms))
        return filters

    def _alert_filters(self, session: Session, now: datetime) -> list[Any]:
        """Tickets with a clock in warning or breached, exactly.

        A live clock past its due is breached or at least warning, so ``next_due <= now`` is in.
        A ticket whose nearest due is later can still have a clock in warning; such a clock is
        due before the horizon (the latest instant any clock could be due and already warn), so
        only the tickets due between now and the horizon are checked, from their events.
        """
        rules = self._rules()
        horizon = self._horizon(rules, now)
        band = session.execute(
            select(col(Ticket.id), col(Ticket.version)).where(
                col(Ticket.is_open).is_(True),
                col(Ticket.next_due) > now,
                col(Ticket.next_due) <= horizon,
            )
        ).all()
        missing = [(i, v) for i, v in band if (i, v) not in self._warn_memo]
        if missing:
            self._remember_warnings(session, missing, rules, now)
        warning_ids = [i for i, v in band if (w := self._warn_memo.get((i, v))) and w <= now]
        if not warning_ids:
            return [_DueBy(now)]
        return [_DueBy(horizon), or_(col(Ticket.next_due) <= now, col(Ticket.id).in_(warning_ids))]

    @staticmethod
    def _horizon(rules: DeskRules, now: datetime) -> datetime:
        latest = now
        share = 1 - rules.sla.warning_ratio
        for priority in Priority:
            for kind in ClockKind:
                target = rules.sla.target(priority, kind)
                measure = rules.calendar if target.business else WALL_CLOCK
                latest = max(latest, measure.add_business_seconds(now, target.seconds * share))
        return latest

    def _remember_warnings(
        self, session: Session, tickets: Sequence[tuple[int, int]], rules: DeskRules, now: datetime
    ) -> None:
        """Store, per ticket version, the instant its first running clock starts to warn."""
        if len(self._warn_memo) + len(tickets) > _MEMO_LIMIT:
            self._warn_memo.clear()
        ratio = rules.sla.warning_ratio
        for part in _chunks(list(tickets)):
            ids = [i for i, _ in part]
            heads = {
                r.id: r
                for r in session.execute(
                    select(col(Ticket.id), col(Ticket.priority), col(Ticket.received_at)).where(
                        col(Ticket.id).in_(ids)
                    )
                )
            }
            events = self._events(session, ids)
            for ticket_id, version in part:
                head = heads.get(ticket_id)
                if head is None:
                    continue
                clocks = ticket_clocks(cast(Ticket, head), events.get(ticket_id, []), rules, now)
                instants = []
                for clock in clocks.values():
                    if not clock.state.is_live:
                        continue
                    measure = rules.calendar if clock.business else WALL_CLOCK
                    still = ratio * clock.target_seconds - clock.elapsed_seconds
                    instants.append(now if still <= 0 else measure.add_business_seconds(now, still))
                self._warn_memo[(ticket_id, version)] = min(instants) if instants else None

    @staticmethod
    def _events(session: Session, ids: Sequence[int]) -> dict[int, list[TicketEvent]]:
        """The events the clocks read, per ticket, oldest first (plain rows, not ORM objects)."""
        found: dict[int, list[TicketEvent]] = {}
        for part in _chunks(list(ids)):
            rows = session.execute(
                select(
                    col(TicketEvent.ticket_id),
                    col(TicketEvent.at),
                    col(TicketEvent.kind),
                    col(TicketEvent.field),
                    col(TicketEvent.new_value),
                    col(TicketEvent.note),
                )
                .where(col(TicketEvent.ticket_id).in_(part))
                .order_by(col(TicketEvent.ticket_id), col(TicketEvent.id))
            )
            for row in rows:
                # a row has the attributes ticket_clocks reads from an event
                found.setdefault(row.ticket_id, []).append(cast(TicketEvent, row))
        return found

    def _select(self, filters: Sequence[Any]) -> Select[Any]:
        return (
            select(*_COLUMNS)
            .join(Requester, col(Requester.id) == col(Ticket.requester_id))
            .outerjoin(Group, col(Group.id) == col(Ticket.group_id))
            .outerjoin(_Assignee, col(_Assignee.id) == col(Ticket.assignee_id))
            .where(*_plain(filters))
        )

    def _ordered(
        self, session: Session, where: Sequence[Any], *, dated: bool, descending: bool, limit: int
    ) -> list[Any]:
        """Rows in queue order (or its reverse), merging per-group reads where there are several."""
        if limit <= 0:
            return []

        def order(next_due: Any, ident: Any) -> list[Any]:
            keys = [next_due, ident] if dated else [ident]
            return [k.desc() for k in keys] if descending else keys

        split = next((w for w in where if isinstance(w, _AnyGroup)), None)
        if split is None:
            statement = self._select(where).order_by(*order(col(Ticket.next_due), col(Ticket.id)))
            return list(session.execute(statement.limit(limit)))
        rest = [w for w in where if w is not split]
        parts = [
            self._select([*rest, col(Ticket.group_id) == group])
            .order_by(*order(col(Ticket.next_due), col(Ticket.id)))
            .limit(limit)
            .subquery()
            for group in split.ids
        ]
        merged = union_all(*(select(part) for part in parts)).subquery()
        statement = select(merged).order_by(*order(merged.c.next_due, merged.c.id)).limit(limit)
        return list(session.execute(statement))

    def _clocks(
        self, session: Session, records: Sequence[Any], rules: DeskRules, now: datetime
    ) -> list[Mapping[ClockKind, SlaClock]]:
        """Each record's clocks: computed from its events, or carried forward from when this
        version of the ticket was last computed (exact, see :func:`advance_clock`; recomputed
        after a minute all the same, so an event stamped ahead by another machine's clock
        counts once its time comes)."""
        memo = self._clock_memo
        fresh = [r.id for r in records if not self._recent(memo.get((r.id, r.version)), now)]
        events = self._events(session, fresh) if fresh else {}
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        found: list[Mapping[ClockKind, SlaClock]] = []
        for r in records:
            held = memo.get((r.id, r.version))
            if self._recent(held, now) and held is not None:
                found.append(advance_clocks(held[0], held[1], now, rules))
                continue
            clocks = ticket_clocks(cast(Ticket, r), events.get(r.id, []), rules, now)
            memo[(r.id, r.version)] = (clocks, now)
            found.append(clocks)
        return found

    @staticmethod
    def _recent(held: tuple[Any, datetime] | None, now: datetime) -> bool:
        return held is not None and held[1] <= now and (now - held[1]).total_seconds() < 60

    def _rows(self, session: Session, records: Sequence[Any], now: datetime) -> list[QueueRow]:
        if not records:
            return []
        rules = self._rules()
        clocks = self._clocks(session, records, rules, now)
        return [
            QueueRow(
                id=r.id,
                number=r.number,
                priority=Priority(r.priority),
                status=Status(r.status),
                impact=r.impact,
                urgency=r.urgency,
                vip=bool(r.vip),
                tier=r.tier,
                category=r.category,
                summary=r.summary,
                requester_name=r.requester_name,
                requester_phone=r.requester_phone,
                group_code=r.group_code,
                group_name_zh=r.group_name_zh,
                group_name_en=r.group_name_en,
                assignee_id=r.assignee_id,
                assignee_login=r.assignee_login,
                assignee_name=r.assignee_name,
                received_at=r.received_at,
                next_due=r.next_due,
                version=r.version,
                clocks_at=now,
                clocks=row_clocks,
            )
            for r, row_clocks in zip(records, clocks, strict=True)
        ]

    # segments of the order: due tickets (by due, id), then undated ones (by id) ---------------
    @staticmethod
    def _dated(filters: Sequence[Any]) -> list[Any]:
        return [*filters, col(Ticket.next_due).is_not(None)]

    @staticmethod
    def _undated(filters: Sequence[Any]) -> list[Any]:
        return [*filters, col(Ticket.next_due).is_(None)]

    def _fetch_after(
        self, session: Session, filters: Sequence[Any], key: QueueKey | None, limit: int
    ) -> list[Any]:
        records: list[Any] = []
        if key is None or key.due is not None:
            where = self._dated(filters)
            if key is not None:
                where.append(tuple_(col(Ticket.next_due), col(Ticket.id)) > tuple_(key.due, key.id))
            records = self._ordered(session, where, dated=True, descending=False, limit=limit)
        if len(records) < limit:
            where = self._undated(filters)
            if key is not None and key.due is None:
                where.append(col(Ticket.id) > key.id)
            records += self._ordered(
                session, where, dated=False, descending=False, limit=limit - len(records)
            )
        return records

    def _fetch_before(
        self, session: Session, filters: Sequence[Any], key: QueueKey | None, limit: int
    ) -> list[Any]:
        """Up to ``limit`` rows just before ``key`` (None: the end), in queue order."""
        records: list[Any] = []
        if key is None or key.due is None:
            where = self._undated(filters)
            if key is not None:
                where.append(col(Ticket.id) < key.id)
            records = self._ordered(session, where, dated=False, descending=True, limit=limit)
        if len(records) < limit:
            where = self._dated(filters)
            if key is not None and key.due is not None:
                where = [w.before(key) if isinstance(w, _DueBy) else w for w in where]
                where.append(tuple_(col(Ticket.next_due), col(Ticket.id)) < tuple_(key.due, key.id))
            records += self._ordered(
                session, where, dated=True, descending=True, limit=limit - len(records)
            )
        records.reverse()
        return records

    @staticmethod
    def _count(session: Session, where: Sequence[Any]) -> int:
        statement = select(func.count()).select_from(Ticket).where(*_plain(where))
        return int(session.execute(statement).scalar_one())

    def _count_before(self, session: Session, filters: Sequence[Any], key: QueueKey) -> int:
        if key.due is not None:
            return self._count(
                session,
                [
                    *self._dated(filters),
                    tuple_(col(Ticket.next_due), col(Ticket.id)) < tuple_(key.due, key.id),
                ],
            )
        dated = self._count(session, self._dated(filters))
        return dated + self._count(session, [*self._undated(filters), col(Ticket.id) < key.id])

    # public reads ----------------------------------------------------------------------------
    def count(self, query: QueueQuery) -> int:
        """How many tickets the view has."""
        now = self._now()

        def run(session: Session) -> int:
            return self._count(session, self._filters(session, query, now))

        return cast(int, self._read(run))

    def after(self, query: QueueQuery, key: QueueKey | None, limit: int) -> list[QueueRow]:
        """Up to ``limit`` rows following ``key`` (None: from the top)."""
        now = self._now()

        def run(session: Session) -> list[QueueRow]:
            filters = self._filters(session, query, now)
            return self._rows(session, self._fetch_after(session, filters, key, limit), now)

        return cast(list[QueueRow], self._read(run))

    def before(self, query: QueueQuery, key: QueueKey | None, limit: int) -> list[QueueRow]:
        """Up to ``limit`` rows preceding ``key`` (None: the last rows), in queue order."""
        now = self._now()

        def run(session: Session) -> list[QueueRow]:
            filters = self._filters(session, query, now)
            return self._rows(session, self._fetch_before(session, filters, key, limit), now)

        return cast(list[QueueRow], self._read(run))

    def at(self, query: QueueQuery, offset: int, limit: int) -> QueueWindow:
        """The rows from position ``offset`` (a jump, e.g. the scrollbar dragged far)."""
        now = self._now()

        def run(session: Session) -> QueueWindow:
            filters = self._filters(session, query, now)
            total = self._count(session, filters)
            start = max(0, min(offset, total - limit))
            return self._window_at(session, filters, total, start, 0, limit, now)

        return cast(QueueWindow, self._read(run))

    def position(self, query: QueueQuery, ticket_id: int) -> int | None:
        """Where the ticket stands in the view (0 = top), or None if the view does not hold it."""
        now = self._now()

        def run(session: Session) -> int | None:
            filters = self._filters(session, query, now)
            found = session.execute(
                select(col(Ticket.next_due)).where(*_plain(filters), col(Ticket.id) == ticket_id)
            ).first()
            if found is None:
                return None
            return self._count_before(session, filters, QueueKey(found.next_due, ticket_id))

        return cast("int | None", self._read(run))

    def around(
        self, query: QueueQuery, ticket_id: int | None, fallback: int, before: int, after: int
    ) -> QueueWindow:
        """A fresh window around a ticket, for a live refresh that keeps the cursor on it.

        Args:
            query: the view.
            ticket_id: the ticket under the cursor; when the view no longer holds it the
                window is taken around position ``fallback`` instead.
            fallback: the cursor's previous position.
            before: rows wanted above the cursor.
            after: rows wanted from the cursor down (the cursor's row included).
        """
        now = self._now()

        def run(session: Session) -> QueueWindow:
            filters = self._filters(session, query, now)
            total = self._count(session, filters)
            key: QueueKey | None = None
            if ticket_id is not None:
                mine = col(Ticket.id) == ticket_id
                found = session.execute(
                    select(col(Ticket.next_due)).where(*_plain(filters), mine)
                ).first()
                if found is not None:
                    key = QueueKey(found.next_due, ticket_id)
            if key is None:
                return self._window_at(session, filters, total, fallback, before, after, now)
            index = self._count_before(session, filters, key)
            head = self._fetch_before(session, filters, key, before)
            tail = self._fetch_from(session, filters, key, after)
            rows = self._rows(session, head + tail, now)
            return QueueWindow(tuple(rows), index - len(head), total, index)

        return cast(QueueWindow, self._read(run))

    def _fetch_from(
        self, session: Session, filters: Sequence[Any], key: QueueKey, limit: int
    ) -> list[Any]:
        """The row at ``key`` and those after it."""
        own = list(session.execute(self._select([*filters, col(Ticket.id) == key.id])))
        return own + self._fetch_after(session, filters, key, max(0, limit - len(own)))

    def _window_at(
        self,
        session: Session,
        filters: Sequence[Any],
        total: int,
        index: int,
        before: int,
        after: int,
        now: datetime,
    ) -> QueueWindow:
        cursor = max(0, min(index, total - 1))
        start = max(0, cursor - before)
        limit = before + after
        dated = self._count(session, self._dated(filters))
        records: list[Any] = []
        if start < dated:
            records = list(
                session.execute(
                    self._select(self._dated(filters))
                    .order_by(col(Ticket.next_due), col(Ticket.id))
                    .offset(start)
                    .limit(limit)
                )
            )
        if len(records) < limit:
            records += list(
                session.execute(
                    self._select(self._undated(filters))
                    .order_by(col(Ticket.id))
                    .offset(max(0, start - dated))
                    .limit(limit - len(records))
                )
            )
        rows = self._rows(session, records, now)
        return QueueWindow(tuple(rows), start, total, cursor if total else None)


__all__ = [
    "GroupChoice",
    "QueueKey",
    "QueueQuery",
    "QueueReader",
    "QueueRow",
    "QueueView",
    "QueueWindow",
    "advance_clock",
    "search_terms",
]
