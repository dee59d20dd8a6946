"""The emergency board's read: who is on it, in what order, and how its clocks move in memory."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind, ClockState, Priority
from deskui.services.board import (
    Alert,
    AlertBook,
    BoardSnapshot,
    board_snapshot,
    current_alerts,
    warning_horizon,
)
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.intake import IntakeRequest
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


def snapshot(desk: DeskService, at: datetime) -> BoardSnapshot:
    return desk.read(lambda s: board_snapshot(session=s, rules=desk.rules, now=at))


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
    # nearest due first: P4 response was due 09:00, P1 09:55, P3 10:05, P2 10:10, claimed P2 by
    # its update clock (13:55)
    assert numbers == [p4_breached, p1_breached, p3_warning, p2_warning, p2_met]
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
    assert current_alerts(board, at(11, 0)) == set()
    assert current_alerts(board, at(11, 0, 1)) == {Alert(number, ClockKind.RESPONSE)}
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


def test_alert_book_rings_once_and_remembers_acknowledgements() -> None:
    book = AlertBook()
    p1, breach = Alert("IT1"), Alert("IT2", ClockKind.RESPONSE)
    assert book.update({p1}) == {p1}
    assert book.update({p1}) == set(), "an alert rings once"
    assert book.update({p1, breach}) == {breach}
    assert book.pending() == [p1, breach]
    book.acknowledge(book.pending_for("IT1"))
    assert book.pending() == [breach]
    assert book.update({p1, breach}) == set()
    assert book.pending() == [breach], "acknowledged alerts stay acknowledged"
    book.update({breach})  # IT1 left the board
    assert book.update({p1, breach}) == {p1}, "a ticket back on the board alerts again"
    assert book.pending() == [p1, breach]
    book.acknowledge([Alert("IT9")])
    assert book.acknowledged == set(), "only standing alerts can be acknowledged"
