"""The ticket filters, one implementation for ``deskui ticket list`` and the queue's filter bar,
on SQLite and PostgreSQL: each filter finds the same tickets through both, the search is the
Chinese-aware text index (the same tickets ``deskui ticket search`` finds), bad values are
refusals naming the filter."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text as sql

from deskui.core.enums import Status
from deskui.services.desk import DeskService
from deskui.services.errors import NotFound, ServiceError
from deskui.services.knowledge import KnowledgeBase
from deskui.services.queue import QueueQuery, QueueReader, QueueRow, QueueView
from deskui.services.queue import reader as queue_reader
from deskui.services.ticket_filters import (
    ReceivedBlock,
    TicketFilter,
    received_block,
    received_bound,
)
from tests.services.test_queue import fill_desk, log_call

TZ = ZoneInfo("Asia/Shanghai")
EVERY_STATUS = tuple(str(s) for s in Status)


def queue_numbers(desk: DeskService, filters: TicketFilter, view: QueueView) -> set[str]:
    """What the queue shows in ``view`` with ``filters`` (its search included)."""
    reader = QueueReader.of(desk)
    query = QueueQuery(view, filters.search, filters=replace(filters, search=""))
    rows = reader.after(query, None, 500)
    assert reader.count(query) == len(rows), "the count is of the same tickets"
    return {r.number for r in rows}


def list_numbers(desk: DeskService, filters: TicketFilter) -> set[str]:
    """What ``deskui ticket list`` prints with ``filters``."""
    return {v.number for v in desk.tickets(replace(filters, limit=500))}


@pytest.fixture
def filled(desk: DeskService) -> DeskService:
    """The queue tests' desk, and a call whose number, requester and phone are searched."""
    fill_desk(desk)
    log_call(desk, "会议室的投影仪无法显示电脑画面", minutes_ago=12, category="hardware", caller=0)
    return desk


def _day(desk: DeskService, days_ago: int) -> str:
    return (desk.clock.now().astimezone(TZ) - timedelta(days=days_ago)).date().isoformat()


@pytest.mark.parametrize(
    "filters",
    [
        TicketFilter(status=("in_progress",)),
        TicketFilter(status=("pending", "awaiting_confirmation")),
        TicketFilter(priority=("P2",)),
        TicketFilter(types=("incident",)),
        TicketFilter(categories=("network",)),
        TicketFilter(categories=("network", "software")),
        TicketFilter(channels=("phone",)),
        TicketFilter(channels=("email", "phone")),
        TicketFilter(group="hardware"),
        TicketFilter(assignee="agent1"),
        TicketFilter(assignee="-"),
        TicketFilter(categories=("account",), assignee="agent1"),
        TicketFilter(search="投影"),  # a Chinese word inside a sentence
        TicketFilter(search="打印"),
        TicketFilter(search="zhangsan"),  # the requester's name in pinyin
        TicketFilter(search="张三"),
        TicketFilter(search="138-0013-8000"),  # a phone in any format
        TicketFilter(search="+86 138 0013 8000"),
        TicketFilter(search="13800138000"),
        TicketFilter(search="vpn", status=("in_progress", "to_assign", "new")),
        TicketFilter(search="%"),
    ],
    ids=lambda f: ",".join(f"{k}={v}" for k, v in vars(f).items() if v and k != "limit"),
)
def test_the_list_and_the_queue_find_the_same_tickets(
    filled: DeskService, filters: TicketFilter
) -> None:
    wanted = filters if filters.status or filters.search else replace(filters, status=())
    in_queue = queue_numbers(filled, wanted, QueueView.ALL)
    listed = list_numbers(filled, replace(wanted, status=wanted.status or EVERY_STATUS))
    assert in_queue == listed
    if filters.search != "%":
        assert in_queue, "each filter here finds something on this desk"


def test_filters_narrow_within_the_queues_view(filled: DeskService) -> None:
    open_network = queue_numbers(filled, TicketFilter(categories=("network",)), QueueView.OPEN)
    every_network = queue_numbers(filled, TicketFilter(categories=("network",)), QueueView.ALL)
    assert open_network and open_network <= every_network
    listed_open = list_numbers(filled, TicketFilter(categories=("network",)))
    assert open_network == listed_open, "the list's default is the open tickets, as the view's"


def test_the_search_finds_what_ticket_search_finds(filled: DeskService) -> None:
    kb = KnowledgeBase.of(filled)
    for text in ("投影", "无法", "zhangsan", "王小明", "138 0013 8000", "outlook 邮件", "共享盘"):
        ranked = {h.number for h in kb.search_tickets(text, limit=500)}
        assert ranked, text
        assert queue_numbers(filled, TicketFilter(search=text), QueueView.ALL) == ranked, text
        assert list_numbers(filled, TicketFilter(search=text)) == ranked, text


def test_a_number_is_found_whole_or_by_its_tail(filled: DeskService) -> None:
    number = sorted(list_numbers(filled, TicketFilter(status=EVERY_STATUS)))[3]
    assert list_numbers(filled, TicketFilter(search=number.lower())) == {number}
    assert number in list_numbers(filled, TicketFilter(search=number[-3:]))
    assert number in queue_numbers(filled, TicketFilter(search=number[-5:]), QueueView.ALL)


def test_a_search_looks_through_every_status_unless_statuses_are_asked(
    filled: DeskService,
) -> None:
    closed = list_numbers(filled, TicketFilter(status=("closed",)))
    assert closed
    (number,) = sorted(closed)[:1]
    summary = filled.ticket(number).summary
    assert number in list_numbers(filled, TicketFilter(search=summary))
    assert number not in list_numbers(filled, TicketFilter(search=summary, status=("new",)))


def test_the_received_range_is_the_desks_days(filled: DeskService) -> None:
    today = _day(filled, 0)
    start = received_bound("from", today, TZ, end=False)
    end = received_bound("to", today, TZ, end=True)
    assert start is not None and end is not None and end - start == timedelta(days=1)
    todays = TicketFilter(received_from=start, received_to=end, status=EVERY_STATUS)
    everything = TicketFilter(status=EVERY_STATUS)
    assert list_numbers(filled, todays) == queue_numbers(filled, todays, QueueView.ALL)
    early = log_call(filled, "前天的来电", minutes_ago=60 * 24 * 2)
    assert early.number not in list_numbers(filled, todays)
    assert early.number in list_numbers(filled, everything)
    yesterday = received_bound("to", _day(filled, 1), TZ, end=True)
    until = TicketFilter(received_to=yesterday, status=EVERY_STATUS)
    assert list_numbers(filled, until) == {early.number}
    assert queue_numbers(filled, until, QueueView.ALL) == {early.number}


def _days(desk: DeskService, first: int, last: int) -> tuple[datetime, datetime]:
    """The desk-local days from ``first`` to ``last`` days ago, as a received range."""
    start = received_bound("from", _day(desk, first), TZ, end=False)
    end = received_bound("to", _day(desk, last), TZ, end=True)
    assert start is not None and end is not None
    return start, end


@pytest.mark.parametrize("exact", [True, False], ids=["desk days", "not on the hour"])
def test_a_search_in_a_received_range_finds_a_call_logged_late(
    filled: DeskService, exact: bool
) -> None:
    words = "硒鼓漏粉"
    recent = log_call(filled, f"打印机{words}", minutes_ago=5)
    # received three days ago, logged after the recent one: the range's only ticket has the
    # desk's highest id
    late = log_call(filled, f"复印机{words}", minutes_ago=60 * 24 * 3)
    start, end = _days(filled, 4, 2)
    if not exact:
        start, end = start + timedelta(minutes=1), end - timedelta(minutes=1)
    three_days = TicketFilter(
        search=words, received_from=start, received_to=end, status=EVERY_STATUS
    )
    with filled.db.read() as session:
        assert received_block(session, start, end) == ReceivedBlock(late.id, late.id, exact)
    assert list_numbers(filled, three_days) == {late.number}
    assert queue_numbers(filled, three_days, QueueView.ALL) == {late.number}
    since = replace(three_days, received_to=None)
    assert list_numbers(filled, since) == {late.number, recent.number}
    assert queue_numbers(filled, since, QueueView.ALL) == {late.number, recent.number}
    start, end = _days(filled, 40, 39)
    none = replace(three_days, received_from=start, received_to=end)
    assert list_numbers(filled, none) == set() == queue_numbers(filled, none, QueueView.ALL)


def test_a_block_reached_into_from_outside_the_range_is_not_exact(filled: DeskService) -> None:
    words = "鼠标滚轮失灵"
    early = log_call(filled, f"{words}一", minutes_ago=60 * 24 * 3)
    between = log_call(filled, f"{words}二", minutes_ago=5)
    late = log_call(filled, f"{words}三", minutes_ago=60 * 24 * 3 + 30)
    start, end = _days(filled, 3, 3)
    with filled.db.read() as session:
        block = received_block(session, start, end)
    # today's call lies between the two of three days ago: the block holds it too
    assert block == ReceivedBlock(early.id, late.id, exact=False)
    assert early.id < between.id < late.id
    that_day = TicketFilter(search=words, received_from=start, received_to=end, status=EVERY_STATUS)
    found = {early.number, late.number}
    assert list_numbers(filled, that_day) == found == queue_numbers(filled, that_day, QueueView.ALL)
    assert queue_numbers(filled, that_day, QueueView.OPEN) == found


def test_the_received_block_is_the_ranges_first_and_last(filled: DeskService) -> None:
    late = log_call(filled, "网络时断时续", minutes_ago=60 * 24 * 3)
    with filled.db.read() as session:
        assert received_block(session, None, None) is None
        start, end = _days(filled, 4, 2)
        assert received_block(session, start, end) == ReceivedBlock(late.id, late.id, True)
        start, end = _days(filled, 40, 39)
        assert received_block(session, start, end) == ReceivedBlock(0, -1, True)
        # the hour table holds every ticket: its spans cover each id in its own hour
        rows = session.execute(sql("SELECT hour, first_id, last_id FROM received_hour")).all()
        tickets = session.execute(sql("SELECT id, received_at FROM ticket")).all()
    spans = {hour: (first, last) for hour, first, last in rows}
    for ticket_id, received in tickets:
        stamp = received if isinstance(received, datetime) else datetime.fromisoformat(received)
        seconds = stamp.replace(tzinfo=stamp.tzinfo or UTC).timestamp()
        first, last = spans[int(seconds // 3600)]
        assert first <= ticket_id <= last


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2026-11-02", False, datetime(2026, 11, 2, tzinfo=TZ)),
        ("2026-11-02", True, datetime(2026, 11, 3, tzinfo=TZ)),
        (" 2026-11-02 ", False, datetime(2026, 11, 2, tzinfo=TZ)),
        ("2026-11-01T16:00:00Z", False, datetime(2026, 11, 2, tzinfo=TZ)),
        ("", False, None),
        (None, True, None),
    ],
)
def test_a_day_or_a_time(value: str | None, end: bool, expected: datetime | None) -> None:
    assert received_bound("from", value, TZ, end=end) == expected


@pytest.mark.parametrize(
    "value", ["2026-02-30", "2026-13-01", "yesterday", "20261102", "2026-W01-1", "2026-11-02T25:00"]
)
def test_what_is_no_day_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(ServiceError) as refused:
        received_bound("to", value, TZ, end=True)
    assert refused.value.field == "to" and refused.value.code == "field.day_or_time"
    assert value in refused.value.message


@pytest.mark.parametrize(
    ("filters", "field", "kind"),
    [
        (TicketFilter(status=("open",)), "status", ServiceError),
        (TicketFilter(priority=("P0",)), "priority", ServiceError),
        (TicketFilter(types=("question",)), "type", ServiceError),
        (TicketFilter(categories=("printer",)), "category", ServiceError),
        (TicketFilter(channels=("fax",)), "channel", ServiceError),
        (TicketFilter(group="nosuch"), "group", NotFound),
        (TicketFilter(assignee="nobody"), "assignee", NotFound),
        (
            TicketFilter(
                received_from=datetime(2026, 11, 3, tzinfo=TZ),
                received_to=datetime(2026, 11, 2, tzinfo=TZ),
            ),
            "to",
            ServiceError,
        ),
    ],
)
def test_a_bad_filter_is_refused_in_the_queue_as_in_the_list(
    desk: DeskService, filters: TicketFilter, field: str, kind: type[ServiceError]
) -> None:
    with pytest.raises(kind) as listed:
        desk.tickets(filters)
    assert listed.value.field == field
    with pytest.raises(kind) as queued:
        QueueReader.of(desk).count(QueueQuery(QueueView.OPEN, filters=filters))
    assert queued.value.field == field


#: Searches for the oracle below: words in many tickets, in few, a name, a phone, a number tail.
ORACLE_SEARCHES = ("无法", "投影", "无线", "vpn", "zhangsan", "138 0013 8000", "outl")


def matching(desk: DeskService, text: str) -> set[str]:
    """Every ticket the words are in, whatever its state: the ranked search, which knows no
    view and no filter."""
    return {h.number for h in KnowledgeBase.of(desk).search_tickets(text, limit=500)}


def shown(
    desk: DeskService, view: QueueView, filters: TicketFilter, search: str, who: str
) -> list[str]:
    """The numbers the queue shows ``who`` in ``view``, in order, and checks the count."""
    reader = QueueReader.of(desk)
    query = QueueQuery.for_actor(desk.actor(who), view, search, filters)
    rows = reader.after(query, None, 500)
    assert reader.count(query) == len(rows)
    # page by page, forwards and backwards, the same rows
    forwards: list[QueueRow] = []
    while page := reader.after(query, forwards[-1].key if forwards else None, 2):
        forwards += page
    backwards: list[QueueRow] = []
    while page := reader.before(query, backwards[0].key if backwards else None, 3):
        backwards = page + backwards
    assert forwards == backwards == rows
    return [r.number for r in rows]


@pytest.mark.parametrize(
    "filters",
    [
        TicketFilter(),
        TicketFilter(categories=("network", "hardware")),
        TicketFilter(priority=("P2", "P3")),
        TicketFilter(assignee="agent1"),
        TicketFilter(assignee="-"),
        TicketFilter(group="hardware"),
        TicketFilter(status=("in_progress", "pending", "closed")),
        TicketFilter(channels=("phone",), types=("incident",)),
    ],
    ids=lambda f: ",".join(f"{k}={v}" for k, v in vars(f).items() if v and k != "limit") or "-",
)
def test_a_search_within_a_view_and_filters_is_exactly_both(
    filled: DeskService, filters: TicketFilter
) -> None:
    """The index narrows a search by the view's and the filters' facets: what it shows is what
    the view and filters show (plain conditions on the tickets) among what the words match, in
    the view's order, after claims, transfers, pauses, solutions, closes and a rejection."""
    filled.transfer(filled.actor("agent1"), fill_numbers(filled)[0], "network")
    assert_exact(filled, filters)


@pytest.mark.parametrize(("walk", "chunk"), [(1, 1), (4, 2), (6, 3)])
def test_a_search_is_exact_whether_the_tickets_walked_hold_enough_or_not(
    filled: DeskService, walk: int, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a search walks the tickets of the order a chunk at a time testing each,
    and reads the matches whole when the walk found too few: every way gives the same rows (a
    walk of a few tickets takes the second way nearly always)."""
    monkeypatch.setattr(queue_reader, "WALK", walk)
    monkeypatch.setattr(queue_reader, "WALK_CHUNK", chunk)
    assert_exact(filled, TicketFilter())
    assert_exact(filled, TicketFilter(categories=("network", "software")))


def assert_exact(filled: DeskService, filters: TicketFilter) -> None:
    """Each view's search with ``filters`` shows exactly the view's tickets among the words'
    matches, in the view's order, and counts them."""
    searches = (*ORACLE_SEARCHES, fill_numbers(filled)[2][-3:])
    words = {s: matching(filled, s) for s in searches}
    found = 0
    for view in QueueView:
        unsearched = shown(filled, view, filters, "", "agent1")
        for search in searches:
            tails = {n for n in unsearched if search.isdigit() and n.endswith(search)}
            expected = [n for n in unsearched if n in words[search] | tails]
            assert shown(filled, view, filters, search, "agent1") == expected, (view, search)
            found += len(expected)
    assert found, "the searches find tickets in the views"


def fill_numbers(desk: DeskService) -> list[str]:
    """The desk's numbers, oldest first."""
    return sorted(list_numbers(desk, TicketFilter(status=EVERY_STATUS)))
