"""The lead's tools from the keyboard, on the queue and the detail: the priority by hand and
back, assigning to a named person of the group, taking over with a reason, a new estimate when
a target cannot be met (shown on the detail and the board); each key offered only to those
allowed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskui.app import DeskApp
from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind, Status
from deskui.i18n import Catalog
from deskui.screens.emergency import EmergencyBoard
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_forms import EstimateForm, OverrideForm, PickForm
from deskui.services import skills
from deskui.services.desk import DeskService
from deskui.services.names import DeskNames
from deskui.widgets.choice_bar import ChoiceBar
from deskui.widgets.safe_input import SafeInput, SafeTextArea
from deskui.widgets.timeline import entry_text
from tests.services.test_queue import log_call
from tests.services.test_skills import who
from tests.ui.conftest import console_for, settle
from tests.ui.test_board import line_of
from tests.ui.test_queue import SIZE, open_desk, put_cursor_on, screen_text, ticket_row

#: The demo desk's time zone.
DESK_TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> DeskService:
    """A desk with staff on a SQLite file."""
    return open_desk(tmp_path / "desk.db", clock, staff=True)


@pytest.mark.parametrize(
    ("login", "shown"),
    [
        ("lead", {"P", "n", "T", "D"}),
        ("agent1", {"D"}),
        ("op", set()),
    ],
)
async def test_each_key_is_offered_only_to_those_allowed(
    desk: DeskService, login: str, shown: set[str]
) -> None:
    number = log_call(desk, "打印机卡纸", minutes_ago=10).number
    app = console_for(desk, login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert {"P", "n", "T", "D"} & set(app.screen.active_bindings) == shown
        await app.push_screen(TicketScreen(number))
        await settle(pilot)
        assert {"P", "n", "T", "D"} & set(app.screen.active_bindings) == shown


async def test_override_with_a_reason_then_back_to_the_matrix(desk: DeskService) -> None:
    number = log_call(desk, "会议室投影仪无信号", minutes_ago=10).number  # P4 by the matrix
    app = console_for(desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await put_cursor_on(pilot, number)
        await pilot.press("P")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OverrideForm)
        await pilot.press("2")  # P2
        form.query_one(SafeTextArea).load_text("总经理会议十分钟后开始")
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = ticket_row(desk, number)
        assert (stored.priority, stored.override_reason) == ("P2", "总经理会议十分钟后开始")
        # from the detail: the form starts on the matrix's priority, a reason still required
        await app.push_screen(TicketScreen(number))
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OverrideForm)
        assert form.query_one(ChoiceBar).value == "matrix"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert ticket_row(desk, number).priority == "P2", "no reason, no change"
        form.query_one(SafeTextArea).load_text("会议已改期")
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = ticket_row(desk, number)
        assert (stored.priority, stored.override_reason) == ("P4", None)
        assert "会议已改期" in screen_text(app)


def entry_of(app: DeskApp, part: str) -> str:
    """The screen's first line holding ``part`` (a timeline entry)."""
    return next(line for line in screen_text(app).splitlines() if part in line)


@pytest.mark.parametrize(
    ("lang", "suggested", "assigned", "claimed"),
    [
        (
            "en",
            "★ Suggested: 李娜 (agent2), Hardware level 4, 0 open tickets held",
            "assigned",
            "claimed",
        ),
        ("zh", "★ 建议：李娜（agent2），硬件故障技能等级 4，手上未结工单 0 张", "指派", "接单"),
    ],
)
async def test_assign_offers_the_suggestion_and_the_assignee_accepts(
    desk: DeskService, clock: FrozenClock, lang: str, suggested: str, assigned: str, claimed: str
) -> None:
    skills.change_skills(desk, who(desk), "agent1", changes={"hardware": 5})
    skills.change_skills(desk, who(desk), "agent2", changes={"hardware": 4})
    desk.claim(desk.actor("agent1"), log_call(desk, "键盘失灵", minutes_ago=30).number)
    number = log_call(desk, "显示器闪烁", minutes_ago=10).number  # the hardware group's
    app = console_for(desk, "lead", lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(TicketScreen(number))
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickForm)
        # the hardware group's people who work tickets, not its operators or other groups';
        # the skilled one with the least open work first, marked, and why
        assert {login for login, _ in picker.options} == {"agent1", "agent2", "lead"}
        assert picker.options[0][0] == "agent2" and picker.options[0][1].startswith("★ ")
        assert not any(label.startswith("★") for _, label in picker.options[1:])
        text = screen_text(app)
        assert suggested in text
        assert picker.value() == "agent2"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        view = desk.ticket(number)
        assert view.assignee == "agent2"
        # an assignment acknowledges nothing: the response clock runs on
        assert view.clocks[ClockKind.RESPONSE].state.is_live
        assert f"赵敏     {assigned}  " in entry_of(app, "→ 李娜")
    clock.advance(minutes=4)
    app = console_for(desk, "agent2", lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(TicketScreen(number))
        await settle(pilot)
        await pilot.press("a")  # the assignee accepts it
        await settle(pilot)
        view = desk.ticket(number)
        assert (view.assignee, view.status) == ("agent2", Status.IN_PROGRESS)
        assert view.clocks[ClockKind.RESPONSE].stopped_at == clock.now()
        assert f"李娜     {claimed}  " in entry_of(app, "10:04  李娜")


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Expected by: 2026-11-03 18:00 → 2026-11-05 09:00"),
        ("zh", "期望解决时间: 2026-11-03 18:00 → 2026-11-05 09:00"),
    ],
)
def test_a_changed_estimate_reads_as_desk_times_in_the_timeline(
    desk: DeskService, lang: str, words: str
) -> None:
    number = log_call(desk, "核心交换机故障", minutes_ago=10, impact=1, urgency=1).number
    agent = desk.actor("agent1")
    desk.claim(agent, number)
    desk.estimate(agent, number, "等待厂商备件", datetime(2026, 11, 3, 10, tzinfo=UTC))
    desk.estimate(agent, number, "备件延期", datetime(2026, 11, 5, 9, tzinfo=DESK_TZ))
    last = desk.ticket(number).events[-1]
    text = entry_text(last, DESK_TZ, Catalog(lang), DeskNames()).plain
    assert words in text, text
    assert "T09:00" not in text and "T10:00" not in text


async def test_a_new_estimate_shows_on_the_detail_and_the_board(desk: DeskService) -> None:
    number = log_call(desk, "核心交换机故障", minutes_ago=10, impact=1, urgency=1).number
    desk.claim(desk.actor("agent1"), number)
    app = console_for(desk, "agent1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(TicketScreen(number))
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, EstimateForm)
        form.query_one(SafeInput).value = "明天"
        form.query_one(SafeTextArea).load_text("等待厂商备件")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not a time" in screen_text(app)
        form.query_one(SafeInput).value = "2026-11-01 18:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "later than now" in screen_text(app)
        form.query_one(SafeInput).value = "2026-11-03 18:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        text = screen_text(app)
        assert "New estimate 2026-11-03 18:00: 等待厂商备件" in text
        assert "Expected by: 2026-11-03 18:00" in text  # the desk's time, as the note says
        assert "T18:00" not in text and "T10:00" not in text
        view = desk.ticket(number)
        assert view.expected_by is not None and view.expected_by.isoformat().startswith(
            "2026-11-03T10:00"
        )  # 18:00 at the desk, in UTC
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, EmergencyBoard)
        assert "new est. 11-03 18:00" in line_of(app, number)
