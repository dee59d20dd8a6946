"""Intake: validate, sanitize, number, apply the matrix, route, start the clocks — in one step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from deskui.core.enums import IMPACTS, URGENCIES, Category, Channel, EventKind, Status, TicketType
from deskui.core.masking import mask_secrets
from deskui.core.numbering import day_key, desk_day, format_number
from deskui.core.sanitize import sanitize_line, sanitize_text
from deskui.services.directory import RequesterInput, find_or_add_requester
from deskui.services.errors import NotFound, NumberTaken, Problem, ValidationFailed, problem
from deskui.services.ledger import commit_change, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.workflow.outage import link_ticket
from deskui.store.models import Group, Requester, Ticket

FREQUENCIES = ("continuous", "intermittent", "sporadic")
#: The ticket types a call can be resolved at intake (first-contact resolution).
RESOLVED_AT_INTAKE = frozenset({TicketType.CONSULTATION, TicketType.INCIDENT})
LIMITS = {
    "summary": 200,
    "description": 20_000,
    "started_when": 120,
    "impact_scope": 400,
    "error_message": 4_000,
    "tried": 4_000,
    "device": 200,
    "location": 200,
    "attachments": 4_000,
    "solution": 20_000,
}
SINGLE_LINE = frozenset({"summary", "started_when", "device", "location"})
#: How far in the past a back-filled report may be received (an IM report from last week is fine).
MAX_BACKFILL = timedelta(days=366)
#: Clock skew tolerated between a script's machine and the desk.
MAX_SKEW = timedelta(minutes=5)

_NEXT_SEQUENCE = text(
    "INSERT INTO ticket_sequence (day, last) VALUES (:day, 1) "
    "ON CONFLICT (day) DO UPDATE SET last = ticket_sequence.last + 1 RETURNING last"
)


@dataclass
class IntakeRequest:
    """A call (or back-filled report) as the operator or a script gives it."""

    type: str
    category: str
    channel: str
    impact: int
    urgency: int
    summary: str
    description: str
    requester: RequesterInput | None = None
    requester_id: int | None = None
    started_when: str | None = None
    frequency: str | None = None
    impact_scope: str | None = None
    error_message: str | None = None
    tried: str | None = None
    device: str | None = None
    location: str | None = None
    attachments: str | None = None
    expected_by: datetime | None = None
    received_at: datetime | None = None
    resolve_now: bool = False
    """First-contact resolution: answered or fixed on the call, resolved at intake."""
    solution: str | None = None
    parent: str | None = None
    """The outage this call joins: the number of its parent ticket (the ticket is saved under
    it in the same transaction, or not at all)."""
    warnings: list[str] = field(default_factory=list)


def _clean_text(name: str, value: str | None, errors: list[Problem]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(problem(name, "field.text"))
        return None
    cleaned = sanitize_line(value) if name in SINGLE_LINE else sanitize_text(value).strip()
    if len(cleaned) > LIMITS[name]:
        errors.append(problem(name, "text.too_long", length=len(cleaned), limit=LIMITS[name]))
    return mask_secrets(cleaned) or None


def description_needed(*, resolve_now: bool, solution: str | None) -> bool:
    """Whether a call needs its description: always, except a call answered on the phone
    (resolved now, with its answer), whose summary says it all. The form marks the field by
    this rule and the save applies it.
    """
    return not (resolve_now and solution is not None and bool(solution.strip()))


def validate_intake(request: IntakeRequest, now: datetime) -> IntakeRequest:
    """A sanitized copy of the request, or every fault at once.

    Raises:
        ValidationFailed: listing each field at fault; nothing has been written.
    """
    errors: list[Problem] = []

    def choice(name: str, value: str, allowed: type[TicketType | Category | Channel]) -> None:
        if value not in {str(v) for v in allowed}:
            errors.append(problem(name, "field.choice", choices=", ".join(allowed)))

    def in_range(name: str, value: object, allowed: tuple[int, ...], code: str) -> None:
        if isinstance(value, bool) or value not in allowed:
            errors.append(problem(name, code, value=value))

    choice("type", request.type, TicketType)
    choice("category", request.category, Category)
    choice("channel", request.channel, Channel)
    in_range("impact", request.impact, IMPACTS, "impact.range")
    in_range("urgency", request.urgency, URGENCIES, "urgency.range")
    cleaned = {name: _clean_text(name, getattr(request, name), errors) for name in LIMITS}
    summary, description = cleaned["summary"], cleaned["description"]
    if not summary:
        errors.append(problem("summary", "field.required"))
    if not description and not description_needed(
        resolve_now=request.resolve_now, solution=cleaned["solution"]
    ):
        # a question answered on the call: the summary is the whole of it
        description = summary
    if not description:
        errors.append(problem("description", "field.required"))
    if request.frequency is not None and request.frequency not in FREQUENCIES:
        errors.append(problem("frequency", "field.choice", choices=", ".join(FREQUENCIES)))
    for name in ("received_at", "expected_by"):
        value = getattr(request, name)
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            errors.append(problem(name, "field.time_offset"))
    received = request.received_at
    if received is not None and received.tzinfo is not None:
        if received > now + MAX_SKEW:
            errors.append(problem("received_at", "field.future"))
        elif received < now - MAX_BACKFILL:
            errors.append(problem("received_at", "field.too_old"))
    if request.resolve_now:
        if request.type not in RESOLVED_AT_INTAKE:
            errors.append(problem("type", "intake.resolve_type"))
        if not cleaned["solution"]:
            errors.append(problem("solution", "intake.solution_required"))
    parent = (request.parent or "").strip().upper() or None
    if parent is not None and request.resolve_now:
        # the outage's solution solves its calls: one solved on the call joins none
        errors.append(problem("resolve_now", "intake.outage_resolved", number=parent))
    requester = request.requester
    if request.requester_id is None and requester is None:
        errors.append(problem("requester", "field.required"))
    warnings: list[str] = []
    if requester is not None:
        try:
            requester, warnings = requester.cleaned()
        except ValidationFailed as exc:
            errors.extend(exc.problems)
    if errors or not summary or not description:  # (both already faults: this narrows to str)
        raise ValidationFailed(errors)
    return IntakeRequest(
        type=request.type,
        category=request.category,
        channel=request.channel,
        impact=request.impact,
        urgency=request.urgency,
        requester=requester,
        requester_id=request.requester_id,
        frequency=request.frequency,
        expected_by=request.expected_by,
        received_at=request.received_at,
        resolve_now=request.resolve_now,
        warnings=warnings,
        summary=summary,
        description=description,
        started_when=cleaned["started_when"],
        impact_scope=cleaned["impact_scope"],
        error_message=cleaned["error_message"],
        tried=cleaned["tried"],
        device=cleaned["device"],
        location=cleaned["location"],
        attachments=cleaned["attachments"],
        solution=cleaned["solution"],
        parent=parent,
    )


def next_ticket_number(session: Session, now: datetime, rules: DeskRules) -> str:
    """Take the next number of the desk's local day.

    The upsert locks the day's counter row until the transaction ends, so concurrent intakes
    queue behind each other; a rolled-back intake gives its number back, so there are no gaps.

    Raises:
        NumberTaken: a ticket holds the number already (the counter was lowered by hand).
    """
    day = desk_day(now, rules.tz)
    last = session.execute(_NEXT_SEQUENCE, {"day": day_key(day)}).scalar_one()
    number = format_number(day, int(last))
    if session.exec(select(Ticket.id).where(Ticket.number == number)).first() is not None:
        # a counter behind the numbers issued: every retry would collide in the same way
        raise NumberTaken(number=number)
    return number


def _route(session: Session, request: IntakeRequest, rules: DeskRules) -> tuple[Group | None, str]:
    if request.type == TicketType.COMPLAINT and request.type in rules.type_groups:
        code, reason = rules.type_groups[request.type], f"type {request.type}"
    else:
        code = rules.category_groups.get(request.category, "")
        reason = f"category {request.category}"
    group = session.exec(select(Group).where(Group.code == code)).first() if code else None
    return group, f"{reason} → {code}" if group else f"{reason}: no group configured"


def create_ticket(
    *, session: Session, data: IntakeRequest, actor: Actor, rules: DeskRules, now: datetime
) -> Ticket:
    """Log a call: the ticket, its requester if new, and its first events, in one transaction;
    with ``data.parent``, the ticket is saved as a call under that outage in the same one.

    Raises:
        ValidationFailed: bad input, naming the fields; nothing is written.
        NotFound: ``requester_id`` names nobody, or ``parent`` no ticket.
        ServiceError: the parent cannot head an outage (``outage.nested``); nothing is written.
        PermissionDenied: the parent is no longer open; nothing is written.
    """
    request = validate_intake(data, now)
    if request.requester_id is not None:
        requester = session.get(Requester, request.requester_id)
        if requester is None:
            raise NotFound("requester.unknown", field="requester", id=request.requester_id)
    else:
        assert request.requester is not None
        requester = find_or_add_requester(session=session, data=request.requester, now=now)
    decision = rules.matrix.decide(
        request.impact, request.urgency, vip=requester.vip and rules.vip_raise
    )
    group, routing_reason = _route(session, request, rules)
    assignee_id = group.lead_id if group and request.type == TicketType.COMPLAINT else None
    assert requester.id is not None
    ticket = Ticket(
        number=next_ticket_number(session, now, rules),
        type=request.type,
        category=request.category,
        channel=request.channel,
        status=str(Status.NEW),
        impact=request.impact,
        urgency=request.urgency,
        priority=str(decision.priority),
        matrix_priority=str(decision.matrix_priority),
        priority_reason=decision.reason,
        vip=requester.vip,
        requester_id=requester.id,
        summary=request.summary,
        description=request.description,
        started_when=request.started_when,
        frequency=request.frequency,
        impact_scope=request.impact_scope,
        error_message=request.error_message,
        tried=request.tried,
        device=request.device,
        location=request.location,
        attachments=request.attachments,
        expected_by=request.expected_by,
        received_at=request.received_at or now,
        created_at=now,
        updated_at=now,
        created_by_id=actor.id,
        group_id=group.id if group else None,
        tier=group.tier if group else 1,  # a ticket's tier is its group's
        routing_reason=routing_reason,
        assignee_id=assignee_id,
        version=0,
    )
    session.add(ticket)
    session.flush()
    record(
        session,
        ticket,
        actor,
        EventKind.CREATED,
        now,
        field="priority",
        new=decision.priority,
        note=decision.reason,
    )
    claim = _vip_claim(request.requester, requester)
    if claim is not None:
        # the directory decides the priority; what the source said stays on the record
        record(
            session,
            ticket,
            actor,
            EventKind.VIP_CLAIM,
            now,
            field="vip",
            old=_yes_no(requester.vip),
            new=_yes_no(claim),
        )
    if ticket.tier != 1:
        # a new ticket starts at L1 on the record; its group's tier is a routing step
        record(session, ticket, actor, EventKind.ROUTED, now, field="tier", new=f"L{ticket.tier}")
    if request.resolve_now:
        _resolve_at_intake(session, ticket, actor, request, requester, now)
    else:
        if group is not None:
            record(
                session,
                ticket,
                actor,
                EventKind.ROUTED,
                now,
                field="group",
                new=group.code,
                note=routing_reason,
            )
        if assignee_id is None:
            set_status(session, ticket, actor, Status.TO_ASSIGN, now)
        # else: routed straight to a person (a complaint to the lead responsible), the ticket
        # stays new until they accept it by claiming; to be assigned means nobody holds it
    commit_change(session, ticket, rules, now)
    if request.parent is not None:
        # the call joins its outage in the same transaction: a refused link (the parent closed
        # or itself a call meanwhile) leaves no ticket behind, and no number taken
        return link_ticket(
            session=session,
            number=ticket.number,
            parent=request.parent,
            actor=actor,
            rules=rules,
            now=now,
        )
    return ticket


def _vip_claim(given: RequesterInput | None, found: Requester) -> bool | None:
    """The VIP flag the intake claimed for a caller the directory already knew otherwise."""
    if given is None or given.vip_claim is None or given.vip_claim == found.vip:
        return None
    return given.vip_claim


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _resolve_at_intake(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    request: IntakeRequest,
    requester: Requester,
    now: datetime,
) -> None:
    """First-contact resolution: answered on the call, confirmed by the caller on the line."""
    ticket.solution = request.solution
    ticket.result = "resolved"
    ticket.resolved_at = now
    ticket.accepted_at = now
    ticket.assignee_id = actor.id
    ticket.confirmed_by = requester.name
    ticket.confirmed_at = now
    ticket.confirmation_text = "first-contact resolution: confirmed on the call"
    ticket.confirmation_channel = "in_person" if ticket.channel == "walk_in" else ticket.channel
    ticket.confirmation_recorded_by_id = actor.id
    record(session, ticket, actor, EventKind.FIRST_CONTACT, now, note=request.solution)
    record(session, ticket, actor, EventKind.SOLUTION, now, field="solution", new=request.solution)
    set_status(session, ticket, actor, Status.RESOLVED, now)
