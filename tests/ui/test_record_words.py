"""The record's codes and phrases in the console's words: names, groups, one entry per action."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from deskui.core.enums import EventKind
from deskui.i18n import Catalog
from deskui.services.names import DeskNames
from deskui.services.views import EventView
from deskui.widgets.record_words import is_priority_reason, priority_words, routing_words
from deskui.widgets.timeline import Entry, entries, entry_text

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 30, 2, tzinfo=UTC)
NAMES = DeskNames(
    people={"zhangwei": "张伟", "lead": "赵敏"},
    groups={"desk": ("服务台", "Service desk"), "hardware": ("硬件组", "Hardware")},
)
ZH, EN = Catalog("zh"), Catalog("en")


def event(kind: EventKind, **kw: object) -> EventView:
    fields: dict[str, object] = {
        "id": 1,
        "at": AT,
        "actor": "lead",
        "kind": kind,
        "field": None,
        "old_value": None,
        "new_value": None,
        "note": None,
    }
    fields.update(kw)
    return EventView(**fields)  # type: ignore[arg-type]  # the test builds any mix of fields


@pytest.mark.parametrize(
    ("reason", "zh", "en"),
    [
        ("type complaint → desk", "工单类型为投诉，分派至服务台", "type Complaint → Service desk"),
        (
            "category hardware → hardware",
            "问题类型为硬件故障，分派至硬件组",
            "category Hardware → Hardware",
        ),
        ("category other: no group configured", "问题类型为其他，未配置处理组", None),
        ("desk → hardware · zhangwei", "张伟从服务台转至硬件组", "Service desk → Hardware by 张伟"),
        ("- → desk · lead", "赵敏从（无）转至服务台", None),
        ("L1 → L2 · desk → hardware · lead", "升级 L1 → L2：赵敏从服务台转至硬件组", None),
    ],
)
def test_routing_reasons_are_said_in_the_consoles_words(
    reason: str, zh: str, en: str | None
) -> None:
    said = routing_words(reason, ZH, NAMES)
    assert said == zh
    assert not any(word in said for word in ("category", "type", "desk", "hardware"))
    if en is not None:
        assert routing_words(reason, EN, NAMES) == en


def test_a_phrase_of_no_known_shape_is_shown_as_recorded() -> None:
    assert routing_words("moved by hand\x1b[31m", ZH, NAMES) == "moved by hand"


def test_priority_reasons_name_the_raise_and_the_override() -> None:
    reason = "I2 × U1 → P2; VIP: P2 → P1; override → P1: 全楼断网"
    assert is_priority_reason(reason)
    assert not is_priority_reason("VIP: 用户说很急")
    said = priority_words(reason, ZH)
    assert said == "I2 × U1 → P2；重要用户上调一级 P2 → P1；主管调整为 P1：全楼断网"
    assert "override" in priority_words(reason, EN) or "overridden" in priority_words(reason, EN)


def test_people_and_groups_are_named_in_the_timeline() -> None:
    routed = event(
        EventKind.ROUTED, field="group", new_value="hardware", note="category hardware → hardware"
    )
    text = entry_text(routed, TZ, ZH, NAMES).plain
    assert "赵敏" in text and "硬件组" in text
    assert "hardware" not in text and "lead" not in text
    claimed = event(EventKind.CLAIMED, field="assignee", new_value="zhangwei", actor="zhangwei")
    assert "处理人: 张伟" in entry_text(claimed, TZ, ZH, NAMES).plain
    takeover = event(
        EventKind.TAKEOVER,
        field="assignee",
        old_value="zhangwei",
        new_value="lead",
        note="taken over from zhangwei",
    )
    text = entry_text(takeover, TZ, ZH, NAMES).plain
    assert "从张伟处接管" in text and "taken over" not in text


def test_an_unknown_login_or_group_is_shown_as_recorded() -> None:
    claimed = event(EventKind.CLAIMED, field="assignee", new_value="ghost", actor="ghost")
    assert "处理人: ghost" in entry_text(claimed, TZ, ZH, NAMES).plain


def test_a_pending_is_one_entry_with_its_status_change_and_note_once() -> None:
    status = event(
        EventKind.STATUS,
        field="status",
        old_value="in_progress",
        new_value="pending",
        note="等回电",
    )
    pending = event(EventKind.PENDING, note="等回电")
    shown = entries([status, pending])
    assert shown == [Entry(pending, status)]
    text = entry_text(pending, TZ, ZH, NAMES, status).plain
    assert text.count("等回电") == 1
    assert "挂起" in text and "处理中 → 挂起" in text


def test_status_changes_of_different_moments_or_people_stay_apart() -> None:
    status = event(EventKind.STATUS, field="status", old_value="in_progress", new_value="pending")
    later = event(EventKind.PENDING, at=datetime(2026, 11, 30, 3, tzinfo=UTC))
    other = event(EventKind.PENDING, actor="zhangwei")
    assert entries([status, later]) == [Entry(status), Entry(later)]
    assert entries([status, other]) == [Entry(status), Entry(other)]
    plain = event(EventKind.STATUS, field="status", old_value="new", new_value="in_progress")
    worklog = event(EventKind.WORKLOG, note="看过")
    assert entries([plain, worklog]) == [Entry(plain), Entry(worklog)]


@pytest.mark.parametrize(
    ("catalog", "carried", "old_note"),
    [
        (ZH, "随父工单解决  父工单: IT20261130001", "随父工单 IT20261130001 处理"),
        (
            EN,
            "solved with its outage  Parent: IT20261130001",
            "moved with the outage IT20261130001",
        ),
    ],
)
def test_an_outage_carrying_its_calls_is_said_in_the_consoles_words(
    catalog: Catalog, carried: str, old_note: str
) -> None:
    solved = event(EventKind.OUTAGE_SOLVED, field="parent", new_value="IT20261130001")
    assert carried in entry_text(solved, TZ, catalog, NAMES).plain
    # a desk written before the move was an event of its own: its English note, translated
    status = event(
        EventKind.STATUS,
        field="status",
        old_value="resolved",
        new_value="closed",
        note="outage IT20261130001",
    )
    closed = event(EventKind.CLOSED, id=2, note="outage IT20261130001")
    [entry] = entries([status, closed])
    shown = entry_text(entry.event, TZ, catalog, NAMES, entry.status).plain
    assert shown.count(old_note) == 1 and "    outage IT" not in shown
    alone = event(EventKind.STATUS, field="status", new_value="closed", note="outage IT20261130001")
    assert old_note in entry_text(alone, TZ, catalog, NAMES).plain
    # a person's own words stay as typed
    typed = event(EventKind.STATUS, field="status", new_value="pending", note="outage soon")
    assert "outage soon" in entry_text(typed, TZ, catalog, NAMES).plain


@pytest.mark.parametrize(
    ("catalog", "said"), [(ZH, "处理记录  用时 1 小时 5 分钟"), (EN, "worklog  1 h 5 min spent")]
)
def test_a_worklog_entry_says_its_minutes(catalog: Catalog, said: str) -> None:
    entry = event(EventKind.WORKLOG, note="换了硒鼓", minutes=65)
    assert said in entry_text(entry, TZ, catalog, NAMES).plain
    short = event(EventKind.WORKLOG, note="回拨", minutes=45)
    assert catalog("detail.worked.minutes", minutes=45) in entry_text(short, TZ, catalog).plain
    assert (
        catalog("detail.worked.spent", time="")
        not in entry_text(event(EventKind.WORKLOG, note="回拨"), TZ, catalog).plain
    )


def test_a_solution_is_one_entry_with_its_text_once() -> None:
    text = "重装报表导出插件并清理缓存"
    status = event(
        EventKind.STATUS,
        field="status",
        old_value="in_progress",
        new_value="awaiting_confirmation",
        note=text,
    )
    solution = event(EventKind.SOLUTION, field="solution", new_value=text)
    shown = entries([status, solution])
    assert shown == [Entry(solution, status)]
    plain = entry_text(solution, TZ, ZH, NAMES, status).plain
    assert plain.count(text) == 1
    assert "处理中 → 待确认" in plain and "解决方案" in plain


def test_a_confirmation_is_one_entry_with_each_detail() -> None:
    status = event(
        EventKind.STATUS, field="status", old_value="awaiting_confirmation", new_value="resolved"
    )
    who = event(EventKind.CONFIRMED, field="confirmed_by", new_value="王杰")
    channel = event(EventKind.CONFIRMED, field="confirmation_channel", new_value="phone")
    stars = event(EventKind.CONFIRMED, field="satisfaction", new_value="5", note="很快")
    later = event(EventKind.WORKLOG, note="回访", at=datetime(2026, 11, 30, 3, tzinfo=UTC))
    shown = entries([status, who, channel, stars, later])
    assert shown == [Entry(who, status, (channel, stars)), Entry(later)]
    plain = entry_text(who, TZ, ZH, NAMES, status, (channel, stars)).plain
    assert plain.count("用户确认") == 1
    assert "王杰" in plain and "很快" in plain and "待确认 → 已解决" in plain


def test_details_of_another_person_or_moment_stay_apart() -> None:
    who = event(EventKind.CONFIRMED, field="confirmed_by", new_value="王杰")
    other = event(EventKind.CONFIRMED, field="satisfaction", new_value="4", actor="zhangwei")
    assert entries([who, other]) == [Entry(who), Entry(other)]
