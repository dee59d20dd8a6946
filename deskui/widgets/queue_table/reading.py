"""Which rows the queue's table asks for, and how: one pure function per kind of read.

The table holds only a small block of rows around the viewport. What it asks for depends on why
it reads — the view was reset, the agent jumped to the top or the bottom, the desk changed and
the rows in view are read again around the cursor, or the cursor nears the edge of the block
and the block is extended — and :func:`read_window` turns that into keyset reads of a
:class:`~deskui.services.queue.QueueReader`. It runs in the table's thread worker and touches no
widget, so it is tested without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from deskui.services.queue import QueueKey, QueueQuery, QueueReader, QueueWindow

#: Rows wanted beyond the viewport on each side, in pages (read ahead before they are needed).
MARGIN_PAGES = 2
#: Rows read at a time when the block is extended, in pages.
FETCH_PAGES = 3
#: The kinds of read: ``reset`` (a new view), ``top``/``bottom`` (home/end), ``refresh`` (the
#: rows in view again), ``after``/``before`` (extend the block), ``at`` (a jump far from it).
KINDS = ("reset", "top", "bottom", "refresh", "after", "before", "at")


@dataclass(frozen=True)
class WindowRequest:
    """What the table knows when it asks (copied off the widget: the read runs in a thread).

    Attributes:
        kind: why it reads (one of :data:`KINDS`).
        anchor: the row to read on from (``after``/``before``).
        cursor_id: the ticket under the cursor (``refresh`` keeps it in the window).
        cursor: the cursor's index in the view.
        top: the index of the first row on screen.
        page: rows in a page (the viewport's height, at least 20).
        known_total: the view's size as last counted, if it was.
    """

    kind: str
    anchor: QueueKey | None
    cursor_id: int | None
    cursor: int
    top: int
    page: int
    known_total: int | None


def read_window(reader: QueueReader, query: QueueQuery, request: WindowRequest) -> QueueWindow:
    """The rows ``request`` asks for (a window's start and total are -1 when not known)."""
    kind, page, top, cursor = request.kind, request.page, request.top, request.cursor
    if kind == "reset":
        rows = reader.after(query, None, page * (MARGIN_PAGES + 1))
        return QueueWindow(tuple(rows), 0, len(rows))
    if kind in ("top", "bottom"):
        # the known size will do: a change to it arrives with the next refresh
        total = request.known_total
        if total is None:
            total = reader.count(query)
        if kind == "top":
            rows = reader.after(query, None, page * 2)
            return QueueWindow(tuple(rows), 0, max(total, len(rows)))
        rows = reader.before(query, None, page * 2)
        total = max(total, len(rows))
        return QueueWindow(tuple(rows), total - len(rows), total)
    if kind == "refresh":
        # from a page above the screen's top to two pages below its bottom
        above = max(page, min(cursor - top + page, 4 * page))
        below = max(page, min(top + page * (MARGIN_PAGES + 1) - cursor, 5 * page))
        return reader.around(query, request.cursor_id, cursor, above, below)
    if kind == "after":
        rows = reader.after(query, request.anchor, page * FETCH_PAGES)
        return QueueWindow(tuple(rows), -1, -1)
    if kind == "before":
        rows = reader.before(query, request.anchor, page * FETCH_PAGES)
        return QueueWindow(tuple(rows), -1, -1)
    # a jump far from the block
    return reader.at(query, max(0, top - page * MARGIN_PAGES), page * (2 * MARGIN_PAGES + 1))
