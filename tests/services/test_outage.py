"""Outages on SQLite and PostgreSQL: calls under a parent, solving and closing carried to the
children, a child its requester reopens leaving, and the record verifying throughout."""

from __future__ import annotations

import pytest

from deskui.core.enums import EventKind, Status
from deskui.services.desk import DeskService
from deskui.services.errors import PermissionDenied, ServiceError
from deskui.services.verify import verify_record
from tests.services.test_queue import log_call


def outage(desk: DeskService) -> tuple[str, list[str]]:
    """A parent and three calls about the same floor, linked by the operator."""
    parent = log_call(
        desk, "整层楼无法上网", minutes_ago=30, impact=2, urgency=1, category="network"
    )
    calls = [
        log_call(desk, f"五楼断网 {n}", minutes_ago=25 - n, category="network", caller=n).number
        for n in range(3)
    ]
    op = desk.actor("op")
    for number in calls:
        desk.link(op, number, parent.number, note="同一故障")
    return parent.number, calls


def test_calls_join_and_leave_an_outage(desk: DeskService) -> None:
    parent, calls = outage(desk)
    view = desk.ticket(parent)
    assert view.children == tuple(sorted(calls)) and view.parent is None
    child = desk.ticket(calls[0])
    assert child.parent == parent
    linked = [e for e in child.events if e.kind == EventKind.LINKED]
    assert (linked[-1].new_value, linked[-1].note) == (parent, "同一故障")
    op = desk.actor("op")
    desk.unlink(op, calls[0], note="是另一台交换机")
    assert desk.ticket(calls[0]).parent is None
    assert calls[0] not in desk.ticket(parent).children


def test_what_cannot_be_linked(desk: DeskService) -> None:
    parent, calls = outage(desk)
    op = desk.actor("op")
    other = log_call(desk, "打印机卡纸", minutes_ago=5).number
    cases = [
        ((other, other), "outage.self"),
        ((calls[0], other), "outage.already"),
        ((other, calls[0]), "outage.nested"),
        ((parent, other), "outage.has_children"),
    ]
    for (child, head), code in cases:
        with pytest.raises(ServiceError) as refused:
            desk.link(op, child, head)
        assert refused.value.code == code
    with pytest.raises(ServiceError) as refused:
        desk.unlink(op, other)
    assert refused.value.code == "outage.none"
    desk.set_status(op, other, "rejected", note="重复报告")
    with pytest.raises(PermissionDenied):
        desk.link(op, other, parent)


def test_solving_and_closing_the_parent_carries_the_children(desk: DeskService) -> None:
    parent, calls = outage(desk)
    agent, op = desk.actor("agent1"), desk.actor("op")
    desk.claim(agent, parent)
    desk.worklog(agent, parent, "更换核心交换机电源")
    desk.set_status(agent, parent, "awaiting_confirmation", note="交换机电源已更换，网络恢复")
    for number in calls:
        child = desk.ticket(number)
        assert child.status == Status.AWAITING_CONFIRMATION
        assert child.solution == "交换机电源已更换，网络恢复"
        assert child.assignee == "agent1"
        # the record names the parent as a code, in no language: each console words it
        carried = [e for e in child.events if e.kind == EventKind.OUTAGE_SOLVED]
        assert [(e.field, e.new_value, e.note) for e in carried] == [("parent", parent, None)]
        assert not any("outage" in (e.note or "") for e in child.events)
    # one caller says it still does not work: that call leaves the outage, back in progress
    desk.refuse(op, calls[2], "我这里还是连不上", "phone")
    reopened = desk.ticket(calls[2])
    assert reopened.status == Status.IN_PROGRESS and reopened.parent is None
    left = [e for e in reopened.events if e.kind == EventKind.UNLINKED]
    assert left and left[-1].old_value == parent and left[-1].note == "我这里还是连不上"
    # the parent's requester and one caller confirm; closing the parent closes that caller too
    desk.confirm(op, parent, 5, channel="phone")
    desk.confirm(op, calls[0], 4, channel="phone")
    desk.set_status(op, parent, "closed", note="已审核")
    closed = desk.ticket(calls[0])
    assert closed.status == Status.CLOSED
    carried = [e for e in closed.events if e.kind == EventKind.OUTAGE_CLOSED]
    assert [(e.field, e.new_value, e.note) for e in carried] == [("parent", parent, None)]
    assert not any(e.kind == EventKind.OUTAGE_CLOSED for e in desk.ticket(calls[1]).events)
    assert desk.ticket(calls[1]).status == Status.AWAITING_CONFIRMATION, "still asked"
    assert desk.ticket(calls[2]).status == Status.IN_PROGRESS
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings


def test_a_parent_changed_without_an_event_is_found(desk: DeskService) -> None:
    parent, calls = outage(desk)
    if desk.db.engine.dialect.name != "sqlite":
        pytest.skip("the shared desk refuses a ticket changed without an event at commit")
    with desk.db.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE ticket SET parent_id = NULL WHERE number = '{calls[1]}'")
    report = desk.read(lambda s: verify_record(s))
    assert not report.ok and calls[1] in {f.ticket for f in report.findings}
