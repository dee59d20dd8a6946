"""Painting one line of the queue: the columns, the cells, and until when the line stays true.

A line is a handful of segments built from sanitized strings (never markup), with the phone
masked. Its clocks and age move with time, but the text only changes when a displayed digit
does; :func:`next_change` says when that is, so the table repaints a line only then, not every
second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from deskui.core.enums import ClockKind, ClockState, Priority
from deskui.core.masking import mask_phone
from deskui.core.sanitize import sanitize_line
from deskui.core.sla import SlaClock, advance_clocks
from deskui.i18n import Catalog
from deskui.services.queue import QueueRow
from deskui.services.rules import DeskRules
from deskui.widgets.cells import fit, fit_either, short_word, word
from deskui.widgets.sla_text import clock_text, format_duration

GAP = " "
#: The column of each clock.
CLOCK_COLUMNS = {
    "queue.col.response": ClockKind.RESPONSE,
    "queue.col.update": ClockKind.UPDATE,
    "queue.col.resolution": ClockKind.RESOLUTION,
}
PRIORITY_STYLES = {
    Priority.P1: Style(bold=True, color="red"),
    Priority.P2: Style(color="yellow"),
    Priority.P3: Style(),
    Priority.P4: Style(dim=True),
}
#: The selected row's tick under the cursor: reverse video says "cursor" without colour.
REVERSED = Style(reverse=True)
_STYLE_CACHE: dict[str, Style] = {}


@dataclass(frozen=True)
class Column:
    """One column: its catalog key for the header and its width in cells."""

    key: str
    width: int


STATUS = Column("queue.col.status", 11)

#: The columns of a wide table, left to right (the summary takes what is left).
WIDE = (
    Column("mark", 1),
    Column("queue.col.number", 14),
    Column("queue.col.priority", 3),
    STATUS,
    Column("queue.col.response", 9),
    Column("queue.col.update", 9),
    Column("queue.col.resolution", 9),
    Column("queue.col.requester", 20),
    Column("queue.col.category", 8),
    Column("queue.col.group", 8),
    Column("queue.col.assignee", 8),
    Column("queue.col.age", 6),
)
#: The nearest of the three clocks, in one column, when there is no room for all three.
NEAREST = Column("queue.col.nearest", 12)
#: What gives way, in turn, as the table narrows: a column dropped, or the clocks folded into
#: the nearest one. Number, priority, status, a clock and the summary always stay.
NARROWING = (
    "queue.col.age",
    "queue.col.category",
    "queue.col.group",
    "clocks",
    "queue.col.assignee",
    "queue.col.requester",
)
#: The summary is readable from this many cells: columns give way until it has them.
SUMMARY_WIDTH = 20
#: Above this many cells of summary, the spare width widens these columns up to the width
#: given, in turn one cell at a time: a group's name reads whole (a category has a short word).
SUMMARY_ROOMY = 32
GROWING = {"queue.col.group": 16}
_CLOCK_KEYS = {"queue.col.response", "queue.col.update", "queue.col.resolution"}


def _used(columns: Iterable[Column]) -> int:
    cols = list(columns)
    return sum(c.width for c in cols) + len(cols) * len(GAP)


def layout_columns(width: int) -> list[Column]:
    """The columns for a table ``width`` cells wide; the summary takes what is left.

    While the summary would be narrower than :data:`SUMMARY_WIDTH`, the columns of
    :data:`NARROWING` give way in order (at 80 cells: number, priority, status, the nearest
    clock, the summary).
    """
    fixed = list(WIDE)
    for step in NARROWING:
        if width - _used(fixed) >= SUMMARY_WIDTH:
            break
        if step == "clocks":
            at = next(i for i, c in enumerate(fixed) if c.key in _CLOCK_KEYS)
            fixed = [c for c in fixed if c.key not in _CLOCK_KEYS]
            fixed.insert(at, NEAREST)
        else:
            fixed = [c for c in fixed if c.key != step]
    fixed = _widened(fixed, width - _used(fixed) - SUMMARY_ROOMY)
    return [*fixed, Column("queue.col.summary", max(8, width - _used(fixed)))]


def _widened(columns: list[Column], spare: int) -> list[Column]:
    """The columns of :data:`GROWING` widened by up to ``spare`` cells in all."""
    widths = {c.key: c.width for c in columns}
    growing = [key for key in GROWING if key in widths]
    while spare > 0 and growing:
        for key in list(growing):
            if spare <= 0:
                break
            if widths[key] >= GROWING[key]:
                growing.remove(key)
                continue
            widths[key] += 1
            spare -= 1
    return [Column(c.key, widths[c.key]) for c in columns]


def nearest_clock(clocks: Mapping[ClockKind, SlaClock]) -> tuple[ClockKind, SlaClock]:
    """The running clock with the least time left; with none running, the resolution clock."""
    live = [(kind, clock) for kind, clock in clocks.items() if clock.state.is_live]
    if not live:
        return ClockKind.RESOLUTION, clocks[ClockKind.RESOLUTION]
    return min(live, key=lambda pair: pair[1].remaining_seconds)


def _parsed(value: str | Style) -> Style:
    """A style string parsed once."""
    if isinstance(value, Style):
        return value
    style = _STYLE_CACHE.get(value)
    if style is None:
        style = _STYLE_CACHE[value] = Style.parse(value)
    return style


def _until_digit_changes(seconds: float, rising: bool) -> float:
    """Seconds (at the wall-clock rate, the fastest a figure can move) until the text of
    :func:`format_duration` for a duration of ``seconds`` can next change."""
    magnitude = abs(seconds)
    unit = 1 if magnitude < 3600 else 60 if magnitude < 86_400 else 3600
    whole = math.floor(magnitude / unit) * unit
    if rising:
        return max(0.001, whole + unit - magnitude)
    return max(0.001, magnitude - whole) if whole else max(0.001, magnitude)


def next_change(
    clocks: Mapping[ClockKind, SlaClock], received_at: datetime, now: datetime, ratio: float
) -> datetime:
    """The earliest instant at which the line's clocks or age could read differently."""
    waits = [_until_digit_changes((now - received_at).total_seconds(), rising=True)]
    for clock in clocks.values():
        if not clock.state.is_live:
            continue
        remaining = clock.remaining_seconds
        waits.append(_until_digit_changes(remaining, rising=remaining < 0))
        if remaining > 0:
            waits.append(remaining)  # breached
        if clock.state == ClockState.RUNNING:
            waits.append(max(0.001, ratio * clock.target_seconds - clock.elapsed_seconds))
    return now + timedelta(seconds=min(waits))


@dataclass(frozen=True)
class RowStyles:
    """The table's styles for one frame (looked up once, not per line)."""

    base: Style
    header: Style
    cursor: Style
    selected: Style
    placeholder: Style


class RowPainter:
    """Builds the strips of the queue's lines.

    Args:
        t: the catalog (statuses, categories, clock words).
    """

    def __init__(self, t: Catalog) -> None:
        self.t = t
        self._cells: dict[tuple[int, ...], tuple[str, ...]] = {}

    def header(self, columns: Iterable[Column], width: int, style: Style) -> Strip:
        """The column headings."""
        text = GAP.join(fit("" if c.key == "mark" else self.t(c.key), c.width) for c in columns)
        return Strip([Segment(fit(text, width), style)], width)

    def cells(self, row: QueueRow) -> tuple[str, ...]:
        """The row's fixed cells, sanitized and masked (pure: a worker thread may call it)."""
        t = self.t
        name = sanitize_line(row.requester_name)
        phone = mask_phone(row.requester_phone) if row.requester_phone else ""
        group = t.pick(row.group_name_zh or "", row.group_name_en or "") or None
        return (
            row.number,
            str(row.priority),
            word(t, f"status.{row.status}", STATUS.width),
            f"{name} {phone}".strip(),
            t(f"category.{row.category}"),
            sanitize_line(group or "—"),
            sanitize_line(row.assignee_name or "—"),
            (t("lifecycle.outage.badge", count=row.children) + " " if row.children else "")
            + sanitize_line(row.summary),
            short_word(t, f"category.{row.category}"),
        )

    def prepare(self, rows: Iterable[QueueRow]) -> dict[tuple[int, ...], tuple[str, ...]]:
        """The cells of rows just read, computed where they were read (masking a phone costs
        more than painting the line)."""
        return {row.drawn: self.cells(row) for row in rows}

    def remember(self, prepared: dict[tuple[int, ...], tuple[str, ...]]) -> None:
        """Keep cells prepared by :meth:`prepare`."""
        if len(self._cells) + len(prepared) > 4096:
            self._cells.clear()
        self._cells.update(prepared)

    def texts(self, row: QueueRow) -> tuple[str, ...]:
        """The row's cells, from those prepared or computed now."""
        key = row.drawn
        cells = self._cells.get(key)
        if cells is None:
            cells = self._cells[key] = self.cells(row)
        return cells

    def paint(
        self,
        row: QueueRow,
        columns: list[Column],
        width: int,
        styles: RowStyles,
        *,
        now: datetime,
        rules: DeskRules | None,
        cursor: bool,
        selected: bool,
    ) -> tuple[Strip, datetime]:
        """The row's line and the instant until which it reads the same."""
        base = styles.base
        if selected:
            base = base + styles.selected
        if cursor:
            base = base + styles.cursor
        texts = self.texts(row)
        number, priority, status, requester, category, group, assignee, summary = texts[:8]
        clocks: Mapping[ClockKind, SlaClock] = row.clocks
        if rules is not None and now > row.clocks_at:
            clocks = advance_clocks(row.clocks, row.clocks_at, now, rules)
        age = format_duration(max(0.0, (now - row.received_at).total_seconds()))
        plain = {
            "mark": "▶" if cursor else "✓" if selected else "",
            "queue.col.number": number,
            "queue.col.status": status,
            "queue.col.requester": requester,
            "queue.col.category": category,
            "queue.col.group": group,
            "queue.col.assignee": assignee,
            "queue.col.age": age,
            "queue.col.summary": summary,
        }
        segments: list[Segment] = []
        for i, column in enumerate(columns):
            gap = GAP if i < len(columns) - 1 else ""
            if column.key == "queue.col.priority":
                style = base + PRIORITY_STYLES[row.priority]
                segments.append(Segment(fit(priority, column.width), style))
                segments.append(Segment(gap, base))
            elif column.key in CLOCK_COLUMNS or column.key == NEAREST.key:
                if column.key == NEAREST.key:
                    kind, clock = nearest_clock(clocks)
                    label = clock_text(clock, self.t, word=False)
                    text = f"{self.t(f'queue.clock.short.{kind}')} {label.plain}"
                else:
                    label = clock_text(clocks[CLOCK_COLUMNS[column.key]], self.t, word=False)
                    text = label.plain
                segments.append(Segment(fit(text, column.width), base + _parsed(label.style)))
                segments.append(Segment(gap, base))
            elif column.key == "queue.col.category":
                text = fit_either(category, texts[8], column.width)
                segments.append(Segment(text + gap, base))
            elif column.key == "mark" and cursor and selected:
                # under the cursor the mark says so; a selected one keeps its tick, reversed
                segments.append(Segment("✓", base + REVERSED))
                segments.append(Segment(gap, base))
            else:
                segments.append(Segment(fit(plain[column.key], column.width) + gap, base))
        strip = Strip(segments).crop_extend(0, width, base)
        ratio = rules.sla.warning_ratio if rules is not None else 0.75
        return strip, next_change(clocks, row.received_at, now, ratio)

    def placeholder(self, width: int, style: Style, *, loading: bool) -> Strip:
        """A line whose row is still being read."""
        return Strip([Segment(fit("…" if loading else "", width), style)], width)
