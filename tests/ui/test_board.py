"""The emergency board at work: clocks tick, alerts ring and flash, actions reach the desk, and a
change made by another console (another process) shows up by itself."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from sqlalchemy import event, text
from textual.app import App
from textual.pilot import Pilot

from deskui.app import DeskApp
from deskui.cli.intake_json import intake_from_json
from deskui.console.live import start_live
from deskui.console.messages import ConnectionLost, ConnectionRestored, DeskChanged
from deskui.core.alerts import Alert
from deskui.core.clock import Clock, FrozenClock, SystemClock
from deskui.core.enums import ClockKind, EventKind
from deskui.i18n import Catalog
from deskui.screens.emergency import EmergencyBoard
from deskui.screens.ticket_forms import NoteForm
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import RequesterInput
from deskui.services.errors import DatabaseUnavailable
from deskui.services.intake import IntakeRequest
from deskui.services.names import DeskNames
from deskui.services.views import EventView
from deskui.store.db import Database
from deskui.store.feed import Backoff, PostgresFeed, SqliteFeed
from deskui.widgets.keys import binding_text
from deskui.widgets.safe_input import SafeTextArea
from deskui.widgets.timeline import entry_text
from tests.conftest import SHANGHAI, add_staff
from tests.conftest import _truncate as truncate_postgres
from tests.ui.conftest import console_for, settle


def console(desk: DeskService, login: str, lang: str, *, live: bool = False) -> DeskApp:
    """The console on ``desk`` as ``login``, opened on the board; its bell counts its rings."""
    app = console_for(desk, login, lang, start_mode="board", live=live)
    rings: list[None] = []
    app.bell = lambda: rings.append(None)  # type: ignore[method-assign]  # no terminal to ring
    app.rings = rings  # type: ignore[attr-defined]  # read by bells()
    return app


def notifications(app: DeskApp) -> list[str]:
    """What the console tells the operator in notifications, from now on."""
    said: list[str] = []
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        said.append(message)
        notify(message, **options)

    app.notify = record  # type: ignore[method-assign]  # the console's own notify, recorded
    return said


def bells(app: DeskApp) -> int:
    """How often the console rang."""
    rings: list[None] = app.rings  # type: ignore[attr-defined]  # set by console()
    return len(rings)


def staff_desk(db: Database, clock: Clock) -> DeskService:
    prepare_database(db)
    return add_staff(DeskService(db, clock))


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, 2, hour, minute, second, tzinfo=SHANGHAI)


def log_call(
    desk: DeskService,
    clock: FrozenClock,
    when: datetime,
    summary: str,
    impact: int,
    urgency: int,
    name: str = "张三",
) -> str:
    clock.instant = when
    request = IntakeRequest(
        type="incident",
        category="hardware",
        channel="phone",
        impact=impact,
        urgency=urgency,
        summary=summary,
        description=summary,
        requester=RequesterInput(name=name, phone="138-0013-8000", department="财务部"),
    )
    return desk.create_ticket(desk.actor("op"), request).number


def fill_board(desk: DeskService, clock: FrozenClock) -> dict[str, str]:
    """A desk at Monday 10:00 with a clock in every state; returns the numbers by role."""
    n = {
        "p1_breached": log_call(desk, clock, at(9, 40), "核心交换机宕机，全楼断网", 1, 1),
        "p2_warning": log_call(desk, clock, at(9, 10), "财务系统无法登录", 2, 2, "李四"),
        "p2_claimed": log_call(desk, clock, at(9, 55), "OA 审批流程卡住", 2, 2, "王五"),
        "p1_paused": log_call(desk, clock, at(8, 0), "机房空调故障", 1, 1, "赵六"),
        "p3_warning": log_call(desk, clock, at(9, 5), "邮件发送延迟", 3, 2, "孙七"),
        "p4_breached": log_call(desk, clock, at(8, 0), "打印机卡纸", 3, 3, "周八"),
        "p3_fresh": log_call(desk, clock, at(9, 55), "显示器闪烁", 3, 2, "吴九"),
    }
    clock.instant = at(9, 58)
    desk.claim(desk.actor("agent1"), n["p2_claimed"])
    clock.instant = at(8, 5)
    desk.claim(desk.actor("agent2"), n["p1_paused"])
    clock.instant = at(8, 30)
    desk.set_status(desk.actor("agent2"), n["p1_paused"], "pending", note="等待厂商备件")
    clock.instant = at(10, 0)
    return n


@pytest.fixture
def board_desk(tmp_path: Path, clock: FrozenClock) -> Iterator[DeskService]:
    """A SQLite desk with staff (the board's behaviour does not depend on the database)."""
    db = Database(f"sqlite:///{tmp_path}/desk.db")
    yield staff_desk(db, clock)
    db.dispose()


def board(app: App[None]) -> EmergencyBoard:
    screen = app.screen
    assert isinstance(screen, EmergencyBoard)
    return screen


def lines(app: App[None]) -> list[str]:
    """The board table's lines as a user sees them."""
    table = board(app).table
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


async def select(pilot: Pilot[None], number: str) -> None:
    """Move the board's cursor to a ticket, as a user would."""
    table = board(pilot.app).table
    await pilot.press("home")
    for _ in table.rows:
        if table.selected and table.selected.number == number:
            return
        await pilot.press("down")
    pytest.fail(f"{number} is not on the board")


def line_of(app: App[None], number: str, part: int = 0) -> str:
    """The ticket line (0) or clock line (1) of a ticket."""
    found = lines(app)
    index = next(i for i, line in enumerate(found) if number in line)
    return found[index + part]


# the board -------------------------------------------------------------------------------------
async def test_board_lists_urgent_tickets_in_the_boards_order(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "lead", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        numbers = [r.number for r in board(app).table.rows]
        # alerts nobody acknowledged first (the P1s, the newest first; then the P4's breach),
        # then the P2s nearest due first, then the P3 in warning
        assert numbers == [
            n["p1_breached"],
            n["p1_paused"],
            n["p4_breached"],
            n["p2_warning"],
            n["p2_claimed"],
            n["p3_warning"],
        ]
        await pilot.press("K")
        await settle(pilot)
        numbers = [r.number for r in board(app).table.rows]
        # acknowledged: the P1s (breached first), the P2s, the breached P4, the warning
        assert numbers == [
            n["p1_breached"],
            n["p1_paused"],
            n["p2_warning"],
            n["p2_claimed"],
            n["p4_breached"],
            n["p3_warning"],
        ]
        assert "✖ -5m00s BREACHED" in line_of(app, n["p1_breached"], 1)
        assert "▲ 10m00s warning" in line_of(app, n["p2_warning"], 1)
        assert "✔" in line_of(app, n["p2_claimed"], 1) and "met" in line_of(app, n["p2_claimed"], 1)
        paused = line_of(app, n["p1_paused"], 1)
        assert paused.count("‖") == 2 and paused.count("paused · 等待厂商备件") == 2
        assert "unclaimed" in line_of(app, n["p1_breached"])
        assert "张伟" in line_of(app, n["p2_claimed"])
        title = str(app.screen.query_one("#board-title").render())
        assert "P1 2 · P2 2 · breached 2 · warning 2" in title


async def test_one_timer_moves_every_clock_without_reading_the_database(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "agent1", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = board(app)
        ticking = [timer for timer in screen._timers if timer._callback == screen.tick]
        assert len(ticking) == 1, "one timer drives every clock"
        assert not screen.table._timers, "the table has no timer of its own"
        statements: list[str] = []
        event.listen(
            board_desk.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
        )
        reads = screen.reads
        for _ in range(3):
            clock.advance(seconds=1)
            screen.tick()
            await pilot.pause()
        assert "-5m03s" in line_of(app, n["p1_breached"], 1)
        assert "9m57s" in line_of(app, n["p2_warning"], 1)
        assert "-1h00m" in line_of(app, n["p4_breached"], 1)
        assert statements == [] and screen.reads == reads


async def test_a_ticket_entering_warning_is_read_when_its_time_comes(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    fill_board(board_desk, clock)
    fresh = log_call(board_desk, clock, at(9, 59), "P3 due 10:59, warns 10:44", 3, 2)
    clock.instant = at(10, 0)
    app = console(board_desk, "agent1", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = board(app)
        reads = screen.reads
        clock.instant = at(10, 3)
        screen.tick()
        await settle(pilot)
        assert screen.reads == reads, "nothing can enter before the lookahead ends"
        clock.instant = at(10, 44)
        screen.tick()
        await settle(pilot)
        assert screen.reads == reads + 1
        assert fresh in [r.number for r in screen.table.rows]


async def test_new_breach_rings_once_and_flashes_until_acknowledged(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "lead", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = board(app)
        assert bells(app) == 1, "the standing P1s and breaches ring once when the board opens"
        await pilot.press("K")
        assert screen.alerts.pending() == [], "gone at once, before the write is read back"
        await settle(pilot)
        assert screen.alerts.pending() == []
        banner = screen.query_one("#board-banner")
        assert not banner.has_class("-alerting")

        clock.instant = at(10, 5, 1)  # the P3's response is now past due
        screen.tick()
        assert bells(app) == 2
        assert screen.alerts.pending() == [Alert(n["p3_warning"], ClockKind.RESPONSE)]
        assert [r.number for r in screen.table.rows][0] == n["p3_warning"], "to the top"
        await pilot.press("K")
        await settle(pilot)

        clock.instant = at(10, 10, 1)  # and the P2's
        screen.tick()
        await pilot.pause()
        assert bells(app) == 3
        assert screen.alerts.pending() == [Alert(n["p2_warning"], ClockKind.RESPONSE)]
        assert banner.has_class("-alerting")
        assert "Response breached" in str(banner.render())
        assert line_of(app, n["p2_warning"]).lstrip().startswith("NEW")

        def reversed_banner() -> bool:
            content = banner.content
            return isinstance(content, Text) and any(
                "reverse" in str(span.style) for span in content.spans
            )

        shown = reversed_banner()
        clock.advance(seconds=1)
        screen.tick()
        assert bells(app) == 3, "a breach rings once"
        assert reversed_banner() != shown, "and flashes"

        await select(pilot, n["p3_warning"])
        assert screen.check_action("acknowledge", ()) is None, "nothing to acknowledge there"
        await select(pilot, n["p2_warning"])
        await pilot.press("k")
        await settle(pilot)
        assert screen.alerts.pending() == []
        assert not banner.has_class("-alerting")
        assert not line_of(app, n["p2_warning"]).lstrip().startswith("NEW")
        assert "✔赵敏 10:10" in line_of(app, n["p2_warning"]), "who acknowledged, when"
        kinds = [e.kind for e in board_desk.ticket(n["p2_warning"]).events]
        assert kinds.count(EventKind.ALERT_ACKNOWLEDGED) == 1


async def test_new_p1_from_another_console_rings_and_flashes(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    fill_board(board_desk, clock)
    app = console(board_desk, "lead", "zh")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        other_console = DeskService(Database(board_desk.db.url), FrozenClock(at(10, 0)))
        number = other_console.create_ticket(
            other_console.actor("op"),
            IntakeRequest(
                type="incident",
                category="network",
                channel="phone",
                impact=1,
                urgency=1,
                summary="整栋楼无法上网",
                description="所有人都断网了",
                requester=RequesterInput(name="钱十", phone="139-0000-0000"),
            ),
        ).number
        other_console.db.dispose()
        app.post_message(DeskChanged(frozenset({"ticket", "ticket_event"})))
        await settle(pilot)
        screen = board(app)
        assert number in [r.number for r in screen.table.rows]
        assert bells(app) == 2
        assert screen.alerts.pending() == [Alert(number)]
        assert screen.table.rows[0].number == number, "a new P1 is the first row"
        assert "新P1" in str(screen.query_one("#board-banner").render())
        assert line_of(app, number).lstrip().startswith("新!")


async def test_only_a_lead_acknowledges_and_the_other_consoles_see_who_and_when(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    n = fill_board(board_desk, clock)
    agent = console(board_desk, "agent1", "en")
    lead = console(board_desk, "lead", "zh")
    async with agent.run_test(size=(140, 40)) as agent_pilot:
        await settle(agent_pilot)
        watching = board(agent)
        await select(agent_pilot, n["p1_breached"])
        assert watching.check_action("acknowledge", ()) is False, "not an agent's key"
        assert watching.check_action("acknowledge_all", ()) is False
        assert "k" not in [b.binding.key for b in watching.active_bindings.values() if b.enabled]
        banner = str(watching.query_one("#board-banner").render())
        # the line is cut to the board's width, with an ellipsis
        assert "flashes until a duty lead" in banner and banner.rstrip().endswith("…")
        await agent_pilot.press("k", "K")
        await settle(agent_pilot)
        assert watching.alerts.pending_for(n["p1_breached"]), "the keys do nothing here"

        async with lead.run_test(size=(140, 40)) as lead_pilot:
            await settle(lead_pilot)
            await select(lead_pilot, n["p1_breached"])
            assert board(lead).check_action("acknowledge", ()) is True
            await lead_pilot.press("k")
            await settle(lead_pilot)
            assert not board(lead).alerts.pending_for(n["p1_breached"])
            assert "✔赵敏 10:00确认" in line_of(lead, n["p1_breached"])

        # the agent's console hears of the change (as the change feed tells it)
        agent.post_message(DeskChanged(frozenset({"ticket", "ticket_event"})))
        await settle(agent_pilot)
        assert not watching.alerts.pending_for(n["p1_breached"])
        assert "✔赵敏 10:00" in line_of(agent, n["p1_breached"])
        assert not line_of(agent, n["p1_breached"]).lstrip().startswith("NEW")
        assert watching.alerts.pending_for(n["p4_breached"]), "only what the lead acknowledged"


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (DatabaseUnavailable(database="desk.db", reason="disk I/O error"), "disk I/O error"),
        (RuntimeError("the disk caught fire"), "RuntimeError"),
    ],
)
async def test_an_acknowledgement_that_cannot_be_written_leaves_the_alerts_flashing(
    board_desk: DeskService,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    said: str,
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "lead", "en")
    told = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = board(app)

        def failing(*_args: object, **_kwargs: object) -> None:
            raise error

        monkeypatch.setattr(board_desk, "acknowledge", failing)
        await select(pilot, n["p4_breached"])
        await pilot.press("k")
        await settle(pilot)
        assert any(said in text for text in told)
        assert screen.alerts.pending_for(n["p4_breached"]), "nothing was written"
        assert line_of(app, n["p4_breached"]).lstrip().startswith("NEW")


async def test_a_row_acknowledged_elsewhere_moves_away_and_the_board_keeps_its_top(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    breached = [log_call(board_desk, clock, at(8, n), f"打印机卡纸 #{n}", 3, 3) for n in range(12)]
    p1 = log_call(board_desk, clock, at(9, 59), "核心交换机宕机", 1, 1)
    clock.instant = at(10, 0)
    app = console(board_desk, "agent1", "en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = board(app).table
        assert [r.number for r in table.rows][:2] == [p1, breached[-1]]
        assert table.selected is not None and table.selected.number == p1
        # a new P1 arrives: first row; the cursor stays on its ticket, one row down
        newer = log_call(board_desk, clock, at(10, 0), "机房断电", 1, 1)
        clock.instant = at(10, 0, 1)
        app.post_message(DeskChanged(frozenset({"ticket"})))
        await settle(pilot)
        assert [r.number for r in table.rows][:2] == [newer, p1]
        assert table.cursor == 1 and table.scroll_offset.y == 0
        # the lead acknowledges both P1s at another console: they go below the twelve breaches
        # nobody acknowledged, out of sight; the cursor keeps its place, the board its top
        for number in (newer, p1):
            board_desk.acknowledge(board_desk.actor("lead"), number)
        app.post_message(DeskChanged(frozenset({"ticket_event"})))
        await settle(pilot)
        assert [r.number for r in table.rows][12:] == [p1, newer], "nearest due first"
        assert table.cursor == 1 and table.scroll_offset.y == 0


async def test_an_acknowledgement_made_elsewhere_first_is_told_not_written_twice(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "lead", "en")
    said = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await select(pilot, n["p4_breached"])
        # an admin at another console acknowledges it first; this board has not heard yet
        board_desk.acknowledge(board_desk.actor("admin"), n["p4_breached"])
        await pilot.press("k")
        await settle(pilot)
        assert any("管理员 acknowledged its alerts at 10:00" in text for text in said)
        screen = board(app)
        assert not screen.alerts.pending_for(n["p4_breached"])
        assert "✔管理员 10:00" in line_of(app, n["p4_breached"])
        events = board_desk.ticket(n["p4_breached"]).events
        assert [e.kind for e in events].count(EventKind.ALERT_ACKNOWLEDGED) == 1


async def test_changes_to_unrelated_tables_do_not_read_the_board(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    fill_board(board_desk, clock)
    app = console(board_desk, "agent1", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        reads = board(app).reads
        app.post_message(DeskChanged(frozenset({"ticket_sequence"})))
        await settle(pilot)
        assert board(app).reads == reads
        app.post_message(DeskChanged(frozenset({"ticket"})))
        await settle(pilot)
        assert board(app).reads == reads + 1


async def test_claim_from_the_board_and_a_claim_conflict_names_the_holder(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "agent1", "en")
    said = notifications(app)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = board(app)
        await select(pilot, n["p2_warning"])
        assert screen.check_action("claim", ()) is True
        # another console claims it first; this board has not heard yet (no feed here)
        board_desk.claim(board_desk.actor("agent2"), n["p2_warning"])
        await pilot.press("a")
        await settle(pilot)
        assert any(f"{n['p2_warning']} is already held by agent2" in text for text in said)
        assert screen.check_action("claim", ()) is None, "read again: agent2 holds it now"
        await select(pilot, n["p1_breached"])
        assert screen.check_action("claim", ()) is True
        await pilot.press("a")
        await settle(pilot)
        assert board_desk.ticket(n["p1_breached"]).assignee == "agent1"
        assert "张伟" in line_of(app, n["p1_breached"])
        assert screen.alerts.pending_for(n["p1_breached"]), "an agent's claim acknowledges nothing"
        assert screen.check_action("claim", ()) is None, "already mine"


async def test_a_leads_claim_from_the_board_acknowledges_for_everyone(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "lead", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = board(app)
        await select(pilot, n["p1_breached"])
        await pilot.press("a")
        await settle(pilot)
        assert not screen.alerts.pending_for(n["p1_breached"])
        view = board_desk.ticket(n["p1_breached"])
        assert view.assignee == "lead"
        (ack,) = [e for e in view.events if e.kind == EventKind.ALERT_ACKNOWLEDGED]
        # the claim stopped the response clock (missed): what stood then was the P1 itself
        assert ack.actor == "lead" and ack.new_value == "p1"


async def test_an_operator_cannot_claim_from_the_board(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    fill_board(board_desk, clock)
    app = console(board_desk, "op", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert board(app).check_action("claim", ()) is None


async def test_escalate_from_the_board_with_a_note(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "lead", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await select(pilot, n["p4_breached"])
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NoteForm) and n["p4_breached"] in dialog.form_title
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog, "a note is required"
        assert "Write something" in str(dialog.query_one("#form-error").render())
        await pilot.press(*"printer jams on every job; replaced the drum")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EmergencyBoard)
        view = board_desk.ticket(n["p4_breached"])
        assert view.tier == 3  # from the hardware group (L2) to the vendor
        escalated = [e for e in view.events if e.kind == "escalated"]
        assert [e.note for e in escalated] == ["printer jams on every job; replaced the drum"]
        assert "L3" in line_of(app, n["p4_breached"])


async def test_escalation_that_cannot_be_stored_keeps_the_note(
    board_desk: DeskService, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_board(board_desk, clock)
    app = console(board_desk, "lead", "zh")

    def unavailable(*_args: object, **_kwargs: object) -> None:
        raise DatabaseUnavailable(database="desk.db", reason="disk I/O error")

    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(board_desk, "escalate", unavailable)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press(*"diagnosis")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NoteForm)
        assert dialog.query_one(SafeTextArea).text == "diagnosis"
        assert "数据库不可用" in str(dialog.query_one("#form-error").render())


async def test_a_lost_connection_marks_the_board_and_a_restored_one_reads_it_again(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    fill_board(board_desk, clock)
    app = console(board_desk, "agent1", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = board(app)
        screen.post_message(ConnectionLost("server closed the connection unexpectedly"))
        await pilot.pause()
        assert "reconnecting" in str(screen.query_one("#board-title").render())
        assert len(screen.table.rows) == 6
        reads = screen.reads
        screen.post_message(ConnectionRestored())
        await settle(pilot)
        assert screen.reads == reads + 1 and screen.stale_reason is None


async def test_enter_opens_the_ticket(board_desk: DeskService, clock: FrozenClock) -> None:
    from deskui.screens.ticket import TicketScreen

    n = fill_board(board_desk, clock)
    app = console(board_desk, "agent1", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await select(pilot, n["p1_paused"])
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TicketScreen)


async def test_a_board_without_its_database_keeps_its_rows_and_keeps_ticking(
    board_desk: DeskService, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = fill_board(board_desk, clock)
    app = console(board_desk, "agent1", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)

        def unavailable(_fn: object) -> None:
            raise DatabaseUnavailable(database="desk.db", reason="unable to open database file")

        monkeypatch.setattr(board_desk, "read", unavailable)
        app.post_message(DeskChanged(frozenset({"ticket"})))
        await settle(pilot)
        screen = board(app)
        assert screen.stale_reason and "unable to open" in screen.stale_reason
        assert len(screen.table.rows) == 6
        title = str(screen.query_one("#board-title").render())
        assert "database unavailable, reconnecting" in title
        clock.advance(seconds=30)
        screen.tick()
        await pilot.pause()
        assert "-5m30s" in line_of(app, n["p1_breached"], 1)
        monkeypatch.undo()
        app.post_message(DeskChanged(frozenset({"ticket"})))
        await settle(pilot)
        assert screen.stale_reason is None


async def test_board_in_both_languages_and_empty(
    board_desk: DeskService, clock: FrozenClock
) -> None:
    app = console(board_desk, "lead", "zh")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert "一切正常" in "\n".join(lines(app))
        binding = board(app).active_bindings["k"].binding
        assert binding_text(binding, app.context.t)[0] == "确认告警"


async def test_f4_opens_the_board_in_the_console(demo_db: str) -> None:
    from tests.ui.conftest import make_test_app

    app = make_test_app(demo_db, user="op", lang="zh")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        screen = board(app)
        assert screen.snapshot is not None and screen.table.rows, "the demo desk has urgent work"
        rows = screen.table.rows
        flagged = [r.number in {a.number for a in screen.alerts.pending()} for r in rows]
        assert flagged[0] and flagged == sorted(flagged, reverse=True), "alerts first"
        calm = [r for r, alert in zip(rows, flagged, strict=True) if not alert]
        urgent = [r.priority.level <= 2 for r in calm]
        assert urgent == sorted(urgent, reverse=True), "then the P1s and P2s"
        assert screen.check_action("claim", ()) is None, "an operator does not claim"
        app.post_message(DeskChanged(frozenset({"ticket"})))
        reads = screen.reads
        await settle(pilot)
        assert screen.reads == reads + 1, "the console forwards the desk's changes to the board"


# live: another process, another console ---------------------------------------------------------
CREATE = {
    "type": "incident",
    "category": "network",
    "channel": "phone",
    "impact": 1,
    "urgency": 1,
    "summary": "机房断电",
    "description": "UPS 告警后整个机房断电",
    "requester": {"name": "钱十", "phone": "139-0000-0000", "department": "行政部"},
}


def in_another_process(url: str, login: str, *args: str, stdin: str = "") -> dict[str, Any]:
    """Another console: the `deskui` command line as ``login``, in its own process; what it
    printed (JSON)."""
    out = subprocess.run(
        [sys.executable, "-m", "deskui", *args, "--db", url, "--as", login, "--json"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found: dict[str, Any] = json.loads(out.stdout)
    return found


def create_in_another_process(url: str) -> str:
    """A ticket logged by another console."""
    return str(
        in_another_process(url, "op", "ticket", "create", stdin=json.dumps(CREATE))["number"]
    )


def banner_changes(app: DeskApp) -> list[str | None]:
    """Every value the console's connection banner takes from now on (a loss and its repair
    can both happen between two looks)."""
    told: list[str | None] = []

    def tell(value: str | None) -> None:
        told.append(value)

    app.watch(app, "connection_problem", tell, init=False)
    return told


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, seconds: float = 20
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        await asyncio.sleep(0.02)
        await pilot.pause()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live_desk(request: pytest.FixtureRequest, tmp_path: Path) -> DeskService:
    """A desk with staff on a SQLite file, or on the test PostgreSQL emptied, at the real time
    (another process writes to it)."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path}/desk.db")
    else:
        db = Database(request.getfixturevalue("postgres_url"))
        truncate_postgres(db)
    return staff_desk(db, SystemClock())


@contextlib.asynccontextmanager
async def live_board(desk: DeskService) -> AsyncIterator[tuple[DeskApp, Pilot[None]]]:
    """An agent's console on ``desk``, on the board, hearing the change feed (the desk's
    database is closed after it)."""
    app = console(desk, "agent1", "zh", live=True)
    try:
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await wait_for(pilot, lambda: app.live is not None and app.live.connected, "live")
            yield app, pilot
    finally:
        desk.db.dispose()


async def test_a_change_in_another_process_shows_on_a_live_board(
    live_desk: DeskService, url_as: Callable[[DeskService, str], str]
) -> None:
    desk = live_desk
    async with live_board(desk) as (app, pilot):
        assert board(app).table.rows == ()
        number = await asyncio.to_thread(create_in_another_process, url_as(desk, "op"))
        await wait_for(
            pilot,
            lambda: number in [r.number for r in board(app).table.rows],
            "the other console's ticket is on the board",
        )
        assert bells(app) == 1, "a new P1 rings"
        assert "机房断电" in line_of(app, number)


async def test_an_acknowledgement_at_another_console_stops_the_flashing_on_a_live_board(
    live_desk: DeskService, url_as: Callable[[DeskService, str], str]
) -> None:
    desk = live_desk
    number = desk.create_ticket(desk.actor("op"), intake_from_json(CREATE)).number
    async with live_board(desk) as (app, pilot):
        screen = board(app)
        assert screen.alerts.pending() == [Alert(number)]
        url = url_as(desk, "lead")
        shown = await asyncio.to_thread(
            in_another_process, url, "lead", "ticket", "acknowledge", number
        )
        assert shown["number"] == number
        await wait_for(
            pilot,
            lambda: not screen.alerts.pending(),
            "the other console's acknowledgement is on the board",
        )
        assert "✔赵敏" in line_of(app, number)
        assert not screen.query_one("#board-banner").has_class("-alerting")


async def test_a_live_console_reports_a_lost_sqlite_database_and_its_return(
    board_desk: DeskService, clock: FrozenClock, tmp_path: Path
) -> None:
    fill_board(board_desk, clock)
    path = tmp_path / "desk.db"
    app = console(board_desk, "agent1", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        told = banner_changes(app)
        feed = SqliteFeed(path, check_every=0.05, backoff=Backoff(initial=0.05, cap=0.1))
        link = start_live(app, feed)
        try:
            await wait_for(pilot, lambda: link.connected, "the feed is connected")
            board_desk.db.dispose()
            path.rename(tmp_path / "elsewhere.db")
            await wait_for(pilot, lambda: any(told), "the loss is told")
            assert len(board(app).table.rows) == 6, "what was shown stays"
            reads = board(app).reads
            (tmp_path / "elsewhere.db").rename(path)
            await wait_for(pilot, lambda: told[-1] is None, "restored")
            await wait_for(pilot, lambda: board(app).reads > reads, "read again after the outage")
        finally:
            link.stop()


@pytest.mark.postgres
async def test_a_live_console_reports_a_terminated_postgres_connection_and_reconnects(
    postgres_url: str,
) -> None:
    db = Database(postgres_url)

    truncate_postgres(db)
    desk = staff_desk(db, SystemClock())
    app = console(desk, "agent1", "en")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        told = banner_changes(app)
        feed = PostgresFeed(db.url, backoff=Backoff(initial=0.05, cap=0.2))
        link = start_live(app, feed)
        try:
            await wait_for(pilot, lambda: link.connected, "the feed is connected")
            reads = board(app).reads
            pid = feed.backend_pid
            with db.engine.begin() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await wait_for(pilot, lambda: any(told), "the loss is told")
            await wait_for(pilot, lambda: told[-1] is None, "restored")
            await wait_for(pilot, lambda: board(app).reads > reads, "read again after the outage")
            assert feed.backend_pid != pid
        finally:
            link.stop()
            db.dispose()


# the record ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", "确认告警  告警: P1 紧急、响应超时"),
        ("en", "alert acknowledged  alerts: P1, Response breached"),
    ],
)
def test_an_acknowledgement_in_the_timeline_in_the_consoles_words(lang: str, words: str) -> None:
    acknowledged = EventView(
        id=9,
        at=at(10, 0),
        actor="lead",
        kind=EventKind.ALERT_ACKNOWLEDGED,
        field="alerts",
        old_value=None,
        new_value="response,p1",
        note=None,
    )
    names = DeskNames(people={"lead": "赵敏"}, groups={})
    text = entry_text(acknowledged, SHANGHAI, Catalog(lang), names).plain
    assert "赵敏" in text and words in text
    assert "p1" not in text and "response" not in text
