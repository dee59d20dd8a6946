"""Who may do what at the desk: one role × action matrix, plus the rules about a ticket's holder.

Every layer reads this module and nothing else: the services enforce it (and refuse with the
code :func:`refusal` returns), each screen's ``check_action`` greys out what it refuses, the
help screen and the command line say the same. A rule changed here changes everywhere at once.

The rules, in the desk's words (SPEC §1, §4, §6):

* the operator logs calls, dispatches, triages, answers and closes reviewed tickets, but works
  no ticket as its owner (no claim);
* an agent works a ticket they hold, or one nobody holds; never one held by someone else;
* a duty lead (and an admin) may act on any ticket, take over a claimed one, assign, and
  override a priority; only an admin changes the desk's rules and its users.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from deskui.core.enums import Role, Status

ALL_ROLES = frozenset(Role)
HANDLERS = frozenset({Role.AGENT, Role.DUTY_LEAD, Role.ADMIN})
LEADS = frozenset({Role.DUTY_LEAD, Role.ADMIN})
DESK = frozenset({Role.OPERATOR, Role.DUTY_LEAD, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

#: Statuses in which a ticket can be claimed (or taken over).
CLAIMABLE = frozenset({Status.NEW, Status.TO_ASSIGN, Status.IN_PROGRESS, Status.PENDING})
#: The highest tier: L3, the vendor or developer.
TOP_TIER = 3


class Action(StrEnum):
    """Everything a person can do at the desk that the rules may refuse."""

    LOG_CALL = "log_call"
    DISPATCH = "dispatch"
    RESOLVE_AT_INTAKE = "resolve_at_intake"
    CLAIM = "claim"
    TAKE_OVER = "take_over"
    ASSIGN = "assign"
    TRIAGE = "triage"
    OVERRIDE_PRIORITY = "override_priority"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    WORKLOG = "worklog"
    PROGRESS = "progress"
    ESTIMATE = "estimate"
    PEND = "pend"
    RESUME = "resume"
    RELEASE = "release"
    SOLVE = "solve"
    CONFIRM = "confirm"
    REFUSE = "refuse"
    REJECT = "reject"
    REOPEN = "reopen"
    CLOSE = "close"
    CHANGE_RULES = "change_rules"
    MANAGE_USERS = "manage_users"


#: The role × action matrix.
ROLES: dict[Action, frozenset[Role]] = {
    Action.LOG_CALL: ALL_ROLES,
    Action.DISPATCH: ALL_ROLES,
    Action.RESOLVE_AT_INTAKE: ALL_ROLES,
    Action.CLAIM: HANDLERS,
    Action.TAKE_OVER: LEADS,
    Action.ASSIGN: LEADS,
    Action.TRIAGE: ALL_ROLES,
    Action.OVERRIDE_PRIORITY: LEADS,
    Action.TRANSFER: ALL_ROLES,
    Action.ESCALATE: ALL_ROLES,
    Action.WORKLOG: ALL_ROLES,
    Action.PROGRESS: ALL_ROLES,
    Action.ESTIMATE: HANDLERS,
    Action.PEND: ALL_ROLES,
    Action.RESUME: ALL_ROLES,
    Action.RELEASE: HANDLERS,
    Action.SOLVE: HANDLERS,
    Action.CONFIRM: ALL_ROLES,
    Action.REFUSE: ALL_ROLES,
    Action.REJECT: ALL_ROLES,
    Action.REOPEN: ALL_ROLES,
    Action.CLOSE: DESK,
    Action.CHANGE_RULES: ADMINS,
    Action.MANAGE_USERS: ADMINS,
}

#: Actions an agent may take only on a ticket they hold or nobody holds (the holder rule).
HOLDER_ONLY = frozenset(
    {
        Action.TRANSFER,
        Action.ESCALATE,
        Action.ESTIMATE,
        Action.PEND,
        Action.RESUME,
        Action.RELEASE,
        Action.SOLVE,
        Action.REJECT,
    }
)
#: Actions on a ticket that need it open (not resolved, closed or rejected).
NEEDS_OPEN = frozenset(
    {
        Action.TRIAGE,
        Action.OVERRIDE_PRIORITY,
        Action.TRANSFER,
        Action.ESCALATE,
        Action.PROGRESS,
        Action.ESTIMATE,
        Action.ASSIGN,
    }
)


class Person(Protocol):
    """Who acts, as far as the rules care."""

    @property
    def login(self) -> str:
        """The person's login."""
        ...

    @property
    def role(self) -> Role:
        """The person's role at the desk."""
        ...


@dataclass(frozen=True)
class TicketFacts:
    """What the rules need to know of a ticket.

    Attributes:
        status: where it is in the workflow.
        holder: the login of whoever holds it, None if nobody does.
        tier: 1 (service desk), 2 (specialists) or 3 (vendor).
    """

    status: Status
    holder: str | None = None
    tier: int = 1


class Refusal(StrEnum):
    """Why the rules refuse an action (each is an error code the catalog words)."""

    ROLE = "permission.role"
    """The person's role may not do this at all."""
    HOLDER = "permission.holder"
    """Someone else holds the ticket, and the person is an agent."""
    CLOSED = "permission.closed"
    """The ticket is no longer open (resolved, closed or rejected)."""
    NOT_CLAIMABLE = "permission.not_claimable"
    """The ticket's status does not allow a claim or a takeover."""
    HELD = "permission.held"
    """Someone else holds the ticket: a claim conflicts (a lead may take it over instead)."""
    YOURS = "permission.yours"
    """The person already holds the ticket."""
    NOBODY_HOLDS = "permission.nobody_holds"
    """A takeover of a ticket nobody holds: claim it instead."""
    TOP_TIER = "permission.top_tier"
    """The ticket is already with the vendor (L3): there is no tier above."""


def role_may(role: Role, action: Action) -> bool:
    """The role may take the action at all (on some ticket)."""
    return Role(role) in ROLES[action]


def refusal(person: Person, action: Action, ticket: TicketFacts | None = None) -> Refusal | None:
    """Why ``person`` may not take ``action`` (on ``ticket``), or None when they may.

    The workflow's own conditions (which status may follow which, a required note) are
    :mod:`deskui.core.workflow`'s; this decides the person's part and the ticket's state.
    """
    if not role_may(person.role, action):
        return Refusal.ROLE
    if ticket is None:
        return None
    holder = ticket.holder
    if action in NEEDS_OPEN and not ticket.status.is_open:
        return Refusal.CLOSED
    if action == Action.WORKLOG and ticket.status == Status.CLOSED:
        return Refusal.CLOSED
    if action in (Action.CLAIM, Action.TAKE_OVER) and ticket.status not in CLAIMABLE:
        return Refusal.NOT_CLAIMABLE
    if action == Action.CLAIM and holder not in (None, person.login):
        return Refusal.HELD
    if action == Action.TAKE_OVER:
        if holder is None:
            return Refusal.NOBODY_HOLDS
        if holder == person.login:
            return Refusal.YOURS
    if action == Action.ESCALATE and ticket.tier >= TOP_TIER:
        return Refusal.TOP_TIER
    if action in HOLDER_ONLY and person.role == Role.AGENT and holder not in (None, person.login):
        return Refusal.HOLDER
    return None


def allows(person: Person, action: Action, ticket: TicketFacts | None = None) -> bool:
    """``person`` may take ``action`` (on ``ticket``) now."""
    return refusal(person, action, ticket) is None


def may_claim_now(person: Person, ticket: TicketFacts) -> bool:
    """A claim would make ``person`` the owner now: allowed, and not already theirs.

    A ticket routed straight to a person (a complaint to a lead) still waits for them to
    accept it by claiming, so one they hold that is new or to be assigned counts as claimable.
    """
    if not allows(person, Action.CLAIM, ticket):
        return False
    return ticket.holder != person.login or ticket.status in (Status.NEW, Status.TO_ASSIGN)
