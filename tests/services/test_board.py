"""The emergency board's read: who is on it, in what order, and how its clocks move in memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from deskui.core.alerts import Alert
from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind, ClockState, EventKind, Priority
from deskui.services.board import (
    AlertBook,
    BoardSnapshot,
    board_snapshot,
    current_alerts,
    ordered_rows,
    warning_horizon,
)
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.errors import AlreadyAcknowledged, PermissionDenied, ServiceError
from deskui.services.intake import IntakeRequest
from deskui.services.verify import verify_record
from tests.conftest import FROZEN_AT, SHANGHAI

# impact, urgency → priority with the default matrix
P1, P2, P3, P4 = (1, 1), (2, 2), (3, 2), (3, 3)
#: a statement's parameters as the DBAPI gets them: named or positional
DbParams = Mapping[str, object] | Sequence[object]


def call(summary: str, impact_urgency: tuple[int, int]) -> IntakeRequest:
    impact, urgency = impact_urgency
    return IntakeRequest(
        type="incident",
        category="hardware",
        channel="phone",
        impact=impact,
        urgency=urgency,
        summary=summary,
        description=summary,
        requester=RequesterInput(name="张三", phone="138-0013-8000", department="财务部"),
    )


def log_call(
    desk: DeskService, clock: FrozenClock, at: datetime, summary: str, pri: tuple[int, int]
) -> str:
    """A call received at ``at`` (the desk's clock is moved there for it)."""
    clock.instant = at
    return desk.create_ticket(desk.actor("op"), call(summary, pri)).number


def snapshot(desk: DeskService, at: datetime, **limits: int) -> BoardSnapshot:
    return desk.read(lambda s: board_snapshot(session=s, rules=desk.rules, now=at, **limits))


def at(hour: int, minute: int = 0, second: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


def test_board_holds_urgent_and_alarming_tickets_nearest_due_first(
    desk: DeskService, clock: FrozenClock
) -> None:
    p1_breached = log_call(desk, clock, at(9, 40), "P1 response breached", P1)
    p2_warning = log_call(desk, clock, at(9, 10), "P2 response warning", P2)
    p2_met = log_call(desk, clock, at(9, 55), "P2 claimed", P2)
    desk.claim(desk.actor("agent1"), p2_met)
    p3_warning = log_call(desk, clock, at(9, 5), "P3 response warning", P3)
    p4_breached = log_call(desk, clock, at(8, 0), "P4 response breached", P4)
    p3_fresh = log_call(desk, clock, at(9, 55), "P3 fresh", P3)
    p4_fresh = log_call(desk, clock, at(9, 59), "P4 fresh", P4)
    p1_done = log_call(desk, clock, at(9, 0), "P1 resolved", P1)
    lead = desk.actor("lead")
    desk.claim(lead, p1_done)
    desk.set_status(lead, p1_done, "awaiting_confirmation", note="fixed")
    desk.confirm(desk.actor("op"), p1_done, None, channel="phone")

    board = snapshot(desk, at(10, 0))

    numbers = [r.number for r in board.rows]
    # nobody acknowledged anything: the P1 (its own alert and its breach), then the P4's breach;
    # then the P2s, nearest due first (10:10; the claimed one by its update clock, 13:55); then
    # the P3 in warning
    assert numbers == [p1_breached, p4_breached, p2_warning, p2_met, p3_warning]
    assert p3_fresh not in numbers and p4_fresh not in numbers and p1_done not in numbers
    rows = {r.number: r for r in board.rows}
    assert rows[p1_breached].clocks[ClockKind.RESPONSE].state == ClockState.BREACHED
    assert rows[p2_warning].clocks[ClockKind.RESPONSE].state == ClockState.WARNING
    assert rows[p2_met].clocks[ClockKind.RESPONSE].state == ClockState.MET
    assert rows[p2_met].assignee == "agent1" and rows[p2_met].assignee_name == "张伟"
    assert rows[p1_breached].requester == "张三" and rows[p1_breached].priority == Priority.P1
    assert board.as_of == at(10, 0)


def test_paused_clocks_carry_their_reason(desk: DeskService, clock: FrozenClock) -> None:
    number = log_call(desk, clock, at(9, 0), "waiting for a part", P2)
    agent = desk.actor("agent1")
    desk.claim(agent, number)
    clock.instant = at(9, 30)
    desk.set_status(agent, number, "pending", note="等待厂商备件")

    row = snapshot(desk, at(10, 0)).rows[0]

    for kind in (ClockKind.UPDATE, ClockKind.RESOLUTION):
        assert row.clocks[kind].state == ClockState.PAUSED
        assert row.clocks[kind].paused_reason == "等待厂商备件"
    assert row.due is None  # nothing runs: sorted after every running ticket


@pytest.mark.parametrize(
    "later",
    [
        timedelta(seconds=1),
        timedelta(minutes=4),
        timedelta(minutes=50),
        timedelta(hours=5),
        timedelta(days=4, hours=3),
    ],
)
def test_clocks_advanced_in_memory_equal_a_fresh_read(
    desk: DeskService, clock: FrozenClock, later: timedelta
) -> None:
    # Friday afternoon: the P4 resolution clock (3 working days) crosses a weekend
    friday = at(16, 0, day=6)
    log_call(desk, clock, friday - timedelta(minutes=50), "P2", P2)
    log_call(desk, clock, friday - timedelta(minutes=58), "P4", P4)
    number = log_call(desk, clock, friday - timedelta(hours=1), "P1 claimed", P1)
    desk.claim(desk.actor("agent1"), number)
    first = snapshot(desk, friday)
    fresh = snapshot(desk, friday + later)
    fresh_rows = {r.number: r for r in fresh.rows}
    for row in first.rows:
        moved = first.clocks_at(row, friday + later)
        for kind, clock_now in moved.items():
            expected = fresh_rows[row.number].clocks[kind]
            assert clock_now.state == expected.state, (row.number, kind)
            assert clock_now.remaining_seconds == pytest.approx(expected.remaining_seconds)
            assert clock_now.due == expected.due


def test_recheck_when_the_next_ticket_will_enter_warning(
    desk: DeskService, clock: FrozenClock
) -> None:
    number = log_call(desk, clock, at(10, 0), "P3 due 11:00, warns at 10:45", P3)
    early = snapshot(desk, at(10, 0))
    assert early.rows == ()
    assert early.recheck_at == at(10, 5)  # nothing within reach: look again after the lookahead
    close = snapshot(desk, at(10, 42))
    assert close.rows == ()
    assert close.recheck_at == at(10, 45)
    entered = snapshot(desk, at(10, 45))
    assert [r.number for r in entered.rows] == [number]


def test_the_read_never_loads_tickets_far_from_due(desk: DeskService, clock: FrozenClock) -> None:
    for n in range(5):
        log_call(desk, clock, at(9, 59), f"quiet P4 #{n}", P4)
    urgent = log_call(desk, clock, at(9, 59), "P1", P1)
    statements: list[tuple[str, DbParams]] = []

    def note(_conn: object, _cursor: object, sql: str, params: DbParams, *_rest: object) -> None:
        statements.append((sql, params))

    event.listen(desk.db.engine, "before_cursor_execute", note)
    board = snapshot(desk, at(10, 0))
    assert [r.number for r in board.rows] == [urgent]
    event_reads = [p for sql, p in statements if "FROM ticket_event" in sql]
    assert len(event_reads) == 1
    # only the one candidate's history was read
    params = event_reads[0]
    flat = params.values() if isinstance(params, Mapping) else params
    assert len([v for v in flat if isinstance(v, int)]) == 1


def test_warning_horizon_covers_a_due_time_at_the_end_of_a_working_day(desk: DeskService) -> None:
    rules = desk.rules
    friday_evening = at(17, 0, day=6)
    horizon = warning_horizon(rules, friday_evening)
    # the widest span: a quarter of 3 working days (6.75 working hours) from Friday 17:00
    assert horizon >= datetime(2026, 11, 9, 14, 45, tzinfo=SHANGHAI)
    assert warning_horizon(rules, FROZEN_AT) >= FROZEN_AT + timedelta(hours=6)


def test_breach_is_found_by_time_alone(desk: DeskService, clock: FrozenClock) -> None:
    number = log_call(desk, clock, at(10, 0), "P2 response due 11:00", P2)
    board = snapshot(desk, at(10, 0))
    row = board.rows[0]
    assert current_alerts(board, at(11, 0)) == {}
    assert current_alerts(board, at(11, 0, 1)) == {Alert(number, ClockKind.RESPONSE): at(11, 0)}
    assert board.clocks_at(row, at(11, 0, 1))[ClockKind.RESPONSE].state == ClockState.BREACHED


def test_a_business_clock_resting_on_a_weekend_is_not_breached(
    desk: DeskService, clock: FrozenClock
) -> None:
    # P4 received Tuesday 18:00 (after hours): 3 working days end exactly Friday 18:00
    number = log_call(desk, clock, at(18, 0, day=3), "P4", P4)
    desk.claim(desk.actor("agent1"), number)
    friday = at(17, 0, day=6)
    board = snapshot(desk, friday)
    row = board.rows[0]
    assert row.clocks[ClockKind.RESOLUTION].due == at(18, 0, day=6)
    saturday = at(12, 0, day=7)
    assert ClockKind.RESOLUTION not in board.breached_at(row, saturday)
    assert board.clocks_at(row, saturday)[ClockKind.RESOLUTION].state == ClockState.WARNING
    monday = at(9, 0, 1, day=9)
    assert ClockKind.RESOLUTION in board.breached_at(row, monday)


def test_alert_book_rings_once_and_reads_acknowledgements_from_the_record(
    desk: DeskService, clock: FrozenClock
) -> None:
    p1 = log_call(desk, clock, at(9, 40), "P1", P1)
    p2 = log_call(desk, clock, at(9, 50), "P2 response due 10:50", P2)
    book = AlertBook()
    board = snapshot(desk, at(10, 0))
    assert book.update(board, at(10, 0)) == {Alert(p1), Alert(p1, ClockKind.RESPONSE)}
    assert book.update(board, at(10, 0, 1)) == set(), "an alert rings once"
    assert book.update(board, at(10, 50, 1)) == {Alert(p2, ClockKind.RESPONSE)}
    assert book.pending_for(p1) == [Alert(p1), Alert(p1, ClockKind.RESPONSE)]

    clock.instant = at(10, 51)
    desk.acknowledge(desk.actor("lead"), p1)
    board = snapshot(desk, at(10, 51))
    assert book.update(board, at(10, 51)) == set()
    assert book.pending() == [Alert(p2, ClockKind.RESPONSE)]
    ack = book.acknowledgement_for(p1)
    assert ack is not None and ack.login == "lead" and ack.at == at(10, 51)

    # another console, opened later, does not ring for what a lead acknowledged already
    fresh = AlertBook()
    assert fresh.update(board, at(10, 51)) == {Alert(p2, ClockKind.RESPONSE)}


# acknowledgements ------------------------------------------------------------------------------
def test_an_acknowledgement_is_recorded_audited_and_shared(
    desk: DeskService, clock: FrozenClock
) -> None:
    old = log_call(desk, clock, at(8, 0), "P4 breached at 09:00", P4)
    new = log_call(desk, clock, at(9, 58), "P1 just logged", P1)
    clock.instant = at(10, 0)
    before = desk.ticket(new).version

    view = desk.acknowledge(desk.actor("lead"), new)

    event = view.events[-1]
    assert event.kind == EventKind.ALERT_ACKNOWLEDGED and event.actor == "lead"
    assert event.field == "alerts" and event.new_value == "p1"
    # sealed at the version the ticket stands at: an agent's change typed against it meanwhile
    # is not made stale by a lead acknowledging its alerts
    assert view.version == before
    desk.worklog(desk.actor("lead"), new, "看过告警，正在联系", expected_version=before)
    # an acknowledgement is not contact with the requester: the response clock still runs
    assert view.clocks[ClockKind.RESPONSE].state == ClockState.RUNNING
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings

    board = snapshot(desk, at(10, 0))
    rows = {r.number: r for r in board.rows}
    (ack,) = rows[new].acknowledgements
    assert (ack.login, ack.name, ack.keys, ack.at) == ("lead", "赵敏", {"p1"}, at(10, 0))
    assert rows[old].acknowledgements == ()
    # what nobody acknowledged (the P4's breach) is first; the acknowledged P1 follows
    assert [r.number for r in board.rows] == [old, new]


def test_who_may_acknowledge_and_what(desk: DeskService, clock: FrozenClock) -> None:
    p1 = log_call(desk, clock, at(9, 58), "P1", P1)
    quiet = log_call(desk, clock, at(9, 59), "P4 far from due", P4)
    clock.instant = at(10, 0)
    for login in ("op", "agent1"):
        with pytest.raises(PermissionDenied) as refused:
            desk.acknowledge(desk.actor(login), p1)
        assert refused.value.code == "permission.role"
    with pytest.raises(ServiceError) as nothing:
        desk.acknowledge(desk.actor("lead"), quiet)
    assert nothing.value.code == "alert.none"
    with pytest.raises(ServiceError) as not_standing:
        desk.acknowledge(desk.actor("lead"), p1, alerts=["response"])
    assert not_standing.value.code == "alert.none"

    desk.acknowledge(desk.actor("lead"), p1)
    clock.instant = at(10, 1)
    with pytest.raises(AlreadyAcknowledged) as twice:
        desk.acknowledge(desk.actor("admin"), p1)
    assert twice.value.params == {"number": p1, "by": "赵敏", "at": "10:00"}
    assert [e.kind for e in desk.ticket(p1).events].count(EventKind.ALERT_ACKNOWLEDGED) == 1


def test_a_later_breach_and_a_new_p1_alert_again(desk: DeskService, clock: FrozenClock) -> None:
    number = log_call(desk, clock, at(9, 58), "P1", P1)
    lead = desk.actor("lead")
    clock.instant = at(10, 0)
    desk.acknowledge(lead, number)
    book = AlertBook()
    board = snapshot(desk, at(10, 0))
    book.update(board, at(10, 0))
    assert book.pending() == []
    # the response clock (15 minutes) breaches after the acknowledgement: a new alert
    book.update(board, at(10, 13, 1))
    assert book.pending() == [Alert(number, ClockKind.RESPONSE)]
    clock.instant = at(10, 14)
    desk.acknowledge(lead, number, alerts=["response"])
    # lowered to P2 and raised to P1 again: the P1 alerts anew
    clock.instant = at(10, 20)
    desk.override_priority(lead, number, "P2", "not the whole floor")
    clock.instant = at(10, 25)
    desk.override_priority(lead, number, "P1", "the whole floor after all")
    board = snapshot(desk, at(10, 26))
    book.update(board, at(10, 26))
    assert book.pending() == [Alert(number)]
    assert desk.read(lambda s: verify_record(s)).ok


def test_a_new_p1_is_first_however_many_tickets_breached_days_ago(
    desk: DeskService, clock: FrozenClock
) -> None:
    breached = [log_call(desk, clock, at(9, n, day=1), f"P4 #{n}", P4) for n in range(12)]
    older_p1 = log_call(desk, clock, at(8, 0), "P1 acknowledged at 08:01", P1)
    clock.instant = at(8, 1)
    desk.acknowledge(desk.actor("lead"), older_p1)
    new = log_call(desk, clock, at(10, 0), "P1 logged now", P1)
    statements: list[tuple[str, DbParams]] = []

    def note(_conn: object, _cursor: object, sql: str, params: DbParams, *_rest: object) -> None:
        statements.append((sql, params))

    event.listen(desk.db.engine, "before_cursor_execute", note)
    board = snapshot(desk, at(10, 0, 1), breach_limit=5)
    event.remove(desk.db.engine, "before_cursor_execute", note)

    numbers = [r.number for r in board.rows]
    assert numbers[0] == new
    # the read is bounded: the five longest breached of the twelve, the rest counted
    assert board.hidden == 7
    assert len(numbers) == 2 + 5 and set(numbers[1:]) == {older_p1, *breached[:5]}
    # the older P1's response breached at 08:15, after its acknowledgement: a new alert, ranked
    # with the P1s; the P4s' breaches follow, nobody acknowledged them: the newest first
    assert numbers[1:] == [older_p1, *reversed(breached[:5])]
    # once they are acknowledged, the breached P4s are in order of how long they are breached
    clock.instant = at(10, 0, 2)
    for number in (older_p1, *breached[:5]):
        desk.acknowledge(desk.actor("lead"), number)
    board = snapshot(desk, at(10, 0, 3), breach_limit=5)
    assert [r.number for r in board.rows] == [new, older_p1, *breached[:5]]
    # with room for one P1 only, the newest is read; the older one is counted with the rest
    board = snapshot(desk, at(10, 0, 3), urgent_limit=1, breach_limit=5)
    assert [r.number for r in board.rows] == [new, *breached[:5]]
    assert board.hidden == 1 + 7
    event_reads = [p for sql, p in statements if "FROM ticket_event" in sql]
    flat = [v for p in event_reads for v in (p.values() if isinstance(p, Mapping) else p)]
    assert len([v for v in flat if isinstance(v, int)]) <= 7, "only the rows shown are read"


def test_the_order_follows_the_clocks_between_two_reads(
    desk: DeskService, clock: FrozenClock
) -> None:
    warning = log_call(desk, clock, at(9, 5), "P3 response due 10:05", P3)
    p2 = log_call(desk, clock, at(9, 30), "P2 response due 10:30", P2)
    lead = desk.actor("lead")
    board = snapshot(desk, at(10, 0))
    assert [r.number for r in board.rows] == [p2, warning]
    # at 10:05:01 the P3 breaches: nobody acknowledged that, it goes to the top
    book = AlertBook()
    book.update(board, at(10, 5, 1))
    assert [r.number for r in ordered_rows(board, at(10, 5, 1), book.pending())] == [warning, p2]
    clock.instant = at(10, 6)
    desk.acknowledge(lead, warning)
    board = snapshot(desk, at(10, 6))
    book.update(board, at(10, 6))
    assert [r.number for r in ordered_rows(board, at(10, 6), book.pending())] == [p2, warning]
