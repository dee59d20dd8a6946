"""Moving a ticket along the status workflow: pending, solution, the requester's answer
(confirmation or refusal), reopening, rejection and closing.

Each move is checked here first (:func:`_check_move`: the workflow has it, the rules let the
actor make it on this ticket, a note it needs is there); the requester's confirmation is a move
to resolved, recorded by the desk (never by whoever gave the solution) with who confirmed, the
channel their answer came by, and the stars they gave.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session

from deskui.core.enums import EventKind, Status
from deskui.core.workflow import WorkflowError, can_close, check_transition, find_transition
from deskui.core.workflow import move_refusal as workflow_refusal
from deskui.services.access import require, ticket_facts
from deskui.services.errors import CloseRefused, PermissionDenied, ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.views import CONFIRMATION_CHANNELS as CONFIRMATION_CHANNELS
from deskui.services.views import SATISFACTION_ASPECTS
from deskui.services.workflow.notes import clean_note
from deskui.services.workflow.outage import close_children, leave_outage, solve_children
from deskui.services.workflow.ownership import release_holder
from deskui.store.models import Requester, Ticket

#: The aspects a requester may rate besides the overall stars (SPEC §2).
ASPECTS = SATISFACTION_ASPECTS
#: The longest remark kept with the stars (its column's size).
MAX_REMARK = 400
#: The longest confirmer's name (its column's size).
MAX_CONFIRMER = 80


def _check_move(
    session: Session, ticket: Ticket, actor: Actor, target: Status, note: str | None
) -> None:
    """The workflow has the move, the rules let the actor make it on this ticket, and a note
    it needs is there.

    Raises:
        ServiceError: no such move (``ticket.no_transition``) or no note (``note.required``).
        PermissionDenied: the rules' refusal for the move (its action, its narrower roles, a
            holder it needs).
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
    facts = ticket_facts(session, ticket)
    require(actor, transition.action, facts)
    why = workflow_refusal(actor, facts, transition)
    if why is not None:
        role = {"role": str(actor.role)} if why.value == "permission.role" else {}
        raise PermissionDenied(why.value, action=transition.action, **role)
    try:
        check_transition(source, target, actor.role, note)
    except WorkflowError as exc:
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
    channel: str | None = None,
    expected_version: int | None = None,
    remark: str | None = None,
) -> Ticket:
    """Move a ticket along the workflow; what each move means is decided by its target.

    - ``pending`` needs a reason (what the ticket waits for); ``in_progress`` from pending
      resumes (the ticket needs a holder), from awaiting confirmation it is the requester
      refusing, from resolved a reopen.
    - ``to_assign`` puts the ticket back in its group's queue: nobody holds it after.
    - ``awaiting_confirmation`` needs the solution as the note.
    - ``resolved`` is the requester's confirmation (see :func:`confirm_ticket`; the channel is
      required, the 1–5 satisfaction optional).
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
        answer = Answer(
            satisfaction=satisfaction, channel=channel, confirmer=confirmer, remark=remark
        )
        _confirm(session, ticket, actor, now, text, answer.checked())
    elif wanted == Status.CLOSED:
        if find_transition(current, wanted) is None:
            raise CloseRefused(
                "ticket.no_transition",
                number=ticket.number,
                source=str(current),
                target=str(wanted),
            )
        _check_move(session, ticket, actor, wanted, text)
        if not can_close(
            has_solution=bool(ticket.solution), has_confirmation=ticket.confirmed_at is not None
        ):
            raise CloseRefused("ticket.incomplete", number=ticket.number)
        set_status(session, ticket, actor, wanted, now, text)
        ticket.closed_at = now
        record(session, ticket, actor, EventKind.CLOSED, now, note=text)
    else:
        _move(session, ticket, actor, current, wanted, now, text, channel)
    commit_change(session, ticket, rules, now)
    # an outage's parent carries its children along (each with its own events)
    if wanted == Status.AWAITING_CONFIRMATION:
        solve_children(session, ticket, actor, rules, now)
    elif wanted == Status.CLOSED:
        close_children(session, ticket, actor, rules, now)
    return ticket


def _move(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    current: Status,
    wanted: Status,
    now: datetime,
    text: str | None,
    channel: str | None,
) -> None:
    """Pending, resuming, the requester's refusal, reopening, releasing, rejecting."""
    if current == Status.AWAITING_CONFIRMATION and channel is not None:
        _check_channel(channel)
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
        _forget_confirmation(ticket)
    if wanted == Status.TO_ASSIGN:
        # back in the group's queue: nobody holds a ticket waiting to be assigned
        release_holder(session, ticket, actor, now, text if current == Status.IN_PROGRESS else None)
        if current == Status.IN_PROGRESS:
            kind = None  # the release is the event
    if kind in (EventKind.REFUSED, EventKind.REOPENED) and ticket.parent_id is not None:
        # its requester says it is not solved: this call is no longer the outage's
        leave_outage(session, ticket, actor, now, text)
    if kind is not None:
        # a refusal the desk took down by a channel says which (the picker's path has none)
        field = "confirmation_channel" if kind == EventKind.REFUSED and channel else None
        record(
            session,
            ticket,
            actor,
            kind,
            now,
            field=field,
            new=channel if field else None,
            note=text,
        )


def _forget_confirmation(ticket: Ticket) -> None:
    """A reopened ticket's confirmation no longer stands (its events keep what it was)."""
    ticket.resolved_at = ticket.confirmed_at = ticket.closed_at = None
    ticket.confirmed_by = ticket.confirmation_text = None
    ticket.satisfaction = None
    ticket.satisfaction_remark = None
    for aspect in ASPECTS:
        setattr(ticket, f"satisfaction_{aspect}", None)
    ticket.confirmation_channel = None
    ticket.confirmation_recorded_by_id = None


class Answer:
    """The requester's answer as the desk took it down: stars, aspects, channel, remark.

    Args:
        satisfaction: 1–5 overall, or None (not rated).
        aspects: aspect name → 1–5 (speed, professionalism, effect, attitude), each optional.
        channel: how the answer came (phone, im, email, in_person, portal); required.
        remark: the requester's remark on the stars.
        confirmer: who confirmed, when not the requester on record.
    """

    def __init__(
        self,
        *,
        satisfaction: int | None,
        channel: str | None,
        aspects: Mapping[str, int] | None = None,
        remark: str | None = None,
        confirmer: str | None = None,
    ) -> None:
        self.satisfaction = satisfaction
        self.channel = channel
        self.aspects = dict(aspects or {})
        self.remark = remark
        self.confirmer = confirmer

    def checked(self) -> Answer:
        """The answer cleaned, or the first fault.

        Raises:
            ServiceError: stars out of 1–5 (``field.stars``), an unknown aspect or channel
                (``field.choice``), no channel (``field.required``), a remark or name too long.
        """
        _check_stars(self.satisfaction, "satisfaction")
        for name, stars in self.aspects.items():
            if name not in ASPECTS:
                raise ServiceError("field.choice", field="aspect", choices=", ".join(ASPECTS))
            _check_stars(stars, f"satisfaction_{name}")
        _check_channel(self.channel)
        remark = clean_note(self.remark, field="remark", required=False)
        if remark is not None and len(remark) > MAX_REMARK:
            raise ServiceError(
                "text.too_long", field="remark", length=len(remark), limit=MAX_REMARK
            )
        confirmer = clean_note(self.confirmer, field="confirmer", required=False)
        if confirmer is not None and len(confirmer) > MAX_CONFIRMER:
            raise ServiceError(
                "text.too_long", field="confirmer", length=len(confirmer), limit=MAX_CONFIRMER
            )
        return Answer(
            satisfaction=self.satisfaction,
            channel=self.channel,
            aspects=self.aspects,
            remark=remark,
            confirmer=confirmer,
        )


def _check_stars(value: object, field: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ServiceError("field.stars", field=field)


def _check_channel(channel: str | None) -> None:
    if not channel:
        raise ServiceError("field.required", field="confirmation_channel")
    if channel not in CONFIRMATION_CHANNELS:
        raise ServiceError(
            "field.choice", field="confirmation_channel", choices=", ".join(CONFIRMATION_CHANNELS)
        )


def _confirm(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    text: str | None,
    answer: Answer,
) -> None:
    """Record the requester's confirmation: each detail is its own event, so the timeline and
    the audit trail say who confirmed, by which channel, with what stars, who recorded it (the
    events' actor) and when (their time)."""
    _transition(session, ticket, actor, Status.RESOLVED, now, text)
    confirmer = answer.confirmer or ticket_requester_name(session, ticket)
    ticket.confirmed_by = confirmer
    ticket.confirmed_at = ticket.resolved_at = now
    ticket.confirmation_text = text
    ticket.confirmation_channel = answer.channel
    ticket.confirmation_recorded_by_id = actor.id
    ticket.satisfaction = answer.satisfaction
    ticket.satisfaction_remark = answer.remark
    details: list[tuple[str, object, str | None]] = [
        ("confirmed_by", confirmer, text),
        ("confirmation_channel", answer.channel, None),
        ("satisfaction", answer.satisfaction, answer.remark),
    ]
    for aspect in ASPECTS:
        stars = answer.aspects.get(aspect)
        setattr(ticket, f"satisfaction_{aspect}", stars)
        if stars is not None:
            details.append((f"satisfaction_{aspect}", stars, None))
    for field, value, note in details:
        if value is not None or note is not None:
            record(
                session, ticket, actor, EventKind.CONFIRMED, now, field=field, new=value, note=note
            )


def confirm_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    satisfaction: int | None,
    channel: str | None = None,
    aspects: Mapping[str, int] | None = None,
    remark: str | None = None,
    confirmer: str | None = None,
    text: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """The requester confirms the solution, as the desk records it: 1–5 stars (and per aspect),
    the channel their answer came by, a remark. Recorded by an operator or a lead, never by
    whoever gave the solution.

    Raises:
        ServiceError: bad stars, aspect or channel; the ticket does not await confirmation.
        PermissionDenied: an agent (``permission.role``), or the solver (``permission.solver``).
    """
    answer = Answer(
        satisfaction=satisfaction,
        channel=channel,
        aspects=aspects,
        remark=remark,
        confirmer=confirmer,
    ).checked()
    ticket = lock_ticket(session, number, expected_version)
    _confirm(session, ticket, actor, now, clean_note(text, required=False), answer)
    commit_change(session, ticket, rules, now)
    return ticket


def refuse_solution(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    reason: str,
    channel: str,
    expected_version: int | None = None,
) -> Ticket:
    """The requester refuses the solution (it did not fix it): back in progress with their
    reason and the channel it came by, recorded by the desk.

    Raises:
        ServiceError: no reason, no or an unknown channel, not awaiting confirmation.
        PermissionDenied: an agent (``permission.role``).
    """
    _check_channel(channel)
    text = clean_note(reason, field="reason")
    ticket = lock_ticket(session, number, expected_version)
    current = Status(ticket.status)
    if current != Status.AWAITING_CONFIRMATION:
        raise ServiceError(
            "ticket.no_transition",
            field="status",
            number=ticket.number,
            source=str(current),
            target=str(Status.IN_PROGRESS),
        )
    _move(session, ticket, actor, current, Status.IN_PROGRESS, now, text, channel)
    commit_change(session, ticket, rules, now)
    return ticket


def ticket_requester_name(session: Session, ticket: Ticket) -> str:
    """The requester's name, for a confirmation given by them."""
    requester = session.get(Requester, ticket.requester_id)
    return requester.name if requester else "-"
