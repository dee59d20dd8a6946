"""Revealing a requester's phone, on SQLite and PostgreSQL: whoever does not hold the ticket may
reveal it, and that reading is a ticket event (who, whose number, when) sealed into the chain,
without the number and without making anyone's open form stale; the holder reads it unrecorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deskui.core.clock import FrozenClock
from deskui.core.enums import EventKind
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.errors import NotFound, ServiceError
from deskui.services.verify import verify_record
from tests.services.test_intake import call


def reveals(view: object) -> list[tuple[str | None, str | None, str | None]]:
    from deskui.services.views import TicketView

    assert isinstance(view, TicketView)
    return [
        (e.actor, e.field, e.new_value) for e in view.events if e.kind == EventKind.PHONE_REVEALED
    ]


def test_a_reveal_is_on_the_record(desk: DeskService, clock: FrozenClock) -> None:
    op, agent1, agent2 = desk.actor("op"), desk.actor("agent1"), desk.actor("agent2")
    number = desk.create_ticket(op, call()).number
    held = desk.claim(agent1, number)
    clock.instant += timedelta(minutes=7)
    shown = desk.reveal_phone(op, number)
    assert reveals(shown) == [("op", "requester", "张三")]
    event = shown.events[-1]
    assert event.at == clock.now() and event.note is None
    # a reading changes nothing of the ticket: a form typed against it is not stale
    assert shown.version == held.version
    desk.worklog(agent1, number, "远程查看", expected_version=held.version)
    # the holder reads it unrecorded; another agent's reading is recorded too
    assert reveals(desk.reveal_phone(agent1, number)) == [("op", "requester", "张三")]
    assert reveals(desk.reveal_phone(agent2, number))[-1] == ("agent2", "requester", "张三")
    # the number itself is never written into the record
    for e in desk.ticket(number).events:
        assert "8000" not in " ".join(str(v) for v in (e.old_value, e.new_value, e.note))
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings


def test_nothing_to_reveal_or_no_such_ticket(desk: DeskService) -> None:
    op = desk.actor("op")
    view = desk.create_ticket(op, call(requester=RequesterInput(name="李四", extension="8021")))
    with pytest.raises(ServiceError) as info:
        desk.reveal_phone(op, view.number)
    assert info.value.code == "reveal.no_phone" and info.value.params == {"number": view.number}
    assert reveals(desk.ticket(view.number)) == []
    with pytest.raises(NotFound):
        desk.reveal_phone(op, "IT20261102999")
