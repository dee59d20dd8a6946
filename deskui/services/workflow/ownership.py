"""Who holds a ticket: an agent claims it (接单), a duty lead takes it over or assigns it (指派).

Exactly one owner at a time: the ticket row is locked before its owner is read.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from deskui.core.enums import EventKind, Role, Status
from deskui.core.permissions import Action, Refusal, refusal, role_may
from deskui.services.access import require, ticket_facts
from deskui.services.errors import ClaimConflict, NotFound, ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.workflow.notes import clean_note
from deskui.store.models import Group, Ticket, User, UserGroup


def _login(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.login if user else "-"


def release_holder(
    session: Session, ticket: Ticket, actor: Actor, now: datetime, note: str | None = None
) -> None:
    """Nobody holds the ticket any more (audited); nothing happens when nobody did."""
    if ticket.assignee_id is None:
        return
    record(
        session,
        ticket,
        actor,
        EventKind.RELEASED,
        now,
        field="assignee",
        old=_login(session, ticket.assignee_id),
        note=note,
    )
    ticket.assignee_id = None


def claim_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    takeover: bool = False,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Make the actor the ticket's one owner (接单).

    Exactly one of many racing claimers wins: the row is locked, then its owner is checked.
    A duty lead may take over a ticket someone else holds; that is audited.

    Args:
        reason: why a lead takes the ticket over (kept as the takeover's note).

    Raises:
        ClaimConflict: someone else holds it (and this is not a lead's takeover).
        PermissionDenied: the role may not claim, or may not take over; a takeover of a ticket
            nobody holds (claim it) or the actor holds already.
    """
    require(actor, Action.TAKE_OVER if takeover else Action.CLAIM)
    ticket = lock_ticket(session, number, expected_version)
    facts = ticket_facts(session, ticket)
    if takeover:
        # asked for a takeover: exactly that (of nobody's ticket, or one's own, is refused)
        require(actor, Action.TAKE_OVER, facts)
    elif refusal(actor, Action.CLAIM, facts) == Refusal.HELD:
        raise ClaimConflict(facts.holder or "-", number=ticket.number)
    else:
        require(actor, Action.CLAIM, facts)
    _take(session, ticket, actor, facts.holder, rules, now, reason)
    return ticket


def _take(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    holder: str | None,
    rules: DeskRules,
    now: datetime,
    reason: str | None,
) -> None:
    """The actor owns the ticket and has acknowledged it: claimed, accepted or taken over."""
    status = Status(ticket.status)
    if ticket.assignee_id == actor.id:
        if status not in (Status.NEW, Status.TO_ASSIGN):
            return
        # a ticket routed or assigned to this person is accepted by claiming it
        record(session, ticket, actor, EventKind.CLAIMED, now, field="assignee", new=actor.login)
    elif ticket.assignee_id is not None:
        record(
            session,
            ticket,
            actor,
            EventKind.TAKEOVER,
            now,
            field="assignee",
            old=holder or "-",
            new=actor.login,
            note=clean_note(reason, field="reason", required=False)
            or f"taken over from {holder or '-'}",
        )
    else:
        record(session, ticket, actor, EventKind.CLAIMED, now, field="assignee", new=actor.login)
    ticket.assignee_id = actor.id
    ticket.accepted_at = ticket.accepted_at or now
    if status in (Status.NEW, Status.TO_ASSIGN):
        set_status(session, ticket, actor, Status.IN_PROGRESS, now)
    commit_change(session, ticket, rules, now)


def _in_group(session: Session, user: User, group_id: int) -> bool:
    return (
        session.exec(
            select(UserGroup).where(UserGroup.user_id == user.id, UserGroup.group_id == group_id)
        ).first()
        is not None
    )


def assign_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    assignee: str,
    rules: DeskRules,
    now: datetime,
    note: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """A duty lead hands the ticket to a named agent (audited as an assignment).

    An assignment acknowledges nothing: the ticket keeps its status (one new or to be assigned
    waits for the assignee to accept it by claiming) and the response clock runs on until the
    assignee claims it, sends a progress update or contacts the requester (SPEC §5). A lead
    assigning the ticket to themselves claims it (or takes it over from whoever holds it).

    Raises:
        NotFound: no such active user.
        ServiceError: the user is an operator, who works no ticket (``assign.not_handler``), or
            not in the ticket's group (``assign.outside_group``: transfer the ticket first, as
            the console offers only the group's people).
        PermissionDenied: not a lead, the ticket is no longer open or awaits the requester.
    """
    require(actor, Action.ASSIGN)
    ticket = lock_ticket(session, number, expected_version)
    facts = ticket_facts(session, ticket)
    require(actor, Action.ASSIGN, facts)
    user = session.exec(select(User).where(User.login == assignee)).first()
    if user is None or not user.active:
        raise NotFound("user.unknown", field="assignee", login=assignee)
    if not role_may(Role(user.role), Action.CLAIM):
        # a ticket is handed only to someone who could have claimed it (not an operator)
        raise ServiceError("assign.not_handler", field="assignee", login=user.login)
    if (
        ticket.group_id is not None
        and user.id != actor.id
        and not _in_group(session, user, ticket.group_id)
    ):
        group = session.get(Group, ticket.group_id)
        raise ServiceError(
            "assign.outside_group",
            field="assignee",
            login=user.login,
            group=group.code if group else "",
        )
    if user.id == actor.id:
        _take(session, ticket, actor, facts.holder, rules, now, note)
        return ticket
    if ticket.assignee_id == user.id:
        return ticket
    record(
        session,
        ticket,
        actor,
        EventKind.ASSIGNED,
        now,
        field="assignee",
        old=_login(session, ticket.assignee_id),
        new=user.login,
        note=clean_note(note, required=False),
    )
    ticket.assignee_id = user.id
    commit_change(session, ticket, rules, now)
    return ticket
