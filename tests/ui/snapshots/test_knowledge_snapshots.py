"""How the knowledge base looks, on the seeded demo desk frozen at Monday 2026-11-02 10:00, in
both languages.

* ``screen``: F5 as the duty lead, "vpn" searched: ranked articles with the words found, the
  best one read below;
* ``intake``: the intake form on an 80×24 terminal with a summary typed: the suggestions as a
  bar under the form, the cursor still in the summary;
* ``intake_wide``: the same call on a wide terminal: the suggestions beside the form.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from deskui.screens.knowledge import KnowledgeScreen
from deskui.services.desk import DeskService
from deskui.widgets.suggestion_panel import SuggestionPanel
from tests.ui.conftest import SIZE, make_test_app, settle

LANGUAGES = ["zh", "en"]


@pytest.fixture(autouse=True)
def same_database_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every picture names the desk's database ``desk.db``, as the console does for a file."""
    monkeypatch.setattr(DeskService, "database_name", property(lambda _desk: "desk.db"))


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches a moment after the last key, only sooner."""
    monkeypatch.setattr(SuggestionPanel, "suggest_delay", 0.01)
    monkeypatch.setattr(KnowledgeScreen, "search_delay", 0.01)


async def typed(pilot: Pilot[None]) -> None:
    await pilot.pause(0.05)
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_knowledge_screen(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    async def search(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("slash", *"vpn", "enter")
        await typed(pilot)

    app = make_test_app(demo_db, user="lead", lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=search)


async def describe(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.screen.query_one("#summary").focus()
    await pilot.press(*"outlook")
    await typed(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_suggestions_narrow(
    lang: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=(80, 24), run_before=describe)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_suggestions_wide(
    lang: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=describe)
