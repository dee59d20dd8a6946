"""The console shell: global keys from every screen, help, palette, status line, start-up."""

from __future__ import annotations

import argparse
import io
from functools import partial
from pathlib import Path

import pytest
from sqlmodel import Session, select
from textual.command import CommandPalette

from deskui.app import DeskApp, make_app
from deskui.cli.console import run_console
from deskui.config import Settings
from deskui.console.messages import ConnectionLost, ConnectionRestored, DeskChanged
from deskui.screens.help import HelpScreen
from deskui.screens.intake import IntakeScreen
from deskui.services import identity
from deskui.services.calendar import confirm_year
from deskui.services.desk import DeskService
from deskui.services.seed import seed_demo
from deskui.services.users import add_user
from deskui.store.db import Database
from deskui.store.feed import ALL_TABLES
from deskui.store.models import DeskSetting, User
from deskui.widgets.status_line import StatusLine
from tests.ui.conftest import CLOSING, SIZE, frozen_clock, make_test_app, settle
from tests.ui.test_queue import screen_text
from tests.ui.test_ticket_detail import read_through


def screen_name(app: DeskApp) -> str:
    return type(app.screen).__name__


def status_text(app: DeskApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def test_f_keys_switch_areas_from_every_screen(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert screen_name(app) == "IntakeScreen"
        for key, mode, name in (
            ("f3", "queue", "QueueScreen"),
            ("f4", "board", "EmergencyBoard"),
            ("f2", "intake", "IntakeScreen"),
            ("f4", "board", "EmergencyBoard"),
            ("f3", "queue", "QueueScreen"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert (app.current_mode, screen_name(app)) == (mode, name)
            # every area gets the status line
            assert len(app.screen.query(StatusLine)) == 1
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        assert app.focused is screen.panel.lookup.field


async def test_start_area_follows_the_role(demo_db: str) -> None:
    app = make_test_app(demo_db, user="zhangwei")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "queue"
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "board"


@pytest.mark.parametrize("key", ["f1", "question_mark"])
async def test_help_lists_the_keys_of_the_current_screen(demo_db: str, key: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if key == "question_mark":
            # in a text field ? is a character; elsewhere it is help
            app.screen.query_one("#type").focus()
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        rows = {row.description: row for row in app.screen.rows}
        assert not rows["Save"].everywhere and rows["Save"].key == "^s"
        assert rows["New call"].everywhere and rows["New call"].key == "f2"
        # nothing is picked yet: the repeat-call note does not apply and shows dimmed
        assert rows["Note on ticket"].enabled is False
        assert {"Help", "Queue", "Board", "Quit", "Commands", "Back"} <= set(rows)
        await pilot.press("escape")
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("f3", "f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        listed = {row.description for row in app.screen.rows}
        assert "Save" not in listed
        assert "Copy selected text" not in listed, "Textual's own keys are not the desk's"
        from rich.console import Console

        from deskui.screens.help import legend

        console = Console(width=100, record=True, file=io.StringIO())
        console.print(legend(app.context.t))
        text = console.export_text()
        assert "✖" in text and "BREACHED" in text and "‖" in text
        assert "paused" in text and "past due" in text
        await pilot.press("f1")
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize(("lang", "letters"), [("zh", "响馈解"), ("en", "RUS")])
async def test_help_explains_question_mark_colours_and_the_clock_letters(
    demo_db: str, lang: str, letters: str
) -> None:
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = app.context.t
        app.screen.query_one("#type").focus()
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        by_key = {row.key: row for row in app.screen.rows}
        assert by_key["?"].tooltip == t("shell.key.help_q.tip")
        assert by_key["f1"].tooltip == t("shell.key.help.tip")
        from rich.console import Console

        from deskui.screens.help import legend

        console = Console(width=100, record=True, file=io.StringIO())
        console.print(legend(t))
        text = console.export_text()
        assert t("shell.legend.colours") in text and t("shell.legend.shorts") in text
        assert t("shell.legend.colour.P1") in text
        for letter, kind in zip(letters, ("response", "update", "resolution"), strict=True):
            assert any(
                line.split()[:2] == [letter, t(f"clock.{kind}")] for line in text.splitlines()
            ), letter


async def test_help_and_footer_speak_chinese(demo_db: str) -> None:
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        descriptions = {row.description for row in app.screen.rows}
        assert {"保存", "新来电", "工单队列", "紧急看板", "帮助", "退出", "下一栏"} <= descriptions


async def test_ctrl_p_opens_the_palette_with_every_action(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert CommandPalette.is_open(app)
        from deskui.screens.commands import DeskCommands

        names = {c.name for c in DeskCommands(app.screen_stack[-2]).commands()}
        assert {
            "New call (intake form)",
            "Live queue",
            "Emergency board",
            "Help: keys of this screen",
            "Toggle light / dark theme",
            "Quit",
            "Save",
            "New caller",
        } <= names
        await pilot.press(*"board")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "board"


async def test_the_palette_finds_actions_in_either_language_and_tickets_by_number(
    demo_db: str,
) -> None:
    from deskui.screens.commands import DeskCommands
    from deskui.screens.queue import QueueScreen

    app = make_test_app(demo_db, user="zhangwei", lang="zh", start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        provider = DeskCommands(queue)
        commands = provider.commands()
        assert not [c for c in commands if c.name in ("上一行", "下一行", "上一页")], (
            "moving the cursor is no command"
        )

        async def hits(text: str) -> list[str]:
            return [str(hit.text) for hit in [h async for h in provider.search(text)]]

        assert any("接单" in found for found in await hits("claim")), "English finds 接单"
        number = queue.table.loaded_rows[0].number
        found = await hits(number[-3:])
        assert any(number in text for text in found), found
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*number)
        for _ in range(50):  # the palette searches as one types, off the loop
            await pilot.pause(0.02)
        await pilot.press("enter")
        await settle(pilot)
        from deskui.screens.ticket import TicketScreen

        assert isinstance(app.screen, TicketScreen) and app.screen.number == number


async def test_theme_toggles(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"


async def test_status_line_shows_who_where_and_live_counts(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        counts = app.desk.counts()
        text = status_text(app)
        assert "王芳" in text and "Operator" in text and "desk.db" in text
        assert f"Open {counts.open}" in text and f"P1 {counts.p1}" in text
        assert f"Breached {counts.breached}" in text
        # another console logs a call; the change arrives and the counts follow
        from deskui.services.directory import RequesterInput
        from deskui.services.intake import IntakeRequest

        other = DeskService(Database(demo_db), frozen_clock())
        other.create_ticket(
            other.actor("op2"),
            IntakeRequest(
                type="incident",
                category="network",
                channel="phone",
                impact=1,
                urgency=1,
                summary="Core switch down",
                description="Whole floor offline",
                requester=RequesterInput(name="赵六", phone="13900001111"),
            ),
        )
        other.db.dispose()
        app.counts_after_change = 0.001  # the counts follow the screen in front, a moment later
        app.post_message(DeskChanged(frozenset({"ticket"})))
        await settle(pilot)
        await pilot.pause()
        await settle(pilot)
        text = status_text(app)
        assert f"Open {counts.open + 1}" in text and f"P1 {counts.p1 + 1}" in text


async def test_a_rule_change_at_another_console_reaches_this_one(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules are read again off the loop, and the screen in front is told to re-read."""
    seen: list[frozenset[str]] = []
    monkeypatch.setattr(
        IntakeScreen, "on_desk_changed", lambda self, m: seen.append(m.tables), raising=False
    )
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.desk.rules.matrix.lookup(3, 4) == "P4"
        other = DeskService(Database(demo_db), frozen_clock())
        matrix = {
            "vip_raise": True,
            "matrix": {
                "I1": ["P1", "P1", "P2", "P3"],
                "I2": ["P1", "P2", "P3", "P4"],
                "I3": ["P2", "P3", "P3", "P3"],
            },
        }
        other.save_rules(other.actor("admin"), "matrix", matrix, "no P4 for individuals")
        other.db.dispose()
        for _ in range(100):  # the feed tells the console; give it up to ten seconds
            await pilot.pause(0.1)
            if app.desk.rules.matrix.lookup(3, 4) == "P3":
                break
        assert app.desk.rules.matrix.lookup(3, 4) == "P3"
        await settle(pilot)
        # after the change itself, "everything may read differently now"
        assert "desk_setting" in seen[0]
        assert ALL_TABLES - {"desk_setting"} in seen
        # the same rules again: nothing more is announced
        seen.clear()
        app.post_message(DeskChanged(frozenset({"desk_setting"})))
        await settle(pilot)
        await settle(pilot)
        assert seen == [frozenset({"desk_setting"})]


async def test_another_consoles_call_shows_by_itself(demo_db: str) -> None:
    """The change feed tells the console; nobody posts anything by hand."""
    from deskui.services.directory import RequesterInput
    from deskui.services.intake import IntakeRequest

    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.live is not None
        before = app.desk.counts()
        other = DeskService(Database(demo_db), frozen_clock())
        other.create_ticket(
            other.actor("op2"),
            IntakeRequest(
                type="incident",
                category="network",
                channel="phone",
                impact=1,
                urgency=1,
                summary="Core switch down",
                description="Whole floor offline",
                requester=RequesterInput(name="赵六", phone="13900001111"),
            ),
        )
        other.db.dispose()
        for _ in range(100):  # the feed polls; give it up to ten seconds
            await pilot.pause(0.1)
            if f"Open {before.open + 1}" in status_text(app):
                break
        assert f"Open {before.open + 1}" in status_text(app)


async def test_desk_changes_are_forwarded_to_the_screen_in_front(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[object] = []
    monkeypatch.setattr(
        IntakeScreen, "on_desk_changed", lambda self, m: seen.append(m.tables), raising=False
    )
    monkeypatch.setattr(
        IntakeScreen, "on_connection_lost", lambda self, m: seen.append(m.reason), raising=False
    )
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(DeskChanged(frozenset({"ticket"})))
        app.post_message(ConnectionLost("gone"))
        await settle(pilot)
    assert seen == [frozenset({"ticket"}), "gone"]


async def test_connection_banner_shows_and_hides(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(ConnectionLost("server closed the connection"))
        await settle(pilot)
        line = app.screen.query_one(StatusLine)
        assert line.has_class("-lost")
        assert "Database connection lost: server closed the connection" in status_text(app)
        app.post_message(ConnectionRestored())
        await settle(pilot)
        assert not line.has_class("-lost")
        assert "Open" in status_text(app)


async def test_a_failing_database_raises_the_banner_by_itself(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        Path(demo_db.removeprefix("sqlite:///")).rename(demo_db.removeprefix("sqlite:///") + ".x")
        Path(demo_db.removeprefix("sqlite:///")).mkdir()
        app.desk.db.dispose()
        app.refresh_counts()
        await settle(pilot)
        assert app.connection_problem is not None
        assert "Database connection lost" in status_text(app)


def args(**values: object) -> argparse.Namespace:
    return argparse.Namespace(**{"db": None, "user": None, "lang": "en", **values})


def test_unknown_user_is_told_how_to_add_one(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_console(args(db=demo_db, user="bob"))
    err = capsys.readouterr().err
    assert code != 0
    assert "no user 'bob'" in err
    assert f"deskui user add bob --name NAME --role agent --group hardware --db {demo_db}" in err


def test_on_a_real_desk_the_console_is_the_os_accounts_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "real.db")
    seen: list[tuple[str, str | None]] = []
    monkeypatch.setattr(
        DeskApp,
        "run",
        lambda self: seen.append((self.context.actor.login, self.context.actor.proxy_login)),
    )
    monkeypatch.setattr(identity, "os_account", lambda: "alice")
    # a desk without users says how to add its admin, and opens nothing
    assert run_console(args(db=db)) == 2
    assert "deskui user add LOGIN --name NAME --role admin" in capsys.readouterr().err
    desk = DeskService(Database(f"sqlite:///{db}"), frozen_clock())
    who = desk.identify(None)
    desk.add_user(who, login="ada", name="Ada", role="admin", groups=["desk"])
    desk.add_user(desk.identify(None), login="bo", name="Bo", role="agent", groups=["hardware"])
    desk.db.dispose()
    assert run_console(args(db=db)) == 0
    # the admin may sit at the console for the agent; both are on the status line and record
    assert run_console(args(db=db, user="bo")) == 0
    assert seen == [("ada", None), ("bo", "ada")]
    # an account bound to nobody opens nothing, whoever it names
    monkeypatch.setattr(identity, "os_account", lambda: "mallory")
    for user in (None, "ada", "bo"):
        assert run_console(args(db=db, user=user)) == 5
        assert "mallory" in capsys.readouterr().err
    monkeypatch.setattr(identity, "os_account", lambda: "bo")
    assert run_console(args(db=db, user="ada", lang="zh")) == 5
    assert "只接受你本人" in capsys.readouterr().err
    assert seen == [("ada", None), ("bo", "ada")]


def test_a_database_that_cannot_be_opened_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_console(args(db="postgresql://nobody:secret@127.0.0.1:1/desk"))
    err = capsys.readouterr().err
    assert code != 0
    assert "cannot open the database" in err and "127.0.0.1:1" in err
    assert "secret" not in err


def test_the_first_run_seeds_a_demo_desk_and_seats_the_demo_operator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DESKUI_HOME", str(tmp_path))
    seen: dict[str, object] = {}

    def run(self: DeskApp) -> None:
        seen["actor"] = self.context.actor.login
        seen["counts"] = self.desk.counts()

    monkeypatch.setattr(DeskApp, "run", run)
    monkeypatch.setattr(
        "deskui.services.seed.seed_demo", lambda desk: seed_demo(desk, callers=20, tickets=5)
    )
    assert run_console(args()) == 0
    assert seen["actor"] == "op"
    assert (tmp_path / "deskui.db").exists()
    # a second start finds the desk seeded and does not seed again
    monkeypatch.setattr("deskui.services.seed.seed_demo", lambda desk: pytest.fail("seeded twice"))
    assert run_console(args()) == 0


def test_as_picks_any_user_on_the_demo_desk(demo_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(demo_db)
    DeskService(db, frozen_clock()).write(
        lambda s: add_user(
            session=s,
            login="newbie",
            name="New Bie",
            role="agent",
            groups=["hardware"],
            now=frozen_clock().now(),
        )
    )
    db.dispose()
    seen: list[str] = []
    monkeypatch.setattr(DeskApp, "run", lambda self: seen.append(self.context.actor.login))
    assert run_console(args(db=demo_db, user="newbie")) == 0
    assert seen == ["newbie"]


async def test_the_footer_draws_keys_without_building_widgets(demo_db: str) -> None:
    """Each change of keys repaints the footer line; nothing is built, so nothing piles up
    (Textual's own footer rebuilt a widget per key on every change and kept the old ones
    alive)."""
    import gc

    from textual.widget import Widget

    from deskui.widgets.key_footer import KeyFooter

    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = app.screen.query_one(KeyFooter)
        assert not footer.children
        gc.collect()
        before = sum(isinstance(o, Widget) for o in gc.get_objects())
        for _ in range(10):
            app.screen.refresh_bindings()
            await pilot.pause()
        await settle(pilot)
        gc.collect()
        assert sum(isinstance(o, Widget) for o in gc.get_objects()) == before
        assert "New call" in str(footer.render())


async def test_the_status_line_says_demo_desk_and_who_acts_for_whom(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A demo desk says so; an admin acting for someone shows both names."""
    desk = DeskService(Database(demo_db), frozen_clock())
    for lang, words in (("en", "demo desk"), ("zh", "演示服务台")):
        who = desk.identify("zhangwei")
        settings = Settings(database_url=demo_db, user="zhangwei", lang=lang)
        app = make_app(settings, desk=desk, identity=who, live=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            line = status_text(app)
            assert words in line and "zhangwei" in line
    monkeypatch.setattr(identity, "os_account", lambda: "alice")
    desk.write(lambda s: mark_real_desk(s, "alice"))
    who = desk.identify("zhangwei")
    assert who.actor is not None and who.actor.proxy_login == "admin"
    app = make_app(Settings(database_url=demo_db, lang="en"), desk=desk, identity=who, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        line = status_text(app)
        assert "acting: admin" in line and "demo desk" not in line
    desk.db.dispose()


def mark_real_desk(session: Session, account: str) -> None:
    """Make the demo desk a real one whose admin works from ``account``."""
    session.delete(session.get(DeskSetting, identity.DEMO_KEY))
    admin = session.exec(select(User).where(User.role == "admin")).first()
    assert admin is not None
    admin.os_login = account
    session.add(admin)


async def test_admins_and_duty_leads_are_told_to_enter_next_years_holidays(demo_db: str) -> None:
    """The frozen day, 2026-11-02, is 60 days before 2027, whose schedule nobody entered."""
    for user, warned in (("admin", True), ("lead", True), ("zhangwei", False), ("op", False)):
        app = make_test_app(demo_db, user=user, lang="zh")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert ("2027 年节假日安排尚未录入" in status_text(app)) is warned, user
    desk = DeskService(Database(demo_db), frozen_clock())
    desk.change_calendar(desk.actor("admin"), partial(confirm_year, year=2027), "entered")
    desk.db.dispose()
    app = make_test_app(demo_db, user="lead", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "holidays not entered" not in status_text(app)


def test_the_timeline_shows_the_admin_who_acted_for_someone() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from deskui.core.enums import EventKind
    from deskui.i18n import Catalog
    from deskui.services.views import EventView
    from deskui.widgets.timeline import entry_text

    event = EventView(
        1, datetime(2026, 11, 2, 2, tzinfo=UTC), "cy", EventKind.WORKLOG, None, None, None, "x"
    )
    tz = ZoneInfo("Asia/Shanghai")
    assert "(by" not in entry_text(event, tz, Catalog("en")).plain
    acted = EventView(**{**event.__dict__, "acting_admin": "ada"})
    assert "cy" in entry_text(acted, tz, Catalog("en")).plain
    assert "(by ada)" in entry_text(acted, tz, Catalog("en")).plain
    assert "由 ada 代为操作" in entry_text(acted, tz, Catalog("zh")).plain


async def test_help_wraps_chinese_descriptions_whole_at_80x24(demo_db: str) -> None:
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        seen = await read_through(pilot, help_screen.query_one("#help-scroll"), "█")
        tooltips = [row.tooltip for row in help_screen.rows if row.tooltip]
        assert "重复来电：记为所选未结工单的处理记录，不新建工单" in tooltips
        for tooltip in tooltips:
            whole = "".join(tooltip.split())
            assert any(whole in text for text in seen), tooltip
        assert not any("…" in text for text in seen)


@pytest.mark.parametrize("where", ["intake", "detail"])
async def test_help_never_opens_a_line_with_closing_punctuation_at_80x24(
    demo_db: str, where: str
) -> None:
    from deskui.screens.ticket import TicketScreen

    app = make_test_app(demo_db, user="lead", lang="zh", start_mode="queue")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2" if where == "intake" else "enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) == (where == "detail")
        await pilot.press("f1")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        pane = help_screen.query_one("#help-scroll")
        rows: list[str] = []
        while True:
            rows += screen_text(app).splitlines()
            if pane.scroll_y >= pane.max_scroll_y:
                break
            pane.scroll_down(animate=False)
            await settle(pilot)
        for row in rows:
            for cell in row.strip(" │┃▏▕█").split("  "):
                cell = cell.strip()
                assert not cell or cell[0] not in CLOSING, row


@pytest.mark.parametrize(
    ("lang", "open_word", "breached_word", "warning"),
    [("en", "Open", "Breached", "2027 holidays"), ("zh", "未结", "超时", "2027 年节假日")],
)
@pytest.mark.parametrize("user", ["lead", "zhangwei"])
async def test_at_80_columns_the_status_line_keeps_the_counts_whole(
    demo_db: str, user: str, lang: str, open_word: str, breached_word: str, warning: str
) -> None:
    """The database's file goes first, then the role; the counts and the warning stay."""
    app = make_test_app(demo_db, user=user, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        counts = app.desk.counts()
        line = status_text(app)
        assert f"{open_word} {counts.open}" in line and f"P1 {counts.p1}" in line
        assert line.rstrip().endswith(f"{breached_word} {counts.breached}")
        assert "…" not in line
        if user == "lead":  # no room for the file and the role: they gave way to the warning
            assert warning in line and "desk.db" not in line
