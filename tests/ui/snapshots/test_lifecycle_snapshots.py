"""The end of a ticket's life, frozen at Monday 2026-11-02 10:00, in both languages: each view
past the open work, the review and close dialog over several tickets, a resolved ticket's
detail with what its record lacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from deskui.core.clock import FrozenClock
from deskui.screens.ticket import TicketScreen
from deskui.services.desk import DeskService
from tests.services.test_queue import fill_desk
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
        await pilot.press("home", "space", "space", "space", "C")
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
