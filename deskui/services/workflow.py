"""Working a ticket: claim, triage, transfer, escalate, pending, solution, confirmation, close.

Every function here runs inside one write transaction the caller opened, locks the ticket row
first, checks the actor's permission and the workflow, changes the ticket, appends its audit
events and refreshes the clocks — all committed together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from deskui.core.enums import EventKind, Priority, Role, Status
from deskui.core.masking import mask_secrets
from deskui.core.priority import PriorityError
from deskui.core.sanitize import sanitize_text
from deskui.core.workflow import WorkflowError, can_close, check_transition
from deskui.services.errors import ClaimConflict, NotFound, PermissionDenied, ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor, group_by_code, require_lead
from deskui.store.models import Group, Requester, Ticket, User

MAX_NOTE = 20_000
_CLAIMABLE = (Status.NEW, Status.TO_ASSIGN, Status.IN_PROGRESS, Status.PENDING)


def clean_note(text: str | None, *, field: str = "note", required: bool = True) -> str | None:
    """Sanitize and mask a note, solution or reason.

    Raises:
        ServiceError: required but empty, or absurdly long.
    """
    cleaned = mask_secrets(sanitize_text(text or "").strip())
    if required and not cleaned:
        raise ServiceError("is required", field=field)
    if len(cleaned) > MAX_NOTE:
        raise ServiceError(f"is {len(cleaned)} characters long; at most {MAX_NOTE}", field=field)
    return cleaned or None


def _transition(
    session: Session, ticket: Ticket, actor: Actor, target: Status, now: datetime, note: str | None
) -> None:
    try:
        check_transition(Status(ticket.status), target, actor.role, note)
    except WorkflowError as exc:
        raise ServiceError(f"{ticket.number}: {exc}", field="status") from exc
    set_status(session, ticket, actor, target, now, note)


def _require_handler(ticket: Ticket, actor: Actor, doing: str) -> None:
    """An agent works only tickets they hold; leads and the desk may act on any."""
    if actor.role == Role.AGENT and ticket.assignee_id not in (None, actor.id):
        raise PermissionDenied(f"{ticket.number} is held by someone else; an agent may not {doing}")


def _login(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id is not None else None
    return user.login if user else "-"


def claim_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    takeover: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    """Make the actor the ticket's one owner (接单).

    Exactly one of many racing claimers wins: the row is locked, then its owner is checked.
    A duty lead may take over a ticket someone else holds; that is audited.

    Raises:
        ClaimConflict: someone else holds it (and this is not a lead's takeover).
        PermissionDenied: the role may not claim, or may not take over.
    """
    actor.require(Role.AGENT, Role.DUTY_LEAD, Role.ADMIN, doing="claim tickets")
    ticket = lock_ticket(session, number, expected_version)
    status = Status(ticket.status)
    if status not in _CLAIMABLE:
        raise ServiceError(f"{ticket.number} is {status}; it cannot be claimed", field="status")
    if ticket.assignee_id == actor.id:
        if status not in (Status.NEW, Status.TO_ASSIGN):
            return ticket
        # a ticket routed straight to this person (a complaint to a lead) is accepted by claiming
        record(session, ticket, actor, EventKind.CLAIMED, now, field="assignee", new=actor.login)
    elif ticket.assignee_id is not None:
        holder = _login(session, ticket.assignee_id)
        if not takeover:
            raise ClaimConflict(f"{ticket.number} is already held by {holder}", holder=holder)
        require_lead(actor, "take over a claimed ticket")
        record(
            session,
            ticket,
            actor,
            EventKind.TAKEOVER,
            now,
            field="assignee",
            old=holder,
            new=actor.login,
            note=f"taken over from {holder}",
        )
    else:
        record(session, ticket, actor, EventKind.CLAIMED, now, field="assignee", new=actor.login)
    ticket.assignee_id = actor.id
    ticket.accepted_at = ticket.accepted_at or now
    if status in (Status.NEW, Status.TO_ASSIGN):
        set_status(session, ticket, actor, Status.IN_PROGRESS, now)
    commit_change(session, ticket, rules, now)
    return ticket


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
    """A duty lead hands the ticket to a named agent (audited)."""
    require_lead(actor, "assign tickets to others")
    ticket = lock_ticket(session, number, expected_version)
    user = session.exec(select(User).where(User.login == assignee)).first()
    if user is None or not user.active:
        raise NotFound(f"no user {assignee!r}", field="assignee")
    old = _login(session, ticket.assignee_id)
    ticket.assignee_id = user.id
    ticket.accepted_at = ticket.accepted_at or now
    record(
        session,
        ticket,
        actor,
        EventKind.TAKEOVER,
        now,
        field="assignee",
        old=old,
        new=user.login,
        note=clean_note(note, required=False),
    )
    if Status(ticket.status) in (Status.NEW, Status.TO_ASSIGN):
        set_status(session, ticket, actor, Status.IN_PROGRESS, now)
    commit_change(session, ticket, rules, now)
    return ticket


def triage_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    impact: int,
    urgency: int,
    expected_version: int | None = None,
    note: str | None = None,
) -> Ticket:
    """Re-triage: new impact and urgency; the matrix re-applied and the due times recomputed."""
    ticket = lock_ticket(session, number, expected_version)
    if not Status(ticket.status).is_open:
        raise ServiceError(f"{ticket.number} is {ticket.status}; it cannot be re-triaged")
    try:
        decision = rules.matrix.decide(impact, urgency, vip=ticket.vip and rules.vip_raise)
    except PriorityError as exc:
        raise ServiceError(str(exc), field="impact" if "impact" in str(exc) else "urgency") from exc
    old = f"I{ticket.impact} U{ticket.urgency} {ticket.priority}"
    ticket.impact, ticket.urgency = impact, urgency
    ticket.matrix_priority = str(decision.matrix_priority)
    if ticket.override_reason is None:
        ticket.priority = str(decision.priority)
        ticket.priority_reason = decision.reason
    record(
        session,
        ticket,
        actor,
        EventKind.TRIAGED,
        now,
        field="priority",
        old=old,
        new=f"I{impact} U{urgency} {ticket.priority}",
        note=clean_note(note, required=False) or decision.reason,
    )
    commit_change(session, ticket, rules, now)
    return ticket


def override_priority(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    priority: str,
    reason: str,
    expected_version: int | None = None,
) -> Ticket:
    """A duty lead sets the priority by hand, with a reason kept in the audit trail."""
    require_lead(actor, "override a priority")
    reason_text = clean_note(reason, field="reason")
    try:
        wanted = Priority(priority)
    except ValueError as exc:
        raise ServiceError("must be P1, P2, P3 or P4", field="priority") from exc
    ticket = lock_ticket(session, number, expected_version)
    decision = rules.matrix.decide(
        ticket.impact,
        ticket.urgency,
        vip=ticket.vip and rules.vip_raise,
        override=wanted,
        override_reason=reason_text,
    )
    old = ticket.priority
    ticket.priority, ticket.priority_reason = str(wanted), decision.reason
    ticket.override_reason = decision.override_reason
    record(
        session,
        ticket,
        actor,
        EventKind.PRIORITY_OVERRIDE,
        now,
        field="priority",
        old=old,
        new=wanted,
        note=reason_text,
    )
    commit_change(session, ticket, rules, now)
    return ticket


def _move_to_group(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    group: Group,
    now: datetime,
    kind: EventKind,
    note: str | None,
) -> None:
    old_group = session.get(Group, ticket.group_id) if ticket.group_id else None
    record(
        session,
        ticket,
        actor,
        kind,
        now,
        field="group",
        old=old_group.code if old_group else None,
        new=group.code,
        note=note,
    )
    ticket.group_id = group.id
    if ticket.assignee_id is not None:
        record(
            session,
            ticket,
            actor,
            EventKind.RELEASED,
            now,
            field="assignee",
            old=_login(session, ticket.assignee_id),
        )
        ticket.assignee_id = None
    if Status(ticket.status) in (Status.NEW, Status.IN_PROGRESS):
        set_status(session, ticket, actor, Status.TO_ASSIGN, now, note)


def transfer_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    group: str,
    note: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Send the ticket to another group's queue, unassigned."""
    ticket = lock_ticket(session, number, expected_version)
    if not Status(ticket.status).is_open:
        raise ServiceError(f"{ticket.number} is {ticket.status}; it cannot be transferred")
    _require_handler(ticket, actor, "transfer it")
    target = group_by_code(session, group)
    if target.id == ticket.group_id:
        raise ServiceError(f"{ticket.number} is already with {group}", field="group")
    _move_to_group(
        session, ticket, actor, target, now, EventKind.TRANSFERRED, clean_note(note, required=False)
    )
    commit_change(session, ticket, rules, now)
    return ticket


def escalate_ticket(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    note: str,
    group: str | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Escalate one tier (L1 → L2 → L3 vendor) with the diagnosis so far; history travels along.

    Raises:
        ServiceError: no note, already at L3 with no group named, or the ticket is closed.
    """
    text = clean_note(note, field="note")
    ticket = lock_ticket(session, number, expected_version)
    if not Status(ticket.status).is_open:
        raise ServiceError(f"{ticket.number} is {ticket.status}; it cannot be escalated")
    _require_handler(ticket, actor, "escalate it")
    tier = min(3, ticket.tier + 1)
    code = group or rules.escalation_groups.get(tier, "")
    if ticket.tier >= 3 and not group:
        raise ServiceError(f"{ticket.number} is already at L3 (vendor)", field="group")
    old_tier = ticket.tier
    ticket.tier = tier
    record(
        session,
        ticket,
        actor,
        EventKind.ESCALATED,
        now,
        field="tier",
        old=f"L{old_tier}",
        new=f"L{tier}",
        note=text,
    )
    if code:
        target = group_by_code(session, code)
        if target.id != ticket.group_id:
            _move_to_group(session, ticket, actor, target, now, EventKind.TRANSFERRED, text)
    commit_change(session, ticket, rules, now)
    return ticket


def add_worklog(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    text: str,
    progress: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    """A worklog entry (处理过程记录), or a progress update sent to the requester.

    A progress update restarts the update clock and counts as contact (stops the response clock).
    """
    body = clean_note(text, field="text")
    ticket = lock_ticket(session, number, expected_version)
    if Status(ticket.status) == Status.CLOSED:
        raise ServiceError(f"{ticket.number} is closed; reopen it first")
    kind = EventKind.PROGRESS if progress else EventKind.WORKLOG
    record(session, ticket, actor, kind, now, note=body)
    commit_change(session, ticket, rules, now)
    return ticket


def record_estimate(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    reason: str,
    new_estimate: datetime,
    expected_version: int | None = None,
) -> Ticket:
    """A target cannot be met: the reason and the new estimate given to the requester."""
    body = clean_note(reason, field="reason")
    ticket = lock_ticket(session, number, expected_version)
    record(
        session,
        ticket,
        actor,
        EventKind.ESTIMATE,
        now,
        field="expected_by",
        old=ticket.expected_by.isoformat() if ticket.expected_by else None,
        new=new_estimate.isoformat(),
        note=body,
    )
    ticket.expected_by = new_estimate
    commit_change(session, ticket, rules, now)
    return ticket


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
        raise ServiceError(f"unknown status {target!r}", field="status") from exc
    ticket = lock_ticket(session, number, expected_version)
    current = Status(ticket.status)
    text = clean_note(note, required=False)
    if wanted in (Status.PENDING, Status.AWAITING_CONFIRMATION, Status.REJECTED, Status.TO_ASSIGN):
        _require_handler(ticket, actor, f"move it to {wanted}")
    if wanted == Status.AWAITING_CONFIRMATION:
        _transition(session, ticket, actor, wanted, now, text)
        ticket.solution, ticket.result = text, "resolved"
        record(session, ticket, actor, EventKind.SOLUTION, now, field="solution", new=text)
    elif wanted == Status.RESOLVED:
        _confirm(session, ticket, actor, now, text, satisfaction, confirmer)
    elif wanted == Status.CLOSED:
        if not can_close(
            has_solution=bool(ticket.solution), has_confirmation=ticket.confirmed_at is not None
        ):
            raise ServiceError(
                f"{ticket.number} cannot be closed: a solution and the requester's "
                "confirmation must be on record",
                field="status",
            )
        _transition(session, ticket, actor, wanted, now, text)
        ticket.closed_at = now
        record(session, ticket, actor, EventKind.CLOSED, now, note=text)
    elif wanted == Status.IN_PROGRESS and current in (Status.NEW, Status.TO_ASSIGN):
        raise ServiceError(f"{ticket.number}: claim it to start work", field="status")
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
        raise ServiceError("must be 1 to 5 stars", field="satisfaction")
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
    )
    ticket.satisfaction_remark = clean_note(remark, field="remark", required=False)
    session.add(ticket)
    return ticket


def ticket_requester_name(session: Session, ticket: Ticket) -> str:
    """The requester's name, for a confirmation given by them."""
    requester = session.get(Requester, ticket.requester_id)
    return requester.name if requester else "-"
