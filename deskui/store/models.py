"""The desk's tables (SQLModel). Every change to a ticket also writes a TicketEvent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, Text
from sqlmodel import Field, SQLModel

from deskui.store.types import UTCDateTime


def _utc(*, nullable: bool = False) -> Any:
    """A timestamp column kept in UTC: required, or ``nullable`` and None by default.

    Typed ``Any``, as ``Field`` is, so that it can be assigned to a ``datetime`` attribute.
    """
    if nullable:
        return Field(default=None, sa_type=UTCDateTime, nullable=True)
    return Field(sa_type=UTCDateTime)


def column_length(model: type[SQLModel], name: str) -> int:
    """The most characters the ``name`` column of ``model``'s table holds (its ``max_length``).

    A service checks a value against this before saving, so a value too long is refused by name
    on every database (PostgreSQL would fail the statement; SQLite would store it whole).
    """
    length = model.__table__.c[name].type.length  # type: ignore[attr-defined]  # SQLModel declares no __table__; a table model has one
    assert isinstance(length, int), f"{model.__name__}.{name} has no length"
    return length


class Group(SQLModel, table=True):
    """A support group (支持组): the service desk, a specialist group, a vendor."""

    __tablename__ = "support_group"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name_zh: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    tier: int = Field(default=2)
    lead_id: int | None = Field(default=None)
    """The user who leads the group (complaints about it go to them); not a foreign key
    because users and groups refer to each other."""


class User(SQLModel, table=True):
    """Someone who works the desk: operator, agent, duty lead or admin."""

    __tablename__ = "desk_user"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=80)
    role: str = Field(max_length=16)
    phone: str | None = Field(default=None, max_length=40)
    active: bool = Field(default=True)
    created_at: datetime = _utc()
    os_login: str | None = Field(default=None, max_length=64, unique=True)
    """The operating-system account this user works from on a one-machine (SQLite) desk."""
    db_role: str | None = Field(default=None, max_length=63, unique=True)
    """The PostgreSQL login role this user connects as on a shared desk (``session_user``)."""


class UserGroup(SQLModel, table=True):
    """Membership of a user in a group."""

    __tablename__ = "user_group"

    user_id: int = Field(foreign_key="desk_user.id", primary_key=True)
    group_id: int = Field(foreign_key="support_group.id", primary_key=True)


class Requester(SQLModel, table=True):
    """A caller in the directory (申请人)."""

    __tablename__ = "requester"
    __table_args__ = (
        Index("ix_requester_phone_digits", "phone_digits"),
        Index("ix_requester_name", "name"),
        Index("ix_requester_pinyin", "name_pinyin"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    name_pinyin: str = Field(default="", max_length=400)
    """Full pinyin without tones or spaces (``zhangsan``), for lookup while typing."""
    name_initials: str = Field(default="", max_length=80, index=True)
    """Pinyin initials (``zs``)."""
    department: str | None = Field(default=None, max_length=120)
    company: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    phone_digits: str = Field(default="", max_length=40)
    """Digits only, national form, for search."""
    extension: str | None = Field(default=None, max_length=12, index=True)
    employee_id: str | None = Field(default=None, max_length=32, unique=True)
    email: str | None = Field(default=None, max_length=254)
    vip: bool = Field(default=False)
    external: bool = Field(default=False)
    created_at: datetime = _utc()
    site: str | None = Field(default=None, max_length=120)
    """Where the caller works (building, campus), from the HR export (migration 0009)."""


class Ticket(SQLModel, table=True):
    """A ticket (工单) with every field of SPEC §2."""

    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_open_due", "is_open", "next_due", "id"),
        Index("ix_ticket_assignee", "assignee_id", "is_open"),
        Index("ix_ticket_group", "group_id", "is_open"),
        Index("ix_ticket_requester", "requester_id", "is_open"),
        Index("ix_ticket_status", "status"),
        # the queue's "mine", "unassigned" and "my groups" views, read in due order by keyset
        Index("ix_ticket_assignee_due", "assignee_id", "is_open", "next_due", "id"),
        Index("ix_ticket_group_due", "group_id", "is_open", "next_due", "id"),
        Index("ix_ticket_parent", "parent_id", "is_open"),
        # the reports: tickets received, and tickets confirmed, in a period (a group's, an
        # agent's)
        Index("ix_ticket_received", "received_at", "id"),
        Index("ix_ticket_confirmed", "confirmed_at"),
        Index("ix_ticket_group_received", "group_id", "received_at"),
        Index("ix_ticket_assignee_received", "assignee_id", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    type: str = Field(max_length=24)
    category: str = Field(max_length=16)
    channel: str = Field(max_length=16)
    status: str = Field(max_length=24)
    is_open: bool = Field(default=True)
    impact: int
    urgency: int
    priority: str = Field(max_length=2)
    matrix_priority: str = Field(max_length=2)
    priority_reason: str = Field(max_length=400)
    override_reason: str | None = Field(default=None, max_length=400)
    vip: bool = Field(default=False)

    requester_id: int = Field(foreign_key="requester.id")
    summary: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    started_when: str | None = Field(default=None, max_length=120)
    frequency: str | None = Field(default=None, max_length=16)
    impact_scope: str | None = Field(default=None, max_length=400)
    error_message: str | None = Field(default=None, sa_column=Column(Text))
    tried: str | None = Field(default=None, sa_column=Column(Text))
    device: str | None = Field(default=None, max_length=200)
    location: str | None = Field(default=None, max_length=200)
    attachments: str | None = Field(default=None, sa_column=Column(Text))
    expected_by: datetime | None = _utc(nullable=True)

    received_at: datetime = _utc()
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    created_by_id: int | None = Field(default=None, foreign_key="desk_user.id")

    group_id: int | None = Field(default=None, foreign_key="support_group.id")
    routing_reason: str | None = Field(default=None, max_length=200)
    assignee_id: int | None = Field(default=None, foreign_key="desk_user.id")
    accepted_at: datetime | None = _utc(nullable=True)
    tier: int = Field(default=1)
    solution: str | None = Field(default=None, sa_column=Column(Text))
    result: str | None = Field(default=None, max_length=24)
    resolved_at: datetime | None = _utc(nullable=True)
    confirmed_by: str | None = Field(default=None, max_length=80)
    confirmed_at: datetime | None = _utc(nullable=True)
    confirmation_text: str | None = Field(default=None, sa_column=Column(Text))
    satisfaction: int | None = Field(default=None)
    satisfaction_remark: str | None = Field(default=None, max_length=400)
    satisfaction_speed: int | None = Field(default=None)
    satisfaction_professionalism: int | None = Field(default=None)
    satisfaction_effect: int | None = Field(default=None)
    satisfaction_attitude: int | None = Field(default=None)
    confirmation_channel: str | None = Field(default=None, max_length=16)
    """How the requester's answer reached the desk: phone, im, email, in_person, portal."""
    confirmation_recorded_by_id: int | None = Field(default=None, foreign_key="desk_user.id")
    """The desk user who recorded the requester's answer (never the ticket's solver)."""
    closed_at: datetime | None = _utc(nullable=True)

    response_due: datetime | None = _utc(nullable=True)
    update_due: datetime | None = _utc(nullable=True)
    resolution_due: datetime | None = _utc(nullable=True)
    next_due: datetime | None = _utc(nullable=True)
    """The nearest due time of the clocks still running: a cache for ordering the queue,
    refreshed by every change; the clocks themselves are always recomputed from events."""

    version: int = Field(default=1)
    """Optimistic concurrency: an edit names the version it was based on."""
    parent_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("ticket.id", name="fk_ticket_parent"))
    )
    """The outage this call belongs to: the parent ticket whose solution solves it too."""


class TicketEvent(SQLModel, table=True):
    """One entry of a ticket's append-only audit trail and timeline."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: datetime = _utc()
    actor_id: int | None = Field(default=None, foreign_key="desk_user.id")
    kind: str = Field(max_length=24)
    field: str | None = Field(default=None, max_length=32)
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    proxy_id: int | None = Field(default=None, foreign_key="desk_user.id")
    """The admin who acted for ``actor_id`` (``--as`` on a one-machine desk), if any."""
    version: int | None = Field(default=None)
    """The ticket's version this event's change produced."""
    state_hash: str | None = Field(default=None, max_length=64)
    """SHA-256 of the ticket's fields as this event's change left them
    (:func:`deskui.core.chain.ticket_state_hash`)."""
    prev_hash: str | None = Field(default=None, max_length=64)
    """The hash of the ticket's previous event (None for its first)."""
    hash: str | None = Field(default=None, max_length=64)
    """SHA-256 over this event's canonical form and its predecessor's hash (the ticket's chain)."""
    minutes: int | None = Field(default=None)
    """The whole minutes a worklog entry says were spent (1–1440), if it says."""
    facts_hash: str | None = Field(default=None, max_length=64)
    """On a change's last event: the hash of the ticket's report facts as the change wrote them
    (:func:`deskui.core.chain.report_facts_hash`); None on the others and on readings."""


class TicketSequence(SQLModel, table=True):
    """The last number given out on one desk day."""

    __tablename__ = "ticket_sequence"

    day: str = Field(primary_key=True, max_length=8)
    last: int = Field(default=0)


class DeskSetting(SQLModel, table=True):
    """A rule file kept with the data (matrix, SLA, calendar, routing), as JSON."""

    __tablename__ = "desk_setting"

    key: str = Field(primary_key=True, max_length=32)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = _utc()
    updated_by_id: int | None = Field(default=None, foreign_key="desk_user.id")


class SettingEvent(SQLModel, table=True):
    """Audit of a change to a rule file (who changed the matrix, from what, why)."""

    __tablename__ = "setting_event"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32)
    at: datetime = _utc()
    actor_id: int | None = Field(default=None, foreign_key="desk_user.id")
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str = Field(sa_column=Column(Text, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text))
    proxy_id: int | None = Field(default=None, foreign_key="desk_user.id")
    """The admin who acted for ``actor_id``, if any."""
    prev_hash: str | None = Field(default=None, max_length=64)
    """The hash of the desk's previous setting event (None for the first)."""
    hash: str | None = Field(default=None, max_length=64)
    """SHA-256 over this event's canonical form and its predecessor's (the settings chain)."""


class Announcement(SQLModel, table=True):
    """A group's announcement (公告): drafted, reviewed, published by the desk exactly as
    approved (:mod:`deskui.core.announcements`). Every change also writes an
    AnnouncementEvent."""

    __tablename__ = "announcement"
    __table_args__ = (Index("ix_announcement_state", "state", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    body: str = Field(sa_column=Column(Text, nullable=False))
    group_id: int = Field(foreign_key="support_group.id")
    services: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    """The affected services or sites, a JSON list of names."""
    starts_at: datetime | None = _utc(nullable=True)
    ends_at: datetime | None = _utc(nullable=True)
    expires_at: datetime = _utc()
    state: str = Field(max_length=16)
    author_id: int = Field(foreign_key="desk_user.id")
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    approved_hash: str | None = Field(default=None, max_length=64)
    """The content hash the approval fixed (None until approved, and again after an edit)."""
    approved_by_id: int | None = Field(default=None, foreign_key="desk_user.id")
    approved_at: datetime | None = _utc(nullable=True)
    question: str | None = Field(default=None, sa_column=Column(Text))
    """The reviewer's (or the desk's) question when it was last returned."""
    published_at: datetime | None = _utc(nullable=True)
    published_by_id: int | None = Field(default=None, foreign_key="desk_user.id")
    late_seconds: int | None = Field(default=None)
    """Published after its announced start: by this many seconds."""
    withdrawn_at: datetime | None = _utc(nullable=True)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="desk_user.id")
    withdraw_reason: str | None = Field(default=None, sa_column=Column(Text))
    version: int = Field(default=1)


class AnnouncementEvent(SQLModel, table=True):
    """One entry of an announcement's append-only, chained history."""

    __tablename__ = "announcement_event"
    __table_args__ = (Index("ix_announcement_event_announcement", "announcement_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id")
    at: datetime = _utc()
    actor_id: int | None = Field(default=None, foreign_key="desk_user.id")
    proxy_id: int | None = Field(default=None, foreign_key="desk_user.id")
    """The admin who acted for ``actor_id``, if any."""
    kind: str = Field(max_length=16)
    state: str = Field(max_length=16)
    """The announcement's stored state after this event."""
    content_hash: str = Field(max_length=64)
    """The content's hash after this event (:func:`deskui.core.announcements.content_hash`)."""
    note: str | None = Field(default=None, sa_column=Column(Text))
    """The question of a return, the reason of a withdrawal."""
    prev_hash: str | None = Field(default=None, max_length=64)
    """The hash of the announcement's previous event (None for its first)."""
    hash: str | None = Field(default=None, max_length=64)
    """SHA-256 over this event's canonical form and its predecessor's hash."""


class Article(SQLModel, table=True):
    """A knowledge-base article (知识库条目), one version of it.

    Editing a published article makes a new row (``version`` + 1, the same ``lineage_id``) that
    is reviewed again while the published one stays visible; publishing it retires the old one.
    """

    __tablename__ = "article"
    __table_args__ = (
        Index("ix_article_state", "state", "category"),
        Index("ix_article_lineage", "lineage_id", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lineage_id: int | None = Field(default=None)
    """The id of the article's first version: what its versions and solved calls share."""
    version: int = Field(default=1)
    title: str = Field(max_length=200)
    symptom: str = Field(sa_column=Column(Text, nullable=False))
    cause: str = Field(sa_column=Column(Text, nullable=False))
    solution: str = Field(sa_column=Column(Text, nullable=False))
    category: str = Field(max_length=16)
    group_id: int | None = Field(default=None, foreign_key="support_group.id")
    """The group the category routes to: its lead may review the article."""
    tags: str = Field(default="", max_length=400)
    """Comma-separated."""
    state: str = Field(max_length=16)
    author_id: int = Field(foreign_key="desk_user.id")
    reviewer_id: int | None = Field(default=None, foreign_key="desk_user.id")
    approved: bool = Field(default=False)
    """The reviewer approved this version: it may be published."""
    review_comment: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    published_at: datetime | None = _utc(nullable=True)


class ArticleTicket(SQLModel, table=True):
    """A ticket linked to an article; ``solved``: the article's solution resolved the call."""

    __tablename__ = "article_ticket"
    __table_args__ = (Index("ix_article_ticket_ticket", "ticket_id"),)

    lineage_id: int = Field(primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    solved: bool = Field(default=False)
    linked_at: datetime = _utc()


class ArticleEvent(SQLModel, table=True):
    """Audit of a change to the knowledge base: an article's record after it changed (key
    ``article``), or a ticket linked to one (``article_link``), hash-chained as setting events
    are (one chain for the desk's knowledge base)."""

    __tablename__ = "article_event"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=32)
    at: datetime = _utc()
    actor_id: int | None = Field(default=None, foreign_key="desk_user.id")
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str = Field(sa_column=Column(Text, nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text))
    proxy_id: int | None = Field(default=None, foreign_key="desk_user.id")
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)


class TicketReportFact(SQLModel, table=True):
    """What the reports need of a ticket beyond its columns (:mod:`deskui.core.report_facts`):
    its SLA outcomes, paused time, reopenings, first-contact resolution. Derived from the clocks
    every change recomputes, and stored by that change, so a report only aggregates."""

    __tablename__ = "ticket_report_fact"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    response: str = Field(max_length=8)
    """running, paused, met or missed (:class:`deskui.core.report_facts.Outcome`)."""
    response_late: int = Field(default=0)
    """Seconds past due the response came (missed only)."""
    resolution: str = Field(max_length=8)
    resolution_late: int = Field(default=0)
    """Seconds past due the resolution stopped, or paused (missed, or paused late)."""
    paused: int = Field(default=0)
    """Wall-clock seconds spent pending or awaiting the requester's answer."""
    reopened: int = Field(default=0)
    """Solutions refused and finished tickets reopened."""
    first_contact: bool = Field(default=False)
    to_confirmation: int | None = Field(default=None)
    """Wall-clock seconds from receipt to the requester's confirmation."""
    worked_minutes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """The minutes the ticket's worklog entries say were spent, summed."""


class ReceivedHour(SQLModel, table=True):
    """For an hour tickets were received in (UTC, seconds since the epoch // 3600), the least
    and the greatest id among them; kept by a trigger on the ticket table (migration 0014), and
    only ever widened, so every ticket's id lies within its hour's span."""

    __tablename__ = "received_hour"

    hour: int = Field(primary_key=True)
    first_id: int
    last_id: int


__all__ = [
    "AgentSkill",
    "Announcement",
    "AnnouncementEvent",
    "Article",
    "ArticleEvent",
    "ArticleTicket",
    "DeskSetting",
    "Group",
    "ReceivedHour",
    "Requester",
    "SettingEvent",
    "Ticket",
    "TicketEvent",
    "TicketReportFact",
    "TicketSequence",
    "User",
    "UserGroup",
]


class AgentSkill(SQLModel, table=True):
    """The skill matrix: an agent's level (1–5) in a ticket category (migration 0009)."""

    __tablename__ = "agent_skill"

    user_id: int = Field(foreign_key="desk_user.id", primary_key=True)
    category: str = Field(max_length=16, primary_key=True, index=True)
    level: int
