"""How a search's count is read: on PostgreSQL a common word's count reads the whole table in
parallel when the table does not fit the server's shared buffers, else the GIN index names the
pages; either way the same number, and the session's planner settings as they were."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from deskui.services.desk import DeskService
from deskui.services.queue import QueueQuery, QueueReader, QueueView
from deskui.store import text_search
from deskui.store.text_search import CountFacts, scans_whole_table
from tests.services.test_intake import call

MB = 1024 * 1024


def facts(**changed: Any) -> CountFacts:
    """A million-ticket desk's facts for a word in one ticket of six, on a server whose
    shared buffers (128 MB) do not hold the table (760 MB), two workers: changed as named."""
    base: dict[str, Any] = {
        "expected": 167_000.0,
        "documents": 1_000_000.0,
        "table_bytes": 760 * MB,
        "buffer_bytes": 128 * MB,
        "workers": 2,
    }
    return CountFacts(**(base | changed))


def test_a_common_word_on_a_table_the_buffers_do_not_hold_is_counted_by_a_scan() -> None:
    assert scans_whole_table(facts())
    assert scans_whole_table(facts(expected=50_000.0)), "one document in twenty"


@pytest.mark.parametrize(
    ("changed", "why"),
    [
        ({"expected": 49_999.0}, "under one document in twenty: the index's pages are fewer"),
        ({"expected": 12.0}, "a rare word"),
        ({"buffer_bytes": 3 * 1024 * MB}, "the shared buffers hold the table"),
        ({"workers": 0}, "no parallel workers to scan with"),
        ({"documents": 0.0}, "no statistics yet"),
        ({"documents": -1.0}, "never analysed"),
    ],
)
def test_otherwise_the_planner_chooses(changed: dict[str, Any], why: str) -> None:
    assert not scans_whole_table(facts(**changed)), why


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
@pytest.mark.parametrize("scan", [True, False])
def test_both_ways_count_the_same_and_leave_the_settings_as_they_were(
    desk: DeskService, monkeypatch: pytest.MonkeyPatch, scan: bool
) -> None:
    op = desk.actor("op")
    words = "打印机卡纸"
    numbers = [desk.create_ticket(op, call(summary=f"{words} {i}")).number for i in range(3)]
    desk.create_ticket(op, call(summary="邮箱无法收信", description="收件箱一直是空的"))
    monkeypatch.setattr(text_search, "scans_whole_table", lambda _facts: scan)
    statements: list[str] = []

    def heard(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = desk.db.engine
    event.listen(engine, "before_cursor_execute", heard)
    try:
        reader = QueueReader.of(desk)
        assert reader.count(QueueQuery(QueueView.ALL, words)) == len(numbers)
    finally:
        event.remove(engine, "before_cursor_execute", heard)
    counted = next(
        i for i, s in enumerate(statements) if s.startswith("SELECT count(*) FROM ticket_text")
    )
    switched = [s for s in statements if "enable_bitmapscan" in s]
    if scan:
        assert statements[counted - 1] == "SET LOCAL enable_bitmapscan = off"
        assert statements[counted + 1] == "SET LOCAL enable_bitmapscan TO DEFAULT"
    else:
        assert switched == []


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_the_facts_are_the_servers_and_the_planners(desk: DeskService) -> None:
    op = desk.actor("op")
    desk.create_ticket(op, call(summary="打印机卡纸"))
    with desk.db.engine.begin() as conn:
        conn.execute(text("SET LOCAL max_parallel_workers_per_gather = 3"))
        found = text_search._count_facts(
            conn,
            "SELECT count(*) FROM ticket_text WHERE doc @@ CAST(:q AS tsquery)",
            {"q": "'打印机'"},
        )
        shown = conn.execute(text("SELECT pg_size_bytes(current_setting('shared_buffers'))"))
        assert found.buffer_bytes == shown.scalar_one() > 0
        assert found.workers == 3
        assert found.table_bytes > 0
        assert found.expected >= 1
