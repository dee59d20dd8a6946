"""How announcements look, frozen at Monday 2026-11-02 10:00, in both languages: the banner over
the queue, several at once over the board, the reader, the F6 screen (published, in review),
the hint beside the intake form, and on an 80×24 terminal the banner over the form and the
hint a bar under it. The demo desk with its two announcements (one published, one in review)
and, where several are wanted, one more published."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from deskui.services.desk import DeskService, prepare_database
from deskui.services.seed import seed_demo
from deskui.store.db import Database
from tests.ui.conftest import SIZE, frozen_clock, make_test_app, settle
from tests.ui.test_announcements import publish_on

LANGUAGES = ["zh", "en"]


@pytest.fixture(scope="module")
def announced_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo desk with the demo's announcements."""
    path = tmp_path_factory.mktemp("announced") / "template.db"
    db = Database(f"sqlite:///{path}")
    prepare_database(db, frozen_clock())
    seed_demo(DeskService(db, frozen_clock()), callers=40, tickets=12)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def announced(announced_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "desk.db"
    path.write_bytes(announced_template.read_bytes())
    return f"sqlite:///{path}"


def keys(*pressed: str) -> Callable[[Pilot[None]], object]:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


@pytest.mark.parametrize("lang", LANGUAGES)
def test_banner_over_the_queue(
    lang: str, announced: str, snap_compare: Callable[..., bool]
) -> None:
    app = make_test_app(announced, user="zhangwei", lang=lang, start_mode="queue")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_several_over_the_board_and_the_reader(
    lang: str, announced: str, snap_compare: Callable[..., bool]
) -> None:
    publish_on(announced, title="三号楼网络割接", services=("network", "三号楼"))
    app = make_test_app(announced, user="lead", lang=lang, start_mode="board")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("shift+f6"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_screen_published(lang: str, announced: str, snap_compare: Callable[..., bool]) -> None:
    app = make_test_app(announced, user="op", lang=lang, start_mode="queue")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("f6", "4"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_screen_in_review(lang: str, announced: str, snap_compare: Callable[..., bool]) -> None:
    app = make_test_app(announced, user="lina", lang=lang, start_mode="queue")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("f6", "2"))


async def network_call(pilot: Pilot[None]) -> None:
    """A network call: the announcement concerns it."""
    await settle(pilot)
    pilot.app.screen.query_one("#category").focus()
    await pilot.press("3")
    await settle(pilot)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_hint_beside_the_intake_form(
    lang: str, announced: str, snap_compare: Callable[..., bool]
) -> None:
    app = make_test_app(announced, user="op", lang=lang, start_mode="intake")
    assert snap_compare(app, terminal_size=SIZE, run_before=network_call)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_banner_and_hint_over_and_under_the_intake_at_80_columns(
    lang: str, announced: str, snap_compare: Callable[..., bool]
) -> None:
    app = make_test_app(announced, user="op", lang=lang, start_mode="intake")
    assert snap_compare(app, terminal_size=(80, 24), run_before=network_call)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_screen_published_at_80_columns(
    lang: str, announced: str, snap_compare: Callable[..., bool]
) -> None:
    """At 80×24 the list has the width (author and time in view), the one in full under it."""
    app = make_test_app(announced, user="op", lang=lang, start_mode="queue")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("f6", "4"))
