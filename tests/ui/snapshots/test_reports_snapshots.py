"""How the reports screen (F7) looks on the demo desk, frozen at Monday 2026-11-02 10:00, in both
languages: the desk's last week with its charts and the summary; the SLA table; the tickets behind
a figure; the charts and the tickets behind a figure on an 80×24 terminal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Select

from tests.ui.conftest import SIZE, make_test_app, settle
from tests.ui.test_reports_screen import open_reports

#: The smallest terminal the console is laid out for.
SMALL = (80, 24)

LANGUAGES = ["zh", "en"]


async def drill_down(pilot: Pilot[None], table: str) -> None:
    """The reports of the desk's last week, ``table`` shown, enter on its first row."""
    screen = await open_reports(pilot)
    screen.query_one("#report-table", Select).value = table
    await settle(pilot)
    screen.query_one("#report-rows", DataTable).focus()
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reports_summary(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    async def shown(pilot: Pilot[None]) -> None:
        await open_reports(pilot)

    app = make_test_app(demo_db, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=shown)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reports_sla_table(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    async def sla(pilot: Pilot[None]) -> None:
        screen = await open_reports(pilot)
        screen.query_one("#report-table", Select).value = "sla"
        await settle(pilot)
        screen.query_one("#report-rows", DataTable).focus()
        await pilot.pause()

    app = make_test_app(demo_db, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=sla)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reports_tickets_behind_a_figure(
    lang: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    async def drilled(pilot: Pilot[None]) -> None:
        await drill_down(pilot, "volume_category")

    app = make_test_app(demo_db, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=drilled)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reports_small_terminal(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    """Each category's bar on one line, the trend's legend naming both lines (the weeks on the
    trend's axis are the frozen clock's)."""

    async def shown(pilot: Pilot[None]) -> None:
        await open_reports(pilot)

    app = make_test_app(demo_db, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SMALL, run_before=shown)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reports_tickets_behind_a_figure_small_terminal(
    lang: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    """The list reaches the footer: no row of the report behind shows below it."""

    async def drilled(pilot: Pilot[None]) -> None:
        await drill_down(pilot, "volume_type")

    app = make_test_app(demo_db, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SMALL, run_before=drilled)
