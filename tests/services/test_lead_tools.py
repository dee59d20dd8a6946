"""The lead's tools as the console uses them, on SQLite and PostgreSQL: whom a ticket can be
assigned to, a takeover's reason, the board's new estimate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deskui.core.enums import EventKind, Role
from deskui.services.desk import DeskService
from deskui.services.errors import ServiceError
from tests.services.test_queue import log_call


def test_a_group_offers_its_people_who_work_tickets(desk: DeskService) -> None:
    hardware = desk.group_handlers("hardware")
    assert [(p.login, p.role) for p in hardware] == sorted(
        [("agent1", Role.AGENT), ("agent2", Role.AGENT), ("lead", Role.DUTY_LEAD)],
        key=lambda p: {"agent1": "张伟", "agent2": "李娜", "lead": "赵敏"}[p[0]],
    )
    assert [p.login for p in desk.group_handlers("software")] == ["agent2"]
    # the desk's own group: its operator works no ticket
    assert "op" not in {p.login for p in desk.group_handlers("desk")}
    assert desk.group_handlers("nonesuch") == []


def test_a_takeover_keeps_its_reason(desk: DeskService) -> None:
    number = log_call(desk, "打印机卡纸", minutes_ago=5).number
    desk.claim(desk.actor("agent1"), number)
    view = desk.claim(desk.actor("lead"), number, takeover=True, reason="张伟外出，由我接手")
    takeover = [e for e in view.events if e.kind == EventKind.TAKEOVER][-1]
    assert (takeover.old_value, takeover.new_value) == ("agent1", "lead")
    assert takeover.note == "张伟外出，由我接手"


def test_the_board_shows_the_new_estimate(desk: DeskService) -> None:
    number = log_call(desk, "核心交换机故障", minutes_ago=5, impact=1, urgency=1).number
    desk.claim(desk.actor("agent1"), number)
    [row] = [r for r in desk.board().rows if r.number == number]
    assert row.estimate is None
    until = desk.clock.now() + timedelta(days=1)
    desk.estimate(desk.actor("agent1"), number, "等待厂商备件", until)
    [row] = [r for r in desk.board().rows if r.number == number]
    assert row.estimate == until


def test_a_lead_assigns_only_within_the_tickets_group(desk: DeskService) -> None:
    lead = desk.actor("lead")
    software = log_call(desk, "ERP 报错", minutes_ago=5, category="software").number
    with pytest.raises(ServiceError) as refused:
        desk.assign(lead, software, "agent1")  # hardware only
    assert refused.value.code == "assign.outside_group"
    assert refused.value.params == {"login": "agent1", "group": "software"}
    assert desk.ticket(software).assignee is None
    assert desk.assign(lead, software, "agent2").assignee == "agent2"  # in software


def test_a_new_estimate_lies_ahead(desk: DeskService) -> None:
    number = log_call(desk, "打印机卡纸", minutes_ago=5).number
    agent = desk.actor("agent1")
    desk.claim(agent, number)
    for until in (desk.clock.now(), desk.clock.now() - timedelta(days=30)):
        with pytest.raises(ServiceError) as refused:
            desk.estimate(agent, number, "等备件", until)
        assert (refused.value.code, refused.value.field) == ("estimate.past", "until")
    assert desk.ticket(number).expected_by is None
