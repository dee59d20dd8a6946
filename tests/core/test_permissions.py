"""The role × action matrix, the holder rules and the change-status picker, as pure tables."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from deskui.core.enums import Role, Status
from deskui.core.permissions import (
    HOLDER_ONLY,
    NEEDS_OPEN,
    ROLES,
    Action,
    Refusal,
    TicketFacts,
    allows,
    may_claim_now,
    refusal,
)
from deskui.core.workflow import TRANSITIONS, status_targets


@dataclass(frozen=True)
class Person:
    login: str
    role: Role


OP, AGENT, LEAD, ADMIN = Role.OPERATOR, Role.AGENT, Role.DUTY_LEAD, Role.ADMIN
A = Action

#: Who may take each action at all: the desk's rules written out once more, by hand.
EXPECTED: dict[Action, set[Role]] = {
    A.LOG_CALL: {OP, AGENT, LEAD, ADMIN},
    A.DISPATCH: {OP, AGENT, LEAD, ADMIN},
    A.RESOLVE_AT_INTAKE: {OP, AGENT, LEAD, ADMIN},
    A.CLAIM: {AGENT, LEAD, ADMIN},
    A.TAKE_OVER: {LEAD, ADMIN},
    A.ASSIGN: {LEAD, ADMIN},
    A.TRIAGE: {OP, AGENT, LEAD, ADMIN},
    A.OVERRIDE_PRIORITY: {LEAD, ADMIN},
    A.TRANSFER: {OP, AGENT, LEAD, ADMIN},
    A.ESCALATE: {OP, AGENT, LEAD, ADMIN},
    A.WORKLOG: {OP, AGENT, LEAD, ADMIN},
    A.PROGRESS: {OP, AGENT, LEAD, ADMIN},
    A.ESTIMATE: {AGENT, LEAD, ADMIN},
    A.PEND: {OP, AGENT, LEAD, ADMIN},
    A.RESUME: {OP, AGENT, LEAD, ADMIN},
    A.RELEASE: {AGENT, LEAD, ADMIN},
    A.SOLVE: {AGENT, LEAD, ADMIN},
    A.CONFIRM: {OP, AGENT, LEAD, ADMIN},
    A.REFUSE: {OP, AGENT, LEAD, ADMIN},
    A.REJECT: {OP, AGENT, LEAD, ADMIN},
    A.REOPEN: {OP, AGENT, LEAD, ADMIN},
    A.CLOSE: {OP, LEAD, ADMIN},
    A.CHANGE_RULES: {ADMIN},
    A.MANAGE_USERS: {ADMIN},
}


def test_the_matrix_covers_every_action() -> None:
    assert set(ROLES) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_by_action(role: Role, action: Action) -> None:
    person = Person("someone", role)
    expected = role in EXPECTED[action]
    assert allows(person, action) is expected
    assert refusal(person, action) == (None if expected else Refusal.ROLE)


@pytest.mark.parametrize("action", sorted(HOLDER_ONLY))
def test_an_agent_works_only_a_ticket_they_hold_or_nobody_holds(action: Action) -> None:
    held = TicketFacts(Status.IN_PROGRESS, holder="agent1")
    free = TicketFacts(Status.IN_PROGRESS)
    assert refusal(Person("agent2", AGENT), action, held) == Refusal.HOLDER
    assert refusal(Person("agent1", AGENT), action, held) is None
    assert refusal(Person("agent2", AGENT), action, free) is None
    # leads act on any ticket
    assert refusal(Person("lead", LEAD), action, held) is None


@pytest.mark.parametrize("action", sorted(NEEDS_OPEN))
@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED, Status.REJECTED])
def test_actions_on_a_finished_ticket(action: Action, status: Status) -> None:
    assert refusal(Person("admin", ADMIN), action, TicketFacts(status)) == Refusal.CLOSED


def test_worklog_is_refused_only_once_closed() -> None:
    admin = Person("admin", ADMIN)
    assert refusal(admin, A.WORKLOG, TicketFacts(Status.RESOLVED)) is None
    assert refusal(admin, A.WORKLOG, TicketFacts(Status.CLOSED)) == Refusal.CLOSED


def test_claims_and_takeovers() -> None:
    agent, lead = Person("agent2", AGENT), Person("lead", LEAD)
    held = TicketFacts(Status.IN_PROGRESS, holder="agent1")
    assert refusal(agent, A.CLAIM, held) == Refusal.HELD
    assert refusal(lead, A.TAKE_OVER, held) is None
    assert refusal(lead, A.TAKE_OVER, TicketFacts(Status.TO_ASSIGN)) == Refusal.NOBODY_HOLDS
    assert refusal(lead, A.TAKE_OVER, TicketFacts(Status.PENDING, "lead")) == Refusal.YOURS
    resolved = TicketFacts(Status.RESOLVED)
    assert refusal(agent, A.CLAIM, resolved) == Refusal.NOT_CLAIMABLE
    assert refusal(lead, A.ESCALATE, TicketFacts(Status.IN_PROGRESS, tier=3)) == Refusal.TOP_TIER
    # routed straight to a lead, a new ticket still waits for them to accept it
    assert may_claim_now(lead, TicketFacts(Status.NEW, holder="lead"))
    assert not may_claim_now(lead, TicketFacts(Status.IN_PROGRESS, holder="lead"))


def test_status_targets_follow_workflow_roles_and_holder() -> None:
    agent1, agent2 = Person("agent1", AGENT), Person("agent2", AGENT)
    op, lead = Person("op", OP), Person("lead", LEAD)
    new = TicketFacts(Status.NEW)
    # an unclaimed ticket offers in progress only to whoever may claim it
    assert Status.IN_PROGRESS in status_targets(agent1, new)
    assert Status.IN_PROGRESS not in status_targets(op, new)
    assert status_targets(op, new) == [Status.TO_ASSIGN, Status.RESOLVED, Status.REJECTED]
    held = TicketFacts(Status.IN_PROGRESS, holder="agent1")
    mine = [Status.TO_ASSIGN, Status.PENDING, Status.AWAITING_CONFIRMATION, Status.REJECTED]
    assert status_targets(agent1, held) == mine
    assert status_targets(agent2, held) == []
    assert status_targets(op, held) == []  # only those who work tickets pend or reject it
    assert status_targets(lead, held) == mine
    assert status_targets(lead, TicketFacts(Status.TO_ASSIGN, holder="agent1")) == [
        Status.PENDING,
        Status.REJECTED,
    ]
    rejected = TicketFacts(Status.REJECTED)
    assert status_targets(lead, rejected) == [Status.TO_ASSIGN]
    assert status_targets(agent1, rejected) == []
    assert status_targets(op, TicketFacts(Status.RESOLVED)) == [Status.CLOSED, Status.IN_PROGRESS]
    assert status_targets(agent1, TicketFacts(Status.RESOLVED)) == [Status.IN_PROGRESS]
    assert status_targets(lead, TicketFacts(Status.CLOSED)) == []


def test_status_targets_never_offer_what_the_workflow_lacks() -> None:
    for status in Status:
        for role in Role:
            offered = status_targets(Person("x", role), TicketFacts(status))
            assert {(status, t) for t in offered} <= {(t.source, t.target) for t in TRANSITIONS}
