"""Outages at intake, on SQLite and PostgreSQL: which open outage a call being logged looks like,
and a call saved under its outage in one transaction — or not saved at all."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import func, select

from deskui.core.enums import EventKind
from deskui.core.outages import MatchReason
from deskui.core.permissions import Action
from deskui.services.announcements import Announcements
from deskui.services.desk import DeskService
from deskui.services.errors import PermissionDenied, ServiceError, ValidationFailed
from deskui.services.intake import IntakeRequest
from deskui.services.outage_match import outage_suggestions
from deskui.services.verify import verify_record
from deskui.store.models import Ticket
from tests.services.test_announcements import lead_hardware
from tests.services.test_announcements import outage as announcement
from tests.services.test_outage import outage
from tests.services.test_queue import log_call


def new_call(summary: str, parent: str | None = None, **changes: object) -> IntakeRequest:
    request = IntakeRequest(
        type="incident",
        category="network",
        channel="phone",
        impact=3,
        urgency=2,
        summary=summary,
        description="整层都连不上内网",
        requester_id=1,
        parent=parent,
    )
    return replace(request, **changes)  # type: ignore[arg-type]  # the test's own keywords


def ticket_count(desk: DeskService) -> int:
    return int(desk.read(lambda s: s.exec(select(func.count()).select_from(Ticket)).one()))


def test_a_call_like_an_open_outage_is_offered_it(desk: DeskService) -> None:
    parent, calls = outage(desk)
    lone = log_call(desk, "五楼整层楼无法上网", minutes_ago=10, category="network").number
    found = outage_suggestions(desk, "network", "整层楼都无法上网")
    assert [m.ticket.number for m in found] == [parent, lone]  # the outage first
    assert found[0].ticket.calls == 3 and found[0].reason == MatchReason.SIMILAR
    assert not set(calls) & {m.ticket.number for m in found}  # its calls are not outages
    assert outage_suggestions(desk, "hardware", "整层楼都无法上网") == []
    assert outage_suggestions(desk, None, "整层楼都无法上网") == []
    assert outage_suggestions(desk, "network", "打印机卡纸") == []


def test_an_announced_outage_is_offered_for_its_category(desk: DeskService) -> None:
    now = desk.clock.now()
    head = log_call(desk, "核心交换机宕机", minutes_ago=40, category="hardware").number
    other = log_call(desk, "三号楼打印机离线", minutes_ago=35, category="hardware").number
    desk.link(desk.actor("op"), other, head)
    assert outage_suggestions(desk, "hardware", "扫描仪无法使用") == []
    lead_hardware(desk)
    news = Announcements(desk)
    author = desk.actor("agent1")
    draft = news.draft(author, announcement(desk, starts_at=now - timedelta(hours=1)))
    news.act(author, draft.id, Action.ANNOUNCE_SUBMIT)
    news.act(desk.actor("agent2"), draft.id, Action.ANNOUNCE_APPROVE)
    news.act(desk.actor("op"), draft.id, Action.ANNOUNCE_PUBLISH)
    found = outage_suggestions(desk, "hardware", "扫描仪无法使用")
    assert [(m.ticket.number, m.reason) for m in found] == [(head, MatchReason.ANNOUNCED)]


def test_a_call_saved_into_its_outage_in_one_step(desk: DeskService) -> None:
    parent, calls = outage(desk)
    view = desk.create_ticket(desk.actor("op"), new_call("六楼也断网了", parent=parent.lower()))
    assert view.parent == parent
    linked = [e for e in view.events if e.kind == EventKind.LINKED]
    assert [e.new_value for e in linked] == [parent]
    assert view.number in desk.ticket(parent).children
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report


@pytest.mark.parametrize("case", ["nested", "closed", "resolved_now"])
def test_a_refused_link_saves_no_ticket(desk: DeskService, case: str) -> None:
    parent, calls = outage(desk)
    op = desk.actor("op")
    target, changes = parent, {}
    if case == "nested":
        target = calls[0]  # a call under an outage heads none
    elif case == "closed":
        desk.set_status(op, parent, "rejected", note="重复报告")
    else:
        changes = {"resolve_now": True, "solution": "已重启交换机"}
    before = ticket_count(desk)
    with pytest.raises((ServiceError, PermissionDenied, ValidationFailed)) as refused:
        desk.create_ticket(op, new_call("六楼也断网了", parent=target, **changes))
    code = {"nested": "outage.nested", "resolved_now": None}.get(case, "")
    if code:
        assert refused.value.code == code
    if case == "resolved_now":
        assert isinstance(refused.value, ValidationFailed)
        assert [p.code for p in refused.value.problems] == ["intake.outage_resolved"]
    if case == "closed":
        assert isinstance(refused.value, PermissionDenied)
    assert ticket_count(desk) == before
    # the number the refused call took is given back: the next call gets it, no gap
    saved = desk.create_ticket(op, new_call("六楼也断网了"))
    numbers = desk.read(lambda s: sorted(s.exec(select(Ticket.number)).all()))
    assert saved.number == numbers[-1] and int(saved.number[-3:]) == len(numbers)
