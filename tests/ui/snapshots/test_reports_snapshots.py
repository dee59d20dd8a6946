"""How the reports screen (F7) looks on the demo desk, frozen at Monday 2026-11-02 10:00, in both
languages: the desk's last week with its charts and the summary; the SLA table; the tickets behind
a figure."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Select

from tests.ui.conftest import SIZE, make_test_app, settle
from tests.ui.test_reports_screen import open_reports

LANGUAGES = ["zh", "en"]


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
        screen = await open_reports(pilot)
        screen.query_one("#report-table", Select).value = "volume_category"
        await settle(pilot)
        screen.query_one("#report-rows", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)

    app = make_test_app(demo_db, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=drilled)
