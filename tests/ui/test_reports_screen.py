"""The reports screen (F7) on the demo desk: the keys, the figures, the drill-down to tickets."""

from __future__ import annotations

import threading
from typing import Any
from unittest.mock import patch

import pytest
from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._select import SelectOverlay

from deskui.screens.reports import ReportsScreen, ReportTickets, category_bars, legend
from deskui.screens.ticket import TicketScreen
from deskui.widgets.fitted_text import FittedText
from deskui.widgets.ticked_plot import TickedPlot, every
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
        assert str(screen.query_one("#report-chart-category", FittedText).render()) == ""


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


def test_each_bar_is_one_line_in_the_room_it_has() -> None:
    labels = ["Hardware", "Account / permission", "数据问题"]
    lines = category_bars(labels, [35, 9, 0], room=25).plain.split("\n")
    # the long label gives way (cut with an ellipsis), the others are whole; the largest bar
    # fills what is left, an empty category draws none
    assert lines == ["Hardware       ██████ 35", "Account / per… ██ 9", "数据问题        0"]
    assert all(cell_len(line) < 25 for line in lines)
    # with room to spare nothing is cut
    wide = category_bars(labels, [35, 9, 0], room=60).plain.split("\n")
    assert wide[1].startswith("Account / permission █")


def test_a_legend_names_both_lines_short_where_the_names_do_not_fit() -> None:
    series = [("Response met %", "Response", "cyan"), ("Resolution met %", "Resolution", "green")]
    assert legend(series, room=40).plain == "━ Response met %  ━ Resolution met %"
    assert legend(series, room=26).plain == "━ Response  ━ Resolution"


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_charts_fit_a_small_terminal(lang: str, demo_db: str) -> None:
    """At 80×24 each category's label, bar and count are on one line, and the trend's legend
    names both of its lines."""
    app = make_test_app(demo_db, user="lead", lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(pilot)
        assert screen.report is not None
        shown = svg_rows(app.export_screenshot())
        volume = screen.report.table("volume_category")
        for row in volume.rows:
            count = f"█ {row.values[0]}"
            assert sum(count in line for line in shown) >= 1, count
        bars = screen.query_one("#report-chart-category", FittedText)
        drawn = str(bars.render()).split("\n")
        assert len(drawn) == len(volume.rows)
        assert all(cell_len(line) <= bars.content_size.width for line in drawn)
        t = screen.ctx.t
        words = [t("report.chart.response_rate"), t("report.chart.resolution_rate")]
        assert any(all(word in line for word in words) for line in shown)
        # the labels under the plots: every second, back from the last (the frozen week), the
        # same on every run (plotext left out others, a different one each run)
        assert drawn_labels(screen, "#report-chart-trend") == ["W41", "W43", "W45"]
        assert drawn_labels(screen, "#report-chart-histogram") == ["<1", "<8", "<72", "168+"]


def drawn_labels(screen: ReportsScreen, plot: str) -> list[str]:
    """The labels drawn under a plot of the screen."""
    drawn = screen.query_one(plot, TickedPlot).render()
    assert isinstance(drawn, Text)
    return drawn.plain.rstrip("\n").rsplit("\n", 1)[-1].split()


def test_every_so_many_labels_are_kept_back_from_the_last() -> None:
    assert every(7, 1) == [0, 1, 2, 3, 4, 5, 6]
    assert every(7, 2) == [0, 2, 4, 6]
    assert every(6, 2) == [1, 3, 5]
    assert every(6, 6) == [5]


async def test_a_wide_terminal_labels_every_week_and_bucket(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        assert drawn_labels(screen, "#report-chart-trend") == [f"W{w}" for w in range(40, 46)]
        assert drawn_labels(screen, "#report-chart-histogram") == [
            "<1",
            "<4",
            "<8",
            "<24",
            "<72",
            "<168",
            "168+",
        ]


async def test_the_tickets_behind_a_figure_cover_the_report_on_a_small_terminal(
    demo_db: str,
) -> None:
    app = make_test_app(demo_db, user="lead", lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_reports(pilot)
        screen.query_one("#report-table", Select).value = "volume_type"
        await settle(pilot)
        screen.query_one("#report-rows", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ReportTickets)
        # from below the status line to the footer, the whole width: no row of the report
        # behind shows between the list and the footer
        box = listing.query_one("#report-tickets-box")
        assert box.region == Region(0, 1, 80, 22)
        shown = "\n".join(svg_rows(app.export_screenshot()))
        for other in ("Service request", "Change request", "Consultation", "Complaint"):
            assert other not in shown
