"""How the administration (F8) looks on the demo desk, frozen at Monday 2026-11-02 10:00, in both
languages: each of its six sections as an admin sees it (users and groups at 80×24 too), the
matrix editor with its live preview of a changed row, and the calendar as a duty lead reads it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from deskui.screens.admin.sections import SECTIONS
from tests.ui.conftest import SIZE, make_test_app, settle

LANGUAGES = ["zh", "en"]


def showing(section: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """F8, then the section's key."""

    async def shown(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press(str(SECTIONS.index(section) + 1))
        await settle(pilot)

    return shown


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("section", SECTIONS)
def test_admin_sections(
    lang: str, section: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    app = make_test_app(demo_db, user="admin", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=showing(section))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("section", ["users", "groups"])
def test_admin_at_80_columns(
    lang: str, section: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    """At 80×24 the tabs fit on their row and a table gives way (a list in a cell takes a line
    per item, a group's names share a column) rather than running off the edge."""
    app = make_test_app(demo_db, user="admin", lang=lang)
    assert snap_compare(app, terminal_size=(80, 24), run_before=showing(section))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_matrix_preview(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    async def editing(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("3", "e")
        await settle(pilot)
        field = pilot.app.screen.query_one("#field-I3", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"P1 P2 P3 P3")
        await pilot.pause()

    app = make_test_app(demo_db, user="admin", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=editing)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_read_by_a_duty_lead(
    lang: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    async def reading(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)

    app = make_test_app(demo_db, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=reading)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_admin_directory_import_confirmation(
    lang: str, demo_db: str, tmp_path: Path, snap_compare: Callable[..., bool]
) -> None:
    """The dry run of an HR export: its summary and bad rows, before anything is written."""
    export = tmp_path / "hr.csv"
    export.write_text(
        "姓名,手机号,工号,部门\n吕新民,13912345601,H9001,财务部\n无号码,,,仓库\n"
        "祁红,13912345602,H9001,行政部\n",
        encoding="utf-8",
    )

    async def confirming(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("1", "i")
        await settle(pilot)
        await pilot.press(*str(export), "ctrl+s")
        await settle(pilot)

    app = make_test_app(demo_db, user="admin", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=confirming)
