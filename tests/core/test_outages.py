"""The rule that says which open outage a new call looks like."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deskui.core.outages import (
    SIMILAR,
    MatchReason,
    OpenCall,
    outage_matches,
    similarity,
)

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


def call(number: str, summary: str, *, hours_ago: float = 1, **kw: object) -> OpenCall:
    fields: dict[str, object] = {
        "number": number,
        "category": "network",
        "summary": summary,
        "received_at": NOW - timedelta(hours=hours_ago),
        "priority": "P1",
    }
    fields.update(kw)
    return OpenCall(**fields)  # type: ignore[arg-type]  # the test's own keywords


def numbers(category: str | None, summary: str, open_calls: list[OpenCall]) -> list[str]:
    found = outage_matches(category=category, summary=summary, open_calls=open_calls, now=NOW)
    return [m.ticket.number for m in found]


def test_similarity_reads_chinese_and_english_alike() -> None:
    assert similarity("整层楼无法上网", "三楼整层无法上网") >= SIMILAR
    assert similarity("无法上网", "整层楼无法上网") >= SIMILAR
    assert similarity("VPN down", "vpn is DOWN!") >= SIMILAR
    assert similarity("打印机卡纸", "整层楼无法上网") == 0.0
    assert similarity("", "整层楼无法上网") == 0.0
    assert similarity("网", "网") == 1.0


def test_a_recent_similar_call_of_the_same_category_is_suggested() -> None:
    calls = [
        call("A", "整层楼无法上网", hours_ago=1),
        call("B", "整层楼无法上网", hours_ago=5),  # too long ago for a single call
        call("C", "整层楼无法上网", category="hardware"),  # another category
        call("D", "打印机卡纸"),  # not alike
        call("E", "三楼整层无法上网", is_call_under_outage=True),  # itself a call under one
    ]
    found = outage_matches(
        category="network", summary="三楼整层无法上网", open_calls=calls, now=NOW
    )
    assert [m.ticket.number for m in found] == ["A"]
    assert found[0].reason == MatchReason.SIMILAR


def test_an_outage_parent_counts_however_old_and_comes_first() -> None:
    calls = [
        call("NEW", "整层楼无法上网", hours_ago=0.5),
        call("OLD-PARENT", "整层楼无法上网", hours_ago=9, calls=4),
        call("CLOSER", "五楼整层楼无法上网", hours_ago=0.2),
    ]
    assert numbers(category="network", summary="整层楼无法上网", open_calls=calls) == [
        "OLD-PARENT",
        "NEW",
        "CLOSER",
    ]


def test_nothing_before_a_category_and_at_most_the_limit() -> None:
    calls = [call(str(n), "整层楼无法上网") for n in range(5)]
    assert numbers(category=None, summary="整层楼无法上网", open_calls=calls) == []
    assert len(numbers(category="network", summary="整层楼无法上网", open_calls=calls)) == 3
    assert numbers(category="network", summary="", open_calls=calls) == []


def test_an_announcement_ties_an_outage_begun_in_its_time_to_the_category() -> None:
    calls = [
        call("IN", "核心交换机故障", hours_ago=1, calls=2),
        call("BEFORE", "核心交换机故障", hours_ago=30, calls=2),
        call("SINGLE", "核心交换机故障", hours_ago=1),  # no outage yet: not by the announcement
    ]
    since = NOW - timedelta(hours=3)
    found = outage_matches(
        category="network", summary="VPN 连不上", open_calls=calls, now=NOW, announced_since=since
    )
    assert [(m.ticket.number, m.reason) for m in found] == [("IN", MatchReason.ANNOUNCED)]
    assert numbers(category="network", summary="VPN 连不上", open_calls=calls) == []
