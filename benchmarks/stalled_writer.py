"""A console stopped inside its write transaction: how long the next writer waits for its answer,
and how soon the desk takes writes again.

For each database, with the configured waits (``DESKUI_DB_*``, else the documented defaults):

``busy``       A writer in another process logs a call and is stopped (``SIGSTOP``, what a closed
    laptop lid does) inside its transaction; a second writer logs a call here: the time from its
    start to the busy error (the lock wait, plus what it takes to see it ran out).
``released``   The stopped writer goes on (``SIGCONT``) and commits; the second writer logs its
    call again at once: the time from the release to its call committed.
``abandoned``  PostgreSQL only. The stopped writer never goes on; the second writer keeps trying,
    each try ending busy after the lock wait and the next starting at once: the time from the
    stop to the first call committed (the server ending the stalled transaction after the
    idle-in-transaction timeout frees its locks).

Run::

    python -m benchmarks.stalled_writer
    python -m benchmarks.stalled_writer --pg postgresql://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from typing import Any

from sqlmodel import Session

from benchmarks.propagation import postgres_desk, sqlite_desk
from deskui.config import DatabaseWaits
from deskui.core.clock import SystemClock
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import RequesterInput
from deskui.services.errors import DeskBusy
from deskui.services.intake import IntakeRequest, create_ticket
from deskui.services.users import add_user
from deskui.store.db import Database
from deskui.store.migrate import upgrade

#: Longest wait for a process to report (a guard against a hang, not a measure).
GUARD = 600.0


def _call(summary: str) -> IntakeRequest:
    return IntakeRequest(
        type="incident",
        category="network",
        channel="phone",
        impact=2,
        urgency=2,
        summary=summary,
        description="五楼无法上网",
        requester=RequesterInput(name="张三", phone="13800138000"),
    )


def _stalled(url: str, opened: Any, go_on: Any, results: Any) -> None:
    """Log a call inside a transaction, say so, and wait there until told to go on."""
    db = Database(url, waits=DatabaseWaits.from_env())
    desk = DeskService(db, SystemClock())
    actor, rules = desk.actor("op"), desk.rules

    def log_and_hold(session: Session) -> str:
        ticket = create_ticket(
            session=session, data=_call("stalled"), actor=actor, rules=rules, now=desk.clock.now()
        )
        session.flush()
        opened.send("opened")
        go_on.wait()
        return ticket.number

    try:
        results.put(("committed", desk.write(log_and_hold)))
    except Exception as exc:  # noqa: BLE001 - reported, not raised: the figures go on
        results.put(("failed", type(exc).__name__))
    finally:
        db.dispose()


@contextmanager
def stopped_writer(url: str) -> Iterator[tuple[int, Any, Any]]:
    """A writer stopped inside its transaction: its pid, the event that lets it go on, and the
    queue where it reports; killed at the end whatever happened."""
    ctx = mp.get_context("spawn")
    told, opened = ctx.Pipe(duplex=False)
    go_on, results = ctx.Event(), ctx.Queue()
    process = ctx.Process(target=_stalled, args=(url, opened, go_on, results), daemon=True)
    process.start()
    try:
        if told not in wait([told, process.sentinel], timeout=GUARD):
            raise RuntimeError("the stalled writer never opened its transaction")
        told.recv()
        assert process.pid is not None
        os.kill(process.pid, signal.SIGSTOP)
        yield process.pid, go_on, results
    finally:
        if process.is_alive():
            process.kill()  # a stopped process is killed all the same
        process.join(GUARD)


def prepare(url: str) -> None:
    """Schema, rules and one operator."""
    db = Database(url)
    upgrade(db)  # as `deskui db upgrade` does: a console never migrates a shared desk itself
    prepare_database(db)
    desk = DeskService(db, SystemClock())

    def staff(session: Session) -> None:
        add_user(
            session=session,
            login="op",
            name="王芳",
            role="operator",
            groups=["desk"],
            now=desk.clock.now(),
        )

    desk.write(staff)
    db.dispose()


def measure(url: str, waits: DatabaseWaits, abandoned: bool) -> dict[str, float]:
    """The figures of one database, in seconds."""
    prepare(url)
    db = Database(url, waits=waits)
    desk = DeskService(db, SystemClock())
    op = desk.actor("op")
    _ = desk.rules
    desk.create_ticket(op, _call("warm-up"))  # connections and caches, as a console has them
    figures: dict[str, float] = {}
    with stopped_writer(url) as (pid, go_on, results):
        started = time.perf_counter()
        try:
            desk.create_ticket(op, _call("second"))
        except DeskBusy:
            figures["busy"] = time.perf_counter() - started
        else:
            raise RuntimeError("the second writer was not kept out")
        os.kill(pid, signal.SIGCONT)
        released = time.perf_counter()
        go_on.set()
        desk.create_ticket(op, _call("second"))
        figures["released"] = time.perf_counter() - released
        status, _ = results.get(timeout=GUARD)
        if status != "committed":
            raise RuntimeError(f"the released writer did not commit: {status}")
    if abandoned:
        with stopped_writer(url):
            stopped = time.perf_counter()
            tries = 0
            while True:
                tries += 1
                try:
                    desk.create_ticket(op, _call("after the stall"))
                    break
                except DeskBusy:
                    continue
            figures["abandoned"] = time.perf_counter() - stopped
            figures["tries"] = tries
    db.dispose()
    return figures


def main() -> None:
    """Print the figures for SQLite and, given ``--pg``, PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is made and dropped)")
    options = parser.parse_args()
    waits = DatabaseWaits.from_env()
    print(
        f"lock wait {waits.lock:g} s, statement {waits.statement:g} s, "
        f"idle in transaction {waits.idle_in_transaction:g} s"
    )
    backends = [("SQLite", sqlite_desk, False)]
    if options.pg:
        backends.append(("PostgreSQL", lambda: postgres_desk(options.pg), True))
    for name, desk_of, abandoned in backends:
        with desk_of() as url:
            figures = measure(url, waits, abandoned)
        line = (
            f"{name:<10}  busy error {figures['busy']:6.2f} s after the second writer started;  "
            f"released -> next call committed in {figures['released'] * 1000:6.1f} ms"
        )
        if abandoned:
            line += (
                f";  never released -> first call committed {figures['abandoned']:6.2f} s after "
                f"the stop ({figures['tries']:.0f} tries)"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
