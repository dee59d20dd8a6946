"""The live queue's table: a Line-API widget that holds only the rows around the viewport.

It never loads the whole view. A thread worker reads the rows in view (plus a page either side)
by keyset through a :class:`~deskui.services.queue.QueueReader`; the widget keeps that small
contiguous block, renders each visible line on demand from it (cached per line), and asks for
the next block before the cursor reaches the edge. Moving the cursor inside the block touches
no database and repaints two lines.

Lines are painted by :class:`~deskui.widgets.queue_table.row.RowPainter` from sanitized strings,
with phone numbers masked, and repainted only when their text changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from time import perf_counter
from typing import Any

from textual import events, on, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deskui.i18n import Catalog
from deskui.services.queue import QueueKey, QueueQuery, QueueReader, QueueRow, QueueWindow
from deskui.services.rules import DeskRules
from deskui.widgets.queue_table.block import RowBlock
from deskui.widgets.queue_table.reading import MARGIN_PAGES, WindowRequest, read_window
from deskui.widgets.queue_table.row import Column, RowPainter, RowStyles, layout_columns

#: The block never grows past this many pages (memory stays flat at any queue size).
MAX_BLOCK_PAGES = 12


class TicketTable(ScrollView, can_focus=True):
    """The queue's rows, read by keyset a window at a time.

    Args:
        reader: reads windows of the view (called from a thread worker only).
        query: the view to show first.
        t: the catalog (headers, statuses, categories, clock words).
        now: the desk's clock.
    """

    DEFAULT_CSS = """
    TicketTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-gutter: stable;
    }
    TicketTable > .ticket-table--header {
        text-style: bold;
        background: $panel;
    }
    TicketTable > .ticket-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    TicketTable > .ticket-table--selected {
        background: $accent 30%;
    }
    TicketTable > .ticket-table--placeholder {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES = {
        "ticket-table--header",
        "ticket-table--cursor",
        "ticket-table--selected",
        "ticket-table--placeholder",
    }

    BINDINGS = [
        Binding("up", "cursor_up", "queue.key.up", show=False, id="queue.up"),
        Binding("down", "cursor_down", "queue.key.down", show=False, id="queue.down"),
        Binding("pageup", "page_up", "queue.key.page_up", show=False, id="queue.page_up"),
        Binding("pagedown", "page_down", "queue.key.page_down", show=False, id="queue.page_down"),
        Binding("home", "first", "queue.key.home", show=False, id="queue.home"),
        Binding("end", "last", "queue.key.end", show=False, id="queue.end"),
        Binding(
            "space",
            "toggle_select",
            "queue.key.select",
            tooltip="queue.key.select.tip",
            id="queue.select",
        ),
    ]

    class CursorMoved(Message):
        """The cursor is on another ticket (or on none)."""

        def __init__(self, table: TicketTable, row: QueueRow | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

    class Loaded(Message):
        """A window arrived: the view's size and the selection may have changed."""

        def __init__(self, table: TicketTable, total: int) -> None:
            super().__init__()
            self.table = table
            self.total = total

    class LoadFailed(Message):
        """Reading the queue failed (the database went away)."""

        def __init__(self, table: TicketTable, error: Exception) -> None:
            super().__init__()
            self.table = table
            self.error = error

    class _Arrived(Message):
        """A worker's result: a window to merge (internal)."""

        def __init__(
            self,
            generation: int,
            kind: str,
            window: QueueWindow,
            rules: DeskRules,
            anchor: QueueKey | None,
            cells: dict[tuple[int, ...], tuple[str, ...]],
        ) -> None:
            super().__init__()
            self.generation = generation
            self.kind = kind
            self.window = window
            self.rules = rules
            self.anchor = anchor
            self.cells = cells

    class _Failed(Message):
        """A worker's read failed (internal)."""

        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    class _Counted(Message):
        """The view's size (internal)."""

        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    def __init__(
        self,
        reader: QueueReader,
        query: QueueQuery,
        t: Catalog,
        now: Callable[[], datetime],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.reader = reader
        """Where rows come from."""
        self.view_query = query
        """The view shown."""
        self.t = t
        """The catalog."""
        self._now = now
        self.cursor = 0
        """Index (in the whole view) of the row under the cursor."""
        self.total: int | None = None
        """Rows in the view (None until counted)."""
        self.selected: dict[int, QueueRow] = {}
        """Selected tickets by id (kept across refreshes and scrolling)."""
        self._block = RowBlock()
        self._rules: DeskRules | None = None
        self._generation = 0
        self._busy = False
        self._cursor_id: int | None = None
        self._reported: tuple[int | None, int | None] = (None, None)
        self._instant = now()
        self._strips: LRUCache[tuple[Any, ...], tuple[Strip, datetime]] = LRUCache(1024)
        self._painter = RowPainter(t)
        self._styles: RowStyles | None = None
        self._columns: list[Column] = []
        self.first_rows_at: float | None = None
        """perf_counter() when the first rows arrived (for the benchmark's first paint)."""

    # the data block ---------------------------------------------------------------------------
    @property
    def body_height(self) -> int:
        """Rows visible under the header."""
        return max(1, self.size.height - 1)

    @property
    def rules(self) -> DeskRules | None:
        """The desk's rules, once the first window arrived with them."""
        return self._rules

    @property
    def current_row(self) -> QueueRow | None:
        """The row under the cursor, if loaded."""
        return self.row_at(self.cursor)

    def row_at(self, index: int) -> QueueRow | None:
        """The row at an index of the view, if it is in the block."""
        return self._block.row_at(index)

    @property
    def loaded_rows(self) -> Sequence[QueueRow]:
        """The rows held (the block around the viewport)."""
        return tuple(self._block.rows)

    @property
    def block_start(self) -> int:
        """Index (in the view) of the first row held."""
        return self._block.start

    def targets(self) -> list[QueueRow]:
        """The tickets an action applies to: the selection, or else the cursor's row."""
        if self.selected:
            return list(self.selected.values())
        row = self.current_row
        return [row] if row else []

    def set_query(self, query: QueueQuery) -> None:
        """Show another view (or search): back to the top, selection cleared."""
        self.view_query = query
        self.selected.clear()
        self._generation += 1
        self._block.replace([], 0)
        self.total = None
        self.cursor = 0
        self._cursor_id = None
        self.scroll_to(y=0, animate=False)
        self._resize_virtual()
        self.refresh()
        self._load(self._generation, "reset")

    def reload(self) -> None:
        """Read the rows in view again (a change arrived), keeping cursor and selection."""
        self._generation += 1
        self._load(self._generation, "refresh")

    # workers ----------------------------------------------------------------------------------
    def on_mount(self) -> None:
        """Keys in the agent's language; read the first window."""
        self._instant = self._now()
        self._load(self._generation, "reset")

    def _load(self, generation: int, kind: str, anchor: QueueKey | None = None) -> None:
        """Start a read; the worker gets everything it needs as arguments."""
        self._busy = True
        request = WindowRequest(
            kind,
            anchor,
            self._cursor_id,
            self.cursor,
            round(self.scroll_y),
            max(20, self.body_height),
            self.total,
        )
        self._read(generation, request)

    @work(thread=True, group="ticket-table", exit_on_error=False)
    def _read(self, generation: int, request: WindowRequest) -> None:
        """Read a window in a thread and post it; never touches widget state."""
        reader, query = self.reader, self.view_query
        try:
            window = read_window(reader, query, request)
            cells = self._painter.prepare(window.rows)
            anchor = request.anchor if request.kind != "reset" else None
            arrived = self._Arrived(generation, request.kind, window, reader.rules(), anchor, cells)
            self.post_message(arrived)
            if request.kind == "reset":
                self.post_message(self._Counted(generation, reader.count(query)))
        except Exception as exc:  # noqa: BLE001 - shown to the agent; the table stays usable
            self.post_message(self._Failed(exc))

    @on(_Failed)
    def _failed(self, message: _Failed) -> None:
        message.stop()
        self._busy = False
        self.post_message(self.LoadFailed(self, message.error))

    @on(_Arrived)
    def _arrived(self, message: _Arrived) -> None:
        message.stop()
        self._busy = False
        if message.generation != self._generation:
            self._fill()
            return
        self._rules = message.rules
        self._painter.remember(message.cells)
        window = message.window
        kind = message.kind
        repaint = self._viewport_has_gap()
        block = self._block
        if kind == "reset":
            block.replace(window.rows, 0)
            if self.total is None:
                self.total = len(window.rows)
            self._resize_virtual()
            self._mark_first_rows()
            repaint = True
        elif kind in ("refresh", "jump", "top", "bottom"):
            self._apply_window(window, follow=kind == "refresh")
            repaint = True
            if kind == "top":
                self.scroll_to(y=0, animate=False)
                self._move(0)
            elif kind == "bottom":
                self.scroll_to(y=window.total, animate=False)
                self._move(window.total - 1)
        elif kind == "after":
            block.append(message.anchor, window.rows)
        elif kind == "before":
            block.prepend(message.anchor, window.rows)
        block.trim(MAX_BLOCK_PAGES * max(20, self.body_height), round(self.scroll_y))
        if repaint:
            # lines are cached by ticket and version, so only what moved is painted again
            self.refresh()
        self._report_cursor()
        self.post_message(self.Loaded(self, self.total or 0))
        self._fill()

    def _viewport_has_gap(self) -> bool:
        top = round(self.scroll_y)
        bottom = min(self.total or 0, top + self.body_height)
        return any(self.row_at(index) is None for index in range(top, bottom))

    @on(_Counted)
    def _counted(self, message: _Counted) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.total = message.total
        self._resize_virtual()
        self.post_message(self.Loaded(self, self.total))
        self._fill()

    def _apply_window(self, window: QueueWindow, *, follow: bool) -> None:
        """Replace the block by a fresh window.

        Args:
            follow: keep the cursor on its ticket, on the same screen line (a refresh); the
                ticket the cursor is on now wins over the one asked for, in case the agent
                moved while the window was read.
        """
        on_screen = self.cursor - round(self.scroll_y)
        self.total = window.total
        self._block.replace(window.rows, window.start)
        self._resize_virtual()
        if follow:
            found = self._block.index_of(self._cursor_id)
            if found is not None:
                self.cursor = found
            elif window.cursor is not None:
                self.cursor = window.cursor
        self.cursor = max(0, min(self.cursor, window.total - 1))
        if follow:
            self.scroll_to(y=max(0, self.cursor - on_screen), animate=False)
        for row in self._block.rows:
            if row.id in self.selected:
                self.selected[row.id] = row

    def _mark_first_rows(self) -> None:
        if self.first_rows_at is None and self._block.rows:
            self.first_rows_at = perf_counter()

    def _fill(self) -> None:
        """Ask for the rows the viewport (plus a margin) needs and the block lacks."""
        if self._busy or self.total is None:
            return
        page = max(20, self.body_height)
        top = round(self.scroll_y)
        want_lo = max(0, top - page * MARGIN_PAGES)
        want_hi = min(self.total, top + self.body_height + page * MARGIN_PAGES)
        block = self._block
        if block.holds(want_lo, want_hi):
            return
        kind: str
        anchor: QueueKey | None = None
        far = top + self.body_height <= block.start - page or top >= block.end + page
        if not block.rows or far:
            kind = "jump"
        elif want_hi > block.end and block.end < self.total:
            kind, anchor = "after", block.last_key
        elif want_lo < block.start and block.start > 0:
            kind, anchor = "before", block.first_key
        else:
            return
        if kind == "jump":
            self._generation += 1
        # read ahead once this key's frame is out: the worker's Python would compete with the
        # frame for the interpreter lock
        self._busy = True
        self.call_after_refresh(self._load, self._generation, kind, anchor)

    def _resize_virtual(self) -> None:
        rows = self.total if self.total is not None else len(self._block)
        self.virtual_size = Size(self.size.width, rows + 1)

    # cursor and keys ---------------------------------------------------------------------------
    def _move(self, index: int) -> None:
        total = self.total or 0
        if total == 0:
            return
        old = self.cursor
        self.cursor = max(0, min(index, total - 1))
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + self.body_height:
            self.scroll_to(y=self.cursor - self.body_height + 1, animate=False)
        else:
            self.refresh_line(old + 1)
            self.refresh_line(self.cursor + 1)
        self._report_cursor()
        self._fill()

    def _report_cursor(self) -> None:
        row = self.current_row
        if row is not None:
            self._cursor_id = row.id
        state = (row.id if row else None, row.version if row else None)
        if state != self._reported:
            self._reported = state
            self.post_message(self.CursorMoved(self, row))

    def action_cursor_up(self) -> None:
        """One row up."""
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        """One row down."""
        self._move(self.cursor + 1)

    def action_page_up(self) -> None:
        """A page up: the cursor keeps its line on screen."""
        page = max(1, self.body_height - 1)
        self.scroll_to(y=round(self.scroll_y) - page, animate=False)
        self._move(self.cursor - page)

    def action_page_down(self) -> None:
        """A page down: the cursor keeps its line on screen."""
        page = max(1, self.body_height - 1)
        self.scroll_to(y=round(self.scroll_y) + page, animate=False)
        self._move(self.cursor + page)

    def action_first(self) -> None:
        """The top of the queue (read first if the block does not hold it: the screen moves
        once the rows are there, rather than showing empty lines)."""
        if self.row_at(0) is None and self.total:
            self._jump("top")
            return
        self.scroll_to(y=0, animate=False)
        self._move(0)

    def action_last(self) -> None:
        """The bottom of the queue (read by keyset from the end when not held)."""
        total = self.total or 0
        if total and self.row_at(total - 1) is None:
            self._jump("bottom")
            return
        self.scroll_to(y=total, animate=False)
        self._move(total - 1)

    def _jump(self, kind: str) -> None:
        self._generation += 1
        self._load(self._generation, kind)

    def action_toggle_select(self) -> None:
        """Select or unselect the cursor's ticket; the cursor stays (``down`` moves on), so
        what is marked is what the cursor is on."""
        row = self.current_row
        if row is None:
            return
        if self.selected.pop(row.id, None) is None:
            self.selected[row.id] = row
        self.refresh_line(self.cursor + 1)
        self.post_message(self.Loaded(self, self.total or 0))

    def clear_selection(self) -> None:
        """Unselect everything."""
        if self.selected:
            self.selected.clear()
            self.refresh()
            self.post_message(self.Loaded(self, self.total or 0))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Scrolling (keys, wheel or scrollbar) may need rows the block lacks."""
        super().watch_scroll_y(old_value, new_value)
        self._fill()

    def on_resize(self, event: events.Resize) -> None:
        """New width: new column layout."""
        self._columns = []
        self._strips.clear()
        self._resize_virtual()
        self._fill()

    def on_click(self, event: events.Click) -> None:
        """A click on a row puts the cursor there."""
        if event.y >= 1:
            self._move(round(self.scroll_y) + event.y - 1)

    # rendering -------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        """The theme or CSS changed: look the styles up again, repaint every line."""
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def on_focus(self, _event: events.Focus) -> None:
        """The cursor shows only while the table has the focus."""
        self.refresh()

    def on_blur(self, _event: events.Blur) -> None:
        """The cursor hides."""
        self.refresh()

    def styles_now(self) -> RowStyles:
        """The table's styles, looked up once per theme."""
        if self._styles is None:
            component = self.get_component_rich_style
            self._styles = RowStyles(
                base=self.rich_style,
                header=component("ticket-table--header"),
                cursor=component("ticket-table--cursor"),
                selected=component("ticket-table--selected"),
                placeholder=component("ticket-table--placeholder"),
            )
        return self._styles

    def tick(self) -> None:
        """A second passed: repaint only the visible lines whose clocks or age now read
        differently."""
        self._instant = now = self._now()
        top = round(self.scroll_y)
        width = self.size.width
        for y in range(1, self.size.height):
            row = self.row_at(top + y - 1)
            if row is None:
                continue
            entry = self._strips.get(self._line_key(row, top + y - 1, width))
            if entry is not None and entry[1] <= now:
                self.refresh_line(top + y)

    def _line_key(self, row: QueueRow, index: int, width: int) -> tuple[Any, ...]:
        """What a drawn line depends on; it ends with (cursor, selected, width)."""
        cursor = index == self.cursor and self.has_focus_within_screen
        return (*row.drawn, cursor, row.id in self.selected, width)

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then the rows from the scroll position."""
        width = self.size.width
        styles = self.styles_now()
        if not self._columns:
            self._columns = layout_columns(width)
        if y == 0:
            return self._painter.header(self._columns, width, styles.base + styles.header)
        index = round(self.scroll_y) + y - 1
        if self.total is not None and index >= self.total:
            return Strip.blank(width, styles.base)
        row = self.row_at(index)
        if row is None:
            return self._painter.placeholder(
                width, styles.base + styles.placeholder, loading=bool(self.total)
            )
        key = self._line_key(row, index, width)
        entry = self._strips.get(key)
        if entry is None or entry[1] <= self._instant:
            entry = self._painter.paint(
                row,
                self._columns,
                width,
                styles,
                now=self._instant,
                rules=self._rules,
                cursor=key[-3],
                selected=key[-2],
            )
            self._strips[key] = entry
        return entry[0]

    @property
    def has_focus_within_screen(self) -> bool:
        """The cursor is drawn when the table has focus or nothing else on screen does."""
        focused = self.screen.focused if self.is_attached else None
        return focused is None or focused is self
