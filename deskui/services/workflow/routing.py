"""Where a ticket goes: transferred to another group's queue, or escalated a tier (L1 → L2 →
L3 vendor). Both move it to the new group unassigned, with the note travelling along.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from deskui.core.enums import EventKind, Status
from deskui.core.permissions import TOP_TIER, Action
from deskui.services.access import require, ticket_facts
from deskui.services.errors import ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor, group_by_code
from deskui.services.workflow.notes import clean_note
from deskui.services.workflow.ownership import _login
from deskui.store.models import Group, Ticket


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
