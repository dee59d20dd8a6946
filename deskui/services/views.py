"""Read models handed to screens and scripts: plain data, never live ORM objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session, col

from deskui.core.enums import ClockKind, EventKind, Priority, Status
from deskui.core.permissions import Person, TicketFacts, sees_phone
from deskui.core.report_facts import stored_clock_event
from deskui.core.sla import ClockEvent, SlaClock, compute_clocks, nearest_due
from deskui.core.worked import total_minutes
from deskui.services.directory import RequesterView
from deskui.services.rules import DeskRules
from deskui.store.models import Group, Requester, Ticket, TicketEvent, User


def clock_events(events: Iterable[TicketEvent]) -> list[ClockEvent]:
    """What the SLA clocks need from a ticket's stored events."""
    return [stored_clock_event(e.at, e.kind, e.field, e.new_value, e.note) for e in events]


def ticket_clocks(
    ticket: Ticket, events: Iterable[TicketEvent], rules: DeskRules, now: datetime
) -> dict[ClockKind, SlaClock]:
    """The three clocks of a ticket, recomputed from its history."""
    return compute_clocks(
        priority=Priority(ticket.priority),
        received_at=ticket.received_at,
        events=clock_events(events),
        now=now,
        policy=rules.sla,
        calendar=rules.calendar,
    )


def child_counts(session: Session, ticket_ids: Sequence[int]) -> dict[int, int]:
    """How many calls each of ``ticket_ids`` has under it (outages' parents only appear)."""
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(col(Ticket.parent_id), func.count())
        .where(col(Ticket.parent_id).in_(list(ticket_ids)))
        .group_by(col(Ticket.parent_id))
    )
    return {int(parent): int(count) for parent, count in rows}


def refresh_due_cache(ticket: Ticket, clocks: dict[ClockKind, SlaClock]) -> None:
    """Store the due times the queue sorts by (a cache of the recomputed clocks)."""
    ticket.response_due = clocks[ClockKind.RESPONSE].due
    ticket.update_due = clocks[ClockKind.UPDATE].due
    ticket.resolution_due = clocks[ClockKind.RESOLUTION].due
    ticket.next_due = nearest_due(clocks) if ticket.is_open else None


@dataclass(frozen=True)
class EventView:
    """One line of a ticket's timeline."""

    id: int
    at: datetime
    actor: str | None
    kind: EventKind
    field: str | None
    old_value: str | None
    new_value: str | None
    note: str | None
    earlier_than: datetime | None = None
    """The stamp of the event before it, when this one is stamped earlier: the timeline flags
    it (back-filled, or someone rewrote the time)."""
    acting_admin: str | None = None
    """The admin who acted for :attr:`actor` (``--as`` on a one-machine desk), if any."""
    minutes: int | None = None
    """The whole minutes a worklog entry says were spent, if it says."""


def event_views(events: Sequence[TicketEvent], actors: dict[int, str]) -> tuple[EventView, ...]:
    """A ticket's timeline, oldest first, each event stamped earlier than its predecessor
    flagged."""
    views = []
    previous: datetime | None = None
    for e in events:
        views.append(
            EventView(
                e.id or 0,
                e.at,
                actors.get(e.actor_id or 0),
                EventKind(e.kind),
                e.field,
                e.old_value,
                e.new_value,
                e.note,
                earlier_than=previous if previous is not None and e.at < previous else None,
                acting_admin=actors.get(e.proxy_id) if e.proxy_id is not None else None,
                minutes=e.minutes,
            )
        )
        previous = e.at
    return tuple(views)


@dataclass(frozen=True)
class TicketView:
    """A ticket with its requester, group, assignee, clocks and (optionally) timeline."""

    id: int
    number: str
    type: str
    category: str
    channel: str
    status: Status
    impact: int
    urgency: int
    priority: Priority
    matrix_priority: Priority
    priority_reason: str
    override_reason: str | None
    vip: bool
    requester: RequesterView
    summary: str
    description: str
    details: dict[str, str | None]
    received_at: datetime
    created_at: datetime
    updated_at: datetime
    expected_by: datetime | None
    group_code: str | None
    group_name_zh: str | None
    group_name_en: str | None
    routing_reason: str | None
    assignee: str | None
    assignee_name: str | None
    accepted_at: datetime | None
    tier: int
    solution: str | None
    result: str | None
    resolved_at: datetime | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    confirmation_text: str | None
    satisfaction: int | None
    satisfaction_remark: str | None
    closed_at: datetime | None
    version: int
    clocks: dict[ClockKind, SlaClock]
    events: Sequence[EventView] = field(default_factory=tuple)
    satisfaction_aspects: dict[str, int] = field(default_factory=dict)
    """The requester's stars per aspect (speed, professionalism, effect, attitude) they rated."""
    confirmation_channel: str | None = None
    """How the requester's answer came: phone, im, email, in_person, portal."""
    confirmation_recorded_by: str | None = None
    """The login of the desk user who recorded the requester's answer."""
    parent: str | None = None
    """The number of the outage's parent ticket this call belongs to, if any."""
    children: tuple[str, ...] = ()
    """The numbers of the calls under this ticket (it is an outage's parent), by number."""

    @property
    def is_open(self) -> bool:
        """The ticket still needs work."""
        return self.status.is_open

    @property
    def worked_minutes(self) -> int:
        """The minutes its worklog entries say were spent, summed (read with its events)."""
        return total_minutes([e.minutes for e in self.events])

    @property
    def facts(self) -> TicketFacts:
        """What the rules need to know of it; the solver awaiting the requester's answer is
        known only when it was read with its timeline."""
        solver = None
        if self.status == Status.AWAITING_CONFIRMATION:
            solutions = [e.actor for e in self.events if e.kind == EventKind.SOLUTION]
            solver = solutions[-1] if solutions else None
        return TicketFacts(self.status, self.assignee, self.tier, solver, self.group_code)

    def shows_phone_to(self, person: Person | None) -> bool:
        """The requester's phone is shown whole to ``person`` unasked (they hold the ticket:
        :func:`~deskui.core.permissions.sees_phone`); to anyone else, or nobody the desk knows,
        it is shown masked until revealed."""
        return person is not None and sees_phone(person, self.facts)

    def to_json(self, tz: ZoneInfo, now: datetime, *, whole_phone: bool = False) -> dict[str, Any]:
        """The command line's JSON: ISO 8601 times with the desk's offset; the requester's
        phone masked unless ``whole_phone`` (``requester.phone_masked`` says which)."""

        def iso(value: datetime | None) -> str | None:
            return value.astimezone(tz).isoformat() if value else None

        data: dict[str, Any] = {
            "number": self.number,
            "type": self.type,
            "category": self.category,
            "channel": self.channel,
            "status": str(self.status),
            "priority": str(self.priority),
            "matrix_priority": str(self.matrix_priority),
            "priority_reason": self.priority_reason,
            "override_reason": self.override_reason,
            "impact": self.impact,
            "urgency": self.urgency,
            "vip": self.vip,
            "requester": {
                "name": self.requester.name,
                "department": self.requester.department,
                "company": self.requester.company,
                **self.requester.phone_json(whole=whole_phone),
                "extension": self.requester.extension,
                "employee_id": self.requester.employee_id,
                "email": self.requester.email,
                "vip": self.requester.vip,
            },
            "summary": self.summary,
            "description": self.description,
            **self.details,
            "received_at": iso(self.received_at),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "expected_by": iso(self.expected_by),
            "group": self.group_code,
            "routing_reason": self.routing_reason,
            "assignee": self.assignee,
            "accepted_at": iso(self.accepted_at),
            "tier": self.tier,
            "solution": self.solution,
            "result": self.result,
            "resolved_at": iso(self.resolved_at),
            "confirmed_by": self.confirmed_by,
            "confirmed_at": iso(self.confirmed_at),
            "confirmation": self.confirmation_text,
            "satisfaction": self.satisfaction,
            "satisfaction_remark": self.satisfaction_remark,
            "satisfaction_aspects": dict(self.satisfaction_aspects),
            "confirmation_channel": self.confirmation_channel,
            "confirmation_recorded_by": self.confirmation_recorded_by,
            "closed_at": iso(self.closed_at),
            "parent": self.parent,
            "children": list(self.children),
            "worked_minutes": self.worked_minutes if self.events else None,
            "version": self.version,
            "sla": {
                str(kind): {
                    "state": str(c.state),
                    "due": iso(c.due),
                    "remaining_seconds": round(c.remaining_seconds),
                    "elapsed_seconds": round(c.elapsed_seconds),
                    "target_seconds": round(c.target_seconds),
                    "paused_reason": c.paused_reason,
                }
                for kind, c in self.clocks.items()
            },
        }
        if self.events:
            data["events"] = [
                {
                    "at": iso(e.at),
                    "actor": e.actor,
                    "acting_admin": e.acting_admin,
                    "kind": str(e.kind),
                    "field": e.field,
                    "from": e.old_value,
                    "to": e.new_value,
                    "note": e.note,
                    "minutes": e.minutes,
                }
                for e in self.events
            ]
        return data


#: The aspects a requester may rate besides the overall stars, as the ticket's columns name them.
SATISFACTION_ASPECTS = ("speed", "professionalism", "effect", "attitude")
#: How the requester's answer to a solution may reach the desk.
CONFIRMATION_CHANNELS = ("phone", "im", "email", "in_person", "portal")

DETAIL_FIELDS = (
    "started_when",
    "frequency",
    "impact_scope",
    "error_message",
    "tried",
    "device",
    "location",
    "attachments",
)


def ticket_view(
    ticket: Ticket,
    *,
    requester: Requester,
    group: Group | None,
    assignee: User | None,
    events: Sequence[TicketEvent],
    actors: dict[int, str],
    rules: DeskRules,
    now: datetime,
    with_events: bool = False,
    parent: str | None = None,
    children: Sequence[str] = (),
) -> TicketView:
    """Assemble the read model of one ticket (``parent`` and ``children``: its outage's)."""
    assert ticket.id is not None
    timeline = event_views(events, actors) if with_events else ()
    return TicketView(
        id=ticket.id,
        number=ticket.number,
        type=ticket.type,
        category=ticket.category,
        channel=ticket.channel,
        status=Status(ticket.status),
        impact=ticket.impact,
        urgency=ticket.urgency,
        priority=Priority(ticket.priority),
        matrix_priority=Priority(ticket.matrix_priority),
        priority_reason=ticket.priority_reason,
        override_reason=ticket.override_reason,
        vip=ticket.vip,
        requester=RequesterView.of(requester),
        summary=ticket.summary,
        description=ticket.description,
        details={name: getattr(ticket, name) for name in DETAIL_FIELDS},
        received_at=ticket.received_at,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        expected_by=ticket.expected_by,
        group_code=group.code if group else None,
        group_name_zh=group.name_zh if group else None,
        group_name_en=group.name_en if group else None,
        routing_reason=ticket.routing_reason,
        assignee=assignee.login if assignee else None,
        assignee_name=assignee.name if assignee else None,
        accepted_at=ticket.accepted_at,
        tier=ticket.tier,
        solution=ticket.solution,
        result=ticket.result,
        resolved_at=ticket.resolved_at,
        confirmed_by=ticket.confirmed_by,
        confirmed_at=ticket.confirmed_at,
        confirmation_text=ticket.confirmation_text,
        satisfaction=ticket.satisfaction,
        satisfaction_remark=ticket.satisfaction_remark,
        closed_at=ticket.closed_at,
        version=ticket.version,
        clocks=ticket_clocks(ticket, events, rules, now),
        events=timeline,
        satisfaction_aspects={
            aspect: stars
            for aspect in SATISFACTION_ASPECTS
            if (stars := getattr(ticket, f"satisfaction_{aspect}")) is not None
        },
        parent=parent,
        children=tuple(children),
        confirmation_channel=ticket.confirmation_channel,
        confirmation_recorded_by=(
            actors.get(ticket.confirmation_recorded_by_id)
            if ticket.confirmation_recorded_by_id is not None
            else None
        ),
    )


@dataclass(frozen=True)
class OpenTicketView:
    """One of a caller's open tickets, as intake lists them (a repeat call becomes a note).

    Attributes:
        number: the ticket number.
        status: status identifier.
        priority: ``P1`` … ``P4``.
        summary: what the ticket is about.
        received_at: when it was logged.
    """

    number: str
    status: str
    priority: str
    summary: str
    received_at: datetime
