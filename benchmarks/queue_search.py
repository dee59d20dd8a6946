"""The queue's search and filters at scale: how soon a search's first rows arrive, and its count.

    python -m benchmarks.queue_search [--tickets 1000000] [--postgres URL] [--rounds 5]

Builds a desk (SQLite in a temporary folder, or a scratch database on the PostgreSQL server
named) of ``--tickets`` tickets with their text index entries, bulk-inserted as
``benchmarks/knowledge.py`` does (texts from the demo desk's calls and articles, callers' names
and phones varied); one ticket in ten is made open (in progress, in a group, with a due time),
so the open views hold a tenth of the desk; the tickets are received over the past year. Then,
for each search below — a Chinese word inside sentences, an English word, a word being typed (a
prefix), a requester's name in pinyin, a phone in another format, a number's tail, two words —
alone and with filter-bar filters (a category; a group and a status; the last 30 days), in the
"all" and the "open" views, it times through :class:`deskui.services.queue.QueueReader`, as the
queue's table calls it:

- **first rows**: the first 50 rows of the view in queue order (``after(query, None, 50)``), their
  clocks included;
- **count**: the number of tickets the view holds (``count(query)``), the figure in the queue bar.

The same :func:`deskui.services.ticket_filters.filter_clauses` serve ``deskui ticket list
--search``. Each figure is the median of ``--rounds`` runs after one warm-up run, and the worst.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import text

from benchmarks.knowledge import bench_desk, corpus, load_tickets, settle
from deskui.core.clock import SystemClock
from deskui.services.desk import DeskService
from deskui.services.queue import QueueQuery, QueueReader, QueueView
from deskui.services.ticket_filters import TicketFilter
from deskui.store import text_search
from deskui.store.db import Database

#: What is searched: a label and the text typed.
SEARCHES = (
    ("Chinese word", "打印"),
    ("English word", "vpn"),
    ("prefix typed", "outl"),
    ("pinyin name", "zhangwei"),
    ("phone (no match)", "138 0013 0003"),  # the bulk rows index no phone: a miss
    ("number tail", "00123"),
    ("two words", "无法 打印"),
)
#: The filter-bar filters tried with each search (the bulk tickets are received over a year).
FILTERS = (
    ("no filter", TicketFilter()),
    ("network", TicketFilter(categories=("network",))),
    ("hardware group, in progress", TicketFilter(group="hardware", status=("in_progress",))),
    (
        "received in the last 30 days",
        TicketFilter(received_from=datetime.now(UTC) - timedelta(days=30)),
    ),
)
ROWS = 50


def open_a_tenth(db: Database) -> int:
    """Make every tenth ticket open: in progress, in its category's group, due within days."""
    now = datetime.now(UTC)
    with db.write_engine.begin() as conn:
        if not db.is_sqlite:
            conn.execute(text("SET LOCAL deskui.maintenance = 'on'"))
        conn.execute(
            text(
                "INSERT INTO support_group (id, code, name_zh, name_en, tier) VALUES "
                "(1, 'hardware', '硬件组', 'Hardware', 2), (2, 'network', '网络组', 'Network', 2), "
                "(3, 'software', '软件组', 'Software', 2)"
            )
        )
        categories = {
            int(i): str(c)
            for i, c in conn.execute(text("SELECT id, category FROM ticket WHERE id % 10 = 0"))
        }
        ids = sorted(categories)
        groups = {"hardware": 1, "network": 2}
        conn.execute(
            text(
                "UPDATE ticket SET status = 'in_progress', is_open = true, group_id = :group, "
                "next_due = :due WHERE id = :id"
            ),
            [
                {
                    "id": i,
                    "group": groups.get(str(categories[i]), 3),
                    "due": now + timedelta(minutes=i % 5000),
                }
                for i in ids
            ],
        )
        # the index's facets follow the tickets, as every write of the desk's own keeps them
        text_search.refresh_facets(conn, ids)
    return len(ids)


def timed(run: Callable[[], object], rounds: int) -> tuple[float, float, object]:
    """Median and worst milliseconds of ``rounds`` runs after a warm-up, and the last result."""
    result = run()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="a server URL to make a scratch database on")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    specs, calls = corpus()
    with bench_desk(args.postgres) as (db, kind):
        seconds = load_tickets(db, args.tickets, calls, specs)
        opened = open_a_tenth(db)
        print(f"{kind}: {args.tickets:,} tickets ({opened:,} open) loaded in {seconds:.1f} s")
        settle(db)
        time_searches(db, kind, args.rounds)


def time_searches(db: Database, kind: str, rounds: int) -> None:
    """Time every search of :data:`SEARCHES` with every filter set, in both views, and print
    the figures (median and worst of ``rounds`` runs, milliseconds)."""
    reader = QueueReader.of(DeskService(db, SystemClock()))
    worst_first, worst_count = 0.0, 0.0
    print(f"{'search':16} {'filters':30} {'view':5} {'first rows':>16} {'count':>16} {'found':>9}")
    for label, typed in SEARCHES:
        for name, filters in FILTERS:
            for view in (QueueView.ALL, QueueView.OPEN):
                query = QueueQuery(view, typed, filters=filters)
                first, first_max, _ = timed(partial(reader.after, query, None, ROWS), rounds)
                count, count_max, total = timed(partial(reader.count, query), rounds)
                worst_first, worst_count = max(worst_first, first_max), max(worst_count, count_max)
                print(
                    f"{label:16} {name:30} {view:5} "
                    f"{first:7.1f} ({first_max:6.1f}) "
                    f"{count:7.1f} ({count_max:6.1f}) {total:9,}"
                )
    print(
        f"{kind}: worst first rows {worst_first:.1f} ms, worst count {worst_count:.1f} ms "
        "(figures: median (worst) ms)"
    )


if __name__ == "__main__":
    main()
