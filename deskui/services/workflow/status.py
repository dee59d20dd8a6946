"""Moving a ticket along the status workflow: pending, solution, the requester's confirmation,
refusal, reopening, rejection and closing.

Each move is checked here first (:func:`_check_move`: the workflow has it, the rules let the
actor make it, a note it needs is there); the requester's confirmation is a move to resolved.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from deskui.core.enums import EventKind, Status
from deskui.core.permissions import Refusal
from deskui.core.workflow import WorkflowError, can_close, check_transition, find_transition
from deskui.services.access import require, ticket_facts
from deskui.services.errors import PermissionDenied, ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.workflow.notes import clean_note
from deskui.store.models import Requester, Ticket


def _check_move(
    session: Session, ticket: Ticket, actor: Actor, target: Status, note: str | None
) -> None:
    """The workflow has the move, the rules let the actor make it on this ticket, and a note
    it needs is there.

    Raises:
        ServiceError: no such move (``ticket.no_transition``) or no note (``note.required``).
        PermissionDenied: the rules' refusal for the move's action.
    """
    source = Status(ticket.status)
    transition = find_transition(source, target)
    if transition is None:
        raise ServiceError(
            "ticket.no_transition",
            field="status",
            number=ticket.number,
            source=str(source),
            target=str(target),
        )
    require(actor, transition.action, ticket_facts(session, ticket))
    try:
        check_transition(source, target, actor.role, note)
    except WorkflowError as exc:
        if exc.code == Refusal.ROLE:
            # the move is narrower than its action in general (see core.workflow)
            raise PermissionDenied(
                exc.code, action=transition.action, role=str(actor.role)
            ) from exc
        raise ServiceError(exc.code, field="note") from exc


def _transition(
    session: Session, ticket: Ticket, actor: Actor, target: Status, now: datetime, note: str | None
) -> None:
    _check_move(session, ticket, actor, target, note)
    set_status(session, ticket, actor, target, now, note)


def change_status(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    target: str,
    note: str | None = None,
    satisfaction: int | None = None,
    confirmer: str | None = None,
    expected_version: int | None = None,
    remark: str | None = None,
) -> Ticket:
    """Move a ticket along the workflow; what each move means is decided by its target.

    - ``pending`` needs a reason (what the ticket waits for); ``in_progress`` from pending
      resumes, from awaiting confirmation it is the requester refusing, from resolved a reopen.
    - ``awaiting_confirmation`` needs the solution as the note.
    - ``resolved`` is the requester's confirmation (optional 1–5 satisfaction).
    - ``closed`` needs a solution and a confirmation on record.
    - ``rejected`` needs a politely worded reason.

    Raises:
        ServiceError: the workflow, the role or the record does not allow it.
    """
    try:
        wanted = Status(target)
    except ValueError as exc:
        raise ServiceError("status.unknown", field="status", value=target) from exc
    ticket = lock_ticket(session, number, expected_version)
    current = Status(ticket.status)
    text = clean_note(note, required=False)
    if wanted == Status.IN_PROGRESS and current in (Status.NEW, Status.TO_ASSIGN):
        raise ServiceError("ticket.claim_first", field="status", number=ticket.number)
    if wanted == Status.AWAITING_CONFIRMATION:
        _transition(session, ticket, actor, wanted, now, text)
        ticket.solution, ticket.result = text, "resolved"
        record(session, ticket, actor, EventKind.SOLUTION, now, field="solution", new=text)
    elif wanted == Status.RESOLVED:
        _confirm(session, ticket, actor, now, text, satisfaction, confirmer)
        ticket.satisfaction_remark = clean_note(remark, field="remark", required=False)
    elif wanted == Status.CLOSED:
        _check_move(session, ticket, actor, wanted, text)
        if not can_close(
            has_solution=bool(ticket.solution), has_confirmation=ticket.confirmed_at is not None
        ):
            raise ServiceError("ticket.incomplete", field="status", number=ticket.number)
        set_status(session, ticket, actor, wanted, now, text)
        ticket.closed_at = now
        record(session, ticket, actor, EventKind.CLOSED, now, note=text)
    else:
        _transition(session, ticket, actor, wanted, now, text)
        kind = {
            Status.PENDING: EventKind.PENDING,
            Status.REJECTED: EventKind.REJECTED,
        }.get(wanted)
        if current == Status.PENDING:
            kind = EventKind.RESUMED
        elif current == Status.AWAITING_CONFIRMATION:
            kind = EventKind.REFUSED
            ticket.result = "in_progress"
        elif current in (Status.RESOLVED, Status.REJECTED):
            kind = EventKind.REOPENED
            ticket.resolved_at = ticket.confirmed_at = ticket.closed_at = None
            ticket.confirmed_by = ticket.confirmation_text = None
            ticket.satisfaction = None
            ticket.satisfaction_remark = None
        if wanted == Status.TO_ASSIGN and current == Status.IN_PROGRESS:
            kind = EventKind.RELEASED
            ticket.assignee_id = None
        if kind is not None:
            record(session, ticket, actor, kind, now, note=text)
    commit_change(session, ticket, rules, now)
    return ticket


def _confirm(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    text: str | None,
    satisfaction: int | None,
    confirmer: str | None,
) -> None:
    if satisfaction is not None and (
        isinstance(satisfaction, bool)
        or not isinstance(satisfaction, int)
        or not 1 <= satisfaction <= 5
    ):
        raise ServiceError("field.stars", field="satisfaction")
    _transition(session, ticket, actor, Status.RESOLVED, now, text)
    requester_name = confirmer or ticket_requester_name(session, ticket)
    ticket.confirmed_by = clean_note(requester_name, field="confirmer")
    ticket.confirmed_at = ticket.resolved_at = now
    ticket.confirmation_text = text
    ticket.satisfaction = satisfaction
    record(
        session,
        ticket,
        actor,
        EventKind.CONFIRMED,
        now,
        field="satisfaction",
        new=satisfaction,
        note=text,
    )


def confirm_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    satisfaction: int | None,
    remark: str | None = None,
    confirmer: str | None = None,
    text: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """The requester confirms the solution, with 1–5 stars and a remark."""
    ticket = change_status(
        session=session,
        number=number,
        actor=actor,
        rules=rules,
        now=now,
        target=Status.RESOLVED,
        note=text,
        satisfaction=satisfaction,
        confirmer=confirmer,
        expected_version=expected_version,
        remark=remark,
    )
    return ticket


def ticket_requester_name(session: Session, ticket: Ticket) -> str:
    """The requester's name, for a confirmation given by them."""
    requester = session.get(Requester, ticket.requester_id)
    return requester.name if requester else "-"
