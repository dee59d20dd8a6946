"""Intake on SQLite and PostgreSQL: numbering, matrix, routing, clocks, validation, FCR."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, func, select

from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind, ClockState, EventKind, Status
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.errors import NotFound, ValidationFailed
from deskui.services.intake import IntakeRequest, description_needed
from deskui.store.models import Requester, Ticket, TicketEvent
from tests.conftest import FROZEN_AT


def call(**overrides: Any) -> IntakeRequest:
    """A plain printer call; ``overrides`` replace any of its fields, the invalid values too."""
    base = IntakeRequest(
        type="incident",
        category="hardware",
        channel="phone",
        impact=3,
        urgency=3,
        summary="打印机卡纸",
        description="三楼打印机每次都卡纸",
        requester=RequesterInput(name="张三", phone="138-0013-8000", department="财务部"),
    )
    return replace(base, **overrides)


def test_intake_numbers_routes_and_starts_clocks(desk: DeskService) -> None:
    op = desk.actor("op")
    first = desk.create_ticket(op, call())
    second = desk.create_ticket(op, call(summary="second"))
    assert first.number == "IT20261102001"
    assert second.number == "IT20261102002"
    assert first.status == Status.TO_ASSIGN
    assert first.priority == "P4" and first.priority_reason == "I3 × U3 → P4"
    assert first.group_code == "hardware"
    assert first.routing_reason == "category hardware → hardware"
    assert first.received_at == FROZEN_AT
    response = first.clocks[ClockKind.RESPONSE]
    assert response.state == ClockState.RUNNING
    assert response.due == FROZEN_AT + timedelta(hours=1)
    steps = [(e.kind, e.field, e.new_value) for e in first.events]
    assert steps == [
        (EventKind.CREATED, "priority", "P4"),
        (EventKind.ROUTED, "tier", "L2"),  # the hardware group's tier, on the record
        (EventKind.ROUTED, "group", "hardware"),
        (EventKind.STATUS, "status", "to_assign"),
    ]
    # the same caller is matched, not duplicated
    assert second.requester.id == first.requester.id


def test_number_uses_the_desk_local_date(desk: DeskService, clock: FrozenClock) -> None:
    # 15:59 UTC is 23:59 in Shanghai; 16:30 UTC is already 00:30 on the 3rd there
    clock.instant = datetime(2026, 11, 2, 15, 59, tzinfo=UTC)
    assert desk.create_ticket(desk.actor("op"), call()).number == "IT20261102001"
    clock.instant = datetime(2026, 11, 2, 16, 30, tzinfo=UTC)
    assert desk.create_ticket(desk.actor("op"), call()).number == "IT20261103001"
    assert desk.create_ticket(desk.actor("op"), call()).number == "IT20261103002"


def test_vip_raise_shows_why(desk: DeskService) -> None:
    vip = RequesterInput(name="李总", phone="13900000000", vip=True)
    view = desk.create_ticket(desk.actor("op"), call(requester=vip, impact=2, urgency=2))
    assert view.priority == "P1" and view.vip
    assert view.priority_reason == "I2 × U2 → P2; VIP: P2 → P1"
    assert view.clocks[ClockKind.RESPONSE].target_seconds == 15 * 60


def test_backfilled_report_clocks_start_at_receipt(desk: DeskService) -> None:
    received = FROZEN_AT - timedelta(hours=2)
    view = desk.create_ticket(
        desk.actor("op"), call(channel="im", impact=1, urgency=1, received_at=received)
    )
    assert view.received_at == received
    response = view.clocks[ClockKind.RESPONSE]
    assert response.state == ClockState.BREACHED
    assert response.remaining_seconds == pytest.approx(-105 * 60)


def test_first_contact_resolution(desk: DeskService) -> None:
    view = desk.create_ticket(
        desk.actor("op"),
        call(type="consultation", category="other", resolve_now=True, solution="告知投影连接方法"),
    )
    assert view.status == Status.RESOLVED
    assert view.solution == "告知投影连接方法"
    assert view.number.startswith("IT20261102")
    assert view.clocks[ClockKind.RESPONSE].state == ClockState.MET
    assert view.clocks[ClockKind.RESOLUTION].state == ClockState.MET
    assert view.assignee == "op"
    # closing is allowed: solution and confirmation are on record
    closed = desk.set_status(desk.actor("op"), view.number, "closed")
    assert closed.status == Status.CLOSED


def test_a_question_answered_on_the_call_needs_no_description(desk: DeskService) -> None:
    answered = call(
        type="consultation",
        category="other",
        summary="访客WiFi如何连接",
        description="",
        resolve_now=True,
        solution="已告知连接方法",
    )
    view = desk.create_ticket(desk.actor("op"), answered)
    assert view.status == Status.RESOLVED and view.description == "访客WiFi如何连接"
    # a call left open still needs its description
    with pytest.raises(ValidationFailed) as info:
        desk.create_ticket(desk.actor("op"), replace(answered, resolve_now=False, solution=None))
    assert [p.field for p in info.value.problems] == ["description"]


def test_fcr_needs_the_answer(desk: DeskService) -> None:
    with pytest.raises(ValidationFailed) as info:
        desk.create_ticket(desk.actor("op"), call(type="consultation", resolve_now=True))
    assert ("solution", "a call resolved at intake needs its answer") in info.value.errors


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "bogus"}, "type"),
        ({"category": ""}, "category"),
        ({"channel": "fax"}, "channel"),
        ({"impact": 0}, "impact"),
        ({"urgency": 5}, "urgency"),
        ({"impact": True}, "impact"),
        ({"summary": "  \x1b[2J  "}, "summary"),
        ({"description": ""}, "description"),
        ({"summary": "x" * 201}, "summary"),
        ({"description": "长" * 20_001}, "description"),
        ({"requester": RequesterInput(name="")}, "requester.name"),
        ({"requester": RequesterInput(name="张三", phone="abc")}, "requester.phone"),
        ({"requester": RequesterInput(name="张三", email="no-at")}, "requester.email"),
        ({"requester": None}, "requester"),
        ({"received_at": FROZEN_AT + timedelta(hours=1)}, "received_at"),
        ({"received_at": datetime(2026, 11, 2, 10)}, "received_at"),
        ({"frequency": "often"}, "frequency"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    desk: DeskService, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        desk.create_ticket(desk.actor("op"), call(**overrides))
    assert field in [f for f, _ in info.value.errors]
    counts = desk.read(
        lambda s: (
            s.exec(select(func.count()).select_from(Ticket)).one(),
            s.exec(select(func.count()).select_from(Requester)).one(),
        )
    )
    assert counts == (0, 0)
    # the number was not consumed either
    assert desk.create_ticket(desk.actor("op"), call()).number == "IT20261102001"


def test_every_error_is_reported_at_once(desk: DeskService) -> None:
    with pytest.raises(ValidationFailed) as info:
        desk.create_ticket(desk.actor("op"), call(type="x", impact=9, summary="", description=""))
    assert {f for f, _ in info.value.errors} >= {"type", "impact", "summary", "description"}


def test_text_is_sanitized_and_secrets_masked(desk: DeskService) -> None:
    view = desk.create_ticket(
        desk.actor("op"),
        call(
            summary="\x1b[31m红色\x1b[0m 标题\x07",
            description="邮箱登不上，密码: abc12345 🧑‍💻",
            requester=RequesterInput(name="\x1b]0;pwn\x07王五", phone="13800138001"),
        ),
    )
    assert view.summary == "红色 标题"
    assert "abc12345" not in view.description and "🧑‍💻" in view.description
    assert view.requester.name == "王五"


def test_unknown_requester_id(desk: DeskService) -> None:
    with pytest.raises(NotFound):
        desk.create_ticket(desk.actor("op"), call(requester=None, requester_id=999))


def lead_the_desk(desk: DeskService, login: str = "lead") -> None:
    """Make ``login`` the lead of the service desk's group (complaints about it go to them)."""

    def make_lead(session: Session) -> None:
        from deskui.services.users import group_by_code, load_actor

        group = group_by_code(session, "desk")
        group.lead_id = load_actor(session, login).id
        session.add(group)

    desk.write(make_lead)


def test_complaint_goes_to_the_group_lead(desk: DeskService) -> None:
    lead_the_desk(desk)
    view = desk.create_ticket(desk.actor("op"), call(type="complaint", category="other"))
    assert view.group_code == "desk" and view.assignee == "lead"


def test_events_are_written_with_the_ticket(desk: DeskService) -> None:
    view = desk.create_ticket(desk.actor("op"), call())
    rows = desk.read(
        lambda s: list(s.exec(select(TicketEvent).where(TicketEvent.ticket_id == view.id)))
    )
    assert len(rows) == 4 and all(r.actor_id is not None for r in rows)


def test_the_thousandth_ticket_of_a_day_widens(desk: DeskService) -> None:
    from deskui.store.models import TicketSequence

    desk.write(lambda s: s.add(TicketSequence(day="20261102", last=998)))
    op = desk.actor("op")
    assert desk.create_ticket(op, call()).number == "IT20261102999"
    assert desk.create_ticket(op, call()).number == "IT202611021000"
    assert desk.create_ticket(op, call()).number == "IT202611021001"


def test_a_description_is_needed_unless_the_call_is_answered_on_the_phone() -> None:
    assert description_needed(resolve_now=False, solution=None)
    assert description_needed(resolve_now=False, solution="restarted it")
    assert description_needed(resolve_now=True, solution=None)
    assert description_needed(resolve_now=True, solution="  ")
    assert not description_needed(resolve_now=True, solution="已告知方法")
