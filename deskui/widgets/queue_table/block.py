"""The rows the queue's table holds: one run of consecutive rows of the view, and where it starts.

The table never holds the whole view, only this block around the viewport. It grows at either
end as the agent scrolls (each new run is read by keyset from the row at that end, so it joins
exactly), is replaced on a jump or a refresh, and is trimmed so memory stays flat however long
the queue.
"""

from __future__ import annotations

from collections.abc import Sequence

from deskui.services.queue import QueueKey, QueueRow


class RowBlock:
    """Consecutive rows of a view, ``rows[0]`` being row ``start`` of the whole view."""

    def __init__(self) -> None:
        self.start = 0
        """Index (in the view) of the first row held."""
        self.rows: list[QueueRow] = []
        """The rows, in queue order."""

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def end(self) -> int:
        """Index just past the last row held."""
        return self.start + len(self.rows)

    @property
    def first_key(self) -> QueueKey | None:
        """Where the block starts in the order."""
        return self.rows[0].key if self.rows else None

    @property
    def last_key(self) -> QueueKey | None:
        """Where the block ends in the order."""
        return self.rows[-1].key if self.rows else None

    def row_at(self, index: int) -> QueueRow | None:
        """The row at ``index`` of the view, if held."""
        offset = index - self.start
        return self.rows[offset] if 0 <= offset < len(self.rows) else None

    def index_of(self, ticket_id: int | None) -> int | None:
        """Where a ticket is in the view, if the block holds it."""
        for offset, row in enumerate(self.rows):
            if row.id == ticket_id:
                return self.start + offset
        return None

    def holds(self, lo: int, hi: int) -> bool:
        """Every row of ``[lo, hi)`` is held."""
        return lo >= self.start and hi <= self.end

    def replace(self, rows: Sequence[QueueRow], start: int) -> None:
        """Hold these rows instead."""
        self.rows, self.start = list(rows), start

    def append(self, anchor: QueueKey | None, rows: Sequence[QueueRow]) -> bool:
        """Add rows read after ``anchor``, if the block still ends there."""
        if not self.rows or self.rows[-1].key != anchor:
            return False
        self.rows.extend(rows)
        return True

    def prepend(self, anchor: QueueKey | None, rows: Sequence[QueueRow]) -> bool:
        """Add rows read before ``anchor``, if the block still starts there."""
        if not self.rows or self.rows[0].key != anchor:
            return False
        self.rows[:0] = rows
        # rows added above since the block was read would make this negative: clamp
        self.start = max(0, self.start - len(rows))
        return True

    def trim(self, limit: int, around: int) -> None:
        """Keep at most ``limit`` rows, centred on index ``around`` as far as possible."""
        if len(self.rows) <= limit:
            return
        keep_from = max(self.start, min(around - limit // 2, self.end - limit))
        drop = keep_from - self.start
        self.rows = self.rows[drop : drop + limit]
        self.start = keep_from
