"""The end of a ticket's life, frozen at Monday 2026-11-02 10:00, in both languages: each view
past the open work, the review and close dialog over several tickets, a resolved ticket's
detail with what its record lacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from deskui.core.clock import FrozenClock
from deskui.screens.ticket import TicketScreen
from deskui.services import skills
from deskui.services.desk import DeskService
from tests.services.test_outage import outage
from tests.services.test_queue import fill_desk, log_call
from tests.services.test_skills import who
from tests.ui.conftest import console_for, settle
from tests.ui.test_lifecycle import resolved
from tests.ui.test_queue import SIZE, open_desk

LANGUAGES = ["zh", "en"]
VIEW_KEYS = {"resolved": "6", "review": "7", "closed": "8", "rejected": "9", "all": "0"}


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> Iterator[DeskService]:
    """The filled desk of the queue tests, with two more tickets awaiting review."""
    service = open_desk(tmp_path / "desk.db", clock, staff=True)
    fill_desk(service)
    resolved(service, "打印机缺墨")
    resolved(service, "扫描仪驱动", worklog=False)
    yield service
    service.db.dispose()


@pytest.mark.parametrize("view", list(VIEW_KEYS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_views_past_the_open_work(
    lang: str, view: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    async def show(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(VIEW_KEYS[view])
        await settle(pilot)

    assert snap_compare(console_for(desk, "op", lang), terminal_size=SIZE, run_before=show)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_closing_several_reviewed_tickets(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    async def ask(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("home", *["space", "down"] * 3, "C")
        await settle(pilot)

    assert snap_compare(console_for(desk, "op", lang), terminal_size=SIZE, run_before=ask)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_resolved_detail_says_what_is_missing(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    number = resolved(desk, "键盘失灵", worklog=False)

    async def show(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.app.push_screen(TicketScreen(number))
        await settle(pilot)

    assert snap_compare(console_for(desk, "op", lang), terminal_size=SIZE, run_before=show)


def lead_desk(desk: DeskService) -> str:
    """A P1 held by agent1 with a new estimate given: its number. Both agents are skilled in
    its category (hardware), so the assign dialog suggests the one with less open work."""
    skills.change_skills(desk, who(desk), "agent1", changes={"hardware": 5})
    skills.change_skills(desk, who(desk), "agent2", changes={"hardware": 3})
    number = log_call(desk, "核心交换机故障", minutes_ago=10, impact=1, urgency=1).number
    desk.claim(desk.actor("agent1"), number)
    until = desk.clock.now() + timedelta(days=1, hours=8)
    desk.estimate(desk.actor("agent1"), number, "等待厂商备件", until)
    return number


#: Each lead's form, by its key on the detail.
LEAD_FORMS = {"override": "P", "assign": "n", "take_over": "T", "estimate": "D"}


@pytest.mark.parametrize("form", list(LEAD_FORMS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_lead_forms_on_the_detail(
    lang: str, form: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    number = lead_desk(desk)

    async def ask(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.app.push_screen(TicketScreen(number))
        await settle(pilot)
        await pilot.press(LEAD_FORMS[form])
        await settle(pilot)

    assert snap_compare(console_for(desk, "lead", lang), terminal_size=SIZE, run_before=ask)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_board_shows_the_new_estimate(
    lang: str, desk: DeskService, snap_compare: Callable[..., bool]
) -> None:
    lead_desk(desk)

    async def show(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)

    assert snap_compare(console_for(desk, "lead", lang), terminal_size=SIZE, run_before=show)


@pytest.mark.parametrize("where", ["queue", "parent", "board"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_outage(
    lang: str, where: str, tmp_path: Path, clock: FrozenClock, snap_compare: Callable[..., bool]
) -> None:
    service = open_desk(tmp_path / "outage.db", clock, staff=True)
    parent, _calls = outage(service)

    async def show(pilot: Pilot[None]) -> None:
        await settle(pilot)
        if where == "parent":
            await pilot.app.push_screen(TicketScreen(parent))
        elif where == "board":
            await pilot.press("f4")
        await settle(pilot)

    app = console_for(service, "lead", lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=show)
    service.db.dispose()
