"""The emergency board's table: two lines a ticket, three clocks each, drawn with the Line API.

Only the lines on screen are drawn, and only when asked: the board's one timer sets :attr:`now`
once a second and the table repaints what is visible. A DataTable updating a cell per clock
would cost a re-layout per cell; here a second of ticking is one repaint of the viewport.

Line 0 is a fixed header; below it, ticket *i* takes content lines ``2i`` (the ticket) and
``2i + 1`` (its clocks).

The columns follow the width (:func:`columns`): on a narrow terminal (80×24) the tier, the
requester and then the status and assignee give way, the priority shrinks to its code, so the
number, the priority, the summary and the nearest clock stay readable; the clock line puts the
most urgent clock first and gives it the room it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deskui.console.context import desk_context
from deskui.core.alerts import Acknowledgement
from deskui.core.enums import ClockKind, ClockState, Priority
from deskui.core.sanitize import sanitize_line
from deskui.core.sla import SlaClock
from deskui.services.board import BoardRow, BoardSnapshot
from deskui.widgets.cells import fit_text, word
from deskui.widgets.sla_text import STYLES, clock_label

#: Cells of each fixed column of the ticket line at full width (the summary takes what is left).
FLAG, PRIORITY, NUMBER, STATUS, REQUESTER, ASSIGNEE, TIER = 6, 14, 15, 14, 16, 12, 6
#: The summary keeps at least this many cells: narrower, the other columns give way.
SUMMARY_MIN = 30
#: Below this width the priority is shown as its code alone (``P1``) and the flag narrows.
COMPACT_BELOW = 120


@dataclass(frozen=True)
class Columns:
    """The cells of each column of the ticket line at one width (0: the column is not shown)."""

    flag: int
    priority: int
    number: int
    status: int
    summary: int
    requester: int
    assignee: int
    tier: int

    @property
    def compact(self) -> bool:
        """Narrow: the priority as its code, the clocks nearest first."""
        return self.priority < PRIORITY


def columns(width: int) -> Columns:
    """The columns at ``width`` cells: the optional ones give way (tier, requester, status,
    assignee, in that order) until the summary has :data:`SUMMARY_MIN` cells."""
    compact = width < COMPACT_BELOW
    flag, priority = (4, 6) if compact else (FLAG, PRIORITY)
    optional = {"status": STATUS, "assignee": ASSIGNEE, "requester": REQUESTER, "tier": TIER}
    for name in ("tier", "requester", "status", "assignee"):
        if width - flag - priority - NUMBER - sum(optional.values()) >= SUMMARY_MIN:
            break
        optional[name] = 0
    summary = max(1, width - flag - priority - NUMBER - sum(optional.values()))
    return Columns(flag=flag, priority=priority, number=NUMBER, summary=summary, **optional)


_CLOCKS = (ClockKind.RESPONSE, ClockKind.UPDATE, ClockKind.RESOLUTION)
_BOLD = Style(bold=True)
#: Drawn ticket lines kept: a few screens in both flash phases (a bigger cache costs more to
#: the garbage collector than it saves in drawing).
_CACHE_LIMIT = 256
#: Each clock state's style, parsed once.
_CLOCK_STYLES = {state: Style.parse(style) + _BOLD for state, style in STYLES.items()}


def _cell(value: str, cells: int, style: str | Style = "") -> Text:
    """A column's text in ``cells`` cells, its last one a gap to the next column."""
    line = fit_text(value, cells - 1, style)
    line.append(" ")
    return line


def fit_segments(pieces: list[tuple[str, Style]], width: int, pad: Style) -> list[Segment]:
    """Styled pieces cut (with an ellipsis) or padded to exactly ``width`` cells."""
    out: list[Segment] = []
    used = 0
    for text, style in pieces:
        cells = cell_len(text)
        if used + cells > width:
            room = width - used
            if room > 0:
                out.append(Segment(set_cell_size(text, room - 1) + "…", style))
            return out
        out.append(Segment(text, style))
        used += cells
    if used < width:
        out.append(Segment(" " * (width - used), pad))
    return out


class BoardTable(ScrollView, can_focus=True):
    """Tickets of the emergency board with their three SLA clocks, ticking."""

    DEFAULT_CSS = """
    BoardTable {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-gutter: stable;
    }
    BoardTable > .board-table--header { color: $text-muted; text-style: bold; }
    BoardTable > .board-table--cursor { background: $accent 30%; }
    BoardTable > .board-table--flash { background: $error 55%; }
    BoardTable > .board-table--flash-dim { background: $error 20%; }
    BoardTable > .board-table--flag { background: $error; color: $text; text-style: bold; }
    BoardTable > .board-table--p1 { background: $error; color: $text; text-style: bold; }
    BoardTable > .board-table--p2 { background: $warning 70%; color: $text; text-style: bold; }
    BoardTable > .board-table--label { color: $text-muted; }
    BoardTable > .board-table--unassigned { color: $warning; text-style: bold; }
    BoardTable > .board-table--empty { color: $success; text-style: bold; }
    """

    COMPONENT_CLASSES = {
        "board-table--header",
        "board-table--cursor",
        "board-table--flash",
        "board-table--flash-dim",
        "board-table--flag",
        "board-table--p1",
        "board-table--p2",
        "board-table--label",
        "board-table--unassigned",
        "board-table--empty",
    }

    BINDINGS = [
        Binding("up", "cursor(-1)", "queue.key.up", show=False, id="board.up"),
        Binding("down", "cursor(1)", "queue.key.down", show=False, id="board.down"),
        Binding("pageup", "page(-1)", "queue.key.page_up", show=False, id="board.page_up"),
        Binding("pagedown", "page(1)", "queue.key.page_down", show=False, id="board.page_down"),
        Binding("home", "jump(0)", "queue.key.home", show=False, id="board.home"),
        Binding("end", "jump(-1)", "queue.key.end", show=False, id="board.end"),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)
    """Index of the selected ticket."""

    class CursorMoved(Message):
        """Another ticket is selected (or none: ``number`` is None)."""

        def __init__(self, number: str | None) -> None:
            super().__init__()
            self.number = number

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's own name
        super().__init__(id=id)
        self.snapshot: BoardSnapshot | None = None
        """What is shown; None until the first read arrives."""
        self.now: datetime | None = None
        """The instant the clocks are drawn at (set by the board's timer)."""
        self.flagged: frozenset[str] = frozenset()
        """Numbers of tickets with an unacknowledged alert: they flash."""
        self.acknowledged: Mapping[str, Acknowledgement] = {}
        """The acknowledgement of each ticket whose standing alerts are all acknowledged."""
        self.phase = 0
        """Flash phase, 0 or 1, alternating with the seconds."""
        self._clocks: dict[str, dict[ClockKind, SlaClock]] = {}
        self._ticket_lines: dict[tuple[object, ...], Strip] = {}
        self._clock_lines: dict[tuple[object, ...], Strip] = {}
        """Clock lines drawn this second, by what they say: a read of the board in between
        redraws only the lines whose words changed."""
        self._styles: dict[tuple[str, str], Style] = {}
        """The table's own style and its components' (cleared when the theme or CSS changes)."""

    # data in -----------------------------------------------------------------------------------
    @property
    def rows(self) -> tuple[BoardRow, ...]:
        """The tickets shown."""
        return self.snapshot.rows if self.snapshot else ()

    @property
    def selected(self) -> BoardRow | None:
        """The ticket under the cursor."""
        rows = self.rows
        return rows[self.cursor] if rows and 0 <= self.cursor < len(rows) else None

    def show(self, snapshot: BoardSnapshot, *, stay: bool = False) -> None:
        """Show a new read of the board (or its rows in a new order), keeping the cursor on the
        same ticket while it stays in sight; ``stay``: at the same place instead (the ticket
        acknowledged there moved down, the next one comes under the cursor)."""
        keep = self.selected.number if self.selected else None
        self.snapshot = snapshot
        self._clocks.clear()
        if len(self._ticket_lines) > _CACHE_LIMIT:
            self._ticket_lines.clear()
        numbers = [r.number for r in snapshot.rows]
        index = numbers.index(keep) if keep in numbers else -1
        if stay or index < 0 or not self._in_view(index):
            # its ticket went, or moved out of sight (acknowledged, at this console or another):
            # the cursor keeps its place, and the board what it showed
            index = min(self.cursor, len(numbers) - 1)
        self.cursor = max(0, index)
        self.refresh()
        # the new rows reach the screen first; the scroll range (a new layout) right after
        self.call_after_refresh(self._settle)
        now_selected = self.selected.number if self.selected else None
        if now_selected != keep:
            self.post_message(self.CursorMoved(now_selected))

    def _in_view(self, index: int) -> bool:
        """Both lines of ticket ``index`` are inside the viewport as it is scrolled now."""
        scroll, visible = int(self.scroll_offset.y), max(1, self.size.height - 1)
        return scroll <= 2 * index and 2 * index + 1 < scroll + visible

    def _settle(self) -> None:
        self._fit_virtual_size()
        self._scroll_to_cursor()

    def tick(
        self,
        now: datetime,
        flagged: frozenset[str],
        phase: int,
        acknowledged: Mapping[str, Acknowledgement] | None = None,
    ) -> None:
        """Move the clocks to ``now`` and repaint what changed on screen.

        Every second the clock lines change, and the ticket lines of flashing tickets; the
        other ticket lines stay as they are.
        """
        self._clock_lines.clear()
        acknowledged = acknowledged or {}
        if flagged != self.flagged or acknowledged != self.acknowledged:
            self.now, self.flagged, self.phase = now, flagged, phase
            self.acknowledged = acknowledged
            self._clocks.clear()
            self.refresh()
            return
        self.now, self.phase = now, phase
        self._clocks.clear()
        width, height, scroll = self.size.width, self.size.height, int(self.scroll_offset.y)
        first = 1 + (scroll % 2 == 0)  # the first viewport line that is a clock line
        lines = set(range(first, height, 2))
        for index, row in enumerate(self.rows):
            y = 2 * index - scroll + 1  # the viewport line of the ticket's first line
            if row.number in flagged and 1 <= y < height:
                lines.add(y)
        self.refresh(*(Region(0, y, width, 1) for y in sorted(lines)))

    def clocks(self, row: BoardRow) -> dict[ClockKind, SlaClock]:
        """A row's clocks at :attr:`now` (computed once per tick, for visible rows only)."""
        if self.snapshot is None or self.now is None:
            return dict(row.clocks)
        found = self._clocks.get(row.number)
        if found is None:
            found = self._clocks[row.number] = self.snapshot.clocks_at(row, self.now)
        return found

    # cursor ------------------------------------------------------------------------------------
    def _set_cursor(self, index: int) -> None:
        old = self.cursor
        self.cursor = index
        if old != index:
            self.post_message(self.CursorMoved(self.selected.number if self.selected else None))
        self._scroll_to_cursor()
        self.refresh()

    def _scroll_to_cursor(self) -> None:
        visible = max(1, self.size.height - 1)  # lines below the header
        top, bottom = 2 * self.cursor, 2 * self.cursor + 1
        scroll = int(self.scroll_offset.y)
        if top < scroll:
            self.scroll_to(y=top, animate=False)
        elif bottom >= scroll + visible:
            # a whole ticket at the top: never its clock line without its ticket line
            y = bottom - visible + 1
            self.scroll_to(y=y + y % 2, animate=False)

    def action_cursor(self, step: int) -> None:
        """Select the ticket ``step`` rows away."""
        if self.rows:
            self._set_cursor(max(0, min(len(self.rows) - 1, self.cursor + step)))

    def action_page(self, direction: int) -> None:
        """Move a screenful of tickets."""
        self.action_cursor(direction * max(1, (self.size.height - 1) // 2))

    def action_jump(self, index: int) -> None:
        """Select the first (0) or last (-1) ticket."""
        if self.rows:
            self._set_cursor(index % len(self.rows))

    def on_click(self, event: events.Click) -> None:
        """Select the ticket clicked."""
        if event.y < 1:
            return
        index = (int(self.scroll_offset.y) + event.y - 1) // 2
        if 0 <= index < len(self.rows):
            self._set_cursor(index)

    def on_resize(self, _event: events.Resize) -> None:
        """Re-fit the columns."""
        self._fit_virtual_size()

    def _fit_virtual_size(self) -> None:
        # never less than the viewport: while the board fits on screen, tickets coming and going
        # leave the size alone, and a change is one repaint of the table, not a new layout
        lines = 1 + 2 * len(self.rows)
        self.virtual_size = Size(self.size.width, max(lines, self.size.height))

    # drawing -----------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        """The theme or the stylesheet changed: forget the styles and lines drawn with them."""
        self._styles.clear()
        self._ticket_lines.clear()
        self._clock_lines.clear()
        super().notify_style_update()

    def _style(self, kind: str, component: str = "") -> Style:
        """The table's style (``kind`` "base") or a component's, as :meth:`_fg`, :meth:`_bg`
        and :meth:`_badge` describe them; computed once per theme."""
        key = (kind, component)
        found = self._styles.get(key)
        if found is None:
            if kind == "base":
                found = self.rich_style
            else:
                full = self.get_component_rich_style(component)
                if kind == "fg":
                    found = Style(color=full.color, bold=full.bold, italic=full.italic)
                elif kind == "bg":
                    found = Style(bgcolor=full.bgcolor)
                else:
                    found = Style(color=full.color, bgcolor=full.bgcolor, bold=full.bold)
            self._styles[key] = found
        return found

    def _fg(self, component: str) -> Style:
        """A component's text style alone, its colour blended as the theme means it."""
        return self._style("fg", component)

    def _bg(self, component: str) -> Style:
        """A component's background alone, blended onto the table's background."""
        return self._style("bg", component)

    def _badge(self, component: str) -> Style:
        """A component's colours and weight together (a badge drawn on its own background)."""
        return self._style("badge", component)

    def render_line(self, y: int) -> Strip:
        """One line of the viewport: the header, or a ticket's line, or its clocks."""
        width = self.size.width
        base = self._style("base")
        if y == 0:
            return self._strip(self._header(width), width, base)
        index = int(self.scroll_offset.y) + y - 1
        row_index, part = divmod(index, 2)
        rows = self.rows
        if not rows:
            if y == 2 and self.snapshot is not None:
                style = base + self._fg("board-table--empty")
                message = Text(desk_context(self).t("board.empty"), style=style)
                message.align("center", width)
                return self._strip(message, width, base)
            return Strip.blank(width, base)
        if row_index >= len(rows):
            return Strip.blank(width, base)
        row = rows[row_index]
        style = self._row_style(row, row_index, base)
        if part == 0:
            # a ticket's line changes with its data, the cursor, the flash and the language:
            # the same key draws the same line, kept across ticks and reads
            key = (
                row.number,
                row.version,
                row.children,
                row.number in self.flagged,
                self.acknowledged.get(row.number),
                width,
                style,
                row_index == self.cursor,
                desk_context(self).t.lang,
            )
            strip = self._ticket_lines.get(key)
            if strip is None:
                strip = self._ticket_lines[key] = self._strip(
                    self._ticket_line(row, width, style, cursor=row_index == self.cursor),
                    width,
                    style,
                )
            return strip
        return self._clock_strip(row, width, style)

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(width, pad=True)  # exactly the width: one strip, no second pass
        return Strip(text.render(self.app.console), width)

    def _row_style(self, row: BoardRow, index: int, base: Style) -> Style:
        style = base
        if row.number in self.flagged:
            style += self._bg("board-table--flash" if self.phase == 0 else "board-table--flash-dim")
        if index == self.cursor:
            style += self._bg("board-table--cursor")
        return style

    def _header(self, width: int) -> Text:
        t = desk_context(self).t
        style = self._style("base") + self._fg("board-table--header")
        cols = columns(width)
        line = Text(style=style, no_wrap=True)
        for label, cells in (
            ("", cols.flag),
            (t("board.priority_short") if cols.compact else t("field.priority"), cols.priority),
            (t("field.number"), cols.number),
            (t("field.status"), cols.status),
            (t("field.summary"), cols.summary),
            (t("field.requester"), cols.requester),
            (t("field.assignee"), cols.assignee),
            (t("board.tier"), cols.tier),
        ):
            if cells:
                line.append_text(_cell(label, cells))
        return line

    def _ticket_line(self, row: BoardRow, width: int, style: Style, *, cursor: bool) -> Text:
        t = desk_context(self).t
        cols = columns(width)
        line = Text(style=style, no_wrap=True)
        flag = self._badge("board-table--flag")
        flagged = row.number in self.flagged
        # the cursor's line is marked in its first cell, which reads without colour
        line.append("▶" if cursor else " ", flag if flagged else "")
        line.append_text(
            fit_text(t("board.flag") if flagged else "", cols.flag - 1, flag if flagged else "")
        )
        badge = {Priority.P1: "board-table--p1", Priority.P2: "board-table--p2"}.get(row.priority)
        priority_style = self._badge(badge) if badge else ""
        words = str(row.priority) if cols.compact else t(f"priority.{row.priority}")
        line.append_text(fit_text(f" {words}", cols.priority - 1, priority_style))
        line.append(" ")
        line.append_text(fit_text(row.number, cols.number, "bold"))
        if cols.status:
            line.append_text(_cell(word(t, f"status.{row.status}", cols.status - 1), cols.status))
        summary = Text(no_wrap=True)
        ack = self.acknowledged.get(row.number)
        if ack is not None:
            who = sanitize_line(ack.name or ack.login or "-")
            summary.append(
                f"{t('board.acknowledged', who=who, time=self._when(ack.at))} ", style="green"
            )
        if row.vip:
            summary.append(f"{t('field.vip')} ", style="bold magenta")
        if row.children:
            summary.append(f"{t('lifecycle.outage.badge', count=row.children)} ", style="bold")
        if row.estimate is not None:
            summary.append(f"{t('board.estimate', time=self._when(row.estimate))} ", style="bold")
        summary.append(sanitize_line(row.summary))
        line.append_text(fit_text(summary, cols.summary - 1))
        line.append(" ")
        if cols.requester:
            line.append_text(_cell(sanitize_line(row.requester), cols.requester))
        if cols.assignee:
            if row.assignee_name:
                line.append_text(_cell(sanitize_line(row.assignee_name), cols.assignee))
            else:
                unassigned = self._fg("board-table--unassigned")
                line.append_text(_cell(t("board.unassigned"), cols.assignee, unassigned))
        if cols.tier:
            line.append_text(fit_text(f"L{row.tier}", cols.tier))
        return line

    def _when(self, instant: datetime) -> str:
        """A due time at the desk: ``10:15`` today, ``11-06 18:00`` another day."""
        tz = self.snapshot.tz if self.snapshot else None
        local = instant.astimezone(tz)
        today = (self.now or instant).astimezone(tz).date()
        return local.strftime("%H:%M" if local.date() == today else "%m-%d %H:%M")

    def _clock_strip(self, row: BoardRow, width: int, style: Style) -> Strip:
        """The clock line: its words first, then segments only for words not drawn this second.

        On a narrow terminal the most urgent clock (counting down, the nearest due) comes first.
        """
        t = desk_context(self).t
        clocks = self.clocks(row)
        kinds = list(_CLOCKS)
        if columns(width).compact:
            kinds.sort(key=lambda k: (not clocks[k].state.is_live, clocks[k].due))
        words: list[tuple[str, ClockState, str, str]] = []
        for kind in kinds:
            clock = clocks[kind]
            if clock.state == ClockState.PAUSED and clock.paused_reason:
                note = f" · {sanitize_line(clock.paused_reason)}"
            elif clock.is_open and clock.state != ClockState.PAUSED:
                note = f" {t('board.due', time=self._when(clock.due))}"
            else:
                note = ""
            words.append((f"{t(f'clock.{kind}')} ", clock.state, clock_label(clock, t), note))
        key = (tuple(words), width, style)
        strip = self._clock_lines.get(key)
        if strip is None:
            strip = self._clock_lines[key] = self._draw_clocks(words, width, style)
        return strip

    def _draw_clocks(
        self, words: list[tuple[str, ClockState, str, str]], width: int, style: Style
    ) -> Strip:
        label = style + self._fg("board-table--label")
        cols = columns(width)
        room = width - cols.flag
        if cols.compact:
            # the first (most urgent) clock in full, the others share what is left
            first = sum(cell_len(part) for part in (words[0][0], words[0][2], words[0][3])) + 1
            first = min(first, room - 2 * 12)
            rest = (room - first) // (len(words) - 1)
            widths = [first, *([rest] * (len(words) - 1))]
        else:
            widths = [room // len(words)] * len(words)
        segments = [Segment(" " * cols.flag, style)]
        for (name, state, shown, note), cells in zip(words, widths, strict=True):
            pieces = [(name, label), (shown, style + _CLOCK_STYLES[state])]
            if note:
                pieces.append((note, label))
            segments.extend(fit_segments(pieces, cells - 1, style))
            segments.append(Segment(" ", style))
        return Strip(segments).adjust_cell_length(width, style)
