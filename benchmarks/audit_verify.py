"""How long ``deskui audit verify`` takes on a large desk, and how much memory it holds.

A desk of N tickets is built with bulk inserts (not through the services), each ticket with the
events intake and a claim would write — created, routed, status; and for most a second change —
chained exactly as the ledger chains them (:mod:`deskui.core.chain`): versions, the state hash
and the report facts' hash on each change's last event, every event's predecessor and hash, and
each ticket's report facts. Then the whole record is
verified in a fresh process, which reports its time and its peak resident memory; verify reads
the desk in chunks of tickets, so the peak should not grow with N.

    python -m benchmarks.audit_verify --tickets 100000
    python -m benchmarks.audit_verify --tickets 1000000 --sizes 10000,1000000
    python -m benchmarks.audit_verify --tickets 100000 --postgres postgresql://postgres@127.0.0.1/bench

A built SQLite desk is cached by size under the system's temporary folder. On PostgreSQL the
named database is created afresh (dropped first if it exists), loaded with COPY in maintenance
(as a restore would be), and dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import random
import resource
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deskui.core.chain import (
    REPORT_FACT_FIELDS,
    STATE_FIELDS,
    report_facts_hash,
    ticket_event_hash,
    ticket_state_hash,
)
from deskui.core.clock import FrozenClock
from deskui.services.desk import DeskService, prepare_database, upgrade_database
from deskui.services.seed import seed_demo
from deskui.services.verify import CHUNK, verify_record
from deskui.store.db import Database
from deskui.store.migrate import head_revision

CACHE = Path(tempfile.gettempdir()) / "deskui-bench"
PER_DAY = 800
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
STATE_NAMES = [name for name, _ in STATE_FIELDS]
TICKET_COLUMNS = [*STATE_NAMES, "response_due", "update_due", "resolution_due", "next_due"]
EVENT_COLUMNS = [
    "id",
    "ticket_id",
    "at",
    "actor_id",
    "proxy_id",
    "kind",
    "field",
    "old_value",
    "new_value",
    "note",
    "version",
    "state_hash",
    "minutes",
    "facts_hash",
    "prev_hash",
    "hash",
]
FACT_COLUMNS = ["ticket_id", *(name for name, _ in REPORT_FACT_FIELDS)]


def _stamp(value: datetime) -> str:
    """SQLite's form of an instant (naive UTC, to the microsecond), as SQLAlchemy writes it."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _people(db: Database) -> dict[str, list[tuple[int, str]]]:
    """Users (id, login), groups (id, code) and callers of the demo desk, for the tickets."""
    seed_demo(DeskService(db, FrozenClock(NOW)), callers=300, tickets=0)
    with db.engine.connect() as conn:

        def pairs(sql: str) -> list[tuple[int, str]]:
            return [(int(r[0]), str(r[1])) for r in conn.execute(text(sql))]

        return {
            "requesters": pairs("SELECT id, name FROM requester"),
            "groups": pairs("SELECT id, code FROM support_group"),
            "agents": pairs("SELECT id, login FROM desk_user WHERE role = 'agent'"),
            "op": pairs("SELECT id, login FROM desk_user WHERE login = 'op'"),
        }


def generate(
    tickets: int, people: dict[str, list[tuple[int, str]]], first_event: int
) -> Iterator[tuple[dict[str, Any], list[tuple[Any, ...]], dict[str, Any], str, int]]:
    """Each ticket's row, its chained events, its report facts (sealed on each change's last
    event, as the ledger seals them), its desk day and its sequence number."""
    rng = random.Random(7)
    days = max(1, tickets // PER_DAY + 1)
    start = NOW - timedelta(days=days)
    sequence: dict[str, int] = {}
    event_id = first_event
    op = people["op"][0][0]
    for i in range(tickets):
        received = start + timedelta(seconds=i * (days * 86_400 / tickets))
        day = (received + timedelta(hours=8)).strftime("%Y%m%d")
        sequence[day] = sequence.get(day, 0) + 1
        impact, urgency = rng.randint(1, 3), rng.randint(1, 4)
        priority = f"P{min(4, max(1, impact + urgency - 1))}"
        due = received + timedelta(hours={"P1": 4, "P2": 8, "P3": 24, "P4": 72}[priority])
        claimed = rng.random() < 0.8
        agent, login = rng.choice(people["agents"])
        group, code = rng.choice(people["groups"])
        row: dict[str, Any] = dict.fromkeys(TICKET_COLUMNS)
        row.update(
            id=i + 1,
            number=f"IT{day}{sequence[day]:03d}",
            type="incident",
            category=rng.choice(["hardware", "software", "network", "account", "data", "other"]),
            channel="phone",
            status="to_assign",
            is_open=True,
            impact=impact,
            urgency=urgency,
            priority=priority,
            matrix_priority=priority,
            priority_reason=f"I{impact} × U{urgency} → {priority}",
            vip=False,
            requester_id=rng.choice(people["requesters"])[0],
            summary=f"批量工单 {i} 打印机/网络/账号问题",
            description="bulk ticket for the audit benchmark",
            received_at=received,
            created_at=received,
            updated_at=received,
            created_by_id=op,
            group_id=group,
            routing_reason=f"category → {code}",
            tier=1,
            version=1,
            response_due=due,
            update_due=due,
            resolution_due=due,
            next_due=due,
        )
        changes: list[list[tuple[Any, ...]]] = [
            [
                (received, op, "created", "priority", None, priority, row["priority_reason"]),
                (received, op, "routed", "group", None, code, row["routing_reason"]),
                (received, op, "status", "status", "new", "to_assign", None),
            ]
        ]
        states = [ticket_state_hash(row)]
        facts: dict[str, Any] = {
            "ticket_id": row["id"],
            "response": "running",
            "response_late": 0,
            "resolution": "running",
            "resolution_late": 0,
            "paused": 0,
            "reopened": 0,
            "first_contact": False,
            "to_confirmation": None,
            "worked_minutes": 0,
        }
        sealed = [report_facts_hash([facts[c] for c in FACT_COLUMNS[1:]])]
        if claimed:
            at = received + timedelta(minutes=20)
            row.update(status="in_progress", assignee_id=agent, accepted_at=at, updated_at=at)
            row["version"] = 2
            changes.append(
                [
                    (at, agent, "claimed", "assignee", None, login, None),
                    (at, agent, "status", "status", "to_assign", "in_progress", None),
                ]
            )
            states.append(ticket_state_hash(row))
            facts["response"] = "met"
            sealed.append(report_facts_hash([facts[c] for c in FACT_COLUMNS[1:]]))
        events: list[tuple[Any, ...]] = []
        prev: str | None = None
        seals = zip(changes, states, sealed, strict=True)
        for version, (change, state, facts_hash) in enumerate(seals, start=1):
            for k, (at, actor, kind, field, old, new, note) in enumerate(change):
                last = k == len(change) - 1
                values = (
                    event_id,
                    row["id"],
                    at,
                    actor,
                    None,
                    kind,
                    field,
                    old,
                    new,
                    note,
                    version,
                    state if last else None,
                    None,
                    facts_hash if last else None,
                )
                digest = ticket_event_hash(values, prev)
                events.append((*values, prev, digest))
                prev = digest
                event_id += 1
        yield row, events, facts, day, sequence[day]


def build_sqlite(path: Path, tickets: int) -> None:
    """A SQLite desk of ``tickets`` chained tickets at ``path``."""
    if path.exists():
        path.unlink()
    db = Database(f"sqlite:///{path}")
    prepare_database(db)
    people = _people(db)
    db.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    first = (con.execute("SELECT coalesce(max(id), 0) FROM ticket_event").fetchone()[0]) + 1
    ticket_sql = (
        f"INSERT INTO ticket ({', '.join(TICKET_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(TICKET_COLUMNS))})"
    )
    event_sql = (
        f"INSERT INTO ticket_event ({', '.join(EVENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
    )
    fact_sql = (
        f"INSERT INTO ticket_report_fact ({', '.join(FACT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(FACT_COLUMNS))})"
    )
    rows: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    facts: list[tuple[Any, ...]] = []
    days: dict[str, int] = {}

    def flush() -> None:
        con.executemany(ticket_sql, rows)
        con.executemany(event_sql, events)
        con.executemany(fact_sql, facts)
        for buffer in (rows, events, facts):
            buffer.clear()

    for row, chain, fact, day, seq in generate(tickets, people, first):
        days[day] = seq
        rows.append(tuple(_sqlite_value(row[c]) for c in TICKET_COLUMNS))
        events.extend(tuple(_sqlite_value(v) for v in e) for e in chain)
        facts.append(tuple(fact[c] for c in FACT_COLUMNS))
        if len(rows) >= 20_000:
            flush()
    flush()
    con.executemany("INSERT INTO ticket_sequence (day, last) VALUES (?, ?)", list(days.items()))
    con.commit()
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _sqlite_value(value: Any) -> Any:
    return _stamp(value) if isinstance(value, datetime) else value


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def fresh_database(url: str) -> str:
    """Drop and create the PostgreSQL database ``url`` names; returns its SQLAlchemy URL."""
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if "+psycopg" not in url else url
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return url


def build_postgres(url: str, tickets: int) -> str:
    """A fresh PostgreSQL desk of ``tickets`` chained tickets; returns its SQLAlchemy URL."""
    url = fresh_database(url)
    db = Database(url)
    upgrade_database(db)
    people = _people(db)
    with db.engine.connect() as conn:
        first = conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM ticket_event")).scalar()
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET deskui.maintenance = 'on'")  # a bulk load, as a restore is
        days: dict[str, int] = {}
        tickets_buf, events_buf, facts_buf = io.StringIO(), io.StringIO(), io.StringIO()

        def flush() -> None:
            for table, columns, buf in (
                ("ticket", TICKET_COLUMNS, tickets_buf),
                ("ticket_event", EVENT_COLUMNS, events_buf),
                ("ticket_report_fact", FACT_COLUMNS, facts_buf),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(buf.getvalue())
                buf.seek(0)
                buf.truncate()

        for count, (row, chain, fact, day, seq) in enumerate(
            generate(tickets, people, int(first or 1)), start=1
        ):
            days[day] = seq
            tickets_buf.write("\t".join(_copy_text(row[c]) for c in TICKET_COLUMNS) + "\n")
            facts_buf.write("\t".join(_copy_text(fact[c]) for c in FACT_COLUMNS) + "\n")
            for e in chain:
                events_buf.write("\t".join(_copy_text(v) for v in e) + "\n")
            if count % 20_000 == 0:
                flush()
        flush()
        cursor.executemany(
            "INSERT INTO ticket_sequence (day, last) VALUES (%s, %s)", list(days.items())
        )
        for table in ("ticket", "ticket_event"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    db.dispose()
    return url


def drop_database(url: str) -> None:
    """Drop the benchmark's PostgreSQL database."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def _high_water_kib() -> int:
    """This process's peak resident memory (``VmHWM``; ``ru_maxrss`` on Linux keeps the
    peak of the process it was forked from, across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _verify_child(url: str, chunk: int, results: Any) -> None:
    """Verify the desk at ``url`` in this fresh process; report time, counts and peak memory."""
    before = _high_water_kib()
    db = Database(url)
    started = time.perf_counter()
    with db.read() as session:
        report = verify_record(session, chunk=chunk)
    elapsed = time.perf_counter() - started
    peak = _high_water_kib()
    db.dispose()
    results.put(
        {
            "seconds": elapsed,
            "tickets": report.tickets,
            "events": report.ticket_events,
            "ok": report.ok,
            "findings": len(report.findings),
            "rss_start_mib": before / 1024,
            "rss_peak_mib": peak / 1024,
        }
    )


def measure(url: str, chunk: int) -> dict[str, Any]:
    """Run :func:`_verify_child` in a new process and return what it reported."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    proc = ctx.Process(target=_verify_child, args=(url, chunk, results))
    proc.start()
    out: dict[str, Any] = results.get()
    proc.join()
    return out


def report_line(label: str, figures: dict[str, Any]) -> str:
    """One result as a line of figures."""
    rate = figures["tickets"] / figures["seconds"] if figures["seconds"] else 0.0
    return (
        f"{label:10} {figures['tickets']:>9,} tickets {figures['events']:>10,} events  "
        f"{figures['seconds']:8.1f} s  {rate:>9,.0f} tickets/s  "
        f"peak RSS {figures['rss_peak_mib']:6.0f} MiB (start {figures['rss_start_mib']:.0f})  "
        f"{'clean' if figures['ok'] else str(figures['findings']) + ' findings'}"
    )


def main() -> None:
    """Command line: build, verify, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument(
        "--sizes", help="comma-separated sizes to verify (default: --tickets alone)"
    )
    parser.add_argument("--postgres", help="a PostgreSQL URL (its database is recreated)")
    parser.add_argument("--chunk", type=int, default=CHUNK, help="tickets read at a time")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.tickets]
    schema = head_revision(Database("sqlite://"))
    for size in sizes:
        if args.postgres:
            started = time.perf_counter()
            url = build_postgres(args.postgres, size)
            print(f"built {size:,} tickets on PostgreSQL in {time.perf_counter() - started:.1f} s")
            print(report_line("postgres", measure(url, args.chunk)), flush=True)
            drop_database(url)
            continue
        CACHE.mkdir(parents=True, exist_ok=True)
        # a desk built for another schema would not verify with this one
        path = CACHE / f"audit-{size}-{schema}.db"
        if not path.exists():
            started = time.perf_counter()
            build_sqlite(path, size)
            print(f"built {size:,} tickets on SQLite in {time.perf_counter() - started:.1f} s")
        print(report_line("sqlite", measure(f"sqlite:///{path}", args.chunk)), flush=True)


if __name__ == "__main__":
    main()
