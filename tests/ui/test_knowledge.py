"""The knowledge base in the console: suggestions at intake, the F5 screen, an article from a
solved ticket (Pilot, on the seeded demo desk)."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, col, select
from textual.pilot import Pilot
from textual.widgets import Checkbox, Static

from deskui.core.enums import Status
from deskui.core.permissions import ArticleState
from deskui.screens.knowledge import KnowledgeScreen
from deskui.screens.knowledge_forms import ArticleReader, TicketArticleForm
from deskui.screens.ticket import TicketScreen
from deskui.services.desk import DeskService
from deskui.services.knowledge import ArticleDraft, KnowledgeBase
from deskui.store.db import Database
from deskui.store.models import Article, ArticleTicket, Ticket
from deskui.widgets.suggestion_panel import SuggestionPanel
from tests.ui.conftest import SIZE, console_for, frozen_clock, make_test_app, settle, ticket_count
from tests.ui.test_intake import assert_saved_and_cleared, read, type_into, value


@pytest.fixture(autouse=True)
def quick_suggestions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Suggestions a moment after the last key, as the console does, only sooner."""
    monkeypatch.setattr(SuggestionPanel, "suggest_delay", 0.01)
    monkeypatch.setattr(KnowledgeScreen, "search_delay", 0.01)


async def typed(pilot: Pilot[None]) -> None:
    await pilot.pause(0.05)
    await settle(pilot)


def solved_by(db_url: str, title: str) -> list[int]:
    def find(session: Session) -> list[int]:
        lineage = session.exec(select(Article.lineage_id).where(Article.title == title)).first()
        return list(
            session.exec(
                select(ArticleTicket.ticket_id).where(
                    ArticleTicket.lineage_id == lineage, col(ArticleTicket.solved)
                )
            )
        )

    return read(db_url, find)


async def test_suggestions_appear_beside_the_form_and_solve_the_call(demo_db: str) -> None:
    before = ticket_count(demo_db)
    solved_before = solved_by(demo_db, "Outlook 无法收信")
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"周新人")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"13800138000", "tab", *"财务部")
        app.screen.query_one("#category").focus()
        await pilot.press("2")
        await type_into(pilot, "summary", "Outlook 收不到邮件")
        await type_into(pilot, "description", "早上开始")
        await type_into(pilot, "summary", "")
        await typed(pilot)
        panel = app.screen.query_one(SuggestionPanel)
        # beside the form, the focus still where the operator types
        assert panel.display and not panel.has_class("-narrow")
        assert app.focused is not None and app.focused.id == "summary"
        titles = [item.title for item in panel.items]
        assert "Outlook 无法收信" in titles[:2], titles
        assert any(item.number for item in panel.items)  # similar solved tickets too
        await pilot.press("alt+up")
        assert panel.highlighted == len(titles) - 1
        await pilot.press("alt+down")
        assert panel.highlighted == 0
        for _ in range(titles.index("Outlook 无法收信")):
            await pilot.press("alt+down")
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, ArticleReader)
        assert "邮箱空间已满" in str(app.screen.query_one("#kb-reader-text").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "summary"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.screen.query_one("#resolve-now", Checkbox).value
        assert value(app, "solution").startswith("清理邮箱中的大附件")
        await pilot.press("ctrl+s")
        await settle(pilot)
        ticket = await assert_saved_and_cleared(pilot, demo_db, before)
        await settle(pilot)
        assert not panel.display  # a clean form suggests nothing
    assert ticket.status == Status.RESOLVED
    assert solved_by(demo_db, "Outlook 无法收信") == [*solved_before, ticket.id]


async def test_on_a_narrow_terminal_the_suggestions_are_a_bar_under_the_form(
    demo_db: str,
) -> None:
    app = make_test_app(demo_db, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_into(pilot, "summary", "vpn")
        await typed(pilot)
        panel = app.screen.query_one(SuggestionPanel)
        assert panel.display and panel.has_class("-narrow")
        assert panel.region.height == 3 and panel.region.bottom <= 23
        assert app.focused is not None and app.focused.id == "summary"
        await pilot.resize_terminal(140, 40)
        await settle(pilot)
        assert not panel.has_class("-narrow")


async def test_the_knowledge_screen_searches_and_a_lead_reviews(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, KnowledgeScreen)
        assert len(screen.rows) == 30  # the published demo articles
        await pilot.press("slash", *"vpn", "enter")
        await typed(pilot)
        assert [row.title for row in screen.rows][:2] == [
            "VPN 无法连接，提示证书错误",
            "VPN 频繁断线",
        ]
        assert screen.article is not None and "VPN" in screen.article.title
        # the lead may retire a published article, but not approve it
        assert screen.check_action("retire", ()) and not screen.check_action("approve", ())
        await pilot.press("slash", *(["backspace"] * 3), "enter", "f")  # in review
        await typed(pilot)
        assert [row.title for row in screen.rows] == ["打印机打印出来颜色很淡"]
        assert screen.check_action("approve", ()) and not screen.check_action("publish", ())
        await pilot.press("v")
        await typed(pilot)
        assert screen.article is not None and screen.article.approved
        await pilot.press("p")
        await typed(pilot)
        assert screen.article is not None and screen.article.state == ArticleState.PUBLISHED
        assert screen.state_filter == "published"


async def test_the_author_cannot_approve_their_own_article(demo_db: str) -> None:
    app = make_test_app(demo_db, user="zhangwei", lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5", "f")
        await typed(pilot)
        screen = app.screen
        assert isinstance(screen, KnowledgeScreen)
        assert screen.article is not None and screen.article.author == "zhangwei"
        assert not screen.check_action("approve", ()) and not screen.check_action("return", ())


async def test_a_solved_ticket_becomes_a_draft_article(demo_db: str) -> None:
    number = read(
        demo_db,
        lambda s: s.exec(
            select(Ticket.number).where(Ticket.status == "closed").order_by(col(Ticket.id))
        ).first(),
    )
    app = make_test_app(demo_db, user="zhangwei", lang="en", start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(number))
        await settle(pilot)
        await pilot.press("k")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TicketArticleForm)
        ticket = read(
            demo_db, lambda s: s.exec(select(Ticket).where(Ticket.number == number)).one()
        )
        assert value(app, "kb-title") == ticket.summary
        assert value(app, "kb-solution") == ticket.solution
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
    mine = read(
        demo_db,
        lambda s: s.exec(
            select(Article).where(Article.state == "draft", Article.title == ticket.summary)
        ).all(),
    )
    assert len(mine) == 1
    links = read(
        demo_db,
        lambda s: s.exec(select(ArticleTicket).where(ArticleTicket.lineage_id == mine[0].id)).all(),
    )
    assert [(link.ticket_id, link.solved) for link in links] == [(ticket.id, False)]


async def test_draft_key_is_greyed_on_an_open_ticket(demo_db: str) -> None:
    number = read(
        demo_db,
        lambda s: s.exec(
            select(Ticket.number).where(col(Ticket.is_open)).order_by(col(Ticket.id))
        ).first(),
    )
    app = make_test_app(demo_db, user="zhangwei", lang="en", start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(number))
        await settle(pilot)
        assert not app.screen.check_action("draft_article", ())
        await pilot.press("k")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)


async def test_an_article_published_at_another_console_shows_at_once(demo_db: str) -> None:
    """The F5 screen of a live console lists what another console's connection changes, and
    the article on screen is read again."""
    here = DeskService(Database(demo_db), frozen_clock())
    other = DeskService(Database(demo_db), frozen_clock())
    app = console_for(here, "lead", start_mode="knowledge", live=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, KnowledgeScreen)
            before = len(screen.rows)
            shown = screen.article
            assert shown is not None
            kb = KnowledgeBase.of(other)
            lead = other.actor("lead")
            draft = ArticleDraft(
                title="投影仪无信号：先换接口再换线",
                symptom="会议室投影仪显示无信号",
                cause="笔记本未切换到外接显示",
                solution="按 Win+P 选择复制，再检查线缆",
                category="hardware",
                tags=("投影仪",),
            )
            added = kb.add(other.actor("zhangwei"), draft)
            kb.submit(other.actor("zhangwei"), added.id)
            kb.review(lead, added.id, approve=True, comment=None)
            kb.publish(lead, added.id)
            deadline = time.monotonic() + 5
            while len(screen.rows) == before and time.monotonic() < deadline:
                await pilot.pause(0.05)
            await settle(pilot)
            assert len(screen.rows) == before + 1
            assert draft.title in [row.title for row in screen.rows]
            # a retirement elsewhere takes the article shown off the published list
            kb.retire(lead, shown.id, note="过时")
            deadline = time.monotonic() + 5
            while shown.id in [row.id for row in screen.rows] and time.monotonic() < deadline:
                await pilot.pause(0.05)
            await settle(pilot)
            assert shown.id not in [row.id for row in screen.rows]
            assert screen.article is not None and screen.article.id != shown.id
    finally:
        here.db.dispose()
        other.db.dispose()


def held_open_ticket(db_url: str) -> tuple[str, str]:
    """An in-progress ticket of the demo desk and the login of who holds it."""
    from deskui.store.models import User as DeskUser

    def find(session: Session) -> tuple[str, str]:
        ticket, login = session.exec(
            select(Ticket.number, DeskUser.login)
            .join(DeskUser, col(DeskUser.id) == col(Ticket.assignee_id))
            .where(Ticket.status == Status.IN_PROGRESS.value)
            .order_by(col(Ticket.id))
        ).first() or ("", "")
        return ticket, login

    return read(db_url, find)


async def detail_with_suggestions(
    pilot: Pilot[None], number: str
) -> tuple[TicketScreen, SuggestionPanel]:
    """The detail of ``number`` opened over the queue, its suggestions read."""
    await settle(pilot)
    pilot.app.push_screen(TicketScreen(number))
    await settle(pilot)
    await typed(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TicketScreen)
    return screen, screen.query_one(SuggestionPanel)


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_keys_the_detail_panel_names_all_work(demo_db: str, lang: str) -> None:
    from deskui.screens.ticket_forms import NoteForm

    number, holder = held_open_ticket(demo_db)
    assert number and holder
    app = make_test_app(demo_db, user=holder, lang=lang, start_mode="queue")
    async with app.run_test(size=(160, 48)) as pilot:
        screen, panel = await detail_with_suggestions(pilot, number)
        t = screen.ctx.t
        assert len(panel.items) >= 2
        keys = str(panel.query_one("#kb-suggest-keys").render())
        assert keys == t("kb.suggest.keys")
        theme = app.theme
        await pilot.press("alt+down")  # next
        assert panel.highlighted == 1
        await pilot.press("alt+up")
        assert panel.highlighted == 0
        await pilot.press("alt+down")
        await pilot.press("ctrl+g")  # read
        await settle(pilot)
        assert isinstance(app.screen, ArticleReader)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+t")  # use its solution: the solution form, filled in
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NoteForm) and form.text == panel.items[1].solution
        assert app.theme == theme
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)


async def test_where_no_solution_may_be_given_the_panel_does_not_name_ctrl_t(
    demo_db: str,
) -> None:
    number, _holder = held_open_ticket(demo_db)
    app = make_test_app(demo_db, user="op", lang="zh", start_mode="queue")
    async with app.run_test(size=(160, 48)) as pilot:
        screen, panel = await detail_with_suggestions(pilot, number)
        t = screen.ctx.t
        assert panel.items
        assert str(panel.query_one("#kb-suggest-keys").render()) == t("kb.suggest.keys_read")
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, ArticleReader)
        assert t("kb.reader.hint_read") in {str(w.render()) for w in app.screen.query(Static)}
        await pilot.press("escape")
        await settle(pilot)
        theme = app.theme
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.theme == theme
        assert screen.notice == t("kb.suggest.use_not_now")
