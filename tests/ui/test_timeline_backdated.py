"""The timeline flags an event stamped earlier than the one before it, in both languages."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from deskui.core.clock import FrozenClock
from deskui.services.desk import DeskService
from tests.services.test_queue import log_call
from tests.ui.test_queue import SIZE, open_desk, screen_text
from tests.ui.test_ticket_detail import open_ticket, show_ticket


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> DeskService:
    return open_desk(tmp_path / "desk.db", clock, staff=True)


def backdate_last_event(desk: DeskService, number: str, at: str) -> None:
    """Rewrite the stamp of the ticket's last event with raw SQL (naive UTC, as SQLite keeps it)."""
    assert desk.db.path is not None
    with sqlite3.connect(desk.db.path) as conn:
        conn.execute(
            "UPDATE ticket_event SET at = ? WHERE id = (SELECT max(e.id) FROM ticket_event e "
            "JOIN ticket t ON t.id = e.ticket_id WHERE t.number = ?)",
            (at, number),
        )


def test_the_read_model_names_the_predecessors_stamp(desk: DeskService) -> None:
    number = log_call(desk, "打印机卡纸", minutes_ago=30).number
    desk.claim(desk.actor("agent1"), number)
    assert all(e.earlier_than is None for e in desk.ticket(number).events)
    backdate_last_event(desk, number, "2026-11-02 01:00:00.000000")  # 09:00 at the desk
    events = desk.ticket(number).events
    assert [e.earlier_than is not None for e in events] == [False] * (len(events) - 1) + [True]
    assert events[-1].earlier_than == events[-2].at


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "⚠ stamped earlier than the entry before it (2026-11-02 10:00)"),
        ("zh", "⚠ 此记录的时间早于前一条（2026-11-02 10:00）"),
    ],
)
async def test_the_timeline_marks_a_backdated_entry(
    desk: DeskService, lang: str, words: str
) -> None:
    number = log_call(desk, "打印机卡纸", minutes_ago=30).number
    desk.claim(desk.actor("agent1"), number)
    backdate_last_event(desk, number, "2026-11-02 01:00:00.000000")
    app = await open_ticket(desk, "agent2", number, lang)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        text = screen_text(app)
        assert "⚠ 2026-11-02 09:00" in text
        assert words in text
        assert text.count("⚠") == 2  # the one entry, and its explanation
