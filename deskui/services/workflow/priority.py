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
