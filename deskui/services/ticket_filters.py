"""Which tickets: the filters of ``deskui ticket list`` and of the queue's filter bar, as SQL.

One implementation for both: :class:`TicketFilter` says what is wanted, :func:`filter_clauses`
turns it into conditions on the ticket table (checking every value first, so a bad one is a
refusal naming its field, never a query that finds nothing), and :func:`received_bound` reads a
typed ``from``/``to`` the same way on the command line and in the console.

The search is the desk's Chinese-aware text index (:mod:`deskui.core.text_index`): the number,
any text (Chinese words inside sentences too), the requester's name in characters or pinyin, a
phone number in any format. Digits alone also find the numbers that end with them (``092``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import false
from sqlmodel import Session, col, select

from deskui.core.enums import Category, Channel, Priority, Status, TicketType
from deskui.core.text_index import parse_query
from deskui.services.errors import NotFound, ServiceError
from deskui.store import text_search
from deskui.store.models import Group, Ticket, User

#: Digits alone, as long as a number's tail can be: they also match the numbers ending in them.
_NUMBER_TAIL = re.compile(r"\d{3,7}")
#: A day as the list and the filter bar take it.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: ``assignee`` for tickets nobody holds.
UNASSIGNED = "-"


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
    day in), or an ISO 8601 time with its offset. Empty is none.

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
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise ServiceError("field.day_or_time", field=name, value=text)
    return instant


def _kinds(filters: TicketFilter) -> list[Any]:
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
    return where


def search_clause(session: Session, text: str) -> Any | None:
    """The search as a condition on the ticket table (None: nothing typed; words that are no
    words, such as ``%``, find nothing)."""
    if not text.strip():
        return None
    query = parse_query(text)
    if query.empty:
        return false()
    dialect = session.get_bind().dialect.name
    digits = text.strip()
    tail = digits if _NUMBER_TAIL.fullmatch(digits) else None
    return col(Ticket.id).in_(text_search.ticket_ids_matching(dialect, query, number_tail=tail))


def filter_clauses(session: Session, filters: TicketFilter) -> list[Any]:
    """The conditions of ``filters`` (the search included; the limit is the caller's).

    Raises:
        ServiceError: an unknown status, priority, type, category or channel, or a date range
            that ends before it starts, naming the filter.
        NotFound: an unknown group or user.
    """
    where: list[Any] = []
    for value in filters.status:
        if value not in {str(s) for s in Status}:
            raise ServiceError("status.unknown", field="status", value=value)
    if filters.status:
        where.append(col(Ticket.status).in_(list(filters.status)))
    for value in filters.priority:
        if value not in {str(p) for p in Priority}:
            raise ServiceError("priority.unknown", field="priority", value=value)
    if filters.priority:
        where.append(col(Ticket.priority).in_(list(filters.priority)))
    if filters.group:
        group = session.exec(select(Group.id).where(Group.code == filters.group)).first()
        if group is None:
            raise NotFound("group.unknown", field="group", group=filters.group)
        where.append(col(Ticket.group_id) == group)
    if filters.assignee == UNASSIGNED:
        where.append(col(Ticket.assignee_id).is_(None))
    elif filters.assignee:
        user = session.exec(select(User.id).where(User.login == filters.assignee)).first()
        if user is None:
            raise NotFound("user.unknown", field="assignee", login=filters.assignee)
        where.append(col(Ticket.assignee_id) == user)
    start, end = filters.received_from, filters.received_to
    if start is not None and end is not None and end <= start:
        raise ServiceError("date.order", field="to")
    if start is not None:
        where.append(col(Ticket.received_at) >= start)
    if end is not None:
        where.append(col(Ticket.received_at) < end)
    where.extend(_kinds(filters))
    found = search_clause(session, filters.search)
    if found is not None:
        where.append(found)
    return where
