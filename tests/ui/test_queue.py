"""The live queue driven from the keyboard: views, search, triage keys, live refresh, races."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlmodel import select
from textual.app import App
from textual.pilot import Pilot

from deskui.console.messages import DeskChanged
from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind, Status
from deskui.screens.queue import QueueScreen
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_forms import NoteForm, PickForm, TriageForm
from deskui.services.desk import DeskService, prepare_database
from deskui.services.intake import IntakeRequest, create_ticket
from deskui.services.queue import QueueView
from deskui.store.db import Database
from deskui.store.models import Ticket
from deskui.widgets.queue_table import TicketTable
from deskui.widgets.safe_input import SafeTextArea
from tests.conftest import add_staff
from tests.services.test_queue import fill_desk, log_call
from tests.ui.conftest import console_for, held_back, settle

SIZE = (140, 40)


def open_desk(path: Path, clock: FrozenClock, *, staff: bool) -> DeskService:
    """A desk on a SQLite file (several consoles may open the same file)."""
    db = Database(f"sqlite:///{path}")
    if staff:
        prepare_database(db)
    desk = DeskService(db, clock)
    return add_staff(desk) if staff else desk


@pytest.fixture
def queue_desk(tmp_path: Path, clock: FrozenClock) -> Iterator[DeskService]:
    """A filled desk on a SQLite file, at the frozen time."""
    desk = open_desk(tmp_path / "desk.db", clock, staff=True)
    fill_desk(desk)
    yield desk
    desk.db.dispose()


def queue_of(app: App[Any]) -> QueueScreen:
    """The queue screen in front."""
    screen = app.screen
    assert isinstance(screen, QueueScreen)
    return screen


def screen_text(app: App[Any]) -> str:
    """The screen as plain text."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        record=True,
        color_system=None,
        legacy_windows=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def table_of(app: App[Any]) -> TicketTable:
    """The queue's table."""
    return app.screen.query_one(TicketTable)


def ticket_row(desk: DeskService, number: str) -> Ticket:
    """The stored ticket."""
    found = desk.read(lambda s: s.exec(select(Ticket).where(Ticket.number == number)).one())
    assert isinstance(found, Ticket)
    return found


async def put_cursor_on(pilot: Pilot[Any], number: str) -> None:
    """Move the cursor down to the ticket (it must be loaded)."""
    table = table_of(pilot.app)
    index = next(i for i, r in enumerate(table.loaded_rows) if r.number == number)
    await pilot.press(*["home"] + ["down"] * (table.block_start + index))
    assert table.current_row is not None and table.current_row.number == number


async def open_queue(pilot: Pilot[Any]) -> None:
    """The whole open queue (an agent's console starts on their groups)."""
    await pilot.press("4")
    await settle(pilot)


async def test_rows_show_clocks_masked_phones_and_text_as_typed(
    queue_desk: DeskService,
) -> None:
    log_call(queue_desk, "[b]x[/b] é", minutes_ago=1)
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        text = screen_text(app)
        table = table_of(app)
        assert table.total == len(table.loaded_rows) == 15
        assert "[b]x[/b] é" in text, "a summary is text, never markup"
        assert "138****8000" in text and "13800138000" not in text
        assert "010-****5678" in text
        assert "✖" in text and "▲" in text and "●" in text, "breached, warning and running rows"


@pytest.mark.parametrize(
    ("key", "view"),
    [
        ("1", QueueView.MINE),
        ("2", QueueView.GROUPS),
        ("3", QueueView.UNASSIGNED),
        ("5", QueueView.ALERT),
        ("4", QueueView.OPEN),
    ],
)
async def test_views_on_single_keys(queue_desk: DeskService, key: str, view: QueueView) -> None:
    app = console_for(queue_desk, "agent2")
    actor = app.context.actor
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        table = table_of(app)
        assert table.view_query.view == view
        rows = table.loaded_rows
        assert rows and table.total == len(rows)
        if view == QueueView.MINE:
            assert {r.assignee_login for r in rows} == {"agent2"}
        elif view == QueueView.GROUPS:
            assert {r.group_code for r in rows} <= {"hardware", "software"}
        elif view == QueueView.UNASSIGNED:
            assert {r.assignee_login for r in rows} == {None}
        elif view == QueueView.ALERT:
            assert all(
                {"warning", "breached"} & {str(c.state) for c in r.clocks.values()} for r in rows
            )
        assert actor.login == "agent2"
        assert f"{key} " in screen_text(app)


async def test_search_narrows_by_text_number_and_requester(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        queue_of(app).search_delay = 0.001  # the debounce is the screen's; no waiting on it here
        await pilot.press("slash", "v", "p", "n")
        await settle(pilot)
        table = table_of(app)
        assert [r.summary for r in table.loaded_rows] == ["VPN 连接后频繁掉线"]
        assert "│ 1 ticket ·" in screen_text(app)  # one ticket, not "1 tickets"
        field = app.screen.query_one("#queue-search")
        field.value = "王小明"  # type: ignore[attr-defined]  # the search field is a SafeInput
        await settle(pilot)
        assert {r.requester_name for r in table.loaded_rows} == {"王小明"}
        assert "王小明" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert table.view_query.search == "" and table.total == 14
        assert "│ 14 tickets" in screen_text(app)
        assert table.has_focus


async def test_a_search_with_no_word_says_so_in_the_count_line(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        queue_of(app).search_delay = 0.001
        await pilot.press("slash", "%", "enter")
        await settle(pilot)
        assert "│ nothing to search for" in screen_text(app)
        assert "0 tickets" not in screen_text(app)


async def test_claim_takes_the_ticket(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        row = next(r for r in table.loaded_rows if r.assignee_login is None)
        await put_cursor_on(pilot, row.number)
        await pilot.press("a")
        await settle(pilot)
        assert ticket_row(queue_desk, row.number).assignee_id == app.context.actor.id
        current = table.current_row
        assert current is not None and current.id == row.id, "the cursor stays on its ticket"
        assert current.assignee_login == "agent2" and current.status == Status.IN_PROGRESS
        assert f"Claimed: {row.number}" in screen_text(app)


async def test_two_consoles_claim_the_same_ticket_one_wins(
    tmp_path: Path, clock: FrozenClock
) -> None:
    first = open_desk(tmp_path / "shared.db", clock, staff=True)
    fill_desk(first)
    second = open_desk(tmp_path / "shared.db", clock, staff=False)
    app1, app2 = console_for(first, "agent1"), console_for(second, "agent2")
    async with app1.run_test(size=SIZE) as p1, app2.run_test(size=SIZE) as p2:
        await settle(p1)
        await settle(p2)
        number = next(r.number for r in table_of(app1).loaded_rows if r.assignee_login is None)
        await put_cursor_on(p1, number)
        await put_cursor_on(p2, number)
        await asyncio.gather(p1.press("a"), p2.press("a"))
        await settle(p1)
        await settle(p2)
        holder = ticket_row(first, number).assignee_id
        winner, loser = (app1, app2) if holder == app1.context.actor.id else (app2, app1)
        assert holder == winner.context.actor.id
        assert f"Claimed: {number}" in screen_text(winner)
        told = screen_text(loser)
        assert f"{number} is already held by {winner.context.actor.login}" in told
        assert f"Claimed: {number}" not in told
    first.db.dispose()
    second.db.dispose()


async def test_triage_recomputes_priority_and_due_times_in_the_row(
    queue_desk: DeskService,
) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        row = next(r for r in table.loaded_rows if str(r.priority) == "P4")
        await put_cursor_on(pilot, row.number)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TriageForm)
        await pilot.press("1", "tab", "1")
        assert "P1 Critical" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, TriageForm)
        stored = ticket_row(queue_desk, row.number)
        assert (stored.impact, stored.urgency, stored.priority) == (1, 1, "P1")
        fresh = next(r for r in table.loaded_rows if r.id == row.id)
        assert str(fresh.priority) == "P1" and fresh.next_due is not None
        assert row.next_due is not None and fresh.next_due < row.next_due
        assert table.current_row is not None and table.current_row.id == row.id


async def test_lowering_the_priority_asks_for_a_reason(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(r for r in table_of(app).loaded_rows if str(r.priority) in ("P1", "P2"))
        await put_cursor_on(pilot, row.number)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("3", "tab", "4")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TriageForm), "the form stays open with what was chosen"
        assert "needs a reason" in screen_text(app)
        assert ticket_row(queue_desk, row.number).priority == str(row.priority)
        await pilot.press("tab", *"one user, workaround given")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, TriageForm)
        assert ticket_row(queue_desk, row.number).priority == "P4"


async def test_transfer_sends_every_selected_ticket(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("home", "space", "down", "space")
        chosen = list(table.selected.values())
        assert len(chosen) == 2
        await pilot.press("g")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickForm)
        target = next(code for code, _ in picker.options if code == "vendor")
        while picker.value() != target:
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        for row in chosen:
            stored = ticket_row(queue_desk, row.number)
            assert stored.group_id is not None and stored.assignee_id is None
            assert next(r for r in table.loaded_rows if r.id == row.id).group_code == "vendor"
        assert not table.selected, "a selection that was acted on is cleared"


async def test_escalate_with_a_note(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(r for r in table_of(app).loaded_rows if r.assignee_login == "agent2")
        await put_cursor_on(pilot, row.number)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteForm)
        await pilot.press("ctrl+s")
        assert "Write something" in screen_text(app), "a note is required"
        app.screen.query_one(SafeTextArea).load_text("restarted twice")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert ticket_row(queue_desk, row.number).tier == 3  # its specialist group (L2) → vendor
        view = queue_desk.ticket(row.number)
        assert view.events[-1].note == "restarted twice" or any(
            e.note == "restarted twice" and str(e.kind) == "escalated" for e in view.events
        )


async def test_pending_with_a_reason(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(r for r in table_of(app).loaded_rows if r.assignee_login == "agent2")
        await put_cursor_on(pilot, row.number)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"parts", "ctrl+s")
        await settle(pilot)
        stored = ticket_row(queue_desk, row.number)
        assert stored.status == "pending"
        assert queue_desk.ticket(row.number).clocks[ClockKind.RESOLUTION].paused_reason == "parts"
        fresh = next(r for r in table_of(app).loaded_rows if r.id == row.id)
        assert fresh.status == Status.PENDING


async def test_keys_that_do_not_apply_are_greyed(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = table_of(app).loaded_rows
        others = next(r for r in rows if r.assignee_login == "agent1")
        free = next(r for r in rows if r.assignee_login is None)
        await put_cursor_on(pilot, others.number)
        await pilot.pause()
        bindings = app.screen.active_bindings
        assert not bindings["a"].enabled and not bindings["p"].enabled
        assert not bindings["g"].enabled and not bindings["e"].enabled
        # on a held ticket only its holder or a lead re-triages
        assert not bindings["t"].enabled and bindings["enter"].enabled
        await put_cursor_on(pilot, free.number)
        await pilot.pause()
        bindings = app.screen.active_bindings
        assert bindings["a"].enabled and bindings["g"].enabled and bindings["t"].enabled


async def test_another_consoles_change_shows_and_cursor_and_selection_stay(
    queue_desk: DeskService, clock: FrozenClock, tmp_path: Path
) -> None:
    other = open_desk(tmp_path / "desk.db", clock, staff=False)
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        table = table_of(app)
        rows = list(table.loaded_rows)
        await pilot.press("home", "down", "down", "space")
        selected_id = rows[2].id
        await pilot.press("down", "down", "down")
        under_cursor = rows[5]
        assert table.current_row is not None and table.current_row.id == under_cursor.id
        urgent = log_call(other, "全公司断网", minutes_ago=40, impact=1, urgency=1)
        claimed = next(r for r in rows[6:] if r.assignee_login is None)
        other.claim(other.actor("agent1"), claimed.number)
        queue_of(app).change_delay = 0.001
        app.post_message(DeskChanged(frozenset({"ticket", "ticket_event"})))
        await settle(pilot)
        assert table.current_row is not None and table.current_row.id == under_cursor.id
        assert set(table.selected) == {selected_id}
        assert table.loaded_rows[0].number == urgent.number
        assert table.cursor == 6, "one new row above: the same ticket, one line lower"
        fresh = next(r for r in table.loaded_rows if r.id == claimed.id)
        assert fresh.assignee_login == "agent1"
        assert urgent.number in screen_text(app)
    other.db.dispose()


async def test_copy_puts_number_and_summary_on_the_clipboard(
    queue_desk: DeskService, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied: list[str] = []
    monkeypatch.setattr("deskui.console.clipboard.pyperclip.copy", copied.append)
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = table_of(app).current_row
        assert row is not None
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == f"{row.number} {row.summary}"
        assert copied == [app.clipboard]


async def test_enter_opens_the_ticket(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = table_of(app).current_row
        assert row is not None
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.number == row.number
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)


async def test_a_stale_triage_is_refused_and_the_form_stays(
    queue_desk: DeskService, clock: FrozenClock, tmp_path: Path
) -> None:
    other = open_desk(tmp_path / "desk.db", clock, staff=False)
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = table_of(app).current_row
        assert row is not None
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("2")
        other.worklog(other.actor("lead"), row.number, "called the user")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TriageForm), "the form stays open with what was chosen"
        assert "changed by someone else" in screen_text(app)
        assert ticket_row(queue_desk, row.number).impact == row.impact
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, TriageForm)
        assert ticket_row(queue_desk, row.number).impact == 2
    other.db.dispose()


async def test_scrolling_a_long_queue_reads_windows(tmp_path: Path, clock: FrozenClock) -> None:
    desk = open_desk(tmp_path / "long.db", clock, staff=True)
    op, rules = desk.actor("op"), desk.rules

    def many(session: Any) -> None:
        for n in range(300):
            call = IntakeRequest(
                type="incident",
                category="network",
                channel="phone",
                impact=3,
                urgency=3,
                summary=f"工单 {n:03d}",
                description="断网",
                requester_id=1,
                received_at=clock.now() - timedelta(minutes=1 + n * 0.5),
            )
            create_ticket(session=session, data=call, actor=op, rules=rules, now=clock.now())

    log_call(desk, "工单 -01", minutes_ago=0.5)  # also puts the caller in the directory
    desk.write(many)
    app = console_for(desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        table = table_of(app)
        assert table.total == 301 and len(table.loaded_rows) < 301
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor == 300 and table.current_row is not None
        assert table.current_row.summary == "工单 -01", "the newest call is due last"
        await pilot.press("home")
        await settle(pilot)
        assert table.cursor == 0 and table.current_row is not None
        for _ in range(5):
            await pilot.press("pagedown")
            await settle(pilot)
        assert table.cursor > 150 and table.current_row is not None
        order = [r.id for r in table.loaded_rows]
        assert len(order) == len(set(order))
        await pilot.press("pageup")
        await settle(pilot)
        assert table.current_row is not None
    desk.db.dispose()


async def test_a_claim_finishing_leaves_the_form_opened_meanwhile_alone(
    queue_desk: DeskService, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = console_for(queue_desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # the claim is answered only once the triage form is open
        release = held_back(monkeypatch, app.context.desk, "claim")
        row = next(r for r in table_of(app).loaded_rows if r.assignee_login is None)
        await put_cursor_on(pilot, row.number)
        await pilot.press("a", "t")
        await pilot.pause()
        assert isinstance(app.screen, TriageForm)
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, TriageForm), "the claim's result is not the form's"
        assert ticket_row(queue_desk, row.number).assignee_id == app.context.actor.id
