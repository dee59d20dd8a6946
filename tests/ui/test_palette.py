"""The command palette (ctrl+p) as typed into: people, actions, tickets in any state, the
line saying nothing matched, in both languages; and F8 refused aloud for those it is not for."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from deskui.app import DeskApp
from deskui.i18n import Catalog
from deskui.screens.queue import QueueScreen
from deskui.screens.ticket import TicketScreen
from deskui.services.queue import QueueQuery, QueueReader, QueueView
from tests.ui.conftest import SIZE, make_test_app, settle

#: What is typed and what must be offered, in each language's console.
LANGS = ("zh", "en")


async def typed(pilot: Pilot[None], text: str) -> list[str]:
    """Open the palette, type ``text``, and the lines it offers once the search is done."""
    app = pilot.app
    if not CommandPalette.is_open(app):
        await pilot.press("ctrl+p")
        await settle(pilot)
    await pilot.press(*text)
    await settle(pilot)
    commands = app.screen.query_one(CommandList)
    prompts = (commands.get_option_at_index(i).prompt for i in range(commands.option_count))
    return [str(prompt).split("\n")[0] for prompt in prompts]  # the name, not its help


def number_in(app: DeskApp, view: QueueView) -> str:
    """A ticket number of ``view`` as the app's person sees it."""
    ctx = app.context
    rows = QueueReader.of(ctx.desk).after(QueueQuery.for_actor(ctx.actor, view), None, 1)
    return rows[0].number


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", ["zhangwei", "张伟", "zw", "Zhang Wei"])
async def test_a_person_is_found_and_opens_the_tickets_they_hold(
    demo_db: str, lang: str, text: str
) -> None:
    app = make_test_app(demo_db, user="lead", lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = await typed(pilot, text)
        assert lines and "张伟" in lines[0] and "zhangwei" in lines[0], lines
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        assert screen.filters.assignee == "zhangwei"
        assert screen.table.view_query.filters.assignee == "zhangwei"
        assert screen.table.loaded_rows
        assert {row.assignee_login for row in screen.table.loaded_rows} == {"zhangwei"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", ["user", "用户"])
async def test_users_finds_the_administrations_users(demo_db: str, lang: str, text: str) -> None:
    app = make_test_app(demo_db, user="lead", lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = await typed(pilot, text)
        wanted = Catalog(lang)("admin.cmd.users")
        assert lines and lines[0] == wanted, lines
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "admin"
        from deskui.screens.admin import AdminScreen

        assert isinstance(app.screen, AdminScreen)
        assert app.screen.current == "users"


async def test_a_section_of_the_administration_opens_in_front(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert (await typed(pilot, "routing"))[0] == "管理：分派"
        await pilot.press("enter")
        await settle(pilot)
        from deskui.screens.admin import AdminScreen

        assert isinstance(app.screen, AdminScreen) and app.screen.current == "routing"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("text", ["close", "关闭"])
async def test_close_finds_the_close_action_of_the_detail(
    demo_db: str, lang: str, text: str
) -> None:
    app = make_test_app(demo_db, user="lead", lang=lang, start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = Catalog(lang)
        # on the queue, nothing reviewable under the cursor: found, and said not to apply
        lines = await typed(pilot, text)
        assert t("queue.key.close") in lines, lines
        await pilot.press("escape")
        number = number_in(app, QueueView.REVIEW)
        await app.push_screen(TicketScreen(number))
        await settle(pilot)
        lines = await typed(pilot, text)
        assert t("detail.key.close") in lines, lines
        await pilot.press("enter")
        await settle(pilot)
        assert not CommandPalette.is_open(app)
        assert not isinstance(app.screen, TicketScreen), "the close dialog is in front"


async def test_an_action_that_does_not_apply_now_says_so(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="zh", start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = await typed(pilot, "关闭")
        app.screen.query_one(CommandList).highlighted = lines.index("关闭")
        await pilot.press("enter")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert said and said[-1] == "“关闭”此刻不适用（它的键是灰色的）"


@pytest.mark.parametrize("lang", LANGS)
async def test_a_closed_ticket_is_found_by_its_number(demo_db: str, lang: str) -> None:
    app = make_test_app(demo_db, user="op", lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        number = number_in(app, QueueView.CLOSED)
        lines = await typed(pilot, number[-7:])
        assert any(line.startswith(number) for line in lines), lines
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.number == number


async def test_nothing_found_is_said_in_the_consoles_language(demo_db: str) -> None:
    for lang, words in (
        ("zh", "没有找到匹配的操作、人员或工单"),
        ("en", "No action, person or ticket matches"),
    ):
        app = make_test_app(demo_db, user="lead", lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await typed(pilot, "qqxjv")
            commands = app.screen.query_one(CommandList)
            for _ in range(100):  # Textual says it half a second after the search found nothing
                if commands.option_count:
                    break
                await pilot.pause(0.02)
            shown = " ".join(
                str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)
            )
            assert words in shown and "No matches found" not in shown, shown


@pytest.mark.parametrize(
    ("user", "lang", "key", "words"),
    [
        ("op", "zh", "f8", "服务台接线员无权查看服务台管理"),
        ("op", "en", "f8", "an operator may not see the desk's administration"),
        ("zhangwei", "zh", "f8", "技术支持工程师无权查看服务台管理"),
        ("zhangwei", "en", "f8", "an agent may not see the desk's administration"),
        ("op", "zh", "f7", "服务台接线员无权读取任何统计报表（包括本人的）"),
        ("op", "en", "f7", "an operator may not read any report, their own included"),
    ],
)
async def test_a_key_not_for_this_person_is_refused_aloud(
    demo_db: str, user: str, lang: str, key: str, words: str
) -> None:
    app = make_test_app(demo_db, user=user, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mode = app.current_mode
        await pilot.press(key)
        await settle(pilot)
        assert app.current_mode == mode
        said = [n.message for n in app._notifications]
        assert said and said[-1] == words, said
