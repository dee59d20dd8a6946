"""Working tickets on SQLite and PostgreSQL: claim, triage, workflow, stale edits, audit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind, ClockState, EventKind, Status
from deskui.services.desk import DeskService
from deskui.services.errors import ClaimConflict, PermissionDenied, ServiceError, StaleEdit
from deskui.services.ledger import commit_change, lock_ticket, record, set_status
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.services.verify import verify_record
from deskui.services.views import TicketView
from deskui.store.models import Ticket, User
from tests.services.test_intake import call, lead_the_desk


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
    steps = [(e.kind, e.field, e.old_value, e.new_value) for e in moved.events][-2:]
    assert steps == [
        (EventKind.TRANSFERRED, "group", "hardware", "desk"),
        (EventKind.ROUTED, "tier", "L2", "L1"),
    ]


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


def test_a_ticket_in_progress_always_has_an_owner(desk: DeskService) -> None:
    n = new_ticket(desk).number
    agent1, lead = desk.actor("agent1"), desk.actor("lead")
    desk.claim(agent1, n)
    desk.set_status(agent1, n, "pending", note="等备件")
    moved = desk.transfer(lead, n, "network")
    assert (moved.status, moved.assignee) == (Status.PENDING, None)
    with pytest.raises(PermissionDenied) as info:
        desk.set_status(lead, n, "in_progress", note="parts came")
    assert info.value.code == "permission.unheld"
    desk.claim(lead, n)  # claimed while pending: it stays pending, now held
    resumed = desk.set_status(lead, n, "in_progress", note="parts came")
    assert (resumed.status, resumed.assignee) == (Status.IN_PROGRESS, "lead")


def test_every_move_to_the_queue_releases_the_holder(desk: DeskService) -> None:
    n = new_ticket(desk).number
    agent1, lead = desk.actor("agent1"), desk.actor("lead")
    desk.claim(agent1, n)
    desk.set_status(agent1, n, "pending", note="waiting for the caller")
    back = desk.set_status(agent1, n, "to_assign", note="caller is away for a week")
    assert (back.status, back.assignee) == (Status.TO_ASSIGN, None)
    assert [e.kind for e in back.events][-2:] == [EventKind.RELEASED, EventKind.RESUMED]
    desk.claim(agent1, n)
    desk.set_status(agent1, n, "rejected", note="out of scope")
    reopened = desk.set_status(lead, n, "to_assign", note="in scope after all")
    assert (reopened.status, reopened.assignee) == (Status.TO_ASSIGN, None)


def test_a_complaint_waits_new_for_the_lead_it_went_to(desk: DeskService) -> None:
    lead_the_desk(desk)
    view = new_ticket(desk, type="complaint", category="other")
    assert (view.status, view.assignee, view.group_code) == (Status.NEW, "lead", "desk")
    accepted = desk.claim(desk.actor("lead"), view.number)
    assert (accepted.status, accepted.assignee) == (Status.IN_PROGRESS, "lead")
    assert accepted.clocks[ClockKind.RESPONSE].state == ClockState.MET


def test_lowering_the_priority_needs_a_reason_raising_does_not(desk: DeskService) -> None:
    n = new_ticket(desk, impact=1, urgency=1).number  # P1
    agent1 = desk.actor("agent1")
    desk.claim(agent1, n)
    with pytest.raises(ServiceError) as info:
        desk.triage(agent1, n, 3, 4)
    assert (info.value.code, info.value.field) == ("triage.lower_reason", "note")
    assert info.value.params == {"number": n, "old": "P1", "new": "P4"}
    assert desk.ticket(n).priority == "P1", "nothing was saved"
    lowered = desk.triage(agent1, n, 3, 4, note="only one user, a workaround exists")
    assert lowered.priority == "P4"
    assert lowered.events[-1].note == "only one user, a workaround exists"
    assert desk.triage(agent1, n, 2, 2).priority == "P2"  # up: no reason needed


def test_a_retriage_clears_an_override_or_keeps_it_and_says_which(desk: DeskService) -> None:
    n = new_ticket(desk).number  # P4
    lead = desk.actor("lead")
    desk.override_priority(lead, n, "P1", "board meeting at 11")
    kept = desk.triage(lead, n, 2, 2, keep_override=True)
    assert (kept.priority, kept.matrix_priority) == ("P1", "P2")
    assert kept.override_reason == "board meeting at 11"
    assert kept.priority_reason == "I2 × U2 → P2; override → P1: board meeting at 11"
    fate = kept.events[-1]
    assert (fate.kind, fate.old_value, fate.new_value) == (
        EventKind.PRIORITY_OVERRIDE,
        "board meeting at 11",
        "board meeting at 11",
    )
    cleared = desk.triage(lead, n, 1, 1)
    assert (cleared.priority, cleared.override_reason) == ("P1", None)
    assert cleared.priority_reason == "I1 × U1 → P1"
    fate = cleared.events[-1]
    assert (fate.kind, fate.old_value, fate.new_value) == (
        EventKind.PRIORITY_OVERRIDE,
        "board meeting at 11",
        None,
    )


def test_the_previous_holder_stops_working_after_a_takeover(desk: DeskService) -> None:
    n = new_ticket(desk).number
    agent1, lead = desk.actor("agent1"), desk.actor("lead")
    desk.claim(agent1, n)
    desk.claim(lead, n, takeover=True)
    due = desk.clock.now() + timedelta(days=1)
    for attempt in (
        lambda: desk.worklog(agent1, n, "still looking"),
        lambda: desk.worklog(agent1, n, "told the caller", progress=True),
        lambda: desk.estimate(agent1, n, "parts", due),
        lambda: desk.triage(agent1, n, 1, 1),
    ):
        with pytest.raises(PermissionDenied) as info:
            attempt()
        assert info.value.code == "permission.holder"
    # the desk still notes what a caller said, whoever holds the ticket
    assert desk.worklog(desk.actor("op"), n, "caller rang again").events[-1].actor == "op"


def test_an_unheld_tickets_response_clock_is_not_stopped_by_an_update(
    desk: DeskService, clock: FrozenClock
) -> None:
    n = new_ticket(desk, impact=1, urgency=1).number
    with pytest.raises(PermissionDenied) as info:
        desk.worklog(desk.actor("lead"), n, "we are looking", progress=True)
    assert info.value.code == "permission.unheld"
    clock.advance(minutes=20)
    assert desk.ticket(n).clocks[ClockKind.RESPONSE].state == ClockState.BREACHED


def test_nothing_moves_while_the_solution_awaits_the_requester(desk: DeskService) -> None:
    n = new_ticket(desk).number
    agent1, lead = desk.actor("agent1"), desk.actor("lead")
    desk.claim(agent1, n)
    desk.set_status(agent1, n, "awaiting_confirmation", note="replaced the toner")
    for attempt in (
        lambda: desk.escalate(lead, n, "vendor"),
        lambda: desk.transfer(lead, n, "network"),
        lambda: desk.assign(lead, n, "agent2"),
    ):
        with pytest.raises(PermissionDenied) as info:
            attempt()
        assert info.value.code == "permission.awaiting"


def test_the_desk_records_the_requesters_confirmation(
    desk: DeskService, clock: FrozenClock
) -> None:
    n = new_ticket(desk).number
    lead, op = desk.actor("lead"), desk.actor("op")
    desk.claim(lead, n)
    desk.set_status(lead, n, "awaiting_confirmation", note="replaced the toner")
    with pytest.raises(PermissionDenied) as info:
        desk.confirm(lead, n, 5, channel="phone")
    assert info.value.code == "permission.solver"
    with pytest.raises(PermissionDenied) as info:
        desk.confirm(desk.actor("agent1"), n, 5, channel="phone")
    assert (info.value.code, info.value.params["role"]) == ("permission.role", "agent")
    assert "an agent may not confirm" in str(info.value)
    for bad, field in (
        ({"channel": None}, "confirmation_channel"),
        ({"channel": "fax"}, "confirmation_channel"),
        ({"channel": "im", "aspects": {"speed": 6}}, "satisfaction_speed"),
        ({"channel": "im", "aspects": {"price": 3}}, "aspect"),
    ):
        with pytest.raises(ServiceError) as bad_info:
            desk.confirm(op, n, 5, **bad)
        assert bad_info.value.field == field
    assert desk.ticket(n).status == Status.AWAITING_CONFIRMATION, "nothing half-saved"
    clock.advance(minutes=5)
    done = desk.confirm(
        op, n, 4, channel="im", aspects={"speed": 5, "attitude": 4}, remark="快，态度好"
    )
    assert (done.status, done.confirmed_by, done.confirmation_channel) == (
        Status.RESOLVED,
        "张三",
        "im",
    )
    assert done.confirmation_recorded_by == "op" and done.confirmed_at == clock.now()
    assert done.satisfaction == 4 and done.satisfaction_aspects == {"speed": 5, "attitude": 4}
    confirmed = [e for e in done.events if e.kind == EventKind.CONFIRMED]
    assert {(e.field, e.new_value) for e in confirmed} == {
        ("confirmed_by", "张三"),
        ("confirmation_channel", "im"),
        ("satisfaction", "4"),
        ("satisfaction_speed", "5"),
        ("satisfaction_attitude", "4"),
    }
    assert {(e.actor, e.at) for e in confirmed} == {("op", clock.now())}
    data = done.to_json(desk.rules.tz, clock.now())
    assert data["confirmation_channel"] == "im" and data["confirmation_recorded_by"] == "op"
    assert data["satisfaction_aspects"] == {"speed": 5, "attitude": 4}


def test_the_requester_refuses_the_solution(desk: DeskService) -> None:
    n = new_ticket(desk).number
    agent1, op = desk.actor("agent1"), desk.actor("op")
    desk.claim(agent1, n)
    desk.set_status(agent1, n, "awaiting_confirmation", note="replaced the toner")
    with pytest.raises(ServiceError) as info:
        desk.refuse(op, n, "  ", "phone")
    assert info.value.field == "reason"
    back = desk.refuse(op, n, "still streaks on every page", "phone")
    assert (back.status, back.assignee) == (Status.IN_PROGRESS, "agent1")
    refusal = back.events[-1]
    assert (refusal.kind, refusal.actor, refusal.new_value, refusal.note) == (
        EventKind.REFUSED,
        "op",
        "phone",
        "still streaks on every page",
    )
    with pytest.raises(ServiceError) as info:
        desk.refuse(op, n, "again", "phone")
    assert info.value.code == "ticket.no_transition"


def test_a_ticket_is_assigned_only_to_someone_who_works_tickets(desk: DeskService) -> None:
    n = new_ticket(desk).number
    with pytest.raises(ServiceError) as info:
        desk.assign(desk.actor("lead"), n, "op")
    assert (info.value.code, info.value.field) == ("assign.not_handler", "assignee")
    assert desk.ticket(n).assignee is None
    assert desk.assign(desk.actor("lead"), n, "agent2").assignee == "agent2"


def test_an_assignment_leaves_the_response_clock_running_until_the_assignee_accepts(
    desk: DeskService, clock: FrozenClock
) -> None:
    n = new_ticket(desk).number
    clock.advance(minutes=5)
    assigned = desk.assign(desk.actor("lead"), n, "agent2", note="懂这台打印机")
    assert (assigned.status, assigned.assignee, assigned.accepted_at) == (
        Status.TO_ASSIGN,
        "agent2",
        None,
    )
    event = [e for e in assigned.events if e.field == "assignee"][-1]
    assert (event.kind, event.actor, event.old_value, event.new_value) == (
        EventKind.ASSIGNED,
        "lead",
        "-",
        "agent2",
    )
    assert event.note == "懂这台打印机"
    assert assigned.clocks[ClockKind.RESPONSE].state.is_live
    clock.advance(minutes=5)
    assert desk.ticket(n).clocks[ClockKind.RESPONSE].state.is_live
    # someone else may not take the assignee's ticket by claiming it
    with pytest.raises(ClaimConflict):
        desk.claim(desk.actor("agent1"), n)
    accepted = desk.claim(desk.actor("agent2"), n)
    assert (accepted.status, accepted.assignee, accepted.accepted_at) == (
        Status.IN_PROGRESS,
        "agent2",
        clock.now(),
    )
    assert [e.kind for e in accepted.events if e.field == "assignee"][-1] == EventKind.CLAIMED
    response = accepted.clocks[ClockKind.RESPONSE]
    assert not response.state.is_live and response.stopped_at == clock.now()


def test_a_takeover_still_stops_the_response_clock(desk: DeskService, clock: FrozenClock) -> None:
    n = new_ticket(desk).number
    desk.assign(desk.actor("lead"), n, "agent2")
    clock.advance(minutes=3)
    taken = desk.claim(desk.actor("lead"), n, takeover=True, reason="我来")
    assert [e.kind for e in taken.events if e.field == "assignee"][-1] == EventKind.TAKEOVER
    assert (taken.status, taken.assignee) == (Status.IN_PROGRESS, "lead")
    assert taken.clocks[ClockKind.RESPONSE].stopped_at == clock.now()


def test_a_lead_assigning_to_themselves_claims_it(desk: DeskService, clock: FrozenClock) -> None:
    n = new_ticket(desk).number
    clock.advance(minutes=2)
    mine = desk.assign(desk.actor("lead"), n, "lead")
    assert (mine.status, mine.assignee) == (Status.IN_PROGRESS, "lead")
    assert [e.kind for e in mine.events if e.field == "assignee"][-1] == EventKind.CLAIMED
    assert mine.clocks[ClockKind.RESPONSE].stopped_at == clock.now()


def _assigned_as_before(
    *, session: Session, number: str, actor: Actor, rules: DeskRules, now: datetime
) -> Ticket:
    """An assignment as the desk recorded it before assignments had their own kind."""
    ticket = lock_ticket(session, number, None)
    record(session, ticket, actor, EventKind.TAKEOVER, now, field="assignee", old="-", new="agent2")
    ticket.assignee_id = session.exec(select(User.id).where(User.login == "agent2")).one()
    ticket.accepted_at = now
    set_status(session, ticket, actor, Status.IN_PROGRESS, now)
    commit_change(session, ticket, rules, now)
    return ticket


def test_an_assignment_recorded_as_a_takeover_reads_as_recorded(
    desk: DeskService, clock: FrozenClock
) -> None:
    n = new_ticket(desk).number
    clock.advance(minutes=5)
    lead, rules = desk.actor("lead"), desk.rules
    desk.write(
        lambda s: _assigned_as_before(session=s, number=n, actor=lead, rules=rules, now=clock.now())
    )
    old = desk.ticket(n)
    assert [e.kind for e in old.events if e.field == "assignee"] == [EventKind.TAKEOVER]
    assert old.clocks[ClockKind.RESPONSE].stopped_at == clock.now()
    clock.advance(minutes=5)
    assert desk.ticket(n).clocks[ClockKind.RESPONSE].stopped_at == clock.now() - timedelta(
        minutes=5
    )
    # later changes chain on it, and the record verifies
    desk.assign(lead, n, "agent1")
    assert desk.read(lambda s: verify_record(s)).ok
