"""How the emergency board looks, frozen at Monday 2026-11-02 10:00 at the desk, in both languages.

* ``states``: running, warning, breached, met and paused clocks, every alert acknowledged by the
  duty lead (who and when on each row), at 80×24 (number, priority, summary and the nearest
  clock; the other columns give way) and 160×48;
* ``new_p1``: a P1 logged by another console arrives: the first row, flashing, the banner asks
  for an acknowledgement; at both sizes;
* ``watching``: an agent's board: what the lead acknowledged at another console, and the
  alerts still waiting for a lead;
* ``escalate``: the escalation form over the board;
* ``empty``: nothing urgent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from deskui.console.messages import DeskChanged
from deskui.core.clock import FrozenClock
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.intake import IntakeRequest
from deskui.store.db import Database
from tests.ui.conftest import settle
from tests.ui.test_board import at, bells, console, fill_board, staff_desk

SIZE = (140, 40)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
LANGUAGES = ["zh", "en"]


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> Iterator[DeskService]:
    db = Database(f"sqlite:///{tmp_path}/desk.db")
    yield staff_desk(db, clock)
    db.dispose()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_board_clock_states(
    lang: str,
    size: tuple[int, int],
    desk: DeskService,
    clock: FrozenClock,
    snap_compare: Callable[..., bool],
) -> None:
    fill_board(desk, clock)

    async def acknowledged(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)

    app = console(desk, "lead", lang)
    assert snap_compare(app, terminal_size=size, run_before=acknowledged)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_board_flashes_a_new_p1(
    lang: str,
    size: tuple[int, int],
    desk: DeskService,
    clock: FrozenClock,
    snap_compare: Callable[..., bool],
) -> None:
    fill_board(desk, clock)

    async def new_p1(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        other = DeskService(Database(desk.db.url), FrozenClock(clock.now()))
        other.create_ticket(
            other.actor("op"),
            IntakeRequest(
                type="incident",
                category="network",
                channel="phone",
                impact=1,
                urgency=1,
                summary="整栋楼无法上网",
                description="所有人都断网了",
                requester=RequesterInput(name="钱十", phone="139-0000-0000", department="行政部"),
            ),
        )
        other.db.dispose()
        pilot.app.post_message(DeskChanged(frozenset({"ticket"})))
        await settle(pilot)
        # the status line's counts follow a change a moment later: read them now, not by timer
        app.refresh_counts()
        await settle(pilot)

    app = console(desk, "lead", lang)
    assert snap_compare(app, terminal_size=size, run_before=new_p1)
    assert bells(app) == 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_board_an_agent_watching(
    lang: str, desk: DeskService, clock: FrozenClock, snap_compare: Callable[..., bool]
) -> None:
    n = fill_board(desk, clock)
    # the lead, at another console, acknowledged the P1s a minute ago
    clock.instant = at(9, 59)
    for number in (n["p1_breached"], n["p1_paused"]):
        desk.acknowledge(desk.actor("lead"), number)
    clock.instant = at(10, 0)
    app = console(desk, "agent1", lang)
    assert snap_compare(app, terminal_size=(160, 48), run_before=settle)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_board_escalation_form(
    lang: str, desk: DeskService, clock: FrozenClock, snap_compare: Callable[..., bool]
) -> None:
    fill_board(desk, clock)

    async def escalating(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("K", "down", "e")
        await pilot.pause()
        await pilot.press(*"core switch down; rebooted")
        await pilot.pause()

    app = console(desk, "lead", lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=escalating)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_board_empty(
    lang: str, desk: DeskService, clock: FrozenClock, snap_compare: Callable[..., bool]
) -> None:
    app = console(desk, "agent1", lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)
