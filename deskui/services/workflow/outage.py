"""Outages: many calls, one problem (SPEC §6). A call becomes a child of the outage's parent
ticket; solving the parent solves every open child with the parent's solution, closing the
parent closes every child its requester confirmed, and a child whose requester reopens it leaves
the outage. Each child so moved carries an event that says so in no language
(:attr:`~deskui.core.enums.EventKind.OUTAGE_SOLVED` or ``OUTAGE_CLOSED``, naming the parent):
each console words it in its own.

One level only: a parent is no one's child, a child is no one's parent. Both tickets are
locked in number order (every writer takes them in the same order, so two links never wait on
each other), and each one changed gets its own events in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from deskui.core.enums import EventKind, Status
from deskui.core.permissions import Action
from deskui.services.access import require, ticket_facts
from deskui.services.errors import ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.workflow.notes import clean_note
from deskui.store.models import Ticket


def _number(session: Session, ticket_id: int | None) -> str | None:
    if ticket_id is None:
        return None
    return session.exec(select(Ticket.number).where(Ticket.id == ticket_id)).first()


def link_ticket(
    *,
    session: Session,
    number: str,
    parent: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Put the call ``number`` under the outage ``parent``.

    Raises:
        ServiceError: the same ticket (``outage.self``), a child already in an outage
            (``outage.already``), a parent that is itself a child (``outage.nested``), a child
            that is a parent (``outage.has_children``).
        PermissionDenied: either ticket is no longer open.
    """
    require(actor, Action.LINK)
    text = clean_note(note, required=False)
    wanted = {number.strip().upper(), parent.strip().upper()}
    if len(wanted) == 1:
        raise ServiceError("outage.self", field="parent", number=parent)
    locked = {
        n: lock_ticket(session, n, expected_version if n == number.strip().upper() else None)
        for n in sorted(wanted)
    }
    child, head = locked[number.strip().upper()], locked[parent.strip().upper()]
    for ticket in (child, head):
        require(actor, Action.LINK, ticket_facts(session, ticket))
    if child.parent_id is not None:
        raise ServiceError(
            "outage.already",
            field="number",
            number=child.number,
            parent=_number(session, child.parent_id) or "-",
        )
    if head.parent_id is not None:
        raise ServiceError("outage.nested", field="parent", number=head.number)
    if _children(session, child, open_only=False):
        raise ServiceError("outage.has_children", field="number", number=child.number)
    child.parent_id = head.id
    record(session, child, actor, EventKind.LINKED, now, field="parent", new=head.number, note=text)
    commit_change(session, child, rules, now)
    return child


def unlink_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Take the call ``number`` out of its outage.

    Raises:
        ServiceError: it is in no outage (``outage.none``).
    """
    require(actor, Action.LINK)
    text = clean_note(note, required=False)
    child = lock_ticket(session, number, expected_version)
    require(actor, Action.LINK, ticket_facts(session, child))
    if child.parent_id is None:
        raise ServiceError("outage.none", field="number", number=child.number)
    leave_outage(session, child, actor, now, text)
    commit_change(session, child, rules, now)
    return child


def leave_outage(
    session: Session, child: Ticket, actor: Actor | None, now: datetime, note: str | None
) -> None:
    """The child leaves its outage (the caller commits the change)."""
    old = _number(session, child.parent_id)
    child.parent_id = None
    record(session, child, actor, EventKind.UNLINKED, now, field="parent", old=old, note=note)


def _children(session: Session, parent: Ticket, *, open_only: bool = True) -> list[Ticket]:
    statement = select(Ticket).where(Ticket.parent_id == parent.id)
    if open_only:
        statement = statement.where(col(Ticket.is_open).is_(True))
    return list(session.exec(statement.order_by(col(Ticket.number)).with_for_update()))


def _carried(
    session: Session, child: Ticket, parent: Ticket, actor: Actor, kind: EventKind, now: datetime
) -> None:
    """The child moves with its parent: which parent, as a code (no words to translate)."""
    record(session, child, actor, kind, now, field="parent", new=parent.number)


def solve_children(
    session: Session, parent: Ticket, actor: Actor, rules: DeskRules, now: datetime
) -> list[str]:
    """The parent was solved: every open child takes its solution and awaits its own
    requester's answer; the numbers of those solved."""
    solved = []
    for child in _children(session, parent):
        if Status(child.status) == Status.AWAITING_CONFIRMATION:
            continue
        if child.assignee_id is None:
            # the outage's solver holds the child while its requester is asked
            child.assignee_id = actor.id
            child.accepted_at = child.accepted_at or now
            record(session, child, actor, EventKind.CLAIMED, now, field="assignee", new=actor.login)
        _carried(session, child, parent, actor, EventKind.OUTAGE_SOLVED, now)
        set_status(session, child, actor, Status.AWAITING_CONFIRMATION, now)
        child.solution, child.result = parent.solution, "resolved"
        record(
            session, child, actor, EventKind.SOLUTION, now, field="solution", new=parent.solution
        )
        commit_change(session, child, rules, now)
        solved.append(child.number)
    return solved


def close_children(
    session: Session, parent: Ticket, actor: Actor, rules: DeskRules, now: datetime
) -> list[str]:
    """The parent was closed: every child its requester confirmed closes with it (a child still
    waiting for its requester stays open); the numbers of those closed."""
    closed = []
    for child in _children(session, parent, open_only=False):
        if Status(child.status) != Status.RESOLVED or child.confirmed_at is None:
            continue
        _carried(session, child, parent, actor, EventKind.OUTAGE_CLOSED, now)
        set_status(session, child, actor, Status.CLOSED, now)
        child.closed_at = now
        record(session, child, actor, EventKind.CLOSED, now)
        commit_change(session, child, rules, now)
        closed.append(child.number)
    return closed
