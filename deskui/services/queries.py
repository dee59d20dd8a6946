"""Reading tickets: one with its timeline, or a filtered page of the queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from deskui.core.enums import OPEN_STATUSES, Category, Channel, Priority, Status, TicketType
from deskui.services.errors import NotFound, ServiceError
from deskui.services.rules import DeskRules
from deskui.services.views import OpenTicketView, TicketView, ticket_view
from deskui.store.models import Group, Requester, Ticket, TicketEvent, User


@dataclass(frozen=True)
class TicketFilter:
    """What the list shows.

    Attributes:
        status: only these statuses (default: every open one).
        priority: only these priorities.
        group: a group code.
        assignee: a login; ``"-"`` for unassigned.
        limit: at most this many rows.
        received_from: only tickets received at or after this instant.
        received_to: only tickets received before this instant.
        types: only these ticket types.
        categories: only these categories.
        channels: only these channels.
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


def _views(
    session: Session, tickets: Sequence[Ticket], rules: DeskRules, now: datetime, with_events: bool
) -> list[TicketView]:
    if not tickets:
        return []
    ids = [t.id for t in tickets]
    requesters = {
        r.id: r
        for r in session.exec(
            select(Requester).where(col(Requester.id).in_({t.requester_id for t in tickets}))
        )
    }
    groups = {g.id: g for g in session.exec(select(Group))}
    events: dict[int, list[TicketEvent]] = {}
    for event in session.exec(
        select(TicketEvent).where(col(TicketEvent.ticket_id).in_(ids)).order_by(col(TicketEvent.id))
    ):
        events.setdefault(event.ticket_id, []).append(event)
    user_ids = {t.assignee_id for t in tickets} | {
        who for evs in events.values() for e in evs for who in (e.actor_id, e.proxy_id)
    }
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids - {None})))}
    actors = {uid: u.login for uid, u in users.items() if uid is not None}
    children: dict[int, list[str]] = {}
    for parent_id, number in session.exec(
        select(Ticket.parent_id, Ticket.number)
        .where(col(Ticket.parent_id).in_(ids))
        .order_by(col(Ticket.number))
    ):
        children.setdefault(parent_id or 0, []).append(number)
    parent_ids = {t.parent_id for t in tickets if t.parent_id is not None}
    parents = dict(
        session.exec(select(Ticket.id, Ticket.number).where(col(Ticket.id).in_(parent_ids))).all()
        if parent_ids
        else []
    )
    return [
        ticket_view(
            t,
            requester=requesters[t.requester_id],
            group=groups.get(t.group_id) if t.group_id else None,
            assignee=users.get(t.assignee_id) if t.assignee_id else None,
            events=events.get(t.id or 0, []),
            actors=actors,
            rules=rules,
            now=now,
            with_events=with_events,
            parent=parents.get(t.parent_id) if t.parent_id is not None else None,
            children=children.get(t.id or 0, []),
        )
        for t in tickets
    ]


def get_ticket(
    *, session: Session, number: str, rules: DeskRules, now: datetime, with_events: bool = True
) -> TicketView:
    """One ticket with its clocks and timeline.

    Raises:
        NotFound: no such number.
    """
    ticket = session.exec(select(Ticket).where(Ticket.number == number.strip().upper())).first()
    if ticket is None:
        raise NotFound("ticket.unknown", field="number", number=number)
    return _views(session, [ticket], rules, now, with_events)[0]


def list_tickets(
    *, session: Session, filters: TicketFilter, rules: DeskRules, now: datetime
) -> list[TicketView]:
    """Tickets matching the filters, nearest SLA due first.

    Raises:
        ServiceError: an unknown status or priority, naming the filter.
        NotFound: an unknown group or user.
    """
    statement = select(Ticket)
    statuses = list(filters.status) or [str(s) for s in OPEN_STATUSES]
    for value in statuses:
        if value not in {str(s) for s in Status}:
            raise ServiceError("status.unknown", field="status", value=value)
    statement = statement.where(col(Ticket.status).in_(statuses))
    for value in filters.priority:
        if value not in {str(p) for p in Priority}:
            raise ServiceError("priority.unknown", field="priority", value=value)
    if filters.priority:
        statement = statement.where(col(Ticket.priority).in_(list(filters.priority)))
    if filters.group:
        group = session.exec(select(Group).where(Group.code == filters.group)).first()
        if group is None:
            raise NotFound("group.unknown", field="group", group=filters.group)
        statement = statement.where(Ticket.group_id == group.id)
    if filters.assignee == "-":
        statement = statement.where(col(Ticket.assignee_id).is_(None))
    elif filters.assignee:
        user = session.exec(select(User).where(User.login == filters.assignee)).first()
        if user is None:
            raise NotFound("user.unknown", field="assignee", login=filters.assignee)
        statement = statement.where(Ticket.assignee_id == user.id)
    statement = statement.where(*_kind_and_time(filters))
    statement = statement.order_by(
        col(Ticket.next_due).is_(None), col(Ticket.next_due), col(Ticket.id)
    ).limit(max(1, min(filters.limit, 10_000)))
    return _views(session, list(session.exec(statement)), rules, now, with_events=False)


def _kind_and_time(filters: TicketFilter) -> list[Any]:
    """The type, category, channel and date-range conditions of ``filters``.

    Raises:
        ServiceError: a range that ends before it starts, or an unknown identifier.
    """
    where: list[Any] = []
    start, end = filters.received_from, filters.received_to
    if start is not None and end is not None and end <= start:
        raise ServiceError("date.order", field="to")
    if start is not None:
        where.append(col(Ticket.received_at) >= start)
    if end is not None:
        where.append(col(Ticket.received_at) < end)
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


@dataclass(frozen=True)
class DeskCounts:
    """The status line's live figures."""

    open: int
    p1: int
    breached: int


def desk_counts(*, session: Session, now: datetime) -> DeskCounts:
    """Open tickets, open P1s, and open tickets past a due time."""
    open_q = select(func.count()).select_from(Ticket).where(col(Ticket.is_open).is_(True))
    opened = session.exec(open_q).one()
    p1 = session.exec(open_q.where(Ticket.priority == Priority.P1.value)).one()
    breached = session.exec(open_q.where(col(Ticket.next_due) < now)).one()
    return DeskCounts(int(opened), int(p1), int(breached))


def open_tickets_of(*, session: Session, requester_id: int, limit: int = 8) -> list[OpenTicketView]:
    """A caller's open tickets, newest first (at most ``limit``)."""
    rows = session.exec(
        select(Ticket)
        .where(Ticket.requester_id == requester_id, col(Ticket.is_open).is_(True))
        .order_by(col(Ticket.received_at).desc(), col(Ticket.id).desc())
        .limit(max(1, limit))
    ).all()
    return [OpenTicketView(r.number, r.status, r.priority, r.summary, r.received_at) for r in rows]
