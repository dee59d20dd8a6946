"""The queue's filter bar, the agent's first view, ``space`` and the dialogs that act on several
selected tickets, driven from the keyboard in both languages."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from deskui.console.messages import DeskChanged
from deskui.core.enums import Status
from deskui.i18n import Catalog
from deskui.screens.ticket_forms import NoteForm, PickForm
from deskui.screens.ticket_work import numbers_text
from deskui.services.desk import DeskService
from deskui.services.queue import QueueView
from deskui.widgets.queue_bar import QueueBar
from deskui.widgets.queue_filters import FilterBar
from deskui.widgets.queue_table import TicketTable
from tests.services.test_queue import log_call
from tests.ui.conftest import console_for, settle
from tests.ui.test_queue import SIZE, queue_desk, queue_of, screen_text, table_of, ticket_row

__all__ = ["queue_desk"]  # the fixture, shared with the queue's tests

LANGUAGES = ["zh", "en"]


@pytest.mark.parametrize(
    ("login", "view"),
    [
        ("agent1", QueueView.GROUPS),
        ("agent2", QueueView.GROUPS),
        ("op", QueueView.OPEN),
        ("lead", QueueView.OPEN),
    ],
)
async def test_agents_start_on_my_groups(
    queue_desk: DeskService, login: str, view: QueueView
) -> None:
    app = console_for(queue_desk, login)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.view_query.view == view
        assert app.screen.query_one(QueueBar).view == view
        if view == QueueView.GROUPS:
            groups = {"agent1": {"hardware"}, "agent2": {"hardware", "software"}}[login]
            assert table.loaded_rows and {r.group_code for r in table.loaded_rows} <= groups


async def choose(pilot: Pilot[Any], name: str, value: str) -> None:
    """Pick ``value`` in the bar's list ``name`` from the keyboard: focus, open, arrows, enter."""
    bar = pilot.app.screen.query_one(FilterBar)
    select = bar.query_one(f"#filter-{name}", Select)
    while pilot.app.focused is not select:
        await pilot.press("tab")
    await pilot.press("enter")  # the list opens on the current choice (none)
    await pilot.pause()
    values = [None, *(v for _, v in select._options[1:])]
    await pilot.press(*["down"] * values.index(value), "enter")
    await settle(pilot)
    assert select.value == value


async def test_the_filter_bar_from_the_keyboard(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, table = queue_of(app), table_of(app)
        everything = table.total
        bar = screen.query_one(FilterBar)
        assert not bar.display
        await pilot.press("f")
        await pilot.pause()
        assert bar.display and app.focused is bar.query_one("#filter-status", Select)
        assert "Clear filters" in screen_text(app), "the bar's keys are in the footer"
        await choose(pilot, "status", "in_progress")  # a choice applies at once
        assert table.view_query.filters.status == ("in_progress",)
        assert table.loaded_rows and {r.status for r in table.loaded_rows} == {Status.IN_PROGRESS}
        await choose(pilot, "group", "hardware")
        assert {r.group_code for r in table.loaded_rows} == {"hardware"}
        narrowed = table.total
        assert narrowed is not None and 0 < narrowed < (everything or 0)
        # a date that is no date is said, and nothing is applied
        await pilot.press("tab", "tab", *"2026-02-30", "enter")
        await settle(pilot)
        assert bar.display and isinstance(app.focused, Input)
        said = str(bar.query_one("#filter-error", Static).render())
        assert "2026-02-30" in said and "not a valid date" in said and "Received from" in said
        assert table.view_query.filters.received_from is None
        await pilot.press(*["backspace"] * 10, *"2026-11-02", "enter")  # the frozen day
        await settle(pilot)
        assert not bar.display and app.focused is table, "enter applies and goes back"
        assert table.view_query.filters.received_from is not None
        assert table.total == narrowed
        line = str(screen.query_one(QueueBar).render())
        assert "Filters: In progress · Hardware" in line and "2026-11-02…" in line
        # views and live refreshes keep the filters
        await pilot.press("0")
        await settle(pilot)
        assert table.view_query.filters.status == ("in_progress",)
        number = table.loaded_rows[-1].number
        queue_desk.set_status(queue_desk.actor("lead"), number, "pending", note="等厂商")
        screen.change_delay = 0.001
        app.post_message(DeskChanged(frozenset({"ticket", "ticket_event"})))
        await settle(pilot)
        assert number not in {r.number for r in table.loaded_rows}
        assert table.view_query.filters.group == "hardware"
        # escape in the bar clears every filter
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert not bar.display and not table.view_query.filters.narrows
        assert "Filters" not in str(screen.query_one(QueueBar).render())


async def test_escape_on_the_table_clears_the_filters_last(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("f")
        await pilot.pause()
        await choose(pilot, "category", "network")
        await pilot.press("ctrl+s")  # apply and back to the table
        await settle(pilot)
        assert app.focused is table and table.view_query.filters.categories == ("network",)
        await pilot.press("space")
        await pilot.press("escape")  # first the selection
        assert not table.selected and table.view_query.filters.categories == ("network",)
        await pilot.press("escape")  # then the filters
        await settle(pilot)
        assert not table.view_query.filters.narrows


@pytest.mark.parametrize(
    ("lang", "words"),
    [("zh", ("受理截止日", "不是有效的日期")), ("en", ("Received to", "not a valid date"))],
)
async def test_a_bad_date_is_said_in_the_consoles_language(
    queue_desk: DeskService, lang: str, words: tuple[str, str]
) -> None:
    app = console_for(queue_desk, "lead", lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        bar = app.screen.query_one(FilterBar)
        while app.focused is not bar.query_one("#filter-to", Input):
            await pilot.press("tab")
        await pilot.press(*"2026-13-45", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert all(w in text for w in words) and "2026-13-45" in text
        assert "Traceback" not in text


async def test_the_filters_and_the_search_together(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, table = queue_of(app), table_of(app)
        screen.search_delay = 0.001
        await pilot.press("f")
        await pilot.pause()
        await choose(pilot, "category", "network")
        await pilot.press("ctrl+s", "slash", *"信号", "enter")
        await settle(pilot)
        assert table.view_query.search == "信号"
        assert table.view_query.filters.categories == ("network",)
        rows = table.loaded_rows
        assert rows and all("信号" in r.summary for r in rows)


async def test_space_selects_without_moving(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("home", "down")
        under = table.current_row
        assert under is not None
        await pilot.press("space")
        assert table.current_row == under and set(table.selected) == {under.id}
        await pilot.press("down", "space")
        assert table.cursor == 2 and len(table.selected) == 2
        await pilot.press("up", "space")  # unselects the row the cursor is on
        assert set(table.selected) == {table.loaded_rows[2].id}
        tip = next(b for b in TicketTable.BINDINGS if getattr(b, "action", "") == "toggle_select")
        for lang in LANGUAGES:
            words = Catalog(lang)(getattr(tip, "tooltip", ""))
            assert ("光标不动" if lang == "zh" else "the cursor stays") in words


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_transfer_names_every_selected_ticket(queue_desk: DeskService, lang: str) -> None:
    app = console_for(queue_desk, "lead", lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("home", "space", "down", "space", "down", "space")
        chosen = [r.number for r in table.selected.values()]
        assert len(chosen) == 3
        await pilot.press("g")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickForm)
        assert all(number in picker.form_title for number in chosen)
        assert all(number in screen_text(app) for number in chosen)


async def test_pending_puts_every_selected_ticket_on_hold(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        table = table_of(app)
        rows = table.loaded_rows
        held = [i for i, r in enumerate(rows) if r.status == Status.IN_PROGRESS][:2]
        closed = next(i for i, r in enumerate(rows) if r.status == Status.CLOSED)
        for index in (*held, closed):
            await pilot.press("home", *["down"] * index, "space")
        assert len(table.selected) == 3
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NoteForm)
        for index in held:
            assert rows[index].number in form.form_title
        assert rows[closed].number not in form.form_title
        assert any(rows[closed].number in line for line in form.intro), "left out, and said"
        await pilot.press(*"等待厂商备件", "ctrl+s")
        await settle(pilot)
        for index in held:
            assert ticket_row(queue_desk, rows[index].number).status == "pending"
        assert ticket_row(queue_desk, rows[closed].number).status == "closed"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_long_list_of_tickets_is_named_then_counted(lang: str) -> None:
    t = Catalog(lang)
    few = [f"IT20261102{n:03}" for n in range(1, 4)]
    assert numbers_text(few, t) == ", ".join(few)
    many = [f"IT20261102{n:03}" for n in range(1, 26)]
    text = numbers_text(many, t)
    assert all(n in text for n in many[:20]) and many[20] not in text
    assert ("等另外 5 张" if lang == "zh" else "and 5 more") in text


async def test_new_tickets_that_match_arrive_live(queue_desk: DeskService) -> None:
    app = console_for(queue_desk, "lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen, table = queue_of(app), table_of(app)
        await pilot.press("f")
        await pilot.pause()
        await choose(pilot, "category", "data")
        assert table.total == 0
        call = log_call(queue_desk, "报表数据不一致", minutes_ago=1, category="data")
        screen.change_delay = 0.001
        app.post_message(DeskChanged(frozenset({"ticket"})))
        await settle(pilot)
        assert [r.number for r in table.loaded_rows] == [call.number]
