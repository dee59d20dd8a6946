"""A ticket's priority: re-triage (new impact and urgency through the matrix) and a duty
lead's override with a reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from deskui.core.enums import IMPACTS, URGENCIES, EventKind, Priority
from deskui.core.permissions import Action
from deskui.services.access import require, ticket_facts
from deskui.services.errors import ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.workflow.notes import clean_note
from deskui.store.models import Ticket

#: The longest reason an override keeps (the ticket's priority reason holds it after the matrix's).
MAX_OVERRIDE_REASON = 300


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
    keep_override: bool = False,
) -> Ticket:
    """Re-triage: new impact and urgency; the matrix re-applied and the due times recomputed.

    A lead's override does not silently outlive a re-triage: by default the matrix decides
    again and the override is cleared; ``keep_override`` keeps it over the new matrix result
    (the priority's reason then gives both). Either way an override event says which: its
    reason → nothing (cleared), or → the same reason (kept).

    Raises:
        ServiceError: impact or urgency out of range; the priority would go down and no reason
            was given (``triage.lower_reason``: raising needs none).
        PermissionDenied: the ticket is no longer open, or someone else holds it and the actor
            is not a lead.
    """
    require(actor, Action.TRIAGE)
    if isinstance(impact, bool) or impact not in IMPACTS:
        raise ServiceError("impact.range", field="impact", value=impact)
    if isinstance(urgency, bool) or urgency not in URGENCIES:
        raise ServiceError("urgency.range", field="urgency", value=urgency)
    reason = clean_note(note, required=False)
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.TRIAGE, ticket_facts(session, ticket))
    overridden = ticket.override_reason is not None
    keep = overridden and keep_override
    old_priority = Priority(ticket.priority)
    decision = rules.matrix.decide(
        impact,
        urgency,
        vip=ticket.vip and rules.vip_raise,
        override=old_priority if keep else None,
        override_reason=ticket.override_reason if keep else None,
    )
    if decision.priority.level > old_priority.level and reason is None:
        raise ServiceError(
            "triage.lower_reason",
            field="note",
            number=ticket.number,
            old=str(old_priority),
            new=str(decision.priority),
        )
    old = f"I{ticket.impact} U{ticket.urgency} {ticket.priority}"
    old_override = ticket.override_reason
    ticket.impact, ticket.urgency = impact, urgency
    ticket.matrix_priority = str(decision.matrix_priority)
    ticket.priority = str(decision.priority)
    ticket.priority_reason = decision.reason
    ticket.override_reason = decision.override_reason
    record(
        session,
        ticket,
        actor,
        EventKind.TRIAGED,
        now,
        field="priority",
        old=old,
        new=f"I{impact} U{urgency} {ticket.priority}",
        note=reason or decision.reason,
    )
    if overridden:
        # the override's fate, said explicitly: kept (the same reason on both sides) or cleared
        record(
            session,
            ticket,
            actor,
            EventKind.PRIORITY_OVERRIDE,
            now,
            field="override_reason",
            old=old_override,
            new=ticket.override_reason,
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
    priority: str | None,
    reason: str,
    expected_version: int | None = None,
) -> Ticket:
    """A duty lead sets the priority by hand, with a reason kept in the audit trail; with no
    ``priority`` the override is cleared and the matrix's priority applies again (the reason
    says why, on the same record)."""
    require(actor, Action.OVERRIDE_PRIORITY)
    reason_text = clean_note(reason, field="reason") or ""
    if len(reason_text) > MAX_OVERRIDE_REASON:
        # kept in the ticket's reason columns (400 characters, with the matrix's part before it)
        raise ServiceError(
            "text.too_long", field="reason", length=len(reason_text), limit=MAX_OVERRIDE_REASON
        )
    try:
        wanted = Priority(priority) if priority is not None else None
    except ValueError as exc:
        raise ServiceError("priority.unknown", field="priority", value=priority) from exc
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.OVERRIDE_PRIORITY, ticket_facts(session, ticket))
    decision = rules.matrix.decide(
        ticket.impact,
        ticket.urgency,
        vip=ticket.vip and rules.vip_raise,
        override=wanted,
        override_reason=reason_text if wanted is not None else None,
    )
    if wanted is None:
        wanted = Priority(decision.priority)
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
