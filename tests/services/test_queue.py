"""The queue's keyset reads, on SQLite and PostgreSQL: views, order, paging, search, clocks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from deskui.core.clock import FrozenClock
from deskui.core.enums import ClockKind, ClockState, Status
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput, pinyin_keys
from deskui.services.intake import IntakeRequest
from deskui.services.queue import (
    QueueKey,
    QueueQuery,
    QueueReader,
    QueueRow,
    QueueView,
    advance_clocks,
)
from deskui.services.queue.query import VIEW_STATUSES
from deskui.services.views import TicketView
from deskui.store.models import Ticket

CALLERS = [
    ("张三", "13800138000"),
    ("李四", "13911112222"),
    ("王小明", "010-62345678"),
    ("Alice Chen", "13555556666"),
]


def log_call(
    desk: DeskService,
    summary: str,
    *,
    minutes_ago: float,
    impact: int = 3,
    urgency: int = 3,
    category: str = "hardware",
    caller: int = 0,
    description: str = "用户反映问题，已重启无效。",
) -> TicketView:
    """A call logged by the operator, received ``minutes_ago``."""
    name, phone = CALLERS[caller % len(CALLERS)]
    return desk.create_ticket(
        desk.actor("op"),
        IntakeRequest(
            type="incident",
            category=category,
            channel="phone",
            impact=impact,
            urgency=urgency,
            summary=summary,
            description=description,
            requester=RequesterInput(name=name, phone=phone),
            received_at=desk.clock.now() - timedelta(minutes=minutes_ago),
        ),
    )


def fill_desk(desk: DeskService) -> dict[str, str]:
    """A queue with every kind of row: running, warning, breached, paused, held, closed.

    Returns:
        Names for some of the tickets, by role in the tests.
    """
    names: dict[str, str] = {}
    agent1, agent2 = desk.actor("agent1"), desk.actor("agent2")
    names["breached"] = log_call(
        desk, "打印机卡纸，无法打印", minutes_ago=75, impact=2, urgency=2
    ).number
    names["warning"] = log_call(
        desk,
        "VPN 连接后频繁掉线",
        minutes_ago=50,
        impact=2,
        urgency=3,
        category="network",
        caller=1,
    ).number
    names["fresh"] = log_call(
        desk, "Outlook 无法接收邮件", minutes_ago=5, category="software", caller=2
    ).number
    names["p1"] = log_call(
        desk,
        "ERP 全公司无法登录",
        minutes_ago=12,
        impact=1,
        urgency=1,
        category="software",
        caller=3,
    ).number
    held = log_call(desk, "显示器闪烁", minutes_ago=30, caller=1)
    desk.claim(agent1, held.number)
    names["held"] = held.number
    mine = log_call(
        desk,
        "会议室投影仪无信号",
        minutes_ago=20,
        impact=2,
        urgency=2,
        category="hardware",
        caller=2,
    )
    desk.claim(agent2, mine.number)
    names["mine"] = mine.number
    pending = log_call(desk, "申请开通共享盘权限", minutes_ago=40, category="account")
    desk.claim(agent1, pending.number)
    desk.set_status(agent1, pending.number, "pending", note="等待用户提供截图")
    names["pending"] = pending.number
    solved = log_call(desk, "新员工账号开通", minutes_ago=90, category="account", caller=3)
    desk.claim(agent1, solved.number)
    desk.set_status(agent1, solved.number, "awaiting_confirmation", note="已开通并告知用户")
    names["awaiting"] = solved.number
    closed = log_call(desk, "财务系统导出报表失败", minutes_ago=200, category="software")
    desk.claim(agent2, closed.number)
    desk.set_status(agent2, closed.number, "awaiting_confirmation", note="已修复导出模板")
    desk.confirm(desk.actor("op"), closed.number, 5, channel="phone")
    names["resolved"] = closed.number
    for n in range(6):
        log_call(desk, f"无线网络信号弱 {n}", minutes_ago=3 + 9 * n, category="network", caller=n)
    # past the open work: one closed after review, one rejected (logged last, so the open
    # tickets keep their numbers)
    done = log_call(desk, "邮箱容量已满", minutes_ago=300, category="software", caller=1)
    desk.claim(agent2, done.number)
    desk.worklog(agent2, done.number, "清理归档邮件")
    desk.set_status(agent2, done.number, "awaiting_confirmation", note="已扩容至 10G")
    desk.confirm(desk.actor("op"), done.number, 4, channel="im")
    desk.set_status(desk.actor("op"), done.number, "closed", note="记录完整")
    names["closed"] = done.number
    names["rejected"] = log_call(desk, "询问食堂菜单", minutes_ago=100, category="other").number
    desk.set_status(
        desk.actor("op"), names["rejected"], "rejected", note="不属于IT服务范围，请联系行政部"
    )
    return names


@pytest.fixture
def reader(desk: DeskService) -> QueueReader:
    """A reader on the filled desk."""
    fill_desk(desk)
    return QueueReader.of(desk)


def _all_open(desk: DeskService, *, open_only: bool = True) -> list[Ticket]:
    statement = select(Ticket).where(col(Ticket.is_open)) if open_only else select(Ticket)
    tickets = desk.read(lambda s: list(s.exec(statement)))
    return sorted(tickets, key=lambda t: (t.next_due is None, t.next_due or datetime.min, t.id))


def _ids(rows: list[QueueRow]) -> list[int]:
    return [r.id for r in rows]


def _expected(desk: DeskService, view: QueueView, login: str) -> list[int]:
    actor = desk.actor(login)
    tickets = _all_open(desk, open_only=view not in (*VIEW_STATUSES, QueueView.ALL))
    if view in VIEW_STATUSES:
        tickets = [t for t in tickets if t.status in VIEW_STATUSES[view]]
    elif view == QueueView.MINE:
        tickets = [t for t in tickets if t.assignee_id == actor.id]
    elif view == QueueView.GROUPS:
        tickets = [t for t in tickets if t.group_id in actor.group_ids]
    elif view == QueueView.UNASSIGNED:
        tickets = [t for t in tickets if t.assignee_id is None]
    elif view == QueueView.ALERT:
        alarming = {ClockState.WARNING, ClockState.BREACHED}

        def alarms(t: Ticket) -> bool:
            return bool({c.state for c in desk.ticket(t.number).clocks.values()} & alarming)

        tickets = [t for t in tickets if alarms(t)]
    return [t.id for t in tickets if t.id is not None]


@pytest.mark.parametrize("view", list(QueueView))
def test_each_view_holds_its_tickets_nearest_due_first(
    desk: DeskService, reader: QueueReader, view: QueueView
) -> None:
    query = QueueQuery.for_actor(desk.actor("agent2"), view)
    rows = reader.after(query, None, 500)
    assert _ids(rows) == _expected(desk, view, "agent2")
    assert reader.count(query) == len(rows)
    assert rows, "every view has tickets in this desk"


def test_views_differ_by_actor(desk: DeskService, reader: QueueReader) -> None:
    mine_1 = reader.after(QueueQuery.for_actor(desk.actor("agent1"), QueueView.MINE), None, 50)
    mine_2 = reader.after(QueueQuery.for_actor(desk.actor("agent2"), QueueView.MINE), None, 50)
    assert {r.assignee_login for r in mine_1} == {"agent1"}
    assert {r.assignee_login for r in mine_2} == {"agent2"}
    assert not set(_ids(mine_1)) & set(_ids(mine_2))
    groups = reader.after(QueueQuery.for_actor(desk.actor("agent1"), QueueView.GROUPS), None, 50)
    assert {r.group_code for r in groups} == {"hardware"}


def test_closed_and_resolved_tickets_are_not_in_the_queue(
    desk: DeskService, reader: QueueReader
) -> None:
    rows = reader.after(QueueQuery(QueueView.OPEN), None, 500)
    assert all(r.status.is_open for r in rows)
    assert Status.RESOLVED not in {r.status for r in rows}


def test_keyset_pages_forward_and_back_cover_the_view_exactly(
    desk: DeskService, reader: QueueReader
) -> None:
    query = QueueQuery(QueueView.OPEN)
    everything = reader.after(query, None, 500)
    assert everything[-1].next_due is None, "rows with no running clock come last"
    forward: list[QueueRow] = []
    key: QueueKey | None = None
    while page := reader.after(query, key, 3):
        forward += page
        key = page[-1].key
    assert _ids(forward) == _ids(everything)
    backward: list[QueueRow] = []
    key = None
    while page := reader.before(query, key, 4):
        backward = page + backward
        key = page[0].key
    assert _ids(backward) == _ids(everything)


def test_position_and_offset_agree_with_the_order(desk: DeskService, reader: QueueReader) -> None:
    query = QueueQuery(QueueView.OPEN)
    everything = reader.after(query, None, 500)
    for index, row in enumerate(everything):
        assert reader.position(query, row.id) == index
    window = reader.at(query, 5, 4)
    assert window.start == 5 and _ids(list(window.rows)) == _ids(everything[5:9])
    tail = reader.at(query, 10_000, 4)
    assert _ids(list(tail.rows)) == _ids(everything[-4:])
    closed = desk.read(lambda s: s.exec(select(Ticket.id).where(~col(Ticket.is_open))).first())
    assert closed is not None and reader.position(query, closed) is None


def test_a_window_around_a_ticket_keeps_it_under_the_cursor(
    desk: DeskService, reader: QueueReader
) -> None:
    query = QueueQuery(QueueView.OPEN)
    everything = reader.after(query, None, 500)
    target = everything[7]
    window = reader.around(query, target.id, 0, 3, 5)
    assert window.cursor == 7 and window.start == 4
    assert _ids(list(window.rows)) == _ids(everything[4:12])
    gone = reader.around(query, -1, 9, 2, 3)
    assert gone.cursor == 9 and _ids(list(gone.rows)) == _ids(everything[7:12])


def _matches(view: TicketView, text: str) -> bool:
    """What a search should find, decided here without SQL."""
    lowered = text.lower()
    full, initials = pinyin_keys(view.requester.name)
    spelled = lowered.replace(" ", "")
    return (
        lowered in view.number.lower()
        or text in view.requester.name
        or lowered in view.summary.lower()
        or lowered in view.description.lower()
        or full.startswith(spelled)
        or initials.startswith(spelled)
    )


@pytest.mark.parametrize(
    ("text", "at_least"),
    [
        ("打印机", {"breached"}),
        ("vpn", {"warning"}),
        ("王小明", {"fresh"}),
        ("zhangsan", {"breached", "pending"}),
        ("ALICE", {"p1"}),
        ("zs", {"breached"}),
        ("重启无效", {"warning", "fresh", "p1"}),
        ("%", set()),
        ("_", set()),
        ("信号弱 3", set()),
    ],
)
def test_search_matches_number_requester_and_text(
    desk: DeskService, text: str, at_least: set[str]
) -> None:
    names = fill_desk(desk)
    reader = QueueReader.of(desk)
    rows = reader.after(QueueQuery(QueueView.OPEN, text), None, 500)
    every = reader.after(QueueQuery(QueueView.OPEN), None, 500)
    expected = {r.number for r in every if _matches(desk.ticket(r.number), text)}
    assert {r.number for r in rows} == expected
    assert {names[n] for n in at_least} <= expected
    assert reader.count(QueueQuery(QueueView.OPEN, text)) == len(rows)
    if text == "信号弱 3":
        assert len(rows) == 1


def test_search_by_number(desk: DeskService, reader: QueueReader) -> None:
    row = reader.after(QueueQuery(QueueView.OPEN), None, 1)[0]
    found = reader.after(QueueQuery(QueueView.OPEN, row.number.lower()), None, 50)
    assert _ids(found) == [row.id]
    by_tail = reader.after(QueueQuery(QueueView.OPEN, row.number[-5:]), None, 50)
    assert row.id in _ids(by_tail)


def test_row_clocks_are_the_tickets_clocks(desk: DeskService, reader: QueueReader) -> None:
    for row in reader.after(QueueQuery(QueueView.OPEN), None, 500):
        full = desk.ticket(row.number)
        for kind in ClockKind:
            assert row.clocks[kind].state == full.clocks[kind].state, (row.number, kind)
            assert row.clocks[kind].remaining_seconds == pytest.approx(
                full.clocks[kind].remaining_seconds
            )
        assert row.version == full.version and row.priority == full.priority


def test_rows_show_masked_fields_only_as_stored(desk: DeskService, reader: QueueReader) -> None:
    rows = reader.after(QueueQuery(QueueView.OPEN), None, 500)
    assert {r.requester_phone for r in rows} >= {"13800138000"}, "masking is the table's job"
    assert all(r.requester_name for r in rows)


def test_advancing_clocks_agrees_with_recomputing(desk: DeskService, reader: QueueReader) -> None:
    clock = desk.clock
    assert isinstance(clock, FrozenClock)
    rows = reader.after(QueueQuery(QueueView.OPEN), None, 500)
    since = clock.now()
    for minutes in (1, 7, 33, 61, 60 * 30):  # through warnings, breaches and a night
        clock.advance(minutes=minutes)
        fresh_reader = QueueReader.of(desk)  # nothing remembered: every clock recomputed
        later = {r.id: r for r in fresh_reader.after(QueueQuery(QueueView.OPEN), None, 500)}
        for row in rows:
            carried = advance_clocks(row.clocks, since, clock.now(), desk.rules)
            for kind in ClockKind:
                fresh = later[row.id].clocks[kind]
                assert carried[kind].state == fresh.state, (row.number, kind, minutes)
                assert carried[kind].remaining_seconds == pytest.approx(
                    fresh.remaining_seconds, abs=1e-6
                ), (row.number, kind, minutes)


def test_reading_again_carries_remembered_clocks_exactly(
    desk: DeskService, reader: QueueReader
) -> None:
    query = QueueQuery(QueueView.OPEN)
    reader.after(query, None, 500)
    assert isinstance(desk.clock, FrozenClock)
    for seconds in (9, 50):
        desk.clock.advance(seconds=seconds)
        again = reader.after(query, None, 500)
        fresh = QueueReader.of(desk).after(query, None, 500)
        assert [r.clocks for r in again] == [r.clocks for r in fresh]


def test_alert_view_follows_time_without_any_change(desk: DeskService) -> None:
    # P2, response due in 1 h: warning from 45 min, received 40 min ago
    ticket = log_call(desk, "只是开始预警", minutes_ago=40, impact=3, urgency=1)
    reader = QueueReader.of(desk)
    alert = QueueQuery(QueueView.ALERT)
    assert ticket.number not in {r.number for r in reader.after(alert, None, 50)}
    assert isinstance(desk.clock, FrozenClock)
    desk.clock.advance(minutes=6)
    rows = reader.after(alert, None, 50)
    assert ticket.number in {r.number for r in rows}
    row = next(r for r in rows if r.number == ticket.number)
    assert row.clocks[ClockKind.RESPONSE].state == ClockState.WARNING
    assert row.next_due is not None and row.next_due > desk.clock.now()
    desk.clock.advance(minutes=20)
    row = next(r for r in reader.after(alert, None, 50) if r.number == ticket.number)
    assert row.clocks[ClockKind.RESPONSE].state == ClockState.BREACHED


def test_triage_moves_the_row_at_once(desk: DeskService, reader: QueueReader) -> None:
    query = QueueQuery(QueueView.OPEN)
    waiting = [r for r in reader.after(query, None, 500) if r.status == Status.TO_ASSIGN]
    last_dated = waiting[-1]  # response clock running: P1 brings it from 1 h to 15 min
    desk.triage(desk.actor("lead"), last_dated.number, 1, 1, expected_version=last_dated.version)
    rows = reader.after(query, None, 500)
    row = next(r for r in rows if r.id == last_dated.id)
    assert str(row.priority) == "P1" and row.version == last_dated.version + 1
    assert _ids(rows).index(row.id) < _ids(rows).index(rows[-1].id)
    assert row.next_due is not None and last_dated.next_due is not None
    assert row.next_due < last_dated.next_due


def test_groups_for_transfer(reader: QueueReader) -> None:
    codes = [g.code for g in reader.groups()]
    assert codes[0] == "desk" and {"hardware", "software", "vendor"} <= set(codes)
