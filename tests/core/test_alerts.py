"""The emergency board's pure rules: which acknowledgement covers which alert, and the order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deskui.core.alerts import (
    Acknowledgement,
    Alert,
    Standing,
    alert_keys,
    alert_of,
    board_order,
    covering,
    format_keys,
)
from deskui.core.enums import ClockKind, Priority

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def row(
    number: str,
    priority: Priority,
    *,
    new: float | None = None,
    breached: float | None = None,
    due: float | None = None,
) -> Standing:
    return Standing(
        number=number,
        priority=priority,
        unacknowledged_since=None if new is None else minutes(new),
        breached_since=None if breached is None else minutes(breached),
        due=None if due is None else minutes(due),
    )


def order(*rows: Standing) -> list[str]:
    return [r.number for r in board_order(rows)]


def test_a_new_p1_is_first_however_many_tickets_breached_before_it() -> None:
    old = [row(f"P4-{n}", Priority.P4, breached=-3000 + n, due=-3000 + n) for n in range(40)]
    new_p1 = row("NEW-P1", Priority.P1, new=0, due=15)
    assert order(*old, new_p1)[0] == "NEW-P1"
    # even when every old breach is unacknowledged too: the P1's alert outranks them
    loud = [row(f"P4-{n}", Priority.P4, new=-3000 + n, breached=-3000 + n) for n in range(40)]
    assert order(*loud, new_p1)[0] == "NEW-P1"


def test_the_order_of_the_board() -> None:
    rows = [
        row("warning-late", Priority.P3, due=30),
        row("warning-soon", Priority.P4, due=10),
        row("p4-breached-long", Priority.P4, breached=-600, due=-600),
        row("p3-breached-short", Priority.P3, breached=-5, due=-5),
        row("p2-running", Priority.P2, due=50),
        row("p2-breached", Priority.P2, breached=-20, due=-20),
        row("p1-paused", Priority.P1),
        row("p1-running", Priority.P1, due=5),
        row("p1-breached", Priority.P1, breached=-1, due=-1),
        row("p3-alert-old", Priority.P3, new=-60, breached=-60, due=-60),
        row("p2-alert", Priority.P2, new=-30, breached=-30, due=-30),
        row("p1-alert-old", Priority.P1, new=-10, due=5),
        row("p1-alert-new", Priority.P1, new=-1, due=14),
        row("p3-alert-new", Priority.P3, new=-2, breached=-2, due=-2),
    ]
    assert order(*rows) == [
        # unacknowledged alerts: by priority, the newest first
        "p1-alert-new",
        "p1-alert-old",
        "p2-alert",
        "p3-alert-new",
        "p3-alert-old",
        # the other P1s then P2s: the breached first (the longest first), then the nearest due,
        # then those with nothing running
        "p1-breached",
        "p1-running",
        "p1-paused",
        "p2-breached",
        "p2-running",
        # breached, the longest first, whatever the priority
        "p4-breached-long",
        "p3-breached-short",
        # warnings, the nearest due first
        "warning-soon",
        "warning-late",
    ]


def test_ties_go_to_the_number_so_every_console_agrees() -> None:
    rows = [row(n, Priority.P4, breached=-5, due=-5) for n in ("IT3", "IT1", "IT2")]
    assert order(*rows) == ["IT1", "IT2", "IT3"]
    assert order(*reversed(rows)) == ["IT1", "IT2", "IT3"]


def test_an_acknowledgement_covers_the_alerts_it_names_made_once_they_stood() -> None:
    p1, response = Alert("IT1"), Alert("IT1", ClockKind.RESPONSE)
    ack = Acknowledgement(minutes(10), "lead", "赵敏", frozenset({"p1"}))
    assert ack.covers(p1, since=minutes(0))
    assert ack.covers(p1, since=minutes(10)), "made the instant the alert began"
    assert not ack.covers(p1, since=minutes(11)), "the alert began again after it"
    assert not ack.covers(response, since=minutes(0)), "a breach it does not name"
    later = Acknowledgement(minutes(20), "admin", "管理员", frozenset({"p1", "response"}))
    assert covering([ack, later], p1, minutes(0)) == later
    assert covering([ack, later], response, minutes(15)) == later
    assert covering([ack, later], response, minutes(21)) is None


@pytest.mark.parametrize(
    ("alerts", "text"),
    [
        ([Alert("IT1")], "p1"),
        (
            [Alert("IT1", ClockKind.UPDATE), Alert("IT1"), Alert("IT1", ClockKind.RESPONSE)],
            "p1,response,update",
        ),
    ],
)
def test_keys_are_written_and_read_back(alerts: list[Alert], text: str) -> None:
    assert format_keys(alerts) == text
    assert alert_keys(text) == {a.key for a in alerts}
    assert {alert_of("IT1", k) for k in alert_keys(text)} == set(alerts)


def test_unknown_keys_name_no_alert() -> None:
    assert alert_of("IT1", "coffee") is None
    assert alert_keys(None) == frozenset() and alert_keys(" p1 , ,") == {"p1"}
