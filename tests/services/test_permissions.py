"""Each refusal of the permission rules, as the services raise it (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from deskui.core.clock import FrozenClock
from deskui.core.enums import EventKind, Status
from deskui.core.permissions import Action
from deskui.services.desk import DeskService
from deskui.services.errors import ClaimConflict, PermissionDenied
from tests.services.test_intake import call


def new(desk: DeskService, **overrides: object) -> str:
    return desk.create_ticket(desk.actor("op"), call(**overrides)).number


def refused(run: Callable[[], object], code: str, action: Action) -> PermissionDenied:
    with pytest.raises(PermissionDenied) as info:
        run()
    assert (info.value.code, info.value.action) == (code, action)
    assert info.value.params["action"] == str(action)
    return info.value


def held_by_agent1(desk: DeskService) -> str:
    number = new(desk)
    desk.claim(desk.actor("agent1"), number)
    return number


def rejected(desk: DeskService) -> str:
    number = new(desk)
    desk.set_status(desk.actor("op"), number, "rejected", note="重复报告")
    return number


def test_roles_refused(desk: DeskService) -> None:
    n = new(desk)
    op, agent1 = desk.actor("op"), desk.actor("agent1")
    error = refused(lambda: desk.claim(op, n), "permission.role", Action.CLAIM)
    assert error.params["role"] == "operator"
    refused(
        lambda: desk.override_priority(agent1, n, "P1", "meeting"),
        "permission.role",
        Action.OVERRIDE_PRIORITY,
    )
    refused(lambda: desk.assign(agent1, n, "agent2"), "permission.role", Action.ASSIGN)
    refused(
        lambda: desk.save_rules(desk.actor("lead"), "matrix", {}, "why"),
        "permission.role",
        Action.CHANGE_RULES,
    )
    due = desk.clock.now() + timedelta(days=1)
    refused(lambda: desk.estimate(op, n, "parts", due), "permission.role", Action.ESTIMATE)


def test_takeover_and_claim_conflict(desk: DeskService) -> None:
    n = held_by_agent1(desk)
    with pytest.raises(ClaimConflict) as info:
        desk.claim(desk.actor("agent2"), n)
    assert (info.value.code, info.value.params) == (
        "ticket.held",
        {"number": n, "holder": "agent1"},
    )
    refused(
        lambda: desk.claim(desk.actor("agent2"), n, takeover=True),
        "permission.role",
        Action.TAKE_OVER,
    )
    assert desk.claim(desk.actor("lead"), n, takeover=True).assignee == "lead"


def test_holder_rule(desk: DeskService) -> None:
    n = held_by_agent1(desk)
    agent2 = desk.actor("agent2")
    due = desk.clock.now() + timedelta(days=1)
    refused(lambda: desk.transfer(agent2, n, "network"), "permission.holder", Action.TRANSFER)
    refused(lambda: desk.escalate(agent2, n, "tried"), "permission.holder", Action.ESCALATE)
    refused(lambda: desk.estimate(agent2, n, "parts", due), "permission.holder", Action.ESTIMATE)
    refused(
        lambda: desk.set_status(agent2, n, "awaiting_confirmation", note="fixed"),
        "permission.holder",
        Action.SOLVE,
    )
    refused(lambda: desk.set_status(agent2, n, "to_assign"), "permission.holder", Action.RELEASE)
    desk.set_status(desk.actor("agent1"), n, "pending", note="等备件")
    refused(
        lambda: desk.set_status(agent2, n, "in_progress", note="mine"),
        "permission.holder",
        Action.RESUME,
    )
    # the holder may, and a lead may on anyone's ticket
    view = desk.estimate(desk.actor("agent1"), n, "备件周五到", due)
    assert view.expected_by == due and view.events[-1].kind == EventKind.ESTIMATE
    desk.estimate(desk.actor("lead"), n, "周一到", due + timedelta(days=3))


def test_moves_narrower_than_their_action(desk: DeskService) -> None:
    n = held_by_agent1(desk)
    op = desk.actor("op")
    # someone holds it: the holder rule speaks first
    refused(
        lambda: desk.set_status(op, n, "pending", note="vendor"), "permission.holder", Action.PEND
    )
    refused(
        lambda: desk.set_status(op, n, "rejected", note="spam"), "permission.holder", Action.REJECT
    )
    # nobody holds it (transferred while pending): resuming work is for those who work tickets
    desk.set_status(desk.actor("agent1"), n, "pending", note="等备件")
    desk.transfer(desk.actor("lead"), n, "network")
    refused(
        lambda: desk.set_status(op, n, "in_progress", note="back"), "permission.role", Action.RESUME
    )
    r = rejected(desk)
    refused(
        lambda: desk.set_status(desk.actor("agent1"), r, "to_assign", note="oops"),
        "permission.role",
        Action.REOPEN,
    )


def test_a_finished_ticket_is_not_worked(desk: DeskService) -> None:
    n = rejected(desk)
    lead = desk.actor("lead")
    due = desk.clock.now() + timedelta(days=1)
    refused(lambda: desk.triage(lead, n, 1, 1), "permission.closed", Action.TRIAGE)
    refused(lambda: desk.transfer(lead, n, "network"), "permission.closed", Action.TRANSFER)
    refused(lambda: desk.escalate(lead, n, "tried all"), "permission.closed", Action.ESCALATE)
    refused(lambda: desk.estimate(lead, n, "later", due), "permission.closed", Action.ESTIMATE)
    refused(
        lambda: desk.worklog(lead, n, "told them", progress=True),
        "permission.closed",
        Action.PROGRESS,
    )
    refused(lambda: desk.claim(desk.actor("agent1"), n), "permission.not_claimable", Action.CLAIM)
    # a note on a finished ticket is still kept, until it is closed
    assert desk.worklog(lead, n, "caller agreed").events[-1].kind == EventKind.WORKLOG


def test_worklog_on_a_closed_ticket(desk: DeskService, clock: FrozenClock) -> None:
    n = held_by_agent1(desk)
    agent1, op = desk.actor("agent1"), desk.actor("op")
    desk.set_status(agent1, n, "awaiting_confirmation", note="换了硒鼓")
    desk.confirm(op, n, satisfaction=5, channel="phone")
    assert desk.set_status(op, n, "closed").status == Status.CLOSED
    refused(lambda: desk.worklog(agent1, n, "late note"), "permission.closed", Action.WORKLOG)


def test_escalation_stops_at_the_vendor(desk: DeskService) -> None:
    n = held_by_agent1(desk)  # hardware, L2
    agent1, lead = desk.actor("agent1"), desk.actor("lead")
    desk.escalate(agent1, n, "board swap")
    refused(lambda: desk.escalate(lead, n, "again"), "permission.top_tier", Action.ESCALATE)
    # naming a group at L3 sends the ticket there, as a transfer: at that group's tier
    moved = desk.escalate(lead, n, "vendor says it is the network", group="network")
    assert moved.tier == 2 and moved.group_code == "network"
