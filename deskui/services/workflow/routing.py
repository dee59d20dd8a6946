"""Where a ticket goes: transferred to another group's queue, or escalated a tier (L1 service
desk → L2 specialists → L3 vendor). Both move it to the new group unassigned, with the note
travelling along.

The ticket's tier is its group's (a group has a tier): a transfer takes the new group's tier, and
escalating moves to a group of the next tier — the one the rules name for that tier, or else the
category's group when that is of the next tier — or, when neither is, asks which (the refusal
names the groups to choose from). The routing reason always says why the ticket is where it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from deskui.core.enums import EventKind, Status
from deskui.core.permissions import TOP_TIER, Action
from deskui.services.access import require, ticket_facts
from deskui.services.errors import ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor, group_by_code
from deskui.services.workflow.notes import clean_note
from deskui.services.workflow.ownership import release_holder
from deskui.store.models import Group, Ticket

#: The routing reason column's size.
_REASON_LIMIT = 200


def _move_to_group(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    group: Group,
    now: datetime,
    note: str | None,
    why: str = "",
) -> None:
    """Send the ticket to ``group``'s queue: the group's tier, unassigned, the reason said
    (``why`` leads it: an escalation's tiers)."""
    old_group = session.get(Group, ticket.group_id) if ticket.group_id else None
    old_code = old_group.code if old_group else "-"
    record(
        session,
        ticket,
        actor,
        EventKind.TRANSFERRED,
        now,
        field="group",
        old=old_group.code if old_group else None,
        new=group.code,
        note=note,
    )
    ticket.group_id = group.id
    if group.tier != ticket.tier:
        # the tier follows the group; on the record, so the history replays to the stored tier
        record(
            session,
            ticket,
            actor,
            EventKind.ROUTED,
            now,
            field="tier",
            old=f"L{ticket.tier}",
            new=f"L{group.tier}",
        )
    ticket.tier = group.tier
    # language-neutral, as intake's "category hardware → hardware": the timeline words the event
    reason = f"{why}{old_code} → {group.code} · {actor.login}"
    ticket.routing_reason = reason[:_REASON_LIMIT]
    release_holder(session, ticket, actor, now)
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
    """Send the ticket to another group's queue, unassigned, at that group's tier.

    Raises:
        NotFound: no such group.
        ServiceError: the ticket is already with that group.
        PermissionDenied: the ticket is no longer open or awaits the requester's answer, or
            someone else holds it and the actor is not a lead.
    """
    text = clean_note(note, required=False)
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.TRANSFER, ticket_facts(session, ticket))
    target = group_by_code(session, group)
    if target.id == ticket.group_id:
        raise ServiceError("ticket.same_group", field="group", number=ticket.number, group=group)
    _move_to_group(session, ticket, actor, target, now, text)
    commit_change(session, ticket, rules, now)
    return ticket


def _choices(session: Session, above: int) -> str:
    """The groups an escalation from tier ``above`` may go to, by code (the next tier's first)."""
    groups = list(
        session.exec(
            select(Group).where(Group.tier > above).order_by(col(Group.tier), col(Group.code))
        )
    )
    return ", ".join(g.code for g in groups) or "-"


def _escalation_target(
    session: Session, ticket: Ticket, rules: DeskRules, tier: int
) -> Group | None:
    """The group the rules send an escalation to ``tier``: the one named for that tier, else
    the category's group; None when that is not a group of a tier above the ticket's."""
    code = rules.escalation_groups.get(tier) or rules.category_groups.get(ticket.category, "")
    if not code:
        return None
    group = session.exec(select(Group).where(Group.code == code)).first()
    if group is None or group.tier <= ticket.tier:
        return None
    return group


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
    """Escalate to a higher tier with the diagnosis so far; the history travels along.

    With no group named, the ticket goes to the next tier's group for its category (see the
    module's docstring); a named group must be of a higher tier than the ticket's. At L3 there
    is no tier above: naming a group there sends the ticket to it with the note, which is a
    transfer, and is permitted as one.

    Raises:
        ServiceError: no note; the rules name no group of the next tier for the category, or
            the named group is not above the ticket's tier (``escalate.group_needed``, naming
            the groups to choose from).
        NotFound: no such group.
        PermissionDenied: already at L3 with no group named, the ticket is closed or awaits the
            requester's answer, or someone else holds it and the actor is not a lead.
    """
    text = clean_note(note, field="note")
    ticket = lock_ticket(session, number, expected_version)
    facts = ticket_facts(session, ticket)
    at_top = ticket.tier >= TOP_TIER
    require(actor, Action.TRANSFER if at_top and group else Action.ESCALATE, facts)
    if at_top and group:
        vendor_says = group_by_code(session, group)
        if vendor_says.id == ticket.group_id:
            raise ServiceError(
                "ticket.same_group", field="group", number=ticket.number, group=group
            )
        _move_to_group(session, ticket, actor, vendor_says, now, text)
        commit_change(session, ticket, rules, now)
        return ticket
    tier = ticket.tier + 1
    target: Group | None
    if group:
        named = group_by_code(session, group)
        target = named if named.tier > ticket.tier else None
    else:
        target = _escalation_target(session, ticket, rules, tier)
    if target is None:
        raise ServiceError(
            "escalate.group_needed",
            field="group",
            number=ticket.number,
            tier=f"L{tier}",
            choices=_choices(session, ticket.tier),
        )
    record(
        session,
        ticket,
        actor,
        EventKind.ESCALATED,
        now,
        field="tier",
        old=f"L{ticket.tier}",
        new=f"L{target.tier}",
        note=text,
    )
    why = f"L{ticket.tier} → L{target.tier} · "
    # the escalation's event above records the new tier (for a ticket whose tier lagged its
    # group's, recorded before tiers followed groups, it is the only change)
    ticket.tier = target.tier
    if target.id != ticket.group_id:
        _move_to_group(session, ticket, actor, target, now, text, why)
    commit_change(session, ticket, rules, now)
    return ticket
