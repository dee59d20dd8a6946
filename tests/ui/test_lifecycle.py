"""The end of a ticket's life from the keyboard: the views past the open work, the desk's review
and close (one ticket or several), and who starts where."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from deskui.core.clock import FrozenClock
from deskui.screens.queue import QueueScreen
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_forms import NoteForm
from deskui.services.desk import DeskService
from deskui.services.queue import QueueView
from deskui.widgets.queue_table import TicketTable
from tests.services.test_queue import fill_desk, log_call
from tests.ui.conftest import console_for, settle
from tests.ui.test_queue import SIZE, open_desk, queue_of, screen_text, table_of, ticket_row
from tests.ui.test_ticket_detail import write_note


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> DeskService:
    """The queue tests' filled desk on a SQLite file."""
    service = open_desk(tmp_path / "desk.db", clock, staff=True)
    fill_desk(service)
    return service


def resolved(desk: DeskService, summary: str, *, worklog: bool = True) -> str:
    """A ticket worked by agent1 and confirmed by the desk: awaiting review."""
    number = log_call(desk, summary, minutes_ago=60).number
    agent = desk.actor("agent1")
    desk.claim(agent, number)
    if worklog:
        desk.worklog(agent, number, "更换硒鼓")
    desk.set_status(agent, number, "awaiting_confirmation", note="已更换硒鼓")
    desk.confirm(desk.actor("op"), number, 5, channel="phone")
    return number


async def select_every_row(pilot: Pilot[None], view_key: str) -> TicketTable:
    """The queue's view on ``view_key``, every row of it selected (space keeps the cursor)."""
    await settle(pilot)
    await pilot.press(view_key)
    await settle(pilot)
    table = table_of(pilot.app)
    await pilot.press("home", *["space", "down"] * table.total)
    return table


@pytest.mark.parametrize(("login", "view"), [("agent1", "groups"), ("op", "open")])
async def test_agents_start_on_their_groups(desk: DeskService, login: str, view: str) -> None:
    app = console_for(desk, login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert table_of(app).view_query.view == QueueView(view)


async def test_the_view_key_goes_round_every_view(desk: DeskService) -> None:
    app = console_for(desk, "op")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = []
        for _ in QueueView:
            await pilot.press("v")
            await settle(pilot)
            seen.append(table_of(app).view_query.view)
        assert seen[-1] == QueueView.OPEN and set(seen) == set(QueueView)
        assert "v View" in screen_text(app)


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("6", {"awaiting_confirmation", "resolved"}),
        ("7", {"resolved"}),
        ("8", {"closed"}),
        ("9", {"rejected"}),
    ],
)
async def test_tickets_past_the_open_work_are_found(
    desk: DeskService, key: str, status: set[str]
) -> None:
    app = console_for(desk, "op")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        rows = table_of(app).loaded_rows
        assert rows and {str(r.status) for r in rows} == status
        await pilot.press("home", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.number == rows[0].number


async def test_several_reviewed_tickets_are_closed_at_once(desk: DeskService) -> None:
    first = resolved(desk, "打印机缺墨")
    second = resolved(desk, "扫描仪驱动", worklog=False)
    app = console_for(desk, "op")
    async with app.run_test(size=SIZE) as pilot:
        table = await select_every_row(pilot, "7")
        assert {r.number for r in table.selected.values()} >= {first, second}
        await pilot.press("C")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NoteForm)
        # the dialog names every selected ticket, with what its record lacks
        for number in (first, second):
            assert any(number in line for line in form.intro)
        assert any(second in line and "worklog" in line for line in form.intro)
        await write_note(pilot, "记录已审核")
        assert isinstance(app.screen, QueueScreen)
        for number in (first, second):
            stored = ticket_row(desk, number)
            assert stored.status == "closed" and stored.closed_at is not None
        assert table.total == 0
        assert first in queue_of(app).notice


async def test_the_close_names_the_selected_tickets_it_leaves_as_they_are(
    desk: DeskService,
) -> None:
    """In the resolved view a ticket still awaiting its requester is selected beside a
    reviewed one: the dialog closes the reviewed one and names the other as left alone."""
    reviewed = resolved(desk, "打印机缺墨")
    app = console_for(desk, "op")
    async with app.run_test(size=SIZE) as pilot:
        table = await select_every_row(pilot, "6")
        selected = {r.number: str(r.status) for r in table.selected.values()}
        waiting = [n for n, status in selected.items() if status == "awaiting_confirmation"]
        assert reviewed in selected and waiting
        await pilot.press("C")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NoteForm)
        (left,) = [line for line in form.intro if line.startswith("Left as they are")]
        assert all(number in left for number in waiting) and reviewed not in left
        await write_note(pilot, "")
        assert ticket_row(desk, reviewed).status == "closed"
        assert all(ticket_row(desk, n).status == "awaiting_confirmation" for n in waiting)


async def test_close_from_the_detail_with_a_note(desk: DeskService) -> None:
    number = resolved(desk, "键盘失灵", worklog=False)
    app = console_for(desk, "op")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(TicketScreen(number))
        await settle(pilot)
        assert "Review: missing: a worklog entry" in screen_text(app)
        await pilot.press("C")
        await settle(pilot)
        await write_note(pilot, "已电话回访")
        view = desk.ticket(number)
        assert view.status == "closed"
        assert view.events[-1].note == "已电话回访"


async def test_only_the_desk_is_offered_the_close(desk: DeskService) -> None:
    number = resolved(desk, "鼠标失灵")
    app = console_for(desk, "agent1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        assert queue_of(app).check_action("close", ()) is False
        await app.push_screen(TicketScreen(number))
        await settle(pilot)
        assert app.screen.check_action("close", ()) is False
        await pilot.press("C")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert desk.ticket(number).status == "resolved"
