"""What one read of the emergency board costs on a desk full of breached tickets, and where a new
P1 lands.

A bulk desk (``benchmarks/bulk_desk.py``: a realistic spread of statuses and priorities over
the past days, so thousands of open tickets are breached, hundreds of them P1 and P2) is read
as the board reads it (``DeskService.board``): the bounded read the board uses, and the same
read without its bounds (every candidate's events and clocks), for comparison. Then a P1 is
logged and the board read again: it must be the first row.

Run::

    .venv/bin/python -m benchmarks.board_read                  # 100,000 tickets
    .venv/bin/python -m benchmarks.board_read --tickets 20000 --reads 10
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bulk_desk import cached_copy
from benchmarks.propagation import call
from deskui.core.clock import SystemClock
from deskui.services.board import BoardSnapshot, board_snapshot
from deskui.services.desk import DeskService
from deskui.store.db import Database

UNBOUNDED = 10**9


def timed_reads(
    desk: DeskService, reads: int, limit: int | None
) -> tuple[list[float], BoardSnapshot]:
    """``reads`` reads of the board (ms each) and the last one; ``limit`` None: the board's own
    bounds, else that many of each kind."""
    times: list[float] = []
    snapshot: BoardSnapshot | None = None
    for _ in range(reads):
        started = time.perf_counter()
        if limit is None:
            snapshot = desk.board()
        else:
            now = desk.clock.now()
            snapshot = desk.read(
                lambda s, now=now: board_snapshot(
                    session=s, rules=desk.rules, now=now, urgent_limit=limit, breach_limit=limit
                )
            )
        times.append((time.perf_counter() - started) * 1000)
    assert snapshot is not None
    return times, snapshot


def describe(label: str, times: list[float], snapshot: BoardSnapshot) -> None:
    """One line of figures."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{label:<22} p50 {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms   "
        f"rows {len(snapshot.rows):>6}   not read {snapshot.hidden:>6}"
    )


def main() -> None:
    """Build (or reuse) the desk, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--unbounded-reads", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = cached_copy(args.tickets, Path(folder))
        db = Database(f"sqlite:///{path}")
        desk = DeskService(db, SystemClock())
        desk.board()  # warm the caches: rules, statements
        times, snapshot = timed_reads(desk, args.reads, None)
        describe("bounded (the board)", times, snapshot)
        if args.unbounded_reads:
            times, snapshot = timed_reads(desk, args.unbounded_reads, UNBOUNDED)
            describe("unbounded", times, snapshot)
        started = time.perf_counter()
        number = desk.create_ticket(desk.actor("op"), call("整栋楼无法上网")).number
        logged = time.perf_counter()
        first = desk.board().rows[0].number
        read = time.perf_counter()
        print(
            f"new P1 {number}: logged in {(logged - started) * 1000:.1f} ms, board read in "
            f"{(read - logged) * 1000:.1f} ms, first row {first} "
            f"({'at the top' if first == number else 'NOT at the top'})"
        )
        db.dispose()


if __name__ == "__main__":
    main()
