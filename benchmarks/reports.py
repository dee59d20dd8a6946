"""What a month's report costs on a big desk: the report's SQL on SQLite and PostgreSQL, and the
XLSX export.

The desk is :mod:`benchmarks.bulk_desk`'s (800 tickets a day, so a month is ~24,000 tickets of a
1,000,000-ticket desk), plus what the bulk rows lack for a report: each ticket's report facts
(outcomes drawn to match its status: finished tickets met or missed, open ones running or
paused) and, for resolved and closed tickets, a confirmation time and stars. The report is for
the last whole month before the desk's "now", for the whole desk (the widest scope), then for
one group and one agent. Targets: ≤ 1 s on SQLite, ≤ 0.5 s on PostgreSQL, XLSX ≤ 3 s.

Run::

    .venv/bin/python -m benchmarks.reports --tickets 1000000
    .venv/bin/python -m benchmarks.reports --tickets 1000000 --postgres postgresql://postgres@127.0.0.1/bench_reports
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Boolean, text
from sqlmodel import SQLModel

from benchmarks.audit_verify import fresh_database
from benchmarks.bulk_desk import CACHE, build
from benchmarks.knowledge import settle
from deskui.cli.report import write_xlsx
from deskui.core.clock import FrozenClock
from deskui.core.report_periods import parse_period
from deskui.i18n import Catalog
from deskui.services.desk import DeskService, upgrade_database
from deskui.services.reports import Report, ReportScope
from deskui.store.db import Database

#: The desk's "now": the bulk desk ends here, and the report is for the month before.
NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
MONTH = "2026-11"

_FACTS = """
INSERT INTO ticket_report_fact (ticket_id, response, response_late, resolution, resolution_late,
    paused, reopened, first_contact, to_confirmation)
SELECT id,
    CASE WHEN status = 'to_assign' THEN 'running'
         WHEN priority = 'P1' THEN 'missed' ELSE 'met' END,
    CASE WHEN status <> 'to_assign' AND priority = 'P1' THEN 900 ELSE 0 END,
    CASE WHEN status IN ('resolved', 'closed', 'rejected')
              THEN CASE WHEN abs(random()) % 10 < 8 THEN 'met' ELSE 'missed' END
         WHEN status IN ('pending', 'awaiting_confirmation') THEN 'paused'
         ELSE 'running' END,
    CASE WHEN status IN ('resolved', 'closed') AND abs(random()) % 10 >= 8
         THEN abs(random()) % 86400 ELSE 0 END,
    CASE WHEN status IN ('resolved', 'closed', 'pending') THEN abs(random()) % 14400 ELSE 0 END,
    CASE WHEN abs(random()) % 20 = 0 THEN 1 ELSE 0 END,
    CASE WHEN abs(random()) % 14 = 0 THEN 1 ELSE 0 END,
    NULL
FROM ticket
"""
_CONFIRM = """
UPDATE ticket SET
    confirmed_at = datetime(received_at, '+' || (1800 + abs(random()) % 259200) || ' seconds'),
    satisfaction = 1 + abs(random()) % 5,
    satisfaction_speed = CASE WHEN abs(random()) % 3 = 0 THEN 1 + abs(random()) % 5 END
WHERE status IN ('resolved', 'closed')
"""
_TO_CONFIRMATION = """
UPDATE ticket_report_fact SET to_confirmation = (
    SELECT CAST((julianday(t.confirmed_at) - julianday(t.received_at)) * 86400 AS INTEGER)
    FROM ticket t WHERE t.id = ticket_report_fact.ticket_id)
WHERE ticket_id IN (SELECT id FROM ticket WHERE confirmed_at IS NOT NULL)
"""


def report_desk(tickets: int) -> Path:
    """The cached bulk desk of ``tickets`` with report facts and confirmations (built once)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"reports-{tickets}.db"
    if path.exists():
        return path
    started = time.perf_counter()
    build(path, tickets, now=NOW)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    con.execute(_FACTS)
    con.execute(_CONFIRM)
    con.execute(_TO_CONFIRMATION)
    con.commit()
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    print(f"built {tickets:,} tickets in {time.perf_counter() - started:.1f} s -> {path}")
    return path


#: The tables copied to PostgreSQL, parents first.
COPIED = (
    "support_group",
    "desk_user",
    "user_group",
    "requester",
    "ticket",
    "ticket_report_fact",
    "ticket_event",
    "desk_setting",
)


def copy_to_postgres(source: Path, url: str) -> str:
    """A fresh PostgreSQL desk holding the SQLite desk's rows; returns its SQLAlchemy URL."""
    url = fresh_database(url)
    started = time.perf_counter()
    db = Database(url)
    upgrade_database(db)
    lite = sqlite3.connect(source)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET deskui.maintenance = 'on'")  # a bulk load, as a restore is
        cursor.execute("SET TIME ZONE 'UTC'")  # SQLite keeps naive UTC
        cursor.execute("SET statement_timeout = 0")  # one COPY a table, however long
        for table in COPIED:
            columns = [c.name for c in SQLModel.metadata.tables[table].columns]
            flags = [isinstance(c.type, Boolean) for c in SQLModel.metadata.tables[table].columns]
            cursor.execute(f"DELETE FROM {table}")
            rows = lite.execute(f"SELECT {', '.join(columns)} FROM {table}")
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                while batch := rows.fetchmany(50_000):
                    buf = io.StringIO()
                    for row in batch:
                        buf.write("\t".join(_cell(v, f) for v, f in zip(row, flags, strict=True)))
                        buf.write("\n")
                    copy.write(buf.getvalue())
            if "id" in columns:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT coalesce(max(id), 1) FROM {table}))"
                )
        raw.commit()
    finally:
        raw.close()
        lite.close()
    settle(db)  # as autovacuum leaves a live desk: statistics, the visibility map
    db.dispose()
    print(f"copied to PostgreSQL in {time.perf_counter() - started:.1f} s")
    return url


def _cell(value: object, flag: bool) -> str:
    if value is None:
        return "\\N"
    if flag:
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """The median and the worst wall time of ``runs`` runs (after one warm-up run), and the
    median CPU time of this process (SQLite's work is in it; on a busy machine the wall time
    also counts the waits for a core), in seconds."""
    fn()
    times, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return statistics.median(times), max(times), statistics.median(cpu)


def measure(name: str, url: str, runs: int) -> None:
    """Print the report's times on one database, by scope, and the XLSX export's."""
    db = Database(url)
    desk = DeskService(db, FrozenClock(NOW))
    lead = desk.actor("lead")
    period = parse_period(MONTH, desk.rules.tz)
    agent = desk.read(
        lambda s: s.execute(
            text("SELECT u.login FROM desk_user u WHERE u.role = 'agent' ORDER BY u.id LIMIT 1")
        ).scalar_one()
    )
    report: list[Report] = []
    for label, scope in (
        ("desk", ReportScope()),
        ("group", ReportScope(group="hardware")),
        ("agent", ReportScope(agent=agent)),
    ):

        def run(scope: ReportScope = scope) -> None:
            report[:] = [desk.report(lead, period, scope)]

        median, worst, cpu = timed(run, runs)
        received = report[0].table("summary").rows[0].values[0]
        print(
            f"{name:8} report {MONTH} {label:5}: median {median * 1000:7.1f} ms,"
            f" worst {worst * 1000:7.1f} ms, CPU {cpu * 1000:7.1f} ms"
            f" ({received:,} tickets received)",
            flush=True,
        )
    desk_report = desk.report(lead, period, ReportScope())
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "report.xlsx"

        def export() -> None:
            write_xlsx(desk.report(lead, period, ReportScope()), Catalog("zh"), target)

        median, worst, cpu = timed(export, runs)
        print(
            f"{name:8} report + XLSX export: median {median * 1000:7.1f} ms,"
            f" worst {worst * 1000:7.1f} ms, CPU {cpu * 1000:7.1f} ms"
            f" ({len(desk_report.tables)} sheets,"
            f" {target.stat().st_size:,} bytes)",
            flush=True,
        )
    db.dispose()


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL URL (its database is recreated)")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the PostgreSQL database as it is (no copy)"
    )
    args = parser.parse_args()
    source = report_desk(args.tickets)
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            copy = Path(folder) / "desk.db"
            copy.write_bytes(source.read_bytes())
            measure("sqlite", f"sqlite:///{copy}", args.runs)
    if args.postgres and args.reuse:
        url = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
        measure("postgres", url, args.runs)
    elif args.postgres:
        measure("postgres", copy_to_postgres(source, args.postgres), args.runs)


if __name__ == "__main__":
    main()
