"""The desk's vocabulary: the identifiers of SPEC §2 and §4, shared by every layer."""

from __future__ import annotations

from enum import StrEnum


class TicketType(StrEnum):
    """工单类型."""

    INCIDENT = "incident"
    SERVICE_REQUEST = "service_request"
    CHANGE_REQUEST = "change_request"
    CONSULTATION = "consultation"
    COMPLAINT = "complaint"


class Category(StrEnum):
    """问题类型: routes to a default group."""

    HARDWARE = "hardware"
    SOFTWARE = "software"
    NETWORK = "network"
    ACCOUNT = "account"
    DATA = "data"
    OTHER = "other"


class Channel(StrEnum):
    """渠道: how the report reached the desk."""

    PHONE = "phone"
    PORTAL = "portal"
    EMAIL = "email"
    IM = "im"
    WALK_IN = "walk_in"


class Status(StrEnum):
    """状态 of SPEC §4."""

    NEW = "new"
    TO_ASSIGN = "to_assign"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        """Whether the ticket still needs work from the desk."""
        return self not in (Status.RESOLVED, Status.CLOSED, Status.REJECTED)


OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s.is_open)


class Priority(StrEnum):
    """P1 (紧急) is the most urgent."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def level(self) -> int:
        """1 for P1 … 4 for P4."""
        return int(self.value[1])

    @classmethod
    def from_level(cls, level: int) -> Priority:
        """The priority of a level, clamped to P1…P4."""
        return cls(f"P{min(4, max(1, level))}")


class Role(StrEnum):
    """Who a user is at the desk."""

    OPERATOR = "operator"
    AGENT = "agent"
    DUTY_LEAD = "duty_lead"
    ADMIN = "admin"


class ClockKind(StrEnum):
    """The three SLA clocks of SPEC §5."""

    RESPONSE = "response"
    UPDATE = "update"
    RESOLUTION = "resolution"


class ClockState(StrEnum):
    """Where an SLA clock stands."""

    RUNNING = "running"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"

    @property
    def is_live(self) -> bool:
        """The clock is counting down now (running, in warning, or past due)."""
        return self in LIVE_CLOCK_STATES

    @property
    def is_alarming(self) -> bool:
        """The clock is in warning or past due."""
        return self in (ClockState.WARNING, ClockState.BREACHED)


#: The states of a clock that is counting down.
LIVE_CLOCK_STATES = frozenset({ClockState.RUNNING, ClockState.WARNING, ClockState.BREACHED})

IMPACTS: tuple[int, ...] = (1, 2, 3)
URGENCIES: tuple[int, ...] = (1, 2, 3, 4)


class EventKind(StrEnum):
    """What a ticket event records (the audit trail is append-only)."""

    CREATED = "created"
    ROUTED = "routed"
    STATUS = "status"
    CLAIMED = "claimed"
    TAKEOVER = "takeover"
    """A lead took the ticket for themselves from whoever held it (it acknowledges the ticket)."""
    ASSIGNED = "assigned"
    """A lead handed the ticket to a named person (``field`` ``assignee``). It acknowledges
    nothing: the response clock runs on until the assignee accepts it (claims it), sends a
    progress update or contacts the requester. Assignments recorded before this kind existed
    are takeovers in the record, and read as they were recorded."""
    RELEASED = "released"
    TRANSFERRED = "transferred"
    TRIAGED = "triaged"
    PRIORITY_OVERRIDE = "priority_override"
    WORKLOG = "worklog"
    PROGRESS = "progress"
    ESCALATED = "escalated"
    PENDING = "pending"
    RESUMED = "resumed"
    SOLUTION = "solution"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    REJECTED = "rejected"
    REOPENED = "reopened"
    CLOSED = "closed"
    FIRST_CONTACT = "first_contact"
    ESTIMATE = "estimate"
    VIP_CLAIM = "vip_claim"
    """A caller said to be VIP (or not) where the directory says otherwise: kept for a lead."""
    LINKED = "linked"
    """The call joined an outage (its parent ticket)."""
    UNLINKED = "unlinked"
    """The call left its outage."""
    OUTAGE_SOLVED = "outage_solved"
    """The call was solved with its outage's parent (``field`` ``parent``, ``new`` its number)."""
    OUTAGE_CLOSED = "outage_closed"
    """The call was closed with its outage's parent (``field`` ``parent``, ``new`` its number)."""
    PHONE_REVEALED = "phone_revealed"
    """Someone who does not hold the ticket read the requester's whole phone number
    (``field`` ``requester``, ``new`` the requester's name); the number itself is not kept."""
    ALERT_ACKNOWLEDGED = "alert_acknowledged"
    """A lead saw the ticket's alerts on the emergency board (``new_value``: the alerts, as
    :func:`deskui.core.alerts.format_keys` writes them). It changes no field and is not contact
    with the requester: it stops no clock."""


#: Events that count as the desk acknowledging the ticket (they stop the response clock).
ACKNOWLEDGING: frozenset[EventKind] = frozenset(
    {EventKind.CLAIMED, EventKind.TAKEOVER, EventKind.PROGRESS, EventKind.FIRST_CONTACT}
)
