"""The queue's reader: windows of rows after, before, at or around a place in the order.

:class:`QueueReader` reads in keysets (after or before a :class:`QueueKey`), so every read is a
short index walk whatever the size of the queue; positions are counts over the same indexes.
It is built on :class:`~deskui.services.queue.filters.ViewFilters` (the views as SQL) and
:class:`~deskui.services.queue.rows.RowBuilder` (the rows and their clocks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, any_, bindparam, func, select, tuple_, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col

from deskui.core.enums import ClockKind
from deskui.core.sla import SlaClock
from deskui.services.queue.filters import ViewFilters
from deskui.services.queue.query import QueueKey, QueueQuery, _AnyGroup, _DueBy, _Open, _plain
from deskui.services.queue.rows import QueueRow
from deskui.services.rules import DeskRules
from deskui.services.ticket_filters import TextMatch
from deskui.store.models import Group, Ticket
from deskui.store.text_search import OPEN

#: A search on PostgreSQL tests this many tickets of the order, a chunk at a time, before it
#: reads its matches whole (:meth:`QueueReader._walked`).
WALK = 8000
WALK_CHUNK = 1000


def _segment(where: Any, *facets: tuple[str, ...]) -> Any:
    """A condition of one segment of a searched read. The search takes the segment's
    ``facets``; on SQLite it is a condition at once (the index hands its matches over in
    milliseconds even when they are many, and the database walks the segment's order looking
    each ticket up among them: ``walk`` where the segment is the open tickets), on PostgreSQL
    it stays a :class:`TextMatch` for :meth:`QueueReader._walked`."""
    if isinstance(where, TextMatch):
        if where.dialect == "postgresql":
            return replace(where, facets=(*where.facets, *facets))
        return where.clause(*facets, walk=bool(facets))
    return _searched(where)


def _searched(where: Any) -> Any:
    """A condition of a searched read: several groups are one condition (the matches are
    already the view's, few enough to look up; reading each group apart would search each
    time)."""
    return where.clause() if isinstance(where, _AnyGroup) else where


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


class QueueReader(ViewFilters):
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

    def _ordered(
        self, session: Session, where: Sequence[Any], *, dated: bool, descending: bool, limit: int
    ) -> list[Any]:
        """Rows in queue order (or its reverse), merging per-group reads where there are several."""
        if limit <= 0:
            return []

        opened = any(isinstance(w, _Open) for w in where)

        def order(next_due: Any, ident: Any) -> list[Any]:
            keys = [next_due, ident] if dated or opened else [ident]
            return [k.desc() for k in keys] if descending else keys

        match = next((w for w in where if isinstance(w, TextMatch)), None)
        if match is not None:
            return self._walked(
                session, where, match, dated=dated, descending=descending, limit=limit
            )
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

    def _walked(
        self,
        session: Session,
        where: Sequence[Any],
        match: TextMatch,
        *,
        dated: bool,
        descending: bool,
        limit: int,
    ) -> list[Any]:
        """Rows of a search on PostgreSQL in the segment's order: the tickets of the order are
        walked a chunk at a time and tested against the words by their keys; only when
        :data:`WALK` of them hold too few matches (the words are rare there) are the matches
        read whole, few as they then are.

        A common word fills a page within a few hundred tickets, where reading its every match
        (170,000 of a million) costs half a second. PostgreSQL's own choice between walking and
        reading rests on its estimate of the matches, which is far off for a word it has no
        statistics of: it walked a whole view testing every document for a name nobody had.
        """
        rest = [w for w in where if w is not match]
        keys = [col(Ticket.next_due), col(Ticket.id)] if dated else [col(Ticket.id)]
        # the undated open tickets: by (next_due, id), their indexes' order (see _Open)
        opened = not dated and any(isinstance(w, _Open) for w in rest)
        ordering = [col(Ticket.next_due), *keys] if opened else keys
        order = [k.desc() for k in ordering] if descending else ordering
        kept: list[int] = []
        last: Any = None
        walked = 0
        while walked < WALK:
            step = select(*keys).where(*_plain(rest))
            if last is not None:
                bound, value = (tuple_(*keys), tuple_(*last)) if dated else (keys[0], last[0])
                step = step.where(bound < value if descending else bound > value)
            chunk = list(session.execute(step.order_by(*order).limit(WALK_CHUNK)))
            found = match.among(session, [int(r[-1]) for r in chunk])
            kept += [int(r[-1]) for r in chunk if int(r[-1]) in found]
            walked += len(chunk)
            if len(kept) >= limit or len(chunk) < WALK_CHUNK:
                if not kept:
                    return []
                ids = col(Ticket.id).in_(kept[:limit])
                return list(session.execute(self._select([ids]).order_by(*order)))
            if len(kept) * WALK < limit * walked:
                break  # at this rate the walk would not fill the page: the matches are few
            last = tuple(chunk[-1])
        # few matches: read them, then the tickets among them by key (given the matches as a
        # subquery, PostgreSQL may still walk the whole order testing each ticket against it)
        matches = match.ids(session)
        if not matches:
            return []
        among = col(Ticket.id) == any_(bindparam("matches", matches, type_=ARRAY(Integer)))
        statement = self._select([*rest, among]).order_by(*order).limit(limit)
        return list(session.execute(statement))

    # segments of the order: due tickets (by due, id), then undated ones (by id) ---------------
    @staticmethod
    def _dated(filters: Sequence[Any]) -> list[Any]:
        # only an open ticket has a due (views.refresh_due_cache): the database walks the open
        # tickets in due order (their index), testing each against the rest, rather than
        # fetching every ticket the rest allows and sorting them (half a million for half a
        # year's tickets in the "all" view); a search asks the index for the open matches only
        # (a few hundred steps where the words are common, every open ticket at most)
        dated = [col(Ticket.is_open).is_(True), col(Ticket.next_due).is_not(None)]
        if not any(isinstance(w, TextMatch) for w in filters):
            return [*filters, *dated]
        return [*(_segment(w, (OPEN,)) for w in filters), *dated]

    @staticmethod
    def _undated(filters: Sequence[Any]) -> list[Any]:
        if not any(isinstance(w, TextMatch) for w in filters):
            return [*filters, col(Ticket.next_due).is_(None)]
        return [*(_segment(w) for w in filters), col(Ticket.next_due).is_(None)]

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
    def _total(session: Session, filters: Sequence[Any]) -> int:
        """How many tickets the view holds: counted in the text index alone when a search's
        facets say every condition of the view (a common word is in 170,000 tickets of a
        million: counted there in milliseconds, not looked up one by one)."""
        match = next((w for w in filters if isinstance(w, TextMatch)), None)
        if match is not None and match.complete:
            return match.count(session)
        return QueueReader._count(session, filters)

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
            return self._total(session, self._filters(session, query, now))

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
            total = self._total(session, filters)
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
            total = self._total(session, filters)
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
