"""The login screen of a shared desk: a refused password is said and asked again, an accepted
one opens the console, escape leaves. (The same screen against a real scram-sha-256 server is
in tests/store's password tests.)"""

from __future__ import annotations

import pytest

from deskui.i18n import Catalog
from deskui.screens.login import LoginApp
from deskui.services.errors import DatabaseUnavailable, PasswordRequired


def login_app(lang: str = "en", *, wrong: bool = False) -> tuple[LoginApp, list[str]]:
    tried: list[str] = []

    def attempt(password: str) -> None:
        tried.append(password)
        if password == "down":
            raise DatabaseUnavailable(database="desk", reason="server closed the connection")
        if password != "s3cret":
            raise PasswordRequired(database="desk", role="zhangwei", wrong=True)

    app = LoginApp(t=Catalog(lang), database="desk", role="zhangwei", attempt=attempt, wrong=wrong)
    return app, tried


async def test_a_refused_password_is_said_and_asked_again() -> None:
    app, tried = login_app()
    async with app.run_test() as pilot:
        await pilot.press(*"guess", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        message = str(app.query_one("#login-message").render())
        assert "refused" in message
        field = app.query_one("#login-password")
        assert field.has_focus and getattr(field, "value", None) == ""
        await pilot.press("enter")  # nothing typed: asked for, not sent
        assert tried == ["guess"]
        await pilot.press(*"down", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "server closed the connection" in str(app.query_one("#login-message").render())
        await pilot.press(*"s3cret", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert tried == ["guess", "down", "s3cret"]
    assert app.return_value == "s3cret"


@pytest.mark.parametrize("key", ["escape", "ctrl+q"])
async def test_leaving_logs_nobody_in(key: str) -> None:
    app, tried = login_app("zh", wrong=True)
    async with app.run_test() as pilot:
        assert "密码不对" in str(app.query_one("#login-message").render())
        await pilot.press(*"abc", key)
    assert app.return_value is None and tried == []


async def test_the_password_is_never_shown() -> None:
    app, _ = login_app()
    async with app.run_test() as pilot:
        await pilot.press(*"s3cr")
        await pilot.pause()
        screen = app.export_screenshot()
    assert "s3cr" not in screen and "zhangwei" in screen
