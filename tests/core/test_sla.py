"""SLA clocks recomputed from history: pauses, stops, warnings, breaches, holidays."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskui.config import load_toml
from deskui.core.calendar import BusinessCalendar
from deskui.core.enums import ClockKind, ClockState, Priority, Status
from deskui.core.sla import (
    ClockEvent,
    SlaPolicy,
    SlaTarget,
    compute_clocks,
    nearest_due,
    worst_state,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar(tz="Asia/Shanghai")
POLICY = SlaPolicy.from_config(load_toml("sla"), working_day_seconds=CAL.hours.seconds_per_day)
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SH)  # a Monday
R, U, S = ClockKind.RESPONSE, ClockKind.UPDATE, ClockKind.RESOLUTION


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def clocks(priority: str, events: list[ClockEvent], now_min: float, received: datetime = T0):
    return compute_clocks(
        priority=Priority(priority),
        received_at=received,
        events=events,
        now=received + timedelta(minutes=now_min),
        policy=POLICY,
        calendar=CAL,
    )


def status(minutes: float, s: Status, note: str | None = None, **kw: bool) -> ClockEvent:
    return ClockEvent(at=at(minutes), status=s, note=note, **kw)


def test_targets_of_the_spec() -> None:
    day = 9 * 3600
    expected = {
        "P1": (15 * 60, 4 * 3600, 4 * 3600),
        "P2": (3600, 4 * 3600, 8 * 3600),
        "P3": (3600, 4 * 3600, 24 * 3600),
        "P4": (3600, 4 * 3600, 3 * day),
    }
    for p, (r, u, s) in expected.items():
        assert POLICY.target(Priority(p), R).seconds == r
        assert POLICY.target(Priority(p), U).seconds == u
        assert POLICY.target(Priority(p), S).seconds == s
    assert POLICY.target(Priority.P4, S).business
    assert not POLICY.target(Priority.P1, S).business


def test_the_rule_case_p4_over_national_day() -> None:
    """A low-priority call received Wednesday 2026-09-30 10:00 is due Saturday 2026-10-10 10:00."""
    received = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    result = clocks("P4", [], 5, received=received)
    assert result[S].due == datetime(2026, 10, 10, 10, 0, tzinfo=SH)
    assert result[S].business
    # the 1-hour response is wall-clock, holidays or not
    assert result[R].due == received + timedelta(hours=1)


def test_fresh_p1_runs_then_warns_then_breaches() -> None:
    assert clocks("P1", [], 0)[R].state == ClockState.RUNNING
    assert clocks("P1", [], 11)[R].state == ClockState.RUNNING
    warn = clocks("P1", [], 11.25)[R]
    assert warn.state == ClockState.WARNING
    assert warn.remaining_seconds == pytest.approx(3.75 * 60)
    breached = clocks("P1", [], 20)[R]
    assert breached.state == ClockState.BREACHED
    assert breached.remaining_seconds == pytest.approx(-5 * 60)
    assert breached.due == at(15)


def test_claim_stops_response_met_or_missed() -> None:
    met = clocks("P1", [status(10, Status.IN_PROGRESS, acknowledges=True)], 60)[R]
    assert met.state == ClockState.MET
    assert met.elapsed_seconds == 600
    assert met.stopped_at == at(10)
    missed = clocks("P1", [status(16, Status.IN_PROGRESS, acknowledges=True)], 60)[R]
    assert missed.state == ClockState.MISSED
    assert missed.remaining_seconds == pytest.approx(-60)


def test_pending_pauses_resolution_and_update_and_keeps_the_reason() -> None:
    events = [
        status(10, Status.IN_PROGRESS, acknowledges=True),
        status(60, Status.PENDING, note="waiting for a spare part"),
    ]
    result = clocks("P1", events, 300)  # 4 h into a pause
    assert result[S].state == ClockState.PAUSED
    assert result[S].paused_reason == "waiting for a spare part"
    assert result[S].paused_since == at(60)
    assert result[S].elapsed_seconds == 3600
    assert result[U].state == ClockState.PAUSED
    # resume after 5 h paused: the resolution due moves by exactly the pause
    events.append(status(360, Status.IN_PROGRESS, note="part arrived"))
    resumed = clocks("P1", events, 400)
    assert resumed[S].state in (ClockState.RUNNING, ClockState.WARNING)
    assert resumed[S].elapsed_seconds == pytest.approx(60 * 60 + 40 * 60)
    assert resumed[S].due == at(4 * 60 + 300)
    assert resumed[S].paused_reason is None


def test_no_drift_across_several_pauses() -> None:
    events = [status(5, Status.IN_PROGRESS, acknowledges=True)]
    minute = 5
    for _ in range(10):  # ten 30-minute pauses after every 10 running minutes
        events.append(status(minute + 10, Status.PENDING, note="wait"))
        events.append(status(minute + 40, Status.IN_PROGRESS, note="back"))
        minute += 40
    result = clocks("P2", events, minute)
    assert result[S].elapsed_seconds == pytest.approx((minute - 300) * 60)
    assert result[S].due == at(8 * 60 + 300)


def test_progress_update_restarts_update_clock() -> None:
    events = [
        status(5, Status.IN_PROGRESS, acknowledges=True),
        ClockEvent(at=at(200), progress=True),
    ]
    result = clocks("P3", events, 230)
    assert result[U].started_at == at(200)
    assert result[U].elapsed_seconds == 30 * 60
    assert result[U].due == at(200 + 240)
    late = clocks("P3", [status(5, Status.IN_PROGRESS, acknowledges=True)], 250)
    assert late[U].state == ClockState.BREACHED


def test_update_cycle_that_ran_over_counts_as_missed_at_the_end() -> None:
    events = [
        status(5, Status.IN_PROGRESS, acknowledges=True),
        ClockEvent(at=at(300), progress=True),
        status(310, Status.AWAITING_CONFIRMATION, note="fixed"),
        status(320, Status.RESOLVED),
    ]
    result = clocks("P3", events, 400)
    assert result[U].state == ClockState.MISSED
    assert result[S].state == ClockState.MET


def test_solution_stops_resolution_refusal_resumes_it() -> None:
    events = [
        status(5, Status.IN_PROGRESS, acknowledges=True),
        status(60, Status.AWAITING_CONFIRMATION, note="reinstalled"),
    ]
    stopped = clocks("P1", events, 500)
    assert stopped[S].state == ClockState.MET
    assert stopped[U].state == ClockState.PAUSED and stopped[U].paused_reason is None
    assert stopped[S].elapsed_seconds == 3600
    events.append(status(120, Status.IN_PROGRESS, note="still broken"))
    resumed = clocks("P1", events, 180)
    assert resumed[S].state == ClockState.RUNNING
    assert resumed[S].elapsed_seconds == pytest.approx(120 * 60)
    assert resumed[S].stopped_at is None


def test_retriage_changes_targets_from_receipt() -> None:
    events = [status(5, Status.IN_PROGRESS, acknowledges=True)]
    assert clocks("P4", events, 120)[S].state == ClockState.RUNNING
    # the same history evaluated as a P1 (after re-triage) is measured against 4 h from receipt
    p1 = clocks("P1", events, 300)
    assert p1[S].state == ClockState.BREACHED
    assert p1[S].due == at(240)


def test_business_time_clock_pauses_over_the_weekend() -> None:
    friday = datetime(2026, 11, 6, 17, 0, tzinfo=SH)
    result = compute_clocks(
        priority=Priority.P4,
        received_at=friday,
        events=[],
        now=datetime(2026, 11, 9, 10, 0, tzinfo=SH),
        policy=POLICY,
        calendar=CAL,
    )
    # Friday 17-18 and Monday 9-10 count: two hours of business time
    assert result[S].elapsed_seconds == 2 * 3600
    assert result[S].due == datetime(2026, 11, 11, 17, 0, tzinfo=SH)


def test_events_before_receipt_and_after_now_are_handled() -> None:
    early = ClockEvent(at=T0 - timedelta(minutes=5), status=Status.IN_PROGRESS, acknowledges=True)
    result = clocks("P1", [early, status(999, Status.PENDING, note="future")], 30)
    assert result[R].state == ClockState.MET and result[R].elapsed_seconds == 0
    assert result[S].state != ClockState.PAUSED


def test_summaries() -> None:
    result = clocks("P1", [], 20)
    assert worst_state(result) == ClockState.BREACHED
    assert nearest_due(result) == at(15)
    closed = clocks("P1", [status(1, Status.REJECTED, note="spam")], 30)
    assert nearest_due(closed) is None


def test_target_parsing() -> None:
    assert SlaTarget.parse("15 minutes", working_day_seconds=1).seconds == 900
    assert SlaTarget.parse("2 working_days", working_day_seconds=100) == SlaTarget(200, True)
    for bad in ("15", "x minutes", "-1 hours", "3 fortnights"):
        with pytest.raises(ValueError):
            SlaTarget.parse(bad, working_day_seconds=1)
    with pytest.raises(ValueError, match="P2"):
        SlaPolicy.from_config(
            {
                "targets": {
                    "P1": {"response": "1 hours", "update": "1 hours", "resolution": "1 hours"}
                }
            },
            working_day_seconds=1,
        )
