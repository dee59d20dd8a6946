"""Logging calls through the intake form, end to end, on a seeded demo desk."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pyperclip
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from textual import events
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from deskui.app import DeskApp
from deskui.console.messages import ConnectionLost
from deskui.core.enums import EventKind, Status
from deskui.screens.intake import IntakeScreen
from deskui.screens.intake.draft_prompt import RestoreDraftScreen
from deskui.screens.intake.drafts import IntakeDraft
from deskui.screens.intake.not_fixed_prompt import NotFixedScreen
from deskui.screens.intake.request import FieldProblem, intake_request
from deskui.services.desk import DeskService
from deskui.services.directory import pinyin_keys
from deskui.services.errors import DatabaseUnavailable, DeskBusy, ValidationFailed
from deskui.store.db import Database
from deskui.store.models import Requester, Ticket, TicketEvent
from deskui.widgets.caller_lookup import Suggestions
from deskui.widgets.choice_bar import ChoiceBar
from deskui.widgets.form_row import FieldError
from deskui.widgets.safe_input import SafeInput, SafeTextArea
from tests.ui.conftest import CLOSING, SIZE, make_test_app, settle, shown_letter_keys, ticket_count


def read(db_url: str, fn: Any) -> Any:
    """Read the desk outside the app."""
    db = Database(db_url)
    try:
        with db.read() as session:
            return fn(session)
    finally:
        db.dispose()


def intake(app: DeskApp) -> IntakeScreen:
    screen = app.screen
    assert isinstance(screen, IntakeScreen), screen
    return screen


def value(app: DeskApp, widget_id: str) -> str:
    widget = app.screen.query_one(f"#{widget_id}")
    if isinstance(widget, SafeTextArea):
        return widget.text
    assert isinstance(widget, Input | ChoiceBar), widget
    return str(widget.value)


async def type_into(pilot: Pilot[None], widget_id: str, text: str) -> None:
    """Focus a field the way the operator would reach it, and type."""
    pilot.app.screen.query_one(f"#{widget_id}").focus()
    await pilot.pause()
    await pilot.press(*text)


async def describe_call(pilot: Pilot[None], summary: str, description: str) -> None:
    """Category hardware, a summary and a description, by keyboard from the type bar."""
    app = pilot.app
    app.screen.query_one("#category").focus()
    await pilot.press("1")
    await type_into(pilot, "summary", summary)
    await pilot.press("tab")
    assert app.focused is not None and app.focused.id == "description"
    await pilot.press(*description)


async def new_callers_call(pilot: Pilot[None], summary: str, description: str) -> None:
    """A caller the directory does not know (Li Lei of 财务部), added inline, and the call."""
    await pilot.press("ctrl+n")
    await pilot.press(*"Li Lei", "tab", *"13800138000", "tab", *"财务部")
    await describe_call(pilot, summary, description)


def suggestion_names(app: DeskApp) -> list[str]:
    suggestions = app.screen.query_one(Suggestions)
    return [
        str(suggestions.get_option_at_index(i).prompt).split()[0]
        for i in range(suggestions.option_count)
    ]


async def pick_by_typing(pilot: Pilot[None], query: str, requester_id: int) -> None:
    """Type in the caller field, move to the wanted caller with ↓, enter."""
    await pilot.press(*query)
    await settle(pilot)
    lookup = intake(pilot.app).panel.lookup
    ids = [view.id for view in lookup._results]
    assert requester_id in ids, f"{query!r} did not find requester {requester_id}: {ids}"
    for _ in range(ids.index(requester_id)):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    assert intake(pilot.app).panel.requester is not None
    assert intake(pilot.app).panel.requester.id == requester_id


def caller(db_url: str, **where: Any) -> Requester:
    def find(session: Any) -> Requester:
        statement = select(Requester)
        for name, wanted in where.items():
            statement = statement.where(getattr(Requester, name) == wanted)
        return session.exec(statement.order_by(Requester.id)).first()

    return read(db_url, find)


def newest_ticket(db_url: str) -> Ticket:
    return read(db_url, lambda s: s.exec(select(Ticket).order_by(col(Ticket.id).desc())).first())


async def assert_saved_and_cleared(pilot: Pilot[None], db_url: str, before: int) -> Ticket:
    """One new ticket, its number large and on the clipboard, the form empty and ready."""
    app = pilot.app
    assert ticket_count(db_url) == before + 1
    ticket = newest_ticket(db_url)
    screen = intake(app)
    assert app.clipboard == ticket.number
    assert screen.query_one("#saved-box").display
    assert ticket.number in str(screen.query_one("#saved-title").render())
    assert screen.collect().is_blank
    assert app.focused is screen.panel.lookup.field
    return ticket


@pytest.mark.parametrize("style", ["initials", "full"])
async def test_known_caller_found_by_pinyin_and_logged(demo_db: str, style: str) -> None:
    person = caller(demo_db, id=3)
    full, initials = pinyin_keys(person.name)
    query = initials if style == "initials" else full
    before = ticket_count(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused is intake(app).panel.lookup.field
        await pick_by_typing(pilot, query, person.id)
        card = str(app.screen.query_one("#caller-card").render())
        assert person.name in card and str(person.department) in card
        assert app.focused is app.screen.query_one("#type")
        await describe_call(pilot, "Jams", "3rd floor")
        await pilot.press("ctrl+s")
        await settle(pilot)
        ticket = await assert_saved_and_cleared(pilot, demo_db, before)
    assert ticket.requester_id == person.id
    assert (ticket.type, ticket.category, ticket.channel) == ("incident", "hardware", "phone")
    assert ticket.summary == "Jams"
    assert ticket.priority == "P4" and ticket.priority_reason == "I3 × U3 → P4"


def no_desktop_clipboard(text: str) -> None:
    raise pyperclip.PyperclipException("could not find a copy/paste mechanism")


async def test_the_saved_message_never_opens_a_line_with_closing_punctuation_at_80x24(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = caller(demo_db, id=3)
    monkeypatch.setattr("deskui.console.clipboard.pyperclip.copy", no_desktop_clipboard)
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, pinyin_keys(person.name)[1], person.id)
        await describe_call(pilot, "Jams", "3rd floor")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = app.screen.query_one("#form-message")
        # the lines as laid out at 80 columns
        rows = [strip.text for strip in message.render_lines(message.size.region)]
        assert len(rows) >= 2, rows
        assert "可以接下一个电话了。" in "".join("".join(rows).split())
        assert all(row and row[0] not in CLOSING for row in rows), rows


@pytest.mark.parametrize(
    ("lang", "desktop", "said"),
    [
        ("en", True, "sent to the clipboard (the terminal's and this machine's)"),
        ("en", False, "sent to the terminal's clipboard (this machine has none to use)"),
        ("zh", True, "已发往剪贴板（终端与本机）"),
        ("zh", False, "已发往终端的剪贴板（本机没有可用的剪贴板）"),
    ],
)
async def test_the_copy_is_said_as_it_happened(
    demo_db: str, monkeypatch: pytest.MonkeyPatch, lang: str, desktop: bool, said: str
) -> None:
    copied: list[str] = []
    local = copied.append if desktop else no_desktop_clipboard
    person = caller(demo_db, id=3)
    monkeypatch.setattr("deskui.console.clipboard.pyperclip.copy", local)
    before = ticket_count(demo_db)
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, pinyin_keys(person.name)[1], person.id)
        await describe_call(pilot, "Jams", "3rd floor")
        await pilot.press("ctrl+s")
        await settle(pilot)
        ticket = await assert_saved_and_cleared(pilot, demo_db, before)
        message = str(app.screen.query_one("#form-message").render())
        assert ticket.number in message and said in message
    assert copied == ([ticket.number] if desktop else [])


@pytest.mark.parametrize(
    ("lang", "said", "shown"),
    [("zh", "明天下午", "（周二）18:00 前"), ("en", "tomorrow 3pm", "by Tue 2026-11-03 15:00")],
)
async def test_expected_by_as_the_caller_says_it(
    demo_db: str, lang: str, said: str, shown: str
) -> None:
    person = caller(demo_db, id=3)
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, pinyin_keys(person.name)[1], person.id)
        await describe_call(pilot, "Jams", "3rd floor")
        hint = app.screen.query_one("#understood-expected-by")
        assert not hint.display
        await type_into(pilot, "expected-by", said)
        await pilot.pause()
        assert hint.display and shown in str(hint.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        ticket = newest_ticket(demo_db)
    local = ticket.expected_by.astimezone(ZoneInfo("Asia/Shanghai")) if ticket.expected_by else None
    hour = 18 if lang == "zh" else 15
    assert local is not None and (local.date().isoformat(), local.hour) == ("2026-11-03", hour)


@pytest.mark.parametrize(
    ("lang", "past", "yesterday", "unreadable"),
    [("zh", "今天 9:00", "昨天", "尽快"), ("en", "today 9am", "yesterday", "soon")],
)
async def test_expected_by_in_the_past_or_unreadable_says_so_as_it_is_typed(
    demo_db: str, lang: str, past: str, yesterday: str, unreadable: str
) -> None:
    before = ticket_count(demo_db)
    person = caller(demo_db, id=3)
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = app.screen.ctx.t
        await pick_by_typing(pilot, pinyin_keys(person.name)[1], person.id)
        await describe_call(pilot, "Jams", "3rd floor")
        hint = app.screen.query_one("#understood-expected-by")
        # the desk's clock: Monday 2026-11-02 10:00
        for said, shown in (
            (
                past,
                t(
                    "intake.expected_by.past",
                    date="2026-11-02",
                    weekday=t("intake.weekday.0"),
                    time="09:00",
                ),
            ),
            (
                yesterday,
                t(
                    "intake.expected_by.past",
                    date="2026-11-01",
                    weekday=t("intake.weekday.6"),
                    time="18:00",
                ),
            ),
            (unreadable, t("intake.error.date")),
        ):
            app.screen.query_one("#expected-by", Input).value = ""
            await type_into(pilot, "expected-by", said)
            await pilot.pause()
            assert hint.display and str(hint.render()) == shown, said
            assert hint.has_class("-warning")
        app.screen.query_one("#expected-by", Input).value = ""
        await type_into(pilot, "expected-by", past)
        await pilot.press("ctrl+s")
        await settle(pilot)
        refused = str(app.screen.query_one("#error-expected-by").render())
        assert refused == t("intake.error.past")
    assert ticket_count(demo_db) == before


async def test_caller_found_by_extension_with_live_vip_matrix(demo_db: str) -> None:
    vip = caller(demo_db, vip=True)
    before = ticket_count(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, str(vip.extension), vip.id)
        screen = intake(app)
        assert screen.query_one("#vip-banner").display
        # impact 2 × urgency 2 is P2; the VIP raise makes it P1, and the form says why
        screen.query_one("#impact").focus()
        await pilot.press("2", "tab", "2")
        badge = str(screen.query_one("#priority").render())
        assert "P1" in badge and "I2 × U2 → P2; VIP: P2 → P1" in badge
        await describe_call(pilot, "ERP", "Down")
        await pilot.press("ctrl+s")
        await settle(pilot)
        ticket = await assert_saved_and_cleared(pilot, demo_db, before)
        assert not screen.query_one("#vip-banner").display
    assert ticket.requester_id == vip.id and ticket.vip
    assert ticket.priority == "P1" and ticket.priority_reason == "I2 × U2 → P2; VIP: P2 → P1"


async def test_caller_found_by_employee_id_and_by_part_of_the_phone(demo_db: str) -> None:
    person = caller(demo_db, id=5)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lookup = intake(app).panel.lookup
        await pilot.press(*str(person.employee_id))
        await settle(pilot)
        assert lookup._results[0].id == person.id
        await pilot.press("ctrl+l")
        await pilot.press(*str(person.phone)[-7:])
        await settle(pilot)
        assert person.id in [view.id for view in lookup._results]


async def test_repeat_caller_becomes_a_note_on_the_open_ticket(demo_db: str) -> None:
    def open_one(session: Any) -> Ticket:
        return session.exec(
            select(Ticket).where(col(Ticket.is_open).is_(True)).order_by(Ticket.id)
        ).first()

    existing = read(demo_db, open_one)
    person = caller(demo_db, id=existing.requester_id)
    before = ticket_count(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, str(person.extension), person.id)
        listed = intake(app).panel.open_tickets
        assert existing.number in [t.number for t in listed.tickets]
        for _ in range([t.number for t in listed.tickets].index(existing.number)):
            listed.action_cursor_down()
        # a note with nothing the caller said is refused, the caller stays picked
        await pilot.press("ctrl+o")
        await settle(pilot)
        said = str(intake(app).query_one("#error-summary").render())
        assert "write what the caller said" in said
        assert app.focused is not None and app.focused.id == "summary"
        assert intake(app).panel.requester is not None
        assert ticket_count(demo_db) == before
        await type_into(pilot, "summary", "Again")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.clipboard == existing.number
        assert intake(app).collect().is_blank
    assert ticket_count(demo_db) == before

    def notes(session: Any) -> list[TicketEvent]:
        return list(
            session.exec(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == existing.id,
                    TicketEvent.kind == EventKind.WORKLOG.value,
                )
            )
        )

    texts = [event.note or "" for event in read(demo_db, notes)]
    assert any(person.name in text and "Again" in text for text in texts), texts


async def test_consultation_answered_on_the_phone_is_resolved_at_intake(demo_db: str) -> None:
    before = ticket_count(demo_db)
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"周新人")
        await settle(pilot)
        await pilot.press("ctrl+n")
        assert value(app, "caller-name") == "周新人"
        assert app.focused is not None and app.focused.id == "caller-phone"
        await pilot.press(*"13800138000", "tab", *"财务部")
        app.screen.query_one("#type").focus()
        await pilot.press("4")
        app.screen.query_one("#category").focus()
        await pilot.press("6")
        # answered on the call: the summary says it all, no description is asked for
        await type_into(pilot, "summary", "访客WiFi如何连接")
        marked = app.screen.query_one("#label-description")
        assert str(marked.render()).endswith("*")
        await pilot.press("ctrl+r")
        await pilot.pause()
        # still needed until the answer is given (the save's rule)
        assert str(marked.render()).endswith("*")
        assert str(app.screen.query_one("#label-solution").render()).endswith("*")
        assert app.focused is not None and app.focused.id == "solution"
        await pilot.press(*"已告知方法")
        await pilot.pause()
        assert not str(marked.render()).endswith("*")
        await pilot.press("ctrl+s")
        await settle(pilot)
        ticket = await assert_saved_and_cleared(pilot, demo_db, before)
        assert "当场解决" in str(app.screen.query_one("#saved-title").render())
    assert ticket.status == Status.RESOLVED
    assert ticket.type == "consultation" and ticket.solution == "已告知方法"
    assert ticket.description == "访客WiFi如何连接"
    person = caller(demo_db, id=ticket.requester_id)
    assert (person.name, person.phone, person.department) == ("周新人", "13800138000", "财务部")


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_description_mark_follows_the_rule_the_save_applies(
    demo_db: str, lang: str
) -> None:
    app = make_test_app(demo_db, lang=lang)
    before = ticket_count(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        t = app.screen.ctx.t
        marked = app.screen.query_one("#label-description")
        await pilot.press("ctrl+r")  # resolved now, an incident, no answer yet
        await pilot.pause()
        assert str(marked.render()).endswith("*")
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = str(app.screen.query_one("#error-description").render())
        assert shown == t("intake.error.field.required")
        app.screen.query_one("#solution").focus()
        await pilot.press("x")  # the answer: the summary is then the whole of it
        await pilot.pause()
        assert not str(marked.render()).endswith("*")
        await pilot.press("backspace")
        await pilot.pause()
        assert str(marked.render()).endswith("*")
    assert ticket_count(demo_db) == before


async def test_invalid_input_names_the_fields_and_writes_nothing(demo_db: str) -> None:
    before = ticket_count(demo_db)
    callers = read(demo_db, lambda s: s.exec(select(func.count()).select_from(Requester)).one())
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"Li Lei", "tab", *"12345678901234")
        await type_into(pilot, "expected-by", "whenever")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = intake(app)
        shown = {e.id: str(e.render()) for e in screen.query(FieldError) if e.has_class("-shown")}
        assert shown["error-category"] == "choose one (press its digit)"
        assert shown["error-summary"] == "is required"
        assert shown["error-description"] == "is required"
        assert shown["error-caller-phone"] == "the number is too long"
        assert "not a time the desk can read" in shown["error-expected-by"]
        message = shown["form-message"]
        for name in ("Category", "Summary", "Description", "Phone"):
            assert name in message
        assert "Nothing was saved" in message
        # the cursor goes to the first field at fault; what was typed stays
        assert app.focused is not None and app.focused.id == "caller-phone"
        assert value(app, "caller-name") == "Li Lei"
    assert ticket_count(demo_db) == before
    assert (
        read(demo_db, lambda s: s.exec(select(func.count()).select_from(Requester)).one())
        == callers
    )


async def test_a_new_callers_department_longer_than_its_column_is_named(demo_db: str) -> None:
    before = ticket_count(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"Li Lei", "tab", *"13800138000")
        await type_into(pilot, "caller-department", "部" * 121)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = intake(app)
        shown = {e.id: str(e.render()) for e in screen.query(FieldError) if e.has_class("-shown")}
        assert shown["error-caller-department"] == "too long (121 characters), at most 120"
        assert value(app, "caller-department") == "部" * 121
    assert ticket_count(demo_db) == before


async def test_no_caller_is_named_as_the_fault(demo_db: str) -> None:
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await describe_call(pilot, "键盘坏了", "按键失灵")
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = intake(app)
        assert str(screen.query_one("#error-lookup-input").render()) == "必填"
        assert "申请人" in str(screen.query_one("#form-message").render())
        assert app.focused is screen.panel.lookup.field


async def test_database_error_keeps_everything_typed(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(self: DeskService, *args: object, **kwargs: object) -> None:
        raise DatabaseUnavailable(database="desk.db", reason="disk I/O error")

    before = ticket_count(demo_db)
    person = caller(demo_db, id=4)
    app = make_test_app(demo_db)
    posted: list[object] = []
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, str(person.extension), person.id)
        await describe_call(pilot, "Flicker", "Since 9")
        with monkeypatch.context() as patch:
            patch.setattr(DeskService, "create_ticket", unavailable)
            await pilot.press("ctrl+s")
            await settle(pilot)
        screen = intake(app)
        message = str(screen.query_one("#form-message").render())
        assert "cannot be reached" in message
        assert value(app, "summary") == "Flicker"
        assert value(app, "description") == "Since 9"
        assert screen.panel.requester is not None and screen.panel.requester.id == person.id
        # the app is told, so the status line raises its banner (until the next good read)
        assert any(isinstance(m, ConnectionLost) and "disk I/O error" in m.reason for m in posted)
        assert ticket_count(demo_db) == before
        # back again: the same keystroke saves what was kept
        await pilot.press("ctrl+s")
        await settle(pilot)
        ticket = await assert_saved_and_cleared(pilot, demo_db, before)
        assert ticket.summary == "Flicker"


async def test_a_failed_save_keeps_every_character_typed(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: DeskService, *args: object, **kwargs: object) -> None:
        raise RuntimeError("the desk fell over")

    before = ticket_count(demo_db)
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await new_callers_call(pilot, "打印机 [red]卡纸[/]", "三楼 每天早上")
        typed = intake(app).collect()
        with monkeypatch.context() as patch:
            patch.setattr(DeskService, "create_ticket", broken)
            await pilot.press("ctrl+s")
            await settle(pilot)
        screen = intake(app)
        assert screen.collect() == typed
        assert (typed.caller_name, typed.caller_phone, typed.caller_department) == (
            "Li Lei",
            "13800138000",
            "财务部",
        )
        assert (typed.summary, typed.description) == ("打印机 [red]卡纸[/]", "三楼 每天早上")
        message = screen.query_one("#form-message", FieldError)
        assert message.has_class("-shown") and message.has_class("-error")
        assert "the desk fell over" not in str(message.render())
        assert not screen.saving and screen.check_action("save", ()) is True
        assert ticket_count(demo_db) == before
        # the form is editable again: the same keystroke saves what was kept
        await pilot.press("ctrl+s")
        await settle(pilot)
        await assert_saved_and_cleared(pilot, demo_db, before)


async def test_a_busy_desk_keeps_the_call_to_save_again(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another console stalled mid-save: this one waited its bound, said so, kept the call."""

    def busy(self: DeskService, *args: object, **kwargs: object) -> None:
        raise DeskBusy(database="desk.db", seconds=10)

    before = ticket_count(demo_db)
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await new_callers_call(pilot, "打印机卡纸", "三楼")
        typed = intake(app).collect()
        with monkeypatch.context() as patch:
            patch.setattr(DeskService, "create_ticket", busy)
            await pilot.press("ctrl+s")
            await settle(pilot)
        screen = intake(app)
        assert screen.collect() == typed
        message = str(screen.query_one("#form-message", FieldError).render())
        assert "正忙" in message and "10 秒" in message and "重试" in message
        assert app.connection_problem is None, "a busy desk is not a lost connection"
        assert ticket_count(demo_db) == before
        await pilot.press("ctrl+s")
        await settle(pilot)
        await assert_saved_and_cleared(pilot, demo_db, before)


async def test_a_refused_field_is_said_in_chinese_only(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the services' structured refusals (Problem with a code) arrive with their errors branch
    from deskui.services.errors import problem

    def refuse(self: DeskService, *args: object, **kwargs: object) -> None:
        raise ValidationFailed(
            [
                problem("requester.phone", "phone.bad_mobile_prefix"),
                problem("summary", "text.too_long", length=250, limit=200),
                problem("category", "field.choice", choices="hardware, software"),
            ]
        )

    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"李雷", "tab", *"13800138000")
        await describe_call(pilot, "键盘坏了", "按键失灵")
        with monkeypatch.context() as patch:
            patch.setattr(DeskService, "create_ticket", refuse)
            await pilot.press("ctrl+s")
            await settle(pilot)
        screen = intake(app)
        shown = {e.id: str(e.render()) for e in screen.query(FieldError) if e.has_class("-shown")}
        assert set(shown) == {
            "form-message",
            "error-caller-phone",
            "error-summary",
            "error-category",
        }
        for text in shown.values():
            assert not re.search("[A-Za-z]", text.replace("Ctrl", "")), text
        assert "250" in shown["error-summary"] and "200" in shown["error-summary"]
        assert app.focused is not None and app.focused.id == "caller-phone"
        assert value(app, "summary") == "键盘坏了"


def test_the_form_reads_what_it_can_and_names_the_rest_by_code() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 11, 2, 10, 0, tzinfo=tz)
    draft = IntakeDraft(
        new_caller=True,
        caller_name="Li Lei",
        caller_phone="12345678901234",
        summary="Fan",
        expected_by="whenever it suits",
        started_when="  ",
    )
    request, problems = intake_request(draft, tz, now)
    assert problems == [
        FieldProblem("requester.phone", "phone.too_long"),
        FieldProblem("expected_by", "date"),
    ]
    assert request.requester is not None and request.requester.name == "Li Lei"
    assert request.expected_by is None and request.started_when is None
    past = intake_request(IntakeDraft(expected_by="2026-11-01"), tz, now)[1]
    assert past == [FieldProblem("expected_by", "past")]
    day = intake_request(IntakeDraft(expected_by="2026-11-05"), tz, now)[0]
    assert day.expected_by == datetime(2026, 11, 5, 18, 0, tzinfo=tz)


async def test_a_real_database_outage_keeps_the_form(demo_db: str, tmp_path: Any) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, "8003", caller(demo_db, extension="8003").id)
        await describe_call(pilot, "Scanner", "Offline")
        # the desk's database file is replaced by a directory: nothing can be opened
        path = tmp_path / "desk.db"
        app.desk.db.dispose()
        path.rename(tmp_path / "moved.db")
        path.mkdir()
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = str(app.screen.query_one("#form-message").render())
        assert "cannot be reached" in message
        assert value(app, "summary") == "Scanner"


async def test_escape_leaves_and_the_form_is_kept(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"wn")
        await settle(pilot)
        await pilot.press("escape")  # closes the suggestions first
        assert isinstance(app.screen, IntakeScreen)
        await type_into(pilot, "summary", "Half typed")
        await pilot.press("escape")
        await settle(pilot)
        assert app.current_mode != "intake"
        await pilot.press("f2")
        await settle(pilot)
        # a call is still in the form: F2 asks first, and enter goes on with it
        assert isinstance(app.screen, RestoreDraftScreen) and app.screen.pending
        await pilot.press("enter")
        await settle(pilot)
        assert value(app, "summary") == "Half typed"
        assert app.focused is intake(app).panel.lookup.field


async def test_typed_and_pasted_text_stays_inert(demo_db: str) -> None:
    hostile = "[bold red]boom[/]\x1b[31m\x1b]0;owned\x07 tail"

    def plant(session: Any) -> int:
        row = Requester(
            name="[red]Mallory[/red]\x1b[2J",
            name_pinyin="mallory",
            name_initials="m",
            phone_digits="",
            created_at=app.context.clock.now(),
        )
        session.add(row)
        session.flush()
        return int(row.id)

    app = make_test_app(demo_db)
    planted = app.desk.write(plant)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"mallory")
        await settle(pilot)
        suggestions = app.screen.query_one(Suggestions)
        first = suggestions.get_option_at_index(0)
        assert first.id == str(planted)
        assert str(first.prompt).startswith("[red]Mallory[/red]")
        assert "\x1b" not in str(first.prompt)
        summary = app.screen.query_one("#summary", SafeInput)
        summary.focus()
        app.post_message(events.Paste(hostile))
        await pilot.pause()
        assert summary.value == "[bold red]boom[/] tail"
        area = app.screen.query_one("#description", SafeTextArea)
        area.focus()
        app.post_message(events.Paste("line\x1b[1mone\r\nline two\x07"))
        await pilot.pause()
        assert area.text == "lineone\nline two"
        assert "\x1b" not in app.export_screenshot()


async def test_choice_bars_pick_by_digit_and_arrow(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#channel", ChoiceBar)
        bar.focus()
        await pilot.press("3")
        assert bar.value == "email"
        await pilot.press("right", "right")
        assert bar.value == "walk_in"
        await pilot.press("right")
        assert bar.value == "phone"
        frequency = app.screen.query_one("#frequency", ChoiceBar)
        frequency.focus()
        await pilot.press("2")
        assert frequency.value == "intermittent"
        await pilot.press("0")
        assert frequency.value is None


@pytest.mark.postgres
async def test_a_call_and_a_repeat_call_on_postgresql(demo_pg: str) -> None:
    def open_one(session: Any) -> Ticket:
        return session.exec(
            select(Ticket).where(col(Ticket.is_open).is_(True)).order_by(Ticket.id)
        ).first()

    existing = read(demo_pg, open_one)
    person = caller(demo_pg, id=existing.requester_id)
    before = ticket_count(demo_pg)
    app = make_test_app(demo_pg)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, str(person.extension), person.id)
        await describe_call(pilot, "Fan", "Loud")
        await pilot.press("ctrl+s")
        await settle(pilot)
        ticket = await assert_saved_and_cleared(pilot, demo_pg, before)
        await pick_by_typing(pilot, str(person.extension), person.id)
        listed = intake(app).panel.open_tickets
        # the call just logged is the caller's newest open ticket, listed first
        assert listed.tickets[0].number == ticket.number
        assert existing.number in [t.number for t in listed.tickets]
        await type_into(pilot, "summary", "Still loud")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.clipboard == ticket.number
    assert ticket_count(demo_pg) == before + 1
    notes = read(
        demo_pg,
        lambda s: list(
            s.exec(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.WORKLOG.value
                )
            )
        ),
    )
    assert [n.note for n in notes] == [f"{person.name} called again:\nStill loud"]


async def test_a_save_pressed_right_after_a_burst_of_keys_keeps_every_character(
    demo_db: str,
) -> None:
    """The operator types (or pastes) the description and presses ctrl+s at once: the call is
    saved with every character, not with what had landed when ctrl+s was read."""
    person = caller(demo_db, id=3)
    full, _initials = pinyin_keys(person.name)
    app = make_test_app(demo_db, lang="zh")
    summary, description = "打印机卡纸", "远程查看，硬盘模式被改为RAID，已改回AHCI"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, full, person.id)
        app.screen.query_one("#category").focus()
        await pilot.press("1")
        await type_into(pilot, "summary", summary)
        await pilot.press("tab")
        for character in description:  # as the terminal's driver posts them: no waiting
            app.post_message(events.Key(character, character))
        app.post_message(events.Key("ctrl+s", None))
        await settle(pilot)
        ticket = newest_ticket(demo_db)
    assert (ticket.summary, ticket.description) == (summary, description)


async def test_the_focused_field_is_marked_without_colour(demo_db: str) -> None:
    """Reverse video on the label of the field being typed in, not just a lighter grey."""
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        for name in ("summary", "category", "expected-by"):
            screen.query_one(f"#{name}").focus()
            await pilot.pause()
            marked = [
                label.id for label in screen.query(".field-label") if label.rich_style.reverse
            ]
            assert marked == [f"label-{name}"]


@pytest.mark.parametrize("answer", ["enter", "n", "escape"])
async def test_a_call_about_a_ticket_awaiting_confirmation_offers_to_reopen_it(
    demo_db: str, answer: str
) -> None:
    def awaiting(session: Any) -> Ticket:
        return session.exec(
            select(Ticket)
            .where(Ticket.status == Status.AWAITING_CONFIRMATION.value)
            .order_by(Ticket.id)
        ).first()

    existing = read(demo_db, awaiting)
    person = caller(demo_db, id=existing.requester_id)
    app = make_test_app(demo_db, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, str(person.extension), person.id)
        listed = intake(app).panel.open_tickets
        numbers = [t.number for t in listed.tickets]
        for _ in range(numbers.index(existing.number)):
            listed.action_cursor_down()
        await type_into(pilot, "summary", "重启后还是打不开")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, NotFixedScreen)
        assert existing.number in str(app.screen.query_one("#not-fixed-ticket").render())
        assert shown_letter_keys(app.screen, "not-fixed-keys") == ["n"]
        await pilot.press(answer)
        await settle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        if answer == "enter":
            assert "重新处理" in str(app.screen.query_one("#saved-title").render())
        if answer == "escape":  # back to the form, nothing sent, what was typed kept
            assert intake(app).collect().summary == "重启后还是打不开"
    after = read(demo_db, lambda s: s.get(Ticket, existing.id))
    events = read(
        demo_db,
        lambda s: list(s.exec(select(TicketEvent).where(TicketEvent.ticket_id == existing.id))),
    )
    said = [(e.kind, e.note) for e in events if e.note and "重启后还是打不开" in e.note]
    if answer == "enter":
        assert after.status == Status.IN_PROGRESS
        assert any(kind == EventKind.REFUSED.value for kind, _ in said)
    elif answer == "n":
        assert after.status == Status.AWAITING_CONFIRMATION
        assert [kind for kind, _ in said] == [EventKind.WORKLOG.value]
    else:
        assert after.status == Status.AWAITING_CONFIRMATION and said == []


#: The smallest terminal the console is used on.
SMALL = (80, 24)


def in_view(app: DeskApp, widget_id: str) -> bool:
    """Every row of the widget is drawn in its half of the form, where the operator sees it."""
    widget = app.screen.query_one(f"#{widget_id}")
    half = next(node for node in widget.ancestors if node.id in ("caller-panel", "call-details"))
    assert isinstance(half, Widget)
    seen, region = half.scrollable_content_region, widget.region
    return bool(region) and seen.y <= region.y and region.bottom <= seen.bottom


async def describe_to_summary(pilot: Pilot[None]) -> None:
    """The tester's keys at 80×24: the caller picked by initials, type, category, channel,
    impact and urgency on their keys, to the summary."""
    await pilot.press(*"zl")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("4", "tab", "2", "tab", "1", "tab", "3", "tab", "4", "tab")
    assert pilot.app.focused is not None and pilot.app.focused.id == "summary"


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_resolve_now_shows_the_answer_field_on_a_small_terminal(
    lang: str, demo_db: str
) -> None:
    before = ticket_count(demo_db)
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await describe_to_summary(pilot)
        await pilot.press(*"Printer jams", "ctrl+r", *"ANSWERTEXT")
        await settle(pilot)
        # the answer field below the fold is scrolled to, with what is typed in it
        assert app.focused is not None and app.focused.id == "solution"
        assert in_view(app, "solution") and in_view(app, "label-solution")
        assert value(app, "solution") == "ANSWERTEXT"
        # off and on again: shown again, and scrolled to again
        intake(app).details.scroll_home(animate=False, immediate=True)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not intake(app).query_one("#field-solution").display
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "solution"
        assert in_view(app, "solution")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert ticket_count(demo_db) == before + 1
    assert newest_ticket(demo_db).solution == "ANSWERTEXT"


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_refused_note_is_said_next_to_the_summary_on_a_small_terminal(
    lang: str, demo_db: str
) -> None:
    def open_one(session: Any) -> Ticket:
        return session.exec(
            select(Ticket).where(col(Ticket.is_open).is_(True)).order_by(Ticket.id)
        ).first()

    person = caller(demo_db, id=read(demo_db, open_one).requester_id)
    before = ticket_count(demo_db)
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pick_by_typing(pilot, str(person.extension), person.id)
        assert intake(app).panel.open_tickets.selected is not None
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "summary"
        said = str(intake(app).query_one("#error-summary").render())
        assert said == intake(app).ctx.t("intake.note.empty")
        assert in_view(app, "error-summary") and in_view(app, "summary")
        # typing what the caller said and noting it again clears the line
        await pilot.press(*"Again", "ctrl+o")
        await settle(pilot)
        assert not intake(app).query_one("#error-summary").display
    assert ticket_count(demo_db) == before


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_form_message_stays_in_view_on_a_small_terminal(lang: str, demo_db: str) -> None:
    app = make_test_app(demo_db, lang=lang)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await describe_to_summary(pilot)
        # resolved on the call without an answer: refused, the cursor on the answer far down
        await pilot.press(*"Printer jams", "tab", *"Paper jam", "ctrl+r", "ctrl+s")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "solution"
        assert in_view(app, "solution") and in_view(app, "error-solution")
        message = str(intake(app).query_one("#form-message").render())
        assert intake(app).ctx.t("field.solution") in message
        assert in_view(app, "form-message")
