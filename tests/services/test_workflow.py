"""Working tickets on SQLite and PostgreSQL: claim, triage, workflow, stale edits, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind, ClockState, EventKind, Status
from deskui.services.desk import DeskService
from deskui.services.errors import ClaimConflict, PermissionDenied, ServiceError, StaleEdit
from deskui.services.views import TicketView
from tests.services.test_intake import call


def new_ticket(desk: DeskService, **overrides: object) -> TicketView:
    return desk.create_ticket(desk.actor("op"), call(**overrides))


def test_claim_makes_one_owner_and_stops_response(desk: DeskService, clock: FrozenClock) -> None:
    ticket = new_ticket(desk)
    clock.advance(minutes=10)
    claimed = desk.claim(desk.actor("agent1"), ticket.number)
    assert claimed.assignee == "agent1" and claimed.status == Status.IN_PROGRESS
    assert claimed.accepted_at == clock.now()
    assert claimed.clocks[ClockKind.RESPONSE].state == ClockState.MET
    with pytest.raises(ClaimConflict) as info:
        desk.claim(desk.actor("agent2"), ticket.number)
    assert info.value.holder == "agent1"
    assert "agent1" in str(info.value)
    # claiming your own ticket again is harmless
    assert desk.claim(desk.actor("agent1"), ticket.number).version == claimed.version


def test_takeover_is_for_leads_and_audited(desk: DeskService) -> None:
    ticket = new_ticket(desk)
    desk.claim(desk.actor("agent1"), ticket.number)
    with pytest.raises(PermissionDenied):
        desk.claim(desk.actor("agent2"), ticket.number, takeover=True)
    taken = desk.claim(desk.actor("lead"), ticket.number, takeover=True)
    assert taken.assignee == "lead"
    event = [e for e in taken.events if e.kind == EventKind.TAKEOVER][-1]
    assert (event.actor, event.old_value, event.new_value) == ("lead", "agent1", "lead")


def test_operator_cannot_claim(desk: DeskService) -> None:
    with pytest.raises(PermissionDenied):
        desk.claim(desk.actor("op"), new_ticket(desk).number)


def test_triage_recomputes_priority_and_due(desk: DeskService) -> None:
    ticket = new_ticket(desk)  # I3 × U3 → P4
    assert ticket.clocks[ClockKind.RESOLUTION].business
    triaged = desk.triage(desk.actor("agent1"), ticket.number, 1, 1)
    assert triaged.priority == "P1" and triaged.priority_reason == "I1 × U1 → P1"
    resolution = triaged.clocks[ClockKind.RESOLUTION]
    assert resolution.due == ticket.received_at + timedelta(hours=4)
    assert triaged.events[-1].kind == EventKind.TRIAGED
    assert triaged.events[-1].old_value == "I3 U3 P4"


def test_stale_edit_is_refused_and_nothing_overwritten(desk: DeskService) -> None:
    ticket = new_ticket(desk)
    desk.triage(desk.actor("agent1"), ticket.number, 2, 2)
    with pytest.raises(StaleEdit) as info:
        desk.triage(desk.actor("agent2"), ticket.number, 3, 4, expected_version=ticket.version)
    assert "changed by someone else" in str(info.value)
    assert desk.ticket(ticket.number).priority == "P2"


def test_priority_override_by_lead_only(desk: DeskService) -> None:
    ticket = new_ticket(desk)
    with pytest.raises(PermissionDenied):
        desk.override_priority(desk.actor("agent1"), ticket.number, "P1", "VIP meeting")
    with pytest.raises(ServiceError, match="reason"):
        desk.override_priority(desk.actor("lead"), ticket.number, "P1", " ")
    view = desk.override_priority(desk.actor("lead"), ticket.number, "P1", "board meeting at 11")
    assert view.priority == "P1" and view.override_reason == "board meeting at 11"
    assert view.events[-1].kind == EventKind.PRIORITY_OVERRIDE


def test_full_lifecycle_with_pause(desk: DeskService, clock: FrozenClock) -> None:
    n = new_ticket(desk, impact=2, urgency=2).number  # P2: 8 h resolution
    agent = desk.actor("agent1")
    desk.claim(agent, n)
    clock.advance(hours=1)
    desk.worklog(agent, n, "checked cables")
    desk.worklog(agent, n, "told the caller we are on it", progress=True)
    with pytest.raises(ServiceError, match="note"):
        desk.set_status(agent, n, "pending")
    paused = desk.set_status(agent, n, "pending", note="waiting for the vendor")
    assert paused.clocks[ClockKind.RESOLUTION].state == ClockState.PAUSED
    assert paused.clocks[ClockKind.RESOLUTION].paused_reason == "waiting for the vendor"
    clock.advance(hours=3)
    resumed = desk.set_status(agent, n, "in_progress", note="part arrived")
    assert resumed.clocks[ClockKind.RESOLUTION].due == paused.received_at + timedelta(hours=11)
    solved = desk.set_status(agent, n, "awaiting_confirmation", note="replaced the switch")
    assert solved.solution == "replaced the switch"
    assert solved.clocks[ClockKind.RESOLUTION].state == ClockState.MET
    with pytest.raises(ServiceError, match="cannot be closed|cannot go"):
        desk.set_status(desk.actor("op"), n, "closed")
    refused = desk.set_status(desk.actor("op"), n, "in_progress", note="still down")
    assert refused.status == Status.IN_PROGRESS
    assert refused.events[-1].kind == EventKind.REFUSED
    desk.set_status(agent, n, "awaiting_confirmation", note="replaced the cable too")
    with pytest.raises(ServiceError, match="1 to 5"):
        desk.confirm(desk.actor("op"), n, satisfaction=6)
    confirmed = desk.confirm(desk.actor("op"), n, satisfaction=5, remark="快", channel="phone")
    assert confirmed.status == Status.RESOLVED and confirmed.satisfaction == 5
    assert confirmed.satisfaction_remark == "快" and confirmed.confirmed_by == "张三"
    with pytest.raises(ServiceError):
        desk.set_status(agent, n, "closed")  # agents do not close
    closed = desk.set_status(desk.actor("op"), n, "closed")
    assert closed.status == Status.CLOSED and closed.closed_at == clock.now()
    kinds = [e.kind for e in closed.events]
    assert kinds.count(EventKind.STATUS) == 9
    assert all(e.at is not None for e in closed.events)


def test_escalation_needs_a_note_and_moves_tiers(desk: DeskService) -> None:
    n = new_ticket(desk, category="other").number  # the service desk's own: L1
    assert desk.ticket(n).tier == 1 and desk.ticket(n).group_code == "desk"
    lead = desk.actor("lead")
    with pytest.raises(ServiceError, match="required"):
        desk.escalate(lead, n, "  ")
    # "other" names no L2 group: the desk is asked which, and told the choices
    with pytest.raises(ServiceError) as info:
        desk.escalate(lead, n, "not ours")
    assert info.value.code == "escalate.group_needed"
    assert info.value.params["choices"] == "account, hardware, network, software, vendor"
    l2 = desk.escalate(lead, n, "rebooted, reseated RAM; still no POST", group="hardware")
    assert (l2.tier, l2.group_code, l2.assignee, l2.status) == (2, "hardware", None, "to_assign")
    assert l2.routing_reason == "L1 → L2 · desk → hardware · lead"
    desk.claim(desk.actor("agent1"), n)
    l3 = desk.escalate(desk.actor("agent1"), n, "needs the vendor's board swap")
    assert l3.tier == 3 and l3.group_code == "vendor"
    assert l3.assignee is None and l3.status == Status.TO_ASSIGN
    with pytest.raises(ServiceError, match="L3"):
        desk.escalate(desk.actor("lead"), n, "again")


def test_a_routed_ticket_is_at_its_groups_tier_and_escalates_by_category(
    desk: DeskService,
) -> None:
    n = new_ticket(desk).number  # hardware: the specialists, L2
    assert desk.ticket(n).tier == 2
    with pytest.raises(ServiceError) as info:
        desk.escalate(desk.actor("lead"), n, "try", group="software")  # not above L2
    assert info.value.code == "escalate.group_needed"
    moved = desk.escalate(desk.actor("lead"), n, "the vendor's firmware")
    assert (moved.tier, moved.group_code) == (3, "vendor")


def test_transfer_takes_the_groups_tier_and_says_why(desk: DeskService) -> None:
    n = new_ticket(desk).number
    moved = desk.transfer(desk.actor("lead"), n, "desk", note="a how-to question")
    assert (moved.tier, moved.group_code) == (1, "desk")
    assert moved.routing_reason == "hardware → desk · lead"
    assert [e.kind for e in moved.events][-1] == EventKind.TRANSFERRED


def test_agent_cannot_work_someone_elses_ticket(desk: DeskService) -> None:
    n = new_ticket(desk).number
    desk.claim(desk.actor("agent1"), n)
    with pytest.raises(PermissionDenied):
        desk.set_status(desk.actor("agent2"), n, "pending", note="mine now")
    with pytest.raises(PermissionDenied):
        desk.transfer(desk.actor("agent2"), n, "network")
    moved = desk.transfer(desk.actor("lead"), n, "network", note="it is the switch")
    assert moved.group_code == "network" and moved.assignee is None
    assert moved.status == Status.TO_ASSIGN


def test_reject_and_reopen(desk: DeskService) -> None:
    n = new_ticket(desk).number
    with pytest.raises(ServiceError, match="note"):
        desk.set_status(desk.actor("op"), n, "rejected")
    rejected = desk.set_status(desk.actor("op"), n, "rejected", note="与 IT20261101003 重复，谢谢")
    assert rejected.status == Status.REJECTED and not rejected.is_open
    with pytest.raises(ServiceError):
        desk.set_status(desk.actor("agent1"), n, "to_assign", note="oops")
    reopened = desk.set_status(desk.actor("lead"), n, "to_assign", note="not a duplicate")
    assert reopened.status == Status.TO_ASSIGN and reopened.events[-1].kind == EventKind.REOPENED


def test_worklog_masks_secrets_and_keeps_cjk(desk: DeskService) -> None:
    n = new_ticket(desk).number
    view = desk.worklog(desk.actor("agent1"), n, "用户密码: Hunter2024 已重置\x1b[2J")
    note = view.events[-1].note or ""
    assert "Hunter2024" not in note and "已重置" in note and "\x1b" not in note


def test_counts(desk: DeskService, clock: FrozenClock) -> None:
    new_ticket(desk, impact=1, urgency=1)
    new_ticket(desk)
    assert desk.counts().open == 2 and desk.counts().p1 == 1 and desk.counts().breached == 0
    clock.advance(minutes=16)
    assert desk.counts().breached == 1
