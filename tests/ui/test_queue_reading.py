"""Which rows the queue's table asks for on each kind of read, without a terminal."""

from __future__ import annotations

import pytest

from deskui.services.desk import DeskService
from deskui.services.queue import QueueKey, QueueQuery, QueueReader, QueueView
from deskui.widgets.queue_table.reading import WindowRequest, read_window
from tests.services.test_queue import fill_desk

PAGE = 4  # a small page, so a desk of fourteen tickets spans several


@pytest.fixture
def queue(desk: DeskService) -> tuple[QueueReader, QueueQuery]:
    fill_desk(desk)
    return QueueReader.of(desk), QueueQuery.for_actor(desk.actor("agent2"), QueueView.OPEN)


def request(
    kind: str,
    *,
    anchor: QueueKey | None = None,
    cursor_id: int | None = None,
    cursor: int = 0,
    top: int = 0,
    known_total: int | None = None,
) -> WindowRequest:
    return WindowRequest(kind, anchor, cursor_id, cursor, top, PAGE, known_total)


def test_a_new_view_reads_the_first_pages(queue: tuple[QueueReader, QueueQuery]) -> None:
    reader, query = queue
    everything = reader.after(query, None, 100)
    window = read_window(reader, query, request("reset"))
    assert window.start == 0 and [r.id for r in window.rows] == [r.id for r in everything[:12]]


def test_end_reads_the_last_rows_and_places_them(queue: tuple[QueueReader, QueueQuery]) -> None:
    reader, query = queue
    everything = reader.after(query, None, 100)
    window = read_window(reader, query, request("bottom"))
    assert window.total == len(everything)
    assert window.start == len(everything) - len(window.rows)
    assert [r.id for r in window.rows] == [r.id for r in everything[-len(window.rows) :]]


def test_extending_the_block_reads_on_from_its_edge(queue: tuple[QueueReader, QueueQuery]) -> None:
    reader, query = queue
    everything = reader.after(query, None, 100)
    edge = everything[3]
    after = read_window(reader, query, request("after", anchor=edge.key))
    assert [r.id for r in after.rows] == [r.id for r in everything[4 : 4 + PAGE * 3]]
    assert (after.start, after.total) == (-1, -1), "its place follows from the block's"
    before = read_window(reader, query, request("before", anchor=everything[8].key))
    assert [r.id for r in before.rows] == [r.id for r in everything[:8]][-PAGE * 3 :]


def test_a_refresh_keeps_the_cursors_ticket_in_the_window(
    queue: tuple[QueueReader, QueueQuery],
) -> None:
    reader, query = queue
    everything = reader.after(query, None, 100)
    cursor = 9
    window = read_window(
        reader,
        query,
        request("refresh", cursor_id=everything[cursor].id, cursor=cursor, top=6, known_total=14),
    )
    ids = [r.id for r in window.rows]
    assert everything[cursor].id in ids
    assert window.start == cursor - ids.index(everything[cursor].id)
