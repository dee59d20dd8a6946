"""An outage on screen: the parent's count of calls in the queue and on the board, the parent's
and a call's detail, a call linked from another console shown without a key."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskui.console.messages import DeskChanged
from deskui.core.clock import FrozenClock
from deskui.screens.ticket import TicketScreen
from deskui.services.desk import DeskService
from tests.services.test_outage import outage
from tests.services.test_queue import log_call
from tests.ui.conftest import console_for, settle
from tests.ui.test_board import line_of
from tests.ui.test_queue import SIZE, open_desk, queue_of, screen_text, table_of


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> DeskService:
    """A desk with staff on a SQLite file."""
    return open_desk(tmp_path / "desk.db", clock, staff=True)


async def test_the_parent_counts_its_calls_in_the_queue_and_on_the_board(
    desk: DeskService,
) -> None:
    parent, calls = outage(desk)
    app = console_for(desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(r for r in table_of(app).loaded_rows if r.number == parent)
        assert row.children == 3
        assert "⧉3 calls 整层楼" in screen_text(app)
        assert "✓" not in screen_text(app), "the cursor's row is not drawn as selected"
        # another call joins from elsewhere: the parent's line says so without a key
        extra = log_call(desk, "五楼会议室断网", minutes_ago=1, category="network")
        desk.link(desk.actor("op"), extra.number, parent)
        queue_of(app).change_delay = 0.001
        app.post_message(DeskChanged(frozenset({"ticket", "ticket_event"})))
        await settle(pilot)
        assert "⧉4 calls 整层楼" in screen_text(app)
        await pilot.press("f4")
        await settle(pilot)
        assert "⧉4 calls" in line_of(app, parent)
        await app.push_screen(TicketScreen(parent))
        await settle(pilot)
        assert "Outage parent of 4 calls" in screen_text(app)
        await app.push_screen(TicketScreen(calls[1]))
        await settle(pilot)
        assert f"In the outage {parent}" in screen_text(app)
