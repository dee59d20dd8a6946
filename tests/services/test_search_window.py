"""A capped search (suggestions) finds the same tickets and articles whether it first looks
among the newest documents (PostgreSQL's quick path) or through the whole index."""

from __future__ import annotations

import pytest

from deskui.core.text_index import parse_query
from deskui.services.desk import DeskService
from deskui.store import text_search
from tests.services.test_intake import call

SUMMARIES = ["VPN 频繁断线", "打印机卡纸", "VPN 无法连接", "VPN 频繁断线，重连后正常"]


def ranked(desk: DeskService, typed: str, *, cap: int, limit: int) -> list[tuple[int, float]]:
    query = parse_query(typed)
    return desk.read(
        lambda s: text_search.search_tickets(s.connection(), query, limit=limit, cap=cap)
    )


@pytest.mark.parametrize(("window", "cap"), [(6, 3), (6, 5), (3, 5), (40, 5)])
def test_the_newest_documents_first_changes_nothing(
    desk: DeskService, monkeypatch: pytest.MonkeyPatch, window: int, cap: int
) -> None:
    """Windows holding the cap's matches, and windows too small (the whole index is asked):
    each gives what a search of the whole index gives."""
    op = desk.actor("op")
    for i in range(24):
        desk.create_ticket(op, call(summary=SUMMARIES[i % len(SUMMARIES)]))
    monkeypatch.setattr(text_search, "RECENT_DOCUMENTS", 10**9)
    whole = {typed: ranked(desk, typed, cap=cap, limit=4) for typed in ("vpn", "vpn 频繁", "打印")}
    assert all(whole.values())
    monkeypatch.setattr(text_search, "RECENT_DOCUMENTS", window)
    for typed, expected in whole.items():
        assert ranked(desk, typed, cap=cap, limit=4) == expected, typed
