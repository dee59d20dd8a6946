"""Working a ticket: claim, triage, transfer, escalate, pending, solution, confirmation, close.

Every function here runs inside one write transaction the caller opened, locks the ticket row
first, checks the actor's permission and the workflow, changes the ticket, appends its audit
events and refreshes the clocks — all committed together or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from deskui.core.enums import IMPACTS, URGENCIES, EventKind, Priority, Status
from deskui.core.masking import mask_secrets
from deskui.core.permissions import TOP_TIER, Action, Refusal, refusal
from deskui.core.sanitize import sanitize_text
from deskui.core.workflow import WorkflowError, can_close, check_transition, find_transition
from deskui.services.access import require, ticket_facts
from deskui.services.errors import ClaimConflict, NotFound, PermissionDenied, ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor, group_by_code
from deskui.store.models import Group, Requester, Ticket, User

MAX_NOTE = 20_000


def clean_note(text: str | None, *, field: str = "note", required: bool = True) -> str | None:
    """Sanitize and mask a note, solution or reason.

    Raises:
        ServiceError: required but empty, or absurdly long.
    """
    cleaned = mask_secrets(sanitize_text(text or "").strip())
    if required and not cleaned:
        raise ServiceError("field.required", field=field)
    if len(cleaned) > MAX_NOTE:
        raise ServiceError("text.too_long", field=field, length=len(cleaned), limit=MAX_NOTE)
    return cleaned or None


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
    require(actor, Action.CLAIM)
    ticket = lock_ticket(session, number, expected_version)
    facts = ticket_facts(session, ticket)
    status = facts.status
    why = refusal(actor, Action.CLAIM, facts)
    if why == Refusal.HELD:
        if not takeover:
            raise ClaimConflict(facts.holder or "-", number=ticket.number)
        require(actor, Action.TAKE_OVER, facts)
    elif why is not None:
        require(actor, Action.CLAIM, facts)
    if ticket.assignee_id == actor.id:
        if status not in (Status.NEW, Status.TO_ASSIGN):
            return ticket
        # a ticket routed straight to this person (a complaint to a lead) is accepted by claiming
        record(session, ticket, actor, EventKind.CLAIMED, now, field="assignee", new=actor.login)
    elif ticket.assignee_id is not None:
        holder = facts.holder or "-"
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
    require(actor, Action.ASSIGN)
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.ASSIGN, ticket_facts(session, ticket))
    user = session.exec(select(User).where(User.login == assignee)).first()
    if user is None or not user.active:
        raise NotFound("user.unknown", field="assignee", login=assignee)
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
    require(actor, Action.TRIAGE)
    if isinstance(impact, bool) or impact not in IMPACTS:
        raise ServiceError("impact.range", field="impact", value=impact)
    if isinstance(urgency, bool) or urgency not in URGENCIES:
        raise ServiceError("urgency.range", field="urgency", value=urgency)
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.TRIAGE, ticket_facts(session, ticket))
    decision = rules.matrix.decide(impact, urgency, vip=ticket.vip and rules.vip_raise)
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
    require(actor, Action.OVERRIDE_PRIORITY)
    reason_text = clean_note(reason, field="reason")
    try:
        wanted = Priority(priority)
    except ValueError as exc:
        raise ServiceError("priority.unknown", field="priority", value=priority) from exc
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.OVERRIDE_PRIORITY, ticket_facts(session, ticket))
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
    require(actor, Action.TRANSFER, ticket_facts(session, ticket))
    target = group_by_code(session, group)
    if target.id == ticket.group_id:
        raise ServiceError("ticket.same_group", field="group", number=ticket.number, group=group)
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

    At L3 there is no tier above; naming a group there sends the ticket to it with the note,
    which is a transfer, and is permitted as one.

    Raises:
        ServiceError: no note.
        PermissionDenied: already at L3 with no group named, the ticket is closed, or an agent
            escalates a ticket someone else holds.
    """
    text = clean_note(note, field="note")
    ticket = lock_ticket(session, number, expected_version)
    facts = ticket_facts(session, ticket)
    at_top = ticket.tier >= TOP_TIER
    require(actor, Action.TRANSFER if at_top and group else Action.ESCALATE, facts)
    tier = min(TOP_TIER, ticket.tier + 1)
    code = group or rules.escalation_groups.get(tier, "")
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

    Raises:
        PermissionDenied: the ticket is closed (a worklog) or no longer open (a progress update).
    """
    body = clean_note(text, field="text")
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.PROGRESS if progress else Action.WORKLOG, ticket_facts(session, ticket))
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
    """A target cannot be met: the reason and the new estimate given to the requester.

    Raises:
        PermissionDenied: not someone who works tickets, the ticket is no longer open, or an
            agent estimates a ticket someone else holds.
    """
    require(actor, Action.ESTIMATE)
    body = clean_note(reason, field="reason")
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.ESTIMATE, ticket_facts(session, ticket))
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
    )
    ticket.satisfaction_remark = clean_note(remark, field="remark", required=False)
    session.add(ticket)
    return ticket


def ticket_requester_name(session: Session, ticket: Ticket) -> str:
    """The requester's name, for a confirmation given by them."""
    requester = session.get(Requester, ticket.requester_id)
    return requester.name if requester else "-"
