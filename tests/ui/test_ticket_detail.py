"""The ticket detail: every field, the clocks ticking, the timeline, and each action."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget

from deskui.app import DeskApp
from deskui.console.messages import DeskChanged
from deskui.core.clock import FrozenClock
from deskui.core.enums import Status
from deskui.screens.help import HelpScreen
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_forms import ConfirmForm, NoteForm, PickForm, WorklogForm
from deskui.services.desk import DeskService
from deskui.services.errors import DeskBusy
from deskui.widgets.detail_fields import DetailFields
from deskui.widgets.safe_input import SafeTextArea
from tests.services.test_queue import log_call
from tests.ui.conftest import console_for, held_back, settle
from tests.ui.test_queue import SIZE, open_desk, screen_text, ticket_row

#: The forms a text is written in: a note, or a worklog entry (or update) with its minutes.
NOTE_FORMS = (NoteForm, WorklogForm)


@pytest.fixture
def desk(tmp_path: Path, clock: FrozenClock) -> DeskService:
    """A desk on a SQLite file (a second console may open the same file)."""
    return open_desk(tmp_path / "desk.db", clock, staff=True)


def held_by(desk: DeskService, login: str, summary: str = "打印机卡纸") -> str:
    """A ticket claimed by ``login``; its number."""
    number = log_call(desk, summary, minutes_ago=30, impact=2, urgency=2).number
    desk.claim(desk.actor(login), number)
    return number


async def open_ticket(desk: DeskService, login: str, number: str, lang: str = "en") -> DeskApp:
    """The console of ``login`` (run it, then :func:`show_ticket`)."""
    return console_for(desk, login, lang)


async def show_ticket(pilot: Pilot[None], number: str) -> None:
    """Open the detail of ``number`` over the queue, as enter on its row does."""
    await settle(pilot)
    await pilot.app.push_screen(TicketScreen(number))
    await settle(pilot)


async def write_note(pilot: Pilot[Any], text: str) -> None:
    """Put ``text`` in the open note form (as a paste would) and send it."""
    form = pilot.app.screen
    assert isinstance(form, NOTE_FORMS)
    form.query_one(SafeTextArea).load_text(text)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_every_field_and_the_timeline_in_minutes(desk: DeskService) -> None:
    ticket = log_call(
        desk,
        "ERP 无法登录",
        minutes_ago=20,
        impact=1,
        urgency=2,
        caller=2,
        description="登录时提示：用户名或密码错误\n已尝试：清缓存",
    )
    desk.claim(desk.actor("agent1"), ticket.number)
    app = await open_ticket(desk, "agent2", ticket.number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, ticket.number)
        text = screen_text(app)
        for expected in (
            ticket.number,
            "In progress",
            "P1 Critical",
            "ERP 无法登录",
            "010-****5678",
            "王小明",
            "I1 Enterprise",
            "U2 Severe",
            "Hardware",
            "张伟 (agent1)",
            "2026-11-02 09:40",
            "登录时提示：用户名或密码错误",
            "已尝试：清缓存",
            "Response",
            "Update",
            "Resolution",
            "missed",
            "due 2026-11-02 13:40",
            "2026-11-02 10:00  张伟     claimed  Assignee: 张伟",
            "Status: To assign → In progress",
        ):
            assert expected in text, expected
        assert "010-62345678" not in text


async def test_the_clocks_count_down_each_second(
    desk: DeskService, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TicketScreen, "tick_seconds", 0.01)  # the second hand, sped up
    number = log_call(desk, "显示器闪烁", minutes_ago=10).number
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        assert "50m00s" in screen_text(app)
        clock.advance(seconds=7)
        await pilot.pause(0.05)
        assert "49m53s" in screen_text(app), "one timer carries the clocks forward"


async def test_worklog_and_progress_update(desk: DeskService, clock: FrozenClock) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        clock.advance(minutes=90)
        await pilot.press("w")
        await pilot.pause()
        await write_note(pilot, "checked the cables")
        await pilot.press("u")
        await pilot.pause()
        await write_note(pilot, "we ordered a part")
        view = desk.ticket(number)
        kinds = [(str(e.kind), e.note) for e in view.events[-2:]]
        assert kinds == [("worklog", "checked the cables"), ("progress", "we ordered a part")]
        text = screen_text(app)
        assert "2026-11-02 11:30  李娜     worklog" in text and "checked the cables" in text
        # the number first: on a narrow screen the line is cut at its end
        assert "progress update" in text and f"{number}: progress update recorded" in text
        assert "4h00m" in text, "an update to the requester restarts the update clock"


async def test_status_changes_the_workflow_allows(desk: DeskService) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        await pilot.press("s")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickForm)
        assert [value for value, _ in picker.options] == [
            "to_assign",
            "pending",
            "awaiting_confirmation",
            "rejected",
        ]
        await pilot.press("down", "enter")
        await pilot.pause()
        await write_note(pilot, "waiting for the vendor")
        assert ticket_row(desk, number).status == "pending"
        assert "paused" in screen_text(app) and "waiting for the vendor" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PickForm)
        assert [value for value, _ in app.screen.options] == ["in_progress", "to_assign"]


async def test_solution_then_the_requesters_answer_recorded_by_the_desk(
    desk: DeskService,
) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        assert not app.screen.active_bindings["c"].enabled, "nothing to confirm yet"
        await pilot.press("o")
        await pilot.pause()
        await write_note(pilot, "replaced the fuser")
        stored = ticket_row(desk, number)
        assert stored.status == "awaiting_confirmation" and stored.solution == "replaced the fuser"
        await settle(pilot)
        assert not app.screen.active_bindings["c"].enabled, "the solver does not confirm"
    app = await open_ticket(desk, "op", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmForm)
        await pilot.press("ctrl+s")
        assert "Choose 1 to 5 stars" in screen_text(app)
        await pilot.press("4")
        await pilot.press("ctrl+s")
        assert "Choose how the requester answered" in screen_text(app)
        assert ticket_row(desk, number).status == "awaiting_confirmation", "nothing sent"
        # stars, ⇥ channel (2: IM), ⇥ remark, ⇥ speed 5
        await pilot.press("tab", "2", "tab", *"quick", "tab", "5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = ticket_row(desk, number)
        assert (
            stored.status,
            stored.satisfaction,
            stored.satisfaction_remark,
            stored.confirmation_channel,
            stored.satisfaction_speed,
            stored.confirmation_recorded_by_id,
        ) == ("resolved", 4, "quick", "im", 5, app.context.actor.id)
        app.screen.query_one(DetailFields).scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        assert "★★★★☆" in text and "quick" in text and "IM" in text


async def test_the_requester_refuses_through_the_same_dialog(desk: DeskService) -> None:
    number = held_by(desk, "agent2")
    desk.set_status(desk.actor("agent2"), number, "awaiting_confirmation", note="new toner")
    app = await open_ticket(desk, "op", number, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmForm)
        # shift+tab from the stars to the answer: 2 is "not solved"; then the channel (1: phone)
        await pilot.press("shift+tab", "2", "tab", "tab", "1")
        await pilot.press("ctrl+s")
        assert "退回须填写用户的理由" in screen_text(app)
        await pilot.press("tab", *"still streaky")
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = ticket_row(desk, number)
        assert (stored.status, stored.assignee_id) == ("in_progress", desk.actor("agent2").id)
        assert "申请人未确认" in screen_text(app)


async def test_reject_and_reopen(desk: DeskService) -> None:
    number = log_call(desk, "垃圾来电", minutes_ago=3).number
    app = await open_ticket(desk, "lead", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        assert not app.screen.active_bindings["R"].enabled
        await pilot.press("x")
        await pilot.pause()
        await write_note(pilot, "duplicate, please follow IT1")
        assert ticket_row(desk, number).status == "rejected"
        assert app.screen.active_bindings["R"].enabled
        await pilot.press("R")
        await pilot.pause()
        await write_note(pilot, "not a duplicate after all")
        assert ticket_row(desk, number).status == "to_assign"


async def test_escalate_with_the_diagnosis(desk: DeskService) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        await pilot.press("e")
        await pilot.pause()
        await write_note(pilot, "driver reinstalled")
        assert ticket_row(desk, number).tier == 3  # its specialist group (L2) → the vendor
        assert "Escalated" in screen_text(app) and "L2 → L3" in screen_text(app)


async def test_claim_and_a_leads_take_over(desk: DeskService) -> None:
    free = log_call(desk, "无人处理", minutes_ago=5).number
    app = await open_ticket(desk, "agent2", free)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, free)
        assert "T" not in app.screen.active_bindings, "agents are not offered a takeover"
        await pilot.press("a")
        await settle(pilot)
        assert ticket_row(desk, free).assignee_id == app.context.actor.id
        assert not app.screen.active_bindings["a"].enabled
    lead_app = await open_ticket(desk, "lead", free)
    async with lead_app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, free)
        bindings = lead_app.screen.active_bindings
        assert not bindings["a"].enabled, "someone holds it: a lead takes it over instead"
        assert bindings["T"].enabled and "A" not in bindings, "not on the claim key"
        await pilot.press("T")
        await settle(pilot)
        form = lead_app.screen
        assert isinstance(form, NOTE_FORMS) and "agent2" in form.form_title
        await pilot.press("ctrl+s")  # the reason is required: nothing happens without it
        await settle(pilot)
        assert ticket_row(desk, free).assignee_id == app.context.actor.id
        await write_note(pilot, "李娜请假，由我接手")
        assert ticket_row(desk, free).assignee_id == lead_app.context.actor.id
        assert "李娜请假，由我接手" in screen_text(lead_app)


async def test_a_stale_edit_is_refused_and_the_text_kept(
    desk: DeskService, clock: FrozenClock, tmp_path: Path
) -> None:
    number = held_by(desk, "agent2")
    other = open_desk(tmp_path / "desk.db", clock, staff=False)
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        version = ticket_row(desk, number).version
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"toner")
        other.worklog(other.actor("lead"), number, "called the requester")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NOTE_FORMS), "the form stays open"
        assert form.query_one(SafeTextArea).text == "toner"
        assert "changed by someone else" in screen_text(app)
        assert ticket_row(desk, number).version == version + 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NOTE_FORMS)
        notes = [e.note for e in desk.ticket(number).events]
        assert notes[-2:] == ["called the requester", "toner"]
    other.db.dispose()


async def test_a_failure_that_is_not_a_refusal_gives_the_form_back_in_chinese(
    desk: DeskService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number, lang="zh")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the driver fell over")

    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        monkeypatch.setattr(app.context.desk, "worklog", broken)
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*"更换硒鼓")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NOTE_FORMS), "the form stays open"
        assert form.query_one(SafeTextArea).text == "更换硒鼓", "what was typed stays"
        assert not form.sending, "and it can be sent again"
        error = str(form.query_one("#form-error").render())
        assert "意外错误" in error and "RuntimeError" in error
        assert "driver fell over" not in screen_text(app), "the details go to the log"
    assert "the driver fell over" in caplog.text


async def test_a_change_elsewhere_shows_without_a_key(
    desk: DeskService, clock: FrozenClock, tmp_path: Path
) -> None:
    number = held_by(desk, "agent2")
    other = open_desk(tmp_path / "desk.db", clock, staff=False)
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        other.worklog(other.actor("lead"), number, "lead looked at it")
        app.post_message(DeskChanged(frozenset({"ticket_event"})))
        await settle(pilot)
        assert "lead looked at it" in screen_text(app)
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.ticket is not None
        assert screen.ticket.status == Status.IN_PROGRESS
    other.db.dispose()


async def test_copy_number_and_summary(desk: DeskService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("deskui.console.clipboard.pyperclip.copy", lambda text: None)
    number = held_by(desk, "agent2", summary="VPN 掉线")
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == f"{number} VPN 掉线"


def burst(app: DeskApp, *keys: str) -> None:
    """Keys as a fast typist, a paste or a macro sends them: all at once, nothing waited for
    in between (Pilot's ``press`` lets the app settle after every key)."""
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(key, character))  # as the terminal's driver posts them


async def test_keys_typed_while_a_form_opens_and_a_save_right_after_keep_every_character(
    desk: DeskService,
) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number, lang="zh")
    text = "远程查看，硬盘模式被改为RAID"
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        burst(app, "w", *text, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NOTE_FORMS), "sent and closed"
        assert desk.ticket(number).events[-1].note == text


async def test_a_paste_while_the_form_opens_and_a_save_right_after_keep_every_character(
    desk: DeskService,
) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number, lang="zh")
    text = "远程查看，硬盘模式被改为RAID\n已恢复为 AHCI"
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        burst(app, "w")
        app.post_message(events.Paste(text))
        burst(app, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, NOTE_FORMS), "sent and closed"
        assert desk.ticket(number).events[-1].note == text


async def test_a_form_whose_change_goes_through_under_the_help_closes_itself_not_the_help(
    desk: DeskService, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        # the desk answers only once help is open over the form
        release = held_back(monkeypatch, app.context.desk, "worklog")
        await pilot.press("w")
        await pilot.pause()
        await write_note_without_waiting(pilot, "cleaned the rollers")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen), "the help the agent opened stays"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen), "the form closed once it was on top"
        assert desk.ticket(number).events[-1].note == "cleaned the rollers"


async def write_note_without_waiting(pilot: Pilot[None], text: str) -> None:
    """Put ``text`` in the open note form and press ctrl+s, without waiting for the change."""
    form = pilot.app.screen
    assert isinstance(form, NOTE_FORMS)
    form.query_one(SafeTextArea).load_text(text)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert form.sending


async def test_a_form_waiting_long_on_the_desk_says_so_and_still_finishes(
    desk: DeskService, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number)
    monkeypatch.setattr(WorklogForm, "patience", 0.01)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        release = held_back(monkeypatch, app.context.desk, "worklog")
        await pilot.press("w")
        await pilot.pause()
        await write_note_without_waiting(pilot, "waiting for the vendor")
        form = app.screen
        assert isinstance(form, NOTE_FORMS)
        await pilot.pause(0.05)
        assert "still waiting" in str(form.query_one("#form-error").render())
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert desk.ticket(number).events[-1].note == "waiting for the vendor"


async def test_a_busy_desk_keeps_the_form_and_the_text_to_send_again(
    desk: DeskService, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number, lang="zh")
    worklog = app.context.desk.worklog
    calls: list[None] = []

    def busy_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(None)
        if len(calls) == 1:  # another console stalled mid-save: this one waited and gave up
            raise DeskBusy(database="desk.db", seconds=10)
        return worklog(*args, **kwargs)

    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        monkeypatch.setattr(app.context.desk, "worklog", busy_once)
        await pilot.press("w")
        await pilot.pause()
        await write_note(pilot, "换了硒鼓")
        form = app.screen
        assert isinstance(form, NOTE_FORMS), "the form stays"
        assert form.query_one(SafeTextArea).text == "换了硒鼓"
        error = str(form.query_one("#form-error").render())
        assert "正忙" in error and "未保存" in error
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen), "sent again, and through"
        assert desk.ticket(number).events[-1].note == "换了硒鼓"


async def test_keys_follow_the_holder_rules(desk: DeskService) -> None:
    free = log_call(desk, "无人处理", minutes_ago=5).number
    others = held_by(desk, "agent1")
    app = await open_ticket(desk, "lead", free)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, free)
        keys = app.screen.active_bindings
        assert not keys["u"].enabled, "an update on a ticket nobody holds would stop its clock"
        assert keys["w"].enabled, "a worklog note needs no claim"
        await pilot.press("a")
        await settle(pilot)
        assert app.screen.active_bindings["u"].enabled, "the holder updates the requester"
    app = await open_ticket(desk, "agent2", others)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, others)
        keys = app.screen.active_bindings
        for key in ("w", "u", "s", "e", "o"):
            assert not keys[key].enabled, f"{key}: someone else holds it"


async def test_an_escalation_the_rules_cannot_route_asks_which_group(desk: DeskService) -> None:
    number = log_call(desk, "不知道找谁", minutes_ago=5, category="other").number  # desk, L1
    app = await open_ticket(desk, "lead", number, lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NOTE_FORMS)
        form.query_one(SafeTextArea).load_text("一线无法判断")
        await pilot.press("ctrl+s")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickForm), "the desk asks which group"
        codes = [code for code, _ in picker.options]
        assert sorted(codes) == ["account", "hardware", "network", "software", "vendor"]
        assert "硬件组" in screen_text(app)
        await pilot.press(*["down"] * codes.index("hardware"), "enter")
        await settle(pilot)
        assert app.screen is form and "将升级到 硬件组" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = ticket_row(desk, number)
        assert (stored.tier, stored.status, stored.assignee_id) == (2, "to_assign", None)
        assert not isinstance(app.screen, NOTE_FORMS)


async def test_the_confirmation_dialog_keeps_its_error_and_keys_in_sight_at_80x24(
    desk: DeskService,
) -> None:
    """Its fields are taller than a small terminal: they scroll, the error and keys stay."""
    number = held_by(desk, "agent2")
    desk.set_status(desk.actor("agent2"), number, "awaiting_confirmation", note="new toner")
    app = await open_ticket(desk, "op", number)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_ticket(pilot, number)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        text = screen_text(app)
        assert "Choose 1 to 5 stars" in text and "ctrl+s send" in text
        # the last field is reached by the keys, scrolled into sight
        await pilot.press("4", "tab", "2", "tab", "tab", "tab", "tab", "tab", "3")
        await pilot.pause()
        assert "Attitude" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = ticket_row(desk, number)
        assert (stored.status, stored.satisfaction, stored.satisfaction_attitude) == (
            "resolved",
            4,
            3,
        )


#: A description with no space to wrap at: Chinese, then a long address.
UNBROKEN = (
    "三楼财务部打印机每次打印都卡纸，已经关机重启过，问题依旧。换了新的纸张也一样，"
    "请尽快派人上门检修。驱动下载页：https://support.example.com/drivers/laserjet-pro-m404dn"
    "/windows-10-x64/full-software-and-driver-package-v48.7.4.exe"
)


#: The scrollbar's glyphs (not text).
SCROLLBAR = str.maketrans("", "", "▁▂▃▄▅▆▇█")


def pane_text(app: App[Any], border: str) -> str:
    """What the pane drawn with ``border`` shows, its rows run together without blanks."""
    rows = [
        line.split(border)[1].translate(SCROLLBAR)
        for line in screen_text(app).splitlines()
        if line.count(border) >= 2
    ]
    return "".join("".join(rows).split())


async def read_through(pilot: Pilot[Any], pane: Widget, border: str) -> list[str]:
    """The pane's text at each line scrolled, top to bottom, as the agent reads it."""
    seen = [pane_text(pilot.app, border)]
    while pane.scroll_y < pane.max_scroll_y:
        pane.scroll_down(animate=False)
        await settle(pilot)
        seen.append(pane_text(pilot.app, border))
    return seen


async def test_a_long_unbroken_description_wraps_whole_in_the_detail_at_80x24(
    desk: DeskService,
) -> None:
    number = log_call(desk, "打印机卡纸", minutes_ago=30, description=UNBROKEN).number
    app = await open_ticket(desk, "agent2", number, "zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await show_ticket(pilot, number)
        fields = app.screen.query_one(DetailFields)
        await pilot.press("shift+tab")  # the fields pane: its border turns heavy
        assert fields.has_focus
        seen = await read_through(pilot, fields, "┃")
        assert any(UNBROKEN in text for text in seen), seen[-1]
        assert not any("…" in text for text in seen)


async def test_escape_while_the_desk_is_held_cancels_and_keeps_the_text(
    desk: DeskService,
) -> None:
    """Another console holds the write lock: escape on the waiting form cancels the change (the
    form stays with its text and says nothing was saved); once the lock is free, ctrl+s sends
    it, and it is on record once."""
    fcntl = pytest.importorskip("fcntl", reason="the writers' turn is an flock")
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number, lang="zh")
    assert desk.db.lock_path is not None
    holder = os.open(desk.db.lock_path, os.O_RDWR)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        await pilot.press("w")
        await pilot.pause()
        helpers = writer_turn_helpers()
        fcntl.flock(holder, fcntl.LOCK_EX)
        try:
            await write_note_without_waiting(pilot, "cancel test")
            for _ in range(500):  # until the change waits for the turn (a hang guard)
                if writer_turn_helpers() > helpers:
                    break
                await pilot.pause(0.01)
            form = app.screen
            assert isinstance(form, NOTE_FORMS)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is form, "escape while sending does not close the form"
            assert form.query_one(SafeTextArea).text == "cancel test"
            said = str(form.query_one("#form-error").render())
            assert "已取消" in said and "未保存" in said, said
            assert not form.sending
        finally:
            os.close(holder)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen), "sent again, and through"
    notes = [e.note for e in desk.ticket(number).events if e.note == "cancel test"]
    assert notes == ["cancel test"]


def writer_turn_helpers() -> int:
    """How many threads wait for (or hold) a writers' turn on behalf of a writer."""
    return sum(t.name == "deskui-writer-turn" for t in threading.enumerate())


def first_label(form: Widget) -> str:
    """The label over the form's text (the first label after any intro lines)."""
    from textual.widgets import Label

    labels = [label for label in form.query(Label) if not label.has_class("form-intro")]
    return str(labels[0].render())


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_texts_a_dialog_needs_are_marked_as_the_intake_marks_them(
    desk: DeskService, lang: str
) -> None:
    number = held_by(desk, "agent2")
    app = await open_ticket(desk, "agent2", number, lang)
    async with app.run_test(size=SIZE) as pilot:
        await show_ticket(pilot, number)
        for key in ("w", "o"):  # the worklog, the solution
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, NOTE_FORMS)
            assert first_label(app.screen).endswith(" *")
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("s")  # to pending: the note is needed
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteForm) and app.screen.required
        assert first_label(app.screen).endswith(" *")
