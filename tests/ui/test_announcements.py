"""Announcements in the console: the F6 screen driven by keys (draft, submit, approve, return,
publish, withdraw, refusals greyed), the banner in every screen, reaching another console
through the change feed, and expiring by the console's clock."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import DataTable

from deskui.app import DeskApp
from deskui.core.announcements import AnnouncementState
from deskui.core.clock import FrozenClock
from deskui.core.permissions import Action
from deskui.screens.announcements import (
    AnnouncementEditor,
    AnnouncementsReader,
    AnnouncementsScreen,
)
from deskui.screens.intake import IntakeScreen
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_forms import NoteForm
from deskui.services.announcements import Announcements
from deskui.services.desk import DeskService, prepare_database
from deskui.store.db import Database
from deskui.widgets.announcement_banner import AnnouncementBanner
from deskui.widgets.announcement_hint import AnnouncementHint
from tests.conftest import add_staff
from tests.services.test_announcements import lead_hardware, outage
from tests.ui.conftest import SIZE, console_for, frozen_clock, make_test_app, settle, ticket_count
from tests.ui.test_intake import newest_ticket
from tests.ui.test_queue import screen_text


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> DeskService:
    """A staffed desk on a SQLite file; agent2 leads hardware."""
    db = Database(f"sqlite:///{tmp_path}/desk.db")
    prepare_database(db, clock)
    service = add_staff(DeskService(db, clock))
    lead_hardware(service)
    return service


def banner_of(app: DeskApp) -> AnnouncementBanner:
    return app.screen.query_one(AnnouncementBanner)


def news_screen(app: DeskApp) -> AnnouncementsScreen:
    screen = app.screen
    assert isinstance(screen, AnnouncementsScreen)
    return screen


def published(desk: DeskService, **changes: object) -> int:
    """An announcement taken the whole way through the services; its id."""
    news = Announcements(desk)
    view = news.draft(desk.actor("agent1"), outage(desk, **changes))
    news.act(desk.actor("agent1"), view.id, Action.ANNOUNCE_SUBMIT)
    news.act(desk.actor("agent2"), view.id, Action.ANNOUNCE_APPROVE)
    return news.act(desk.actor("op"), view.id, Action.ANNOUNCE_PUBLISH).id


async def shown_within(pilot: Pilot[None], seconds: float) -> None:
    """Wait (at most ``seconds``) for the change feed to bring an announcement to the console:
    the feed wakes within milliseconds (inotify, LISTEN); the bound only ends a hang."""
    app = pilot.app
    assert isinstance(app, DeskApp)
    deadline = time.monotonic() + seconds
    while not app.announcements and time.monotonic() < deadline:
        await pilot.pause(0.05)
    await settle(pilot)


async def type_into(pilot: Pilot[None], text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def test_the_flow_by_keys(desk: DeskService) -> None:
    # the author drafts and submits
    app = console_for(desk, "agent1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6")
        await settle(pilot)
        screen = news_screen(app)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AnnouncementEditor)
        form.query_one("#title").value = "Printers down"  # type: ignore[attr-defined]  # SafeInput
        await pilot.click("#title")
        await pilot.press("end")
        await type_into(pilot, " tonight")
        form.query_one("#expires_at").value = "2026-11-02 18:00"  # type: ignore[attr-defined]  # SafeInput
        form.query_one("#body").load_text("Floor 3 printers are serviced.")  # type: ignore[attr-defined]  # SafeTextArea
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        view = screen.current
        assert view is not None and view.content.title == "Printers down tonight"
        assert view.state == AnnouncementState.DRAFT
        # approving one's own is greyed; submitting is not
        assert screen.check_action("approve", ()) is None
        assert screen.check_action("publish", ()) is None
        assert screen.check_action("submit", ()) is True
        await pilot.press("s")
        await settle(pilot)
        assert screen.state == AnnouncementState.IN_REVIEW
        assert screen.check_action("approve", ()) is None
    number = view.id

    # the group's lead returns it with a question
    app = console_for(desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6", "2")
        await settle(pilot)
        screen = news_screen(app)
        assert [v.id for v in screen.views] == [number]
        assert screen.check_action("approve", ()) is True
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, NoteForm)
        await type_into(pilot, "Which floors?")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen and screen.state == AnnouncementState.DRAFT
    assert Announcements(desk).get(number).question == "Which floors?"

    news = Announcements(desk)
    news.act(desk.actor("agent1"), number, Action.ANNOUNCE_SUBMIT)
    # ... and approves it the second time
    app = console_for(desk, "agent2")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6", "2")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert news_screen(app).state == AnnouncementState.APPROVED

    # the desk: no edit, but publish; the banner shows at once; withdrawal asks a reason
    app = console_for(desk, "op", start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not banner_of(app).display
        await pilot.press("f6", "3")
        await settle(pilot)
        screen = news_screen(app)
        assert screen.check_action("edit", ()) is None
        assert screen.check_action("publish", ()) is True
        await pilot.press("e")  # greyed: nothing opens
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("p")
        await settle(pilot)
        assert screen.state == AnnouncementState.PUBLISHED
        assert [a.id for a in app.announcements] == [number]
        assert banner_of(app).display
        await pilot.press("f3")
        await settle(pilot)
        assert banner_of(app).display  # in the queue too
        await pilot.press("f6", "w")
        await settle(pilot)
        assert isinstance(app.screen, NoteForm)
        await pilot.press("ctrl+s")  # no reason: refused in the form
        await settle(pilot)
        assert isinstance(app.screen, NoteForm)
        await type_into(pilot, "cancelled")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.state == AnnouncementState.WITHDRAWN
        assert app.announcements == ()
        assert not banner_of(app).display
    assert news.get(number).withdraw_reason == "cancelled"


async def test_a_refusal_keeps_the_form(desk: DeskService) -> None:
    app = console_for(desk, "agent1")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f6", "n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AnnouncementEditor)
        # a draft expires a day from now unless the author says otherwise
        assert form.query_one("#expires_at").value == "2026-11-03 10:00"  # type: ignore[attr-defined]  # SafeInput
        assert form.query_one("#group").value == "hardware"  # type: ignore[attr-defined]  # SafeInput
        form.query_one("#title").value = "Printers"  # type: ignore[attr-defined]  # SafeInput
        form.query_one("#expires_at").value = "yesterday"  # type: ignore[attr-defined]  # SafeInput
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        error = str(form.query_one("#form-error").render())
        assert "2026-12-01 19:00" in error
        form.query_one("#expires_at").value = "2026-11-01 18:00"  # type: ignore[attr-defined]  # SafeInput
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused by the desk: expired already, and no text
        error = str(form.query_one("#form-error").render())
        assert "Expires" in error and "Text" in error
        assert form.query_one("#title").value == "Printers"  # type: ignore[attr-defined]  # SafeInput
    assert Announcements(desk).listing() == []


async def test_several_banners_and_the_reader(desk: DeskService) -> None:
    clock = desk.clock
    assert isinstance(clock, FrozenClock)
    first = published(desk, title="Printers")
    clock.advance(minutes=1)
    second = published(desk, title="Mail", expires_at=clock.now() + timedelta(hours=8))
    app = console_for(desk, "agent1", start_mode="board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [a.id for a in app.announcements] == [second, first]
        text = str(banner_of(app).render())
        assert "Mail" in text and "1 more" in text and "Printers" not in text
        await pilot.press("shift+f6")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, AnnouncementsReader)
        assert len(reader.query(".reader-item")) == 2
        await pilot.press("escape")
        await settle(pilot)
        # the first expires by the console's clock: no write announces it
        clock.advance(hours=4)
        app.expire_announcements()
        await settle(pilot)
        assert [a.id for a in app.announcements] == [second]
        assert "more" not in str(banner_of(app).render())
        clock.advance(hours=5)
        app.expire_announcements()
        await settle(pilot)
        assert app.announcements == ()
        assert not banner_of(app).display


async def test_the_banner_reaches_another_console(desk: DeskService) -> None:
    """A console with its change feed on sees what another console's connection publishes."""
    other = DeskService(Database(desk.db.url), desk.clock)
    app = console_for(desk, "agent1", start_mode="intake", live=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.live is not None and app.announcements == ()
        number = published(other)
        await shown_within(pilot, 5)
        assert [a.id for a in app.announcements] == [number]
        assert banner_of(app).display
    other.db.dispose()


async def test_two_consoles_on_one_database(desk: DeskService) -> None:
    """The desk publishes at one console; the other, live, shows the banner."""
    news = Announcements(desk)
    view = news.draft(desk.actor("agent1"), outage(desk))
    news.act(desk.actor("agent1"), view.id, Action.ANNOUNCE_SUBMIT)
    news.act(desk.actor("agent2"), view.id, Action.ANNOUNCE_APPROVE)
    watcher = console_for(desk, "agent2", start_mode="queue", live=True)
    publisher = console_for(desk, "op", start_mode="announcements", live=True)
    async with watcher.run_test(size=SIZE) as seen, publisher.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(seen)
        await pilot.press("3")
        await settle(pilot)
        assert publisher.screen.query_one(DataTable).row_count == 1
        await pilot.press("p")
        await settle(pilot)
        await shown_within(seen, 5)
        assert [a.id for a in watcher.announcements] == [view.id]
        assert banner_of(watcher).display


def publish_on(db_url: str, **changes: object) -> int:
    """The demo desk's network group publishes a VPN outage (chenjie drafts, the duty lead
    approves, the operator publishes); its id."""
    desk = DeskService(Database(db_url), frozen_clock())
    try:
        news = Announcements(desk)
        fields: dict[str, object] = {"group": "network", "services": ("VPN",), "title": "VPN 维护"}
        fields.update(changes)
        view = news.draft(desk.actor("chenjie"), outage(desk, **fields))
        news.act(desk.actor("chenjie"), view.id, Action.ANNOUNCE_SUBMIT)
        news.act(desk.actor("lead"), view.id, Action.ANNOUNCE_APPROVE)
        return news.act(desk.actor("op"), view.id, Action.ANNOUNCE_PUBLISH).id
    finally:
        desk.db.dispose()


async def test_intake_answers_a_call_with_the_announcement(demo_db: str) -> None:
    number = publish_on(demo_db)
    before = ticket_count(demo_db)
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        hint = screen.query_one(AnnouncementHint)
        assert not hint.display
        assert screen.check_action("answer_with_announcement", ()) is None
        await pilot.press(*"周新人")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"13800138000", "tab", *"财务部")
        screen.query_one("#category").focus()
        await pilot.press("1")  # hardware: not the network group's
        await settle(pilot)
        assert not hint.display
        await pilot.press("3")  # network: routed to the group that owns it
        await settle(pilot)
        assert hint.display and [a.id for a in hint.matching] == [number]
        assert "VPN 维护" in str(hint.render())
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert ticket_count(demo_db) == before + 1
        assert screen.collect().is_blank  # saved, the form ready for the next call
    ticket = newest_ticket(demo_db)
    assert (ticket.type, ticket.status, ticket.category) == ("consultation", "resolved", "network")
    assert ticket.solution is not None and f"公告 {number}「VPN 维护」" in ticket.solution
    assert ticket.summary == "咨询公告：VPN 维护"


@pytest.mark.postgres
async def test_the_banner_reaches_another_console_on_postgresql(demo_pg: str) -> None:
    """On PostgreSQL the publication's notice leaves with its commit (LISTEN/NOTIFY)."""
    app = make_test_app(demo_pg, user="zhangwei", start_mode="queue")  # its feed runs
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.live is not None and app.announcements == ()
        number = publish_on(demo_pg)
        await shown_within(pilot, 5)
        assert [a.id for a in app.announcements] == [number]
        assert banner_of(app).display


async def test_f6_is_in_the_help_and_the_palette(desk: DeskService) -> None:
    from deskui.screens.commands import DeskCommands
    from deskui.screens.help import key_rows

    app = console_for(desk, "op", lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = key_rows(app, app.screen, app.context.t)
        assert ("f6", "公告") in {(r.key.lower(), r.description) for r in rows}
        assert "阅读公告" in {r.description for r in rows}
        await pilot.press("ctrl+p")
        await settle(pilot)
        provider = DeskCommands(app.screen)
        names = {c.name for c in provider.commands()}
        assert {"打开公告", "阅读全部公告"} <= names


async def test_the_banner_over_a_tickets_detail(demo_db: str) -> None:
    publish_on(demo_db)
    app = make_test_app(demo_db, user="lead", start_mode="queue")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert banner_of(app).display
        assert "VPN 维护" in str(banner_of(app).render())


@pytest.mark.parametrize(("width", "lang"), [(80, "zh"), (80, "en"), (60, "zh"), (60, "en")])
async def test_the_banner_fits_a_narrow_terminal(desk: DeskService, width: int, lang: str) -> None:
    """Two lines, each within the terminal: the title cut with an ellipsis, the key kept."""
    published(desk, title="Mail")
    clock = desk.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(minutes=1)
    published(desk, title="VPN 网关升级，远程办公中断约一小时，请提前保存工作并断开连接")
    app = console_for(desk, "agent1", lang=lang, start_mode="queue")
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        lines = banner_of(app).render().plain.split("\n")
        assert len(lines) == 2
        assert all(cell_len(line) <= width for line in lines), lines
        assert "VPN 网关升级" in lines[0] and "…" in lines[0] and "⇧F6" in lines[0]
        assert lines[1].startswith("   ")  # the body: its own line, never wrapped into the next


@pytest.mark.parametrize(
    ("lang", "services", "people"),
    [
        (
            "zh",
            "影响的服务或地点: 硬件故障、三号楼",
            ("起草人：张伟", "审核人：李娜", "发布人：王芳"),
        ),
        (
            "en",
            "Affected services or sites: Hardware, 三号楼",
            ("Drafted by 张伟", "Approved by 李娜", "Published by 王芳"),
        ),
    ],
)
async def test_the_reader_names_the_category_and_the_people(
    desk: DeskService, lang: str, services: str, people: tuple[str, ...]
) -> None:
    published(desk)
    app = console_for(desk, "agent1", lang, start_mode="board")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("shift+f6")
        await settle(pilot)
        assert isinstance(app.screen, AnnouncementsReader)
        text = screen_text(app)
        assert services in text
        assert all(name in text for name in people)
        below_status = text.split("\n", 1)[1]
        assert "hardware" not in text
        assert not any(login in below_status for login in ("agent1", "agent2", " op "))
