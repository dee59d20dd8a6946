"""How the login screen of a shared desk looks, in both languages: asked for the first time,
and after a refused password."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from tests.ui.test_login import login_app


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("wrong", [False, True], ids=["asked", "refused"])
def test_login_screen(lang: str, wrong: bool, snap_compare: Callable[..., bool]) -> None:
    app, _ = login_app(lang, wrong=wrong)

    async def typed(pilot: Pilot[str | None]) -> None:
        await pilot.press(*"pw")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=typed)
