"""Reading tickets: one with its timeline, or a filtered page of the queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from deskui.core.enums import OPEN_STATUSES, Priority
from deskui.services.errors import NotFound
from deskui.services.rules import DeskRules
from deskui.services.ticket_filters import TicketFilter, filter_clauses
from deskui.services.views import OpenTicketView, TicketView, ticket_view
from deskui.store.models import Group, Requester, Ticket, TicketEvent, User


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

    Every open ticket unless statuses are asked for or something is searched (a search looks
    through every ticket).

    Raises:
        ServiceError: an unknown status or priority, naming the filter.
        NotFound: an unknown group or user.
    """
    where = filter_clauses(session, filters)
    if not filters.status and not filters.search.strip():
        where.append(col(Ticket.status).in_([str(s) for s in OPEN_STATUSES]))
    statement = select(Ticket).where(*where)
    statement = statement.order_by(
        col(Ticket.next_due).is_(None), col(Ticket.next_due), col(Ticket.id)
    ).limit(max(1, min(filters.limit, 10_000)))
    return _views(session, list(session.exec(statement)), rules, now, with_events=False)


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
