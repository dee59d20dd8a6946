"""Which tickets: the filters of ``deskui ticket list`` and of the queue's filter bar, as SQL.

One implementation for both: :class:`TicketFilter` says what is wanted, :func:`filter_clauses`
turns it into conditions on the ticket table (checking every value first, so a bad one is a
refusal naming its field, never a query that finds nothing), and :func:`received_bound` reads a
typed ``from``/``to`` the same way on the command line and in the console.

The search is the desk's Chinese-aware text index (:mod:`deskui.core.text_index`): the number,
any text (Chinese words inside sentences too), the requester's name in characters or pinyin, a
phone number in any format. Digits alone also find the numbers that end with them (``092``).
A search carries the filters (and the queue's view, ``within``) to the index as facets
(:func:`deskui.store.text_search.ticket_facets`), so the index hands over only the tickets the
filters keep; the conditions on the ticket table stay, and decide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import false, func, literal_column, or_
from sqlmodel import Session, col, select

from deskui.core.enums import Category, Channel, Priority, Status, TicketType
from deskui.core.local_time import read_local_time
from deskui.core.text_index import Facets, Query, facet, parse_query
from deskui.services.errors import NotFound, ServiceError
from deskui.store import text_search
from deskui.store.models import Group, ReceivedHour, Ticket, User

#: Digits alone, as long as a number's tail can be: they also match the numbers ending in them.
_NUMBER_TAIL = re.compile(r"\d{3,7}")
#: A ticket number or part of one, as typed in a search (``IT20261201089``, ``1201089``).
_NUMBER_SEARCH = re.compile(r"(?:IT)?\d{3,}", re.IGNORECASE)
#: A day as the list and the filter bar take it.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: ``assignee`` for tickets nobody holds.
UNASSIGNED = "-"


def is_number_search(text: str) -> bool:
    """``text`` is a ticket number or part of one (digits, with or without the ``IT``)."""
    return _NUMBER_SEARCH.fullmatch(text.strip()) is not None


@dataclass(frozen=True)
class TicketFilter:
    """Which tickets.

    Attributes:
        status: only these statuses (the list's default when empty and nothing is searched:
            every open one; the queue's view decides there).
        priority: only these priorities.
        group: a group code.
        assignee: a login; ``"-"`` for unassigned.
        limit: at most this many rows (the list).
        received_from: only tickets received at or after this instant.
        received_to: only tickets received before this instant.
        types: only these ticket types.
        categories: only these categories.
        channels: only these channels.
        search: words to find (see the module's description); empty for none.
    """

    status: Sequence[str] = ()
    priority: Sequence[str] = ()
    group: str | None = None
    assignee: str | None = None
    limit: int = 100
    received_from: datetime | None = None
    received_to: datetime | None = None
    types: Sequence[str] = ()
    categories: Sequence[str] = ()
    channels: Sequence[str] = ()
    search: str = ""

    @property
    def narrows(self) -> bool:
        """Something beyond the search and the limit is asked for."""
        return self != replace(TicketFilter(), limit=self.limit, search=self.search)


def received_bound(name: str, value: str | None, tz: ZoneInfo, *, end: bool) -> datetime | None:
    """``from``/``to`` as an instant: a desk-local day (``2026-11-02``; ``to`` takes the whole
    day in), or an ISO 8601 time (without an offset, the desk's local time). Empty is none.

    Raises:
        ServiceError: ``field.day_or_time`` on ``name`` for anything else (``2026-02-30`` too).
    """
    text = (value or "").strip()
    if not text:
        return None
    day: date | None = None
    if _DAY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:  # 2026-02-30: a day's form, not a day
            raise ServiceError("field.day_or_time", field=name, value=text) from None
    if day is not None:
        return datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=tz)
    instant = read_local_time(text, tz)
    if instant is None:
        raise ServiceError("field.day_or_time", field=name, value=text)
    return instant


@dataclass(frozen=True)
class TextMatch:
    """A search as a condition on the ticket table, narrowed in the index by facets.

    The queue's reader keeps it apart from the other conditions until it knows the segment it
    reads (the dated part of the order holds open tickets only: :meth:`clause` with the open
    facet); everything else takes :meth:`clause` as it is.
    """

    dialect: str
    query: Query
    tail: str | None
    facets: Facets
    complete: bool = False
    """The facets say every other condition of the read: the index alone counts its tickets."""
    between: tuple[int, int] | None = None
    """Only tickets with ids from the first to the last (see :func:`received_block`)."""

    def clause(self, *more: tuple[str, ...], walk: bool = False) -> Any:
        """``ticket.id IN (the matches)``, with ``more`` facet groups.

        ``walk``: the database walks the read's own index in its order and looks each ticket up
        among the matches, rather than fetching every match to sort them (the id is then no
        index's key: ``id + 0``); right where the walk is bounded by the read's other
        conditions (the open tickets) and the matches may be many.
        """
        found = text_search.ticket_ids_matching(
            self.dialect,
            self.query,
            number_tail=self.tail,
            facets=(*self.facets, *more),
            between=self.between,
        )
        key = col(Ticket.id) + literal_column("0") if walk else col(Ticket.id)
        return key.in_(found)

    def ids(self, session: Session) -> list[int]:
        """Every matching ticket's id (for a read driven by few matches)."""
        return text_search.matching_ticket_ids(
            session.connection(),
            self.query,
            number_tail=self.tail,
            facets=self.facets,
            between=self.between,
        )

    def among(self, session: Session, ids: Sequence[int]) -> set[int]:
        """Which of the tickets ``ids`` match (tested one by one in the index)."""
        return text_search.tickets_among(
            session.connection(), ids, self.query, number_tail=self.tail, facets=self.facets
        )

    def count(self, session: Session) -> int:
        """How many tickets match, from the index alone (right when :attr:`complete`)."""
        return text_search.count_tickets_matching(
            session.connection(),
            self.query,
            number_tail=self.tail,
            facets=self.facets,
            between=self.between,
        )


def _kinds(filters: TicketFilter, facets: list[tuple[str, ...]]) -> list[Any]:
    where: list[Any] = []
    for name, column, values, known in (
        ("type", Ticket.type, filters.types, TicketType),
        ("category", Ticket.category, filters.categories, Category),
        ("channel", Ticket.channel, filters.channels, Channel),
    ):
        allowed = [str(k) for k in known]
        for value in values:
            if value not in allowed:
                raise ServiceError("field.choice", field=name, choices=", ".join(allowed))
        if values:
            where.append(col(column).in_(list(values)))
            facets.append(tuple(facet(name, v) for v in values))
    return where


#: Seconds in the hour ``received_hour`` keys its spans by.
HOUR = 3600


@dataclass(frozen=True)
class ReceivedBlock:
    """The ids a received range's tickets lie between (``first`` > ``last``: none).

    ``exact``: the tickets with ids from ``first`` to ``last`` are exactly the range's, so the
    range is said by the ids alone and the text index counts a search in it without the ticket
    table.
    """

    first: int
    last: int
    exact: bool

    @property
    def ids(self) -> tuple[int, int]:
        """``(first, last)``."""
        return self.first, self.last


def _hour(instant: datetime, *, up: bool) -> tuple[int, bool]:
    """The hour key of ``instant`` (rounded ``up`` or down), and whether it is on the hour."""
    seconds = instant.timestamp()
    hour = int(seconds // HOUR)
    aligned = hour * HOUR == seconds
    return (hour + 1 if up and not aligned else hour), aligned


def received_block(
    session: Session, start: datetime | None, end: datetime | None
) -> ReceivedBlock | None:
    """The block of ids the tickets received from ``start`` until ``end`` lie in, read from
    ``received_hour`` (a row per hour: a year's block in a millisecond or two, however many
    tickets it holds); None without a range.

    Every ticket's id lies within its hour's span, so the block holds every ticket of the range
    whatever order the desk received them in; and as a desk numbers its calls as they come in,
    half a year's tickets are about half a year's block of ids: a search asks the text index
    for its matches in that block only, and walks the ticket table from the block's start. The
    block is exact when the range begins and ends on the hour (a desk-local day does, in a
    whole-hour time zone) and no hour outside it has a span reaching into the block.
    """
    if start is None and end is None:
        return None
    where: list[Any] = []
    aligned = True
    low = high = None
    if start is not None:
        low, on_hour = _hour(start, up=False)
        aligned &= on_hour
        where.append(col(ReceivedHour.hour) >= low)
    if end is not None:
        high, on_hour = _hour(end, up=True)
        aligned &= on_hour
        where.append(col(ReceivedHour.hour) < high)
    first, last = session.execute(
        select(func.min(ReceivedHour.first_id), func.max(ReceivedHour.last_id)).where(*where)
    ).one()
    if first is None:
        return ReceivedBlock(0, -1, exact=True)
    outside = [
        col(ReceivedHour.hour) < low if low is not None else false(),
        col(ReceivedHour.hour) >= high if high is not None else false(),
    ]
    reaching = session.execute(
        select(ReceivedHour.hour)
        .where(
            or_(*outside),
            col(ReceivedHour.first_id) <= last,
            col(ReceivedHour.last_id) >= first,
        )
        .limit(1)
    ).first()
    return ReceivedBlock(int(first), int(last), exact=aligned and reaching is None)


def has_words(text: str) -> bool:
    """Whether ``text`` is no search (blank) or holds a word to search for: a single Chinese
    character or ``%`` holds none, and finds nothing."""
    return not text.strip() or not parse_query(text).empty


def search_clause(
    session: Session,
    text: str,
    facets: Facets = (),
    *,
    complete: bool = False,
    between: tuple[int, int] | None = None,
) -> TextMatch | Any | None:
    """The search as a condition on the ticket table (None: nothing typed; words that are no
    words, such as ``%``, find nothing), narrowed in the index by ``facets`` (``complete``:
    they say every other condition) and to the ids ``between``."""
    if not text.strip():
        return None
    query = parse_query(text)
    if query.empty:
        return false()
    dialect = session.get_bind().dialect.name
    digits = text.strip()
    tail = digits if _NUMBER_TAIL.fullmatch(digits) else None
    return TextMatch(dialect, query, tail, facets, complete, between)


def filter_clauses(
    session: Session,
    filters: TicketFilter,
    *,
    within: Facets = (),
    within_exact: bool = True,
    deferred: bool = False,
) -> list[Any]:
    """The conditions of ``filters`` (the search included; the limit is the caller's).

    ``within``: facets the caller's own conditions imply (the queue's view), for the search;
    ``within_exact``: they say all of those conditions.
    ``deferred``: the search stays a :class:`TextMatch` (the queue's reader resolves it).

    Raises:
        ServiceError: an unknown status, priority, type, category or channel, or a date range
            that ends before it starts, naming the filter.
        NotFound: an unknown group or user.
    """
    where: list[Any] = []
    facets: list[tuple[str, ...]] = list(within)
    for value in filters.status:
        if value not in {str(s) for s in Status}:
            raise ServiceError("status.unknown", field="status", value=value)
    if filters.status:
        where.append(col(Ticket.status).in_(list(filters.status)))
        facets.append(tuple(facet("status", s) for s in filters.status))
    for value in filters.priority:
        if value not in {str(p) for p in Priority}:
            raise ServiceError("priority.unknown", field="priority", value=value)
    if filters.priority:
        where.append(col(Ticket.priority).in_(list(filters.priority)))
        facets.append(tuple(facet("priority", p) for p in filters.priority))
    if filters.group:
        group = session.exec(select(Group.id).where(Group.code == filters.group)).first()
        if group is None:
            raise NotFound("group.unknown", field="group", group=filters.group)
        where.append(col(Ticket.group_id) == group)
        facets.append((facet("group_id", group),))
    if filters.assignee == UNASSIGNED:
        where.append(col(Ticket.assignee_id).is_(None))
        facets.append((facet("assignee_id", None),))
    elif filters.assignee:
        user = session.exec(select(User.id).where(User.login == filters.assignee)).first()
        if user is None:
            raise NotFound("user.unknown", field="assignee", login=filters.assignee)
        where.append(col(Ticket.assignee_id) == user)
        facets.append((facet("assignee_id", user),))
    start, end = filters.received_from, filters.received_to
    if start is not None and end is not None and end <= start:
        raise ServiceError("date.order", field="to")
    if start is not None:
        where.append(col(Ticket.received_at) >= start)
    if end is not None:
        where.append(col(Ticket.received_at) < end)
    where.extend(_kinds(filters, facets))
    block = received_block(session, start, end) if filters.search.strip() else None
    between = block.ids if block is not None else None
    if between is not None:
        # the same block bounds the read's walk of the ticket table (in id order it would
        # otherwise start at the desk's first ticket, testing a year of them for the range)
        where.append(col(Ticket.id).between(*between))
    # every filter but the received range is a facet, and an exact block says the range
    exact = within_exact and (block.exact if block is not None else start is None and end is None)
    found = search_clause(session, filters.search, tuple(facets), complete=exact, between=between)
    if isinstance(found, TextMatch) and not deferred:
        found = found.clause()
    if found is not None:
        where.append(found)
    return where
