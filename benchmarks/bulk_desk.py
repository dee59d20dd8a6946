"""Build a desk database with many tickets fast (raw SQL in large transactions), for benchmarks.

The rows are what intake would have written — ticket, requester, sequence, three events — with
realistic spreads of status, priority, group and due times, so queries see realistic plans.
A built file is cached by size under the cache directory and copied for each run.

    python -m benchmarks.bulk_desk --tickets 1000000 --out /tmp/desk-1m.db
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deskui.core.clock import FrozenClock
from deskui.services.desk import DeskService, prepare_database
from deskui.services.seed import seed_demo
from deskui.store.db import Database

CACHE = Path(tempfile.gettempdir()) / "deskui-bench"
STATUSES = [
    ("to_assign", 6),
    ("in_progress", 8),
    ("pending", 2),
    ("awaiting_confirmation", 2),
    ("resolved", 10),
    ("closed", 70),
    ("rejected", 2),
]
OPEN = {"new", "to_assign", "in_progress", "pending", "awaiting_confirmation"}
PER_DAY = 800


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def build(path: Path, tickets: int, *, now: datetime | None = None) -> Path:
    """Create ``path`` holding the demo desk plus ``tickets`` bulk tickets ending at ``now``."""
    now = now or datetime.now(UTC)
    if path.exists():
        path.unlink()
    db = Database(f"sqlite:///{path}")
    prepare_database(db)
    seed_demo(DeskService(db, FrozenClock(now)), callers=300, tickets=0)
    db.dispose()
    rng = random.Random(7)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    requesters = [r[0] for r in con.execute("SELECT id FROM requester")]
    groups = [r[0] for r in con.execute("SELECT id FROM support_group")]
    agents = [r[0] for r in con.execute("SELECT id FROM desk_user WHERE role = 'agent'")]
    op = con.execute("SELECT id FROM desk_user WHERE login = 'op'").fetchone()[0]
    statuses = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    days = max(1, tickets // PER_DAY + 1)
    start_day = now - timedelta(days=days)
    next_id = (con.execute("SELECT COALESCE(MAX(id), 0) FROM ticket").fetchone()[0] or 0) + 1
    sequence: dict[str, int] = {}
    batch: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    for i in range(tickets):
        received = start_day + timedelta(seconds=i * (days * 86_400 / tickets))
        day = (received + timedelta(hours=8)).strftime("%Y%m%d")
        sequence[day] = sequence.get(day, 0) + 1
        status = rng.choices(statuses, weights)[0]
        is_open = status in OPEN
        impact, urgency = rng.randint(1, 3), rng.randint(1, 4)
        priority = f"P{min(4, max(1, impact + urgency - 1))}"
        due = received + timedelta(hours={"P1": 4, "P2": 8, "P3": 24, "P4": 72}[priority])
        assignee = rng.choice(agents) if status not in ("to_assign",) else None
        tid = next_id + i
        batch.append(
            (
                tid,
                f"IT{day}{sequence[day]:03d}",
                "incident",
                rng.choice(["hardware", "software", "network", "account", "data", "other"]),
                "phone",
                status,
                is_open,
                impact,
                urgency,
                priority,
                priority,
                f"I{impact} × U{urgency} → {priority}",
                False,
                rng.choice(requesters),
                f"批量工单 {i} 打印机/网络/账号问题",
                "bulk ticket for scale measurements",
                _iso(received),
                _iso(received),
                _iso(received),
                op,
                rng.choice(groups),
                assignee,
                1,
                _iso(received + timedelta(minutes=30)),
                _iso(due),
                _iso(due),
                _iso(due) if is_open else None,
                2,
            )
        )
        events.append((tid, _iso(received), op, "created", "priority", None, priority, None))
        events.append((tid, _iso(received), op, "status", "status", "new", "to_assign", None))
        if status != "to_assign":
            events.append((tid, _iso(received), op, "status", "status", "to_assign", status, None))
        if len(batch) >= 50_000:
            _flush(con, batch, events)
    _flush(con, batch, events)
    con.executemany(
        "INSERT INTO ticket_sequence (day, last) VALUES (?, ?) "
        "ON CONFLICT (day) DO UPDATE SET last = max(last, excluded.last)",
        list(sequence.items()),
    )
    con.commit()
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


def _flush(
    con: sqlite3.Connection, batch: list[tuple[object, ...]], events: list[tuple[object, ...]]
) -> None:
    con.executemany(
        "INSERT INTO ticket (id, number, type, category, channel, status, is_open, impact, urgency,"
        " priority, matrix_priority, priority_reason, vip, requester_id, summary, description,"
        " received_at, created_at, updated_at, created_by_id, group_id, assignee_id, tier,"
        " response_due, update_due, resolution_due, next_due, version)"
        " VALUES (" + ",".join("?" * 28) + ")",
        batch,
    )
    con.executemany(
        "INSERT INTO ticket_event"
        " (ticket_id, at, actor_id, kind, field, old_value, new_value, note)"
        " VALUES (?,?,?,?,?,?,?,?)",
        events,
    )
    con.commit()
    batch.clear()
    events.clear()


def cached_copy(tickets: int, target_dir: Path) -> Path:
    """A fresh copy of a cached desk of ``tickets`` tickets (built on first use)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"desk-{tickets}.db"
    if not cached.exists():
        started = time.perf_counter()
        build(cached, tickets)
        print(f"built {tickets:,} tickets in {time.perf_counter() - started:.1f} s -> {cached}")
    target = target_dir / f"desk-{tickets}.db"
    shutil.copyfile(cached, target)
    return target


def main() -> None:
    """Command line: build a desk file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    build(args.out, args.tickets)
    print(f"{args.tickets:,} tickets in {time.perf_counter() - started:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
