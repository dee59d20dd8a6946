"""The ticket detail's time worked and the requester's phone, an outage's call solved with its
parent, and the reports' new tables, frozen at Monday 2026-11-02 10:00, in both languages."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Select

from deskui.core.clock import FrozenClock
from deskui.screens.ticket import TicketScreen
from deskui.services.desk import DeskService
from deskui.store.db import Database
from deskui.widgets.safe_input import SafeInput
from tests.services.test_outage import outage
from tests.ui.conftest import SIZE, console_for, frozen_clock, make_test_app, settle
from tests.ui.test_queue import open_desk
from tests.ui.test_reports_screen import open_reports
from tests.ui.test_ticket_detail import held_by

LANGUAGES = ["zh", "en"]


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> Iterator[DeskService]:
    """A desk with its staff; agent2 holds a ticket with two entries of time worked."""
    service = open_desk(tmp_path / "desk.db", clock, staff=True)
    yield service
    service.db.dispose()


def worked_ticket(desk: DeskService) -> str:
    number = held_by(desk, "agent2")
    agent = desk.actor("agent2")
    desk.worklog(agent, number, "远程查看打印队列", minutes=50)
    desk.worklog(agent, number, "上门更换硒鼓", minutes=25)
    return number


async def open_detail(pilot: Pilot[None], number: str) -> None:
    await settle(pilot)
    await pilot.app.push_screen(TicketScreen(number))
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_worklog_form_refuses_minutes(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    number = worked_ticket(desk)

    async def refused(pilot: Pilot[None]) -> None:
        await open_detail(pilot, number)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*"checked the fuser")
        pilot.app.screen.query_one("#minutes", SafeInput).focus()
        await pilot.press(*"90m", "ctrl+s")
        await settle(pilot)

    app = console_for(desk, "agent2", lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=refused)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_detail_with_time_worked_and_the_phone_revealed(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    number = worked_ticket(desk)

    async def revealed(pilot: Pilot[None]) -> None:
        await open_detail(pilot, number)
        await pilot.press("v")
        await settle(pilot)

    app = console_for(desk, "lead", lang)
    assert snap_compare(app, terminal_size=(160, 48), run_before=revealed)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_call_solved_with_its_outage(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    parent, calls = outage(desk)
    agent = desk.actor("agent1")
    desk.claim(agent, parent)
    desk.set_status(agent, parent, "awaiting_confirmation", note="更换了交换机电源")

    async def shown(pilot: Pilot[None]) -> None:
        await open_detail(pilot, calls[0])

    app = console_for(desk, "lead", lang)
    assert snap_compare(app, terminal_size=(160, 48), run_before=shown)


@pytest.fixture
def demo_worked(demo_db: str) -> str:
    """The demo desk with an outage (three calls) and time worked on it this week."""
    db = Database(demo_db)
    service = DeskService(db, frozen_clock())
    parent, _calls = outage(service)
    service.worklog(service.actor("lead"), parent, "排查核心交换机", minutes=40)
    service.worklog(service.actor("op"), parent, "回拨用户", minutes=15)
    db.dispose()
    return demo_db


@pytest.mark.parametrize("table", ["outages", "workload_group", "knowledge"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_reports_new_tables(
    lang: str, table: str, demo_worked: str, snap_compare: Callable[..., bool]
) -> None:
    async def shown(pilot: Pilot[None]) -> None:
        screen = await open_reports(pilot)
        screen.query_one("#report-table", Select).value = table
        await settle(pilot)
        screen.query_one("#report-rows", DataTable).focus()
        await pilot.pause()

    app = make_test_app(demo_worked, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=shown)
