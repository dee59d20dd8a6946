"""The reports screen (F7) on the demo desk: the keys, the figures, the drill-down to tickets."""

from __future__ import annotations

import threading
from typing import Any
from unittest.mock import patch

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._select import SelectOverlay

from deskui.screens.reports import ReportsScreen, ReportTickets
from deskui.screens.ticket import TicketScreen
from tests.ui.conftest import SIZE, make_test_app, settle
from tests.ui.snapshots.conftest import svg_rows

#: The demo desk's last week (it is seeded up to Monday 2026-11-02 10:00).
WEEK = "2026-10-26..2026-11-02"


def cells(rows: DataTable[object], index: int) -> list[str]:
    """A row of the table as the plain text of its cells."""
    return [str(cell) for cell in rows.get_row_at(index)]


async def open_reports(pilot: object, period: str = WEEK) -> ReportsScreen:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("f7")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    period_input = screen.query_one("#report-period", Input)
    period_input.value = period
    period_input.focus()
    await pilot.press("enter")
    await settle(pilot)
    return screen


async def test_f7_shows_the_desk_report_and_its_tables(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        report = screen.report
        assert report is not None and report.period.label == WEEK
        assert report.scope.group is None and report.scope.agent is None
        heading = str(screen.query_one("#report-heading", Static).render())
        assert WEEK in heading and "the whole desk" in heading
        rows = screen.query_one("#report-rows", DataTable)
        received = report.table("summary").rows[0].values[0]
        assert isinstance(received, int) and received > 0
        assert cells(rows, 0) == ["Tickets received", str(received)]
        # another table: volume by category, top first
        screen.query_one("#report-table", Select).value = "volume_category"
        await settle(pilot)
        first = report.table("volume_category").rows[0]
        assert rows.row_count == len(report.table("volume_category").rows)
        assert cells(rows, 0)[1] == str(first.values[0])


async def test_a_figure_drills_down_to_its_tickets_and_a_ticket_opens(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        # the summary lists no tickets: enter is not offered there
        assert screen.check_action("drill", ()) is None
        screen.query_one("#report-table", Select).value = "volume_category"
        await settle(pilot)
        assert screen.check_action("drill", ()) is True
        rows = screen.query_one("#report-rows", DataTable)
        rows.focus()
        await pilot.press("enter")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ReportTickets)
        assert screen.report is not None
        expected = screen.report.table("volume_category").rows[0].values[0]
        assert len(listing.tickets) == expected
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert app.screen.number == listing.tickets[0].number


async def test_an_agent_reads_their_own_and_an_operator_none(demo_db: str) -> None:
    app = make_test_app(demo_db, user="zhangwei", lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        assert screen.report is not None and screen.report.scope.agent == "zhangwei"
        scope = screen.query_one("#report-scope", Select)
        assert [value for _, value in scope._options if value != Select.BLANK] == ["@mine"]
    app = make_test_app(demo_db, user="op", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.check_action("reports", ()) is False
        await pilot.press("f7")
        await settle(pilot)
        assert not isinstance(app.screen, ReportsScreen)
        # not silently: the refusal is said, as for any key the role may not use
        said = [n.message for n in app._notifications]
        assert said and "may not" in said[-1] and "report" in said[-1]


async def test_a_period_that_cannot_be_read_says_so(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot, "2026-13")
        heading = str(screen.query_one("#report-heading", Static).render())
        assert "not a period: 2026-13" in heading


async def test_the_palette_and_the_help_offer_reports_to_whoever_may_read_them(
    demo_db: str,
) -> None:
    from deskui.screens.commands import DeskCommands
    from deskui.screens.help import HelpScreen

    for user, offered in (("lead", True), ("zhangwei", True), ("op", False)):
        app = make_test_app(demo_db, user=user, lang="en")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            names = [c.name for c in DeskCommands(app.screen).commands()]
            assert ("Reports" in names) is offered, user
            await pilot.press("f1")
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            described = {row.description for row in app.screen.rows}
            assert ("Reports" in described) is offered, user


async def test_an_empty_period_draws_empty_charts_and_zeros(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot, "2026-08")
        assert screen.report is not None and screen.report.period.label == "2026-08"
        rows = screen.query_one("#report-rows", DataTable)
        assert cells(rows, 0) == ["受理工单", "0"]
        assert cells(rows, 3) == ["响应达标率", "—"]
        assert str(screen.query_one("#report-chart-category", Static).render()) == ""


async def test_a_slow_first_report_does_not_land_over_the_period_typed(demo_db: str) -> None:
    """The report asked for on opening (this month) is still being read when the lead types a
    period: the older read, finishing last, is dropped."""
    app = make_test_app(demo_db, user="lead", lang="en")
    desk = app.desk
    first_done = threading.Event()
    read = desk.report

    def slow_first(actor: Any, period: Any, scope: Any) -> Any:
        report = read(actor, period, scope)
        if period.label != WEEK:
            first_done.wait(10)  # held until the week's report is on screen
        return report

    with patch.object(desk, "report", side_effect=slow_first):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f7")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ReportsScreen)
            period = screen.query_one("#report-period", Input)
            period.value = WEEK
            period.focus()
            await pilot.press("enter")
            for _ in range(100):
                if screen.report is not None:
                    break
                await pilot.pause(0.05)
            first_done.set()
            await settle(pilot)
            assert screen.report is not None and screen.report.period.label == WEEK
            assert WEEK in str(screen.query_one("#report-heading", Static).render())


async def tab_to(pilot: Pilot[None], widget: Widget) -> None:
    """Tab until ``widget`` has the cursor."""
    while pilot.app.focused is not widget:
        await pilot.press("tab")


def on_terminal(screen: ReportsScreen, widget: Widget) -> bool:
    """The widget is drawn whole on the terminal."""
    return bool(widget.region) and widget.region in screen.region


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_every_picker_and_its_menu_is_seen_on_a_small_terminal(
    lang: str, demo_db: str
) -> None:
    app = make_test_app(demo_db, user="lead", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(pilot)
        for picker in ("#report-period", "#report-scope", "#report-table"):
            assert on_terminal(screen, screen.query_one(picker)), picker
        # the table picker by keys: its menu opens on the terminal, and a table is picked
        table_picker = screen.query_one("#report-table", Select)
        await tab_to(pilot, table_picker)
        await pilot.press("enter")
        await settle(pilot)
        menu = table_picker.query_one(SelectOverlay)
        assert table_picker.expanded and on_terminal(screen, menu)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.table_key == "volume_type"


async def test_a_tables_first_column_is_as_wide_as_its_labels(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="en")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("f7")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen)
        # the table picked by keys, the way the operator picks it
        table_picker = screen.query_one("#report-table", Select)
        await tab_to(pilot, table_picker)
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        assert screen.table_key == "volume_type"
        rows = screen.query_one("#report-rows", DataTable)
        labels = [cells(rows, i)[0] for i in range(rows.row_count)]
        assert "Service request" in labels
        first = next(iter(rows.columns.values()))
        assert first.get_render_width(rows) >= max(len(label) for label in labels) + 2
        shown = "\n".join(svg_rows(app.export_screenshot()))
        assert all(label in shown for label in labels)


@pytest.mark.parametrize(("lang", "hardware"), [("zh", "处理组 硬件组"), ("en", "group Hardware")])
async def test_the_scope_picker_and_the_heading_name_the_groups(
    demo_db: str, lang: str, hardware: str
) -> None:
    app = make_test_app(demo_db, user="lead", lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        scope = screen.query_one("#report-scope", Select)
        shown = {value: str(prompt) for prompt, value in scope._options}
        assert shown["hardware"] == hardware
        assert scope.value == "@desk"  # naming the groups keeps what is picked
        scope.value = "hardware"
        await settle(pilot)
        assert screen.report is not None and screen.report.scope.group == "hardware"
        assert hardware in str(screen.query_one("#report-heading", Static).render())
