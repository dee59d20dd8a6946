"""How the queue and the ticket detail look, frozen at Monday 2026-11-02 10:00, in both languages.

* each view of the queue (rows running, in warning, breached, paused, held);
* a search with a selection;
* the triage form over the queue;
* the detail of a ticket with a long timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from deskui.core.clock import FrozenClock
from deskui.screens.queue import QueueScreen
from deskui.screens.ticket import TicketScreen
from deskui.services.desk import DeskService
from tests.services.test_queue import fill_desk, log_call
from tests.ui.conftest import console_for, settle
from tests.ui.test_queue import SIZE, open_desk

LANGUAGES = ["zh", "en"]
VIEW_KEYS = {"mine": "1", "groups": "2", "unassigned": "3", "open": "4", "alert": "5"}


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> Iterator[DeskService]:
    """The filled desk of the queue tests, on a SQLite file."""
    service = open_desk(tmp_path / "desk.db", clock, staff=True)
    fill_desk(service)
    yield service
    service.db.dispose()


@pytest.mark.parametrize("view", list(VIEW_KEYS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_queue_view(
    lang: str, view: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    async def show(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(VIEW_KEYS[view])
        await settle(pilot)

    assert snap_compare(console_for(desk, "agent2", lang), terminal_size=SIZE, run_before=show)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_queue_search_with_a_selection(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    async def search(pilot: Pilot[None]) -> None:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QueueScreen)
        screen.search_delay = 0.001  # the search runs after a pause in typing: no waiting here
        await pilot.press("4")  # the whole open queue (an agent starts on their groups)
        await settle(pilot)
        await pilot.press("slash", *"wang")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(console_for(desk, "agent2", lang), terminal_size=SIZE, run_before=search)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_triage_form(lang: str, desk: DeskService, snap_compare: Callable[..., bool]) -> None:
    async def triage(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("4")  # the whole open queue (an agent starts on their groups)
        await settle(pilot)
        # a hardware call nobody holds: the agent's own group's to re-triage
        await pilot.press("t", "1")
        await settle(pilot)

    assert snap_compare(console_for(desk, "agent2", lang), terminal_size=SIZE, run_before=triage)


def long_story(desk: DeskService, clock: FrozenClock) -> str:
    """A ticket worked for a morning: claims, many worklog entries, updates, a pause, an
    escalation. Returns its number."""
    number = log_call(
        desk,
        "财务系统导出报表失败，月底结账受阻",
        minutes_ago=25,
        impact=2,
        urgency=2,
        category="software",
        caller=2,
        description="导出 Excel 时报错“内存不足”。\n已尝试：重启客户端、换电脑。",
    ).number
    agent, lead = desk.actor("agent2"), desk.actor("lead")
    clock.advance(minutes=3)
    desk.claim(agent, number)
    for n in range(1, 15):
        clock.advance(minutes=7)
        if n % 4 == 0:
            desk.worklog(agent, number, f"已向用户反馈第 {n // 4} 次进展。", progress=True)
        else:
            desk.worklog(agent, number, f"第 {n} 步：检查日志，发现导出任务超时（{n * 10} 秒）。")
    clock.advance(minutes=5)
    desk.set_status(agent, number, "pending", note="等待用户提供出错时的截图")
    clock.advance(minutes=20)
    desk.set_status(agent, number, "in_progress", note="用户已发来截图")
    clock.advance(minutes=4)
    desk.triage(lead, number, 1, 2)
    clock.advance(minutes=6)
    desk.escalate(agent, number, "一线排查：报表模板过大，需开发商优化导出。")
    clock.advance(minutes=2)
    return number


@pytest.mark.parametrize("lang", LANGUAGES)
def test_detail_with_a_long_timeline(
    lang: str, desk: DeskService, clock: FrozenClock, snap_compare: Callable[..., bool]
) -> None:
    number = long_story(desk, clock)
    app = console_for(desk, "agent2", lang)

    async def show(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.app.push_screen(TicketScreen(number))
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=show)


SIZES = {"80x24": (80, 24), "160x48": (160, 48)}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_queue_at_each_size(
    lang: str, size: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    """At 80×24 number, priority, status, the nearest clock and the summary stay readable."""

    async def show(pilot: Pilot[None]) -> None:
        await settle(pilot)

    app = console_for(desk, "lead", lang)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=show)


async def _filter(pilot: Pilot[None], *, close: bool) -> None:
    """Open the filter bar, choose a status (in progress) and a group (hardware, the second);
    ``close``: apply and go back to the table."""
    await settle(pilot)
    await pilot.press("f")
    await pilot.pause()
    await pilot.press("enter", "down", "down", "down", "enter")  # status: in progress
    await settle(pilot)
    await pilot.press(*["tab"] * 5, "enter", "down", "down", "enter")  # group: hardware
    await settle(pilot)
    if close:
        await pilot.press("ctrl+s")
        await settle(pilot)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_filter_bar_open(
    lang: str, size: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _filter(pilot, close=False)
        await pilot.press("tab", "tab", *"2026-02-30", "enter")  # the from date: no such day
        await settle(pilot)

    app = console_for(desk, "lead", lang)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_filters_active(lang: str, desk: DeskService, snap_compare: Callable[..., bool]) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _filter(pilot, close=True)

    app = console_for(desk, "lead", lang)
    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=run)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_transfer_of_several_selected_tickets(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("home", "space", "down", "space", "down", "space", "g")
        await settle(pilot)

    assert snap_compare(console_for(desk, "lead", lang), terminal_size=SIZE, run_before=run)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pending_of_several_with_one_left_out(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("0")  # every ticket: the closed one cannot be put on hold
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, QueueScreen)
        rows = screen.table.loaded_rows
        wanted = [i for i, r in enumerate(rows) if r.status == "in_progress"][:2]
        wanted.append(next(i for i, r in enumerate(rows) if r.status == "closed"))
        for index in wanted:
            await pilot.press("home", *["down"] * index, "space")
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(console_for(desk, "lead", lang), terminal_size=SIZE, run_before=run)
