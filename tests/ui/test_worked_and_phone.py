"""On the ticket detail: a worklog entry's minutes (typed, refused in the console's words, summed
on the detail and shown in the timeline), and the requester's phone — whole for the holder,
masked for everyone else until revealed with ``v``, which goes on the record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.pilot import Pilot

from deskui.core.clock import FrozenClock
from deskui.core.enums import EventKind
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_forms import WorklogForm
from deskui.services.desk import DeskService
from deskui.widgets.safe_input import SafeInput, SafeTextArea
from tests.ui.test_queue import SIZE, screen_text
from tests.ui.test_ticket_detail import held_by, open_ticket, show_ticket


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> DeskService:
    from tests.ui.test_queue import open_desk

    return open_desk(tmp_path / "desk.db", clock, staff=True)


async def type_worklog(pilot: Pilot[None], text: str, minutes: str) -> WorklogForm:
    """Open the worklog form with ``w``, type the text and the minutes, press ctrl+s."""
    await pilot.press("w")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, WorklogForm)
    await pilot.press(*text)
    form.query_one("#minutes", SafeInput).focus()
    await pilot.pause()
    await pilot.press(*minutes)
    await pilot.press("ctrl+s")
    await pilot.pause()
    from tests.ui.conftest import settle

    await settle(pilot)
    return form


@pytest.mark.parametrize(
    ("lang", "refused", "summed", "entry"),
    [
        (
            "en",
            'Minutes spent must be whole minutes from 1 to 1440, not "1.5"',
            r"Time worked +1 h 35 min \(2 logged\)",
            "worklog  45 min spent",
        ),
        (
            "zh",
            "用时须为 1 到 1440 之间的整分钟数，而不是“1.5”",
            r"累计用时 +1 小时 35 分钟（2 条记录）",
            "处理记录  用时 45 分钟",
        ),
    ],
)
async def test_minutes_are_typed_checked_and_summed(
    desk: DeskService, lang: str, refused: str, summed: str, entry: str
) -> None:
    number = held_by(desk, "agent2")
    desk.worklog(desk.actor("agent2"), number, "远程查看", minutes=50)
    app = await open_ticket(desk, "agent2", number, lang=lang)
    async with app.run_test(size=(160, 48)) as pilot:
        await show_ticket(pilot, number)
        form = await type_worklog(pilot, "toner", "1.5")
        assert app.screen is form, "the form stays open"
        assert refused in str(form.query_one("#form-error").render())
        assert form.query_one(SafeTextArea).text == "toner", "what was typed stays"
        version = desk.ticket(number).version
        minutes = form.query_one("#minutes", SafeInput)
        minutes.value = ""
        minutes.focus()
        await pilot.press("4", "5", "ctrl+s")
        from tests.ui.conftest import settle

        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        view = desk.ticket(number)
        assert view.version == version + 1 and view.events[-1].minutes == 45
        text = screen_text(app)
        assert re.search(summed, text) and entry in text


async def test_an_empty_minutes_field_is_no_minutes(desk: DeskService) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        await type_worklog(pilot, "called", "")
        assert isinstance(app.screen, TicketScreen)
        last = desk.ticket(number).events[-1]
        assert (last.kind, last.note, last.minutes) == (EventKind.WORKLOG, "called", None)
        assert "Time worked" not in screen_text(app)
        assert "spent" not in screen_text(app)


async def test_the_holder_sees_the_phone_and_others_reveal_it_on_the_record(
    desk: DeskService,
) -> None:
    number = held_by(desk, "agent2")
    holder = await open_ticket(desk, "agent2", number)
    async with holder.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        assert "13800138000" in screen_text(holder)
        screen = holder.screen
        assert isinstance(screen, TicketScreen)
        assert screen.check_action("reveal_phone", ()) is False, "no key: it is shown"
        await pilot.press("v")
        await pilot.pause()
    assert not [e for e in desk.ticket(number).events if e.kind == EventKind.PHONE_REVEALED]
    lead = await open_ticket(desk, "lead", number, lang="zh")
    async with lead.run_test(size=(160, 48)) as pilot:
        await show_ticket(pilot, number)
        text = screen_text(lead)
        assert "138****8000" in text and "13800138000" not in text
        screen = lead.screen
        assert isinstance(screen, TicketScreen)
        assert screen.check_action("reveal_phone", ()) is True
        version = desk.ticket(number).version
        await pilot.press("v")
        from tests.ui.conftest import settle

        await settle(pilot)
        text = screen_text(lead)
        assert "13800138000" in text
        assert "查看了完整电话  申请人: 张三" in text
        assert screen.check_action("reveal_phone", ()) is None, "revealed: greyed"
        revealed = [e for e in desk.ticket(number).events if e.kind == EventKind.PHONE_REVEALED]
        assert [(e.actor, e.new_value) for e in revealed] == [("lead", "张三")]
        assert desk.ticket(number).version == version
        # the reading stays shown as the ticket is read again (a change elsewhere)
        desk.worklog(desk.actor("agent2"), number, "回拨")
        screen.reload()
        await settle(pilot)
        assert "13800138000" in screen_text(lead)
