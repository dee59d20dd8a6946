"""Fault injection on both databases: a writer killed with ``kill -9`` inside its transaction, a
SQLite file that vanishes under a running desk, PostgreSQL backends terminated, and a schema a
newer deskui migrated. Each time: the error is clear, and no ticket that was saved is lost.

The stalled (``SIGSTOP``) writer, the fifth fault, is tests/services/test_stalled_writer.py's (in
this suite by its ``faults`` mark); its figures are benchmarks/stalled_writer.py's.
"""

from __future__ import annotations

import io
import multiprocessing as mp
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlmodel import Session, col, select

from deskui.cli import exits, main
from deskui.config import DatabaseWaits
from deskui.core.clock import FrozenClock
from deskui.services.desk import DeskService, prepare_database
from deskui.services.errors import DatabaseUnavailable, SchemaNewer, ServiceError
from deskui.services.verify import verify_record
from deskui.services.views import TicketView
from deskui.store.db import Database
from deskui.store.migrate import head_revision
from deskui.store.models import Ticket
from tests.cli.test_schema import FUTURE, stamp
from tests.conftest import FROZEN_AT, add_staff
from tests.services.race_workers import intake_worker
from tests.services.stalled import DEADLINE, faults, finishes, needs_sigstop, stalled_writer
from tests.services.test_intake import call

pytestmark = [faults, pytest.mark.slow]

WORKERS, CALLS = 3, 4


def _tickets(desk: DeskService) -> list[tuple[str, str]]:
    def read(session: Session) -> list[tuple[str, str]]:
        rows = session.exec(select(Ticket.number, Ticket.summary).order_by(col(Ticket.id)))
        return [(str(number), str(summary)) for number, summary in rows]

    return desk.read(read)


def _holds(desk: DeskService) -> None:
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings  # no gap in the numbers, no chain broken


# kill -9 ----------------------------------------------------------------------------------------
@needs_sigstop
def test_a_writer_killed_inside_its_transaction_loses_nothing(desk: DeskService) -> None:
    """Consoles logging calls while another is killed mid-save: every call they were told was
    saved is on record, numbered without a gap; the killed console's unsaved call is not."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WORKERS + 1)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=intake_worker, args=(desk.db.url, w, CALLS, barrier, results))
        for w in range(WORKERS)
    ]
    # the workers' real clock: the killed writer holds the same day's counter as they do
    with stalled_writer(desk.db.url, at=None, stop="SIGKILL") as killed:
        for worker in workers:
            worker.start()
        barrier.wait(DEADLINE)  # they are logging now, behind the killed writer's transaction
        killed.process.join(DEADLINE)
        assert killed.process.exitcode == -9
        told = dict(results.get(timeout=DEADLINE) for _ in workers)
    for worker in workers:
        worker.join(DEADLINE)
        assert worker.exitcode == 0
    saved = [number for numbers in told.values() for number in numbers]
    assert len(saved) == len(set(saved)) == WORKERS * CALLS
    on_record = _tickets(desk)
    assert sorted(number for number, _ in on_record) == sorted(saved)
    assert "stalled console" not in {summary for _, summary in on_record}
    _holds(desk)


# a vanished SQLite file -------------------------------------------------------------------------
def _move(path: Path, suffix_from: str, suffix_to: str) -> None:
    for extra in ("", "-wal", "-shm"):
        source = Path(f"{path}{extra}{suffix_from}")
        if source.exists():
            os.rename(source, Path(f"{path}{extra}{suffix_to}"))


def test_a_vanished_sqlite_file_is_said_and_nothing_is_lost(tmp_path: Path) -> None:
    """The desk's file moved away under a running desk (a folder unmounted, a file deleted by
    mistake): a call is refused with ``database.unavailable``, never written to the file the
    open connections still hold nor to a new empty one; the file back, every call is there."""
    path = tmp_path / "desk.db"
    db = Database(f"sqlite:///{path}")
    prepare_database(db)
    desk = add_staff(DeskService(db, FrozenClock(FROZEN_AT)))
    op = desk.actor("op")
    before = [desk.create_ticket(op, call(summary=f"call {i}")).number for i in range(3)]
    _move(path, "", ".away")
    outcome = finishes(lambda: desk.create_ticket(op, call(summary="while gone")))
    assert isinstance(outcome, DatabaseUnavailable), outcome
    assert outcome.code == "database.unavailable" and "gone" in outcome.message
    assert not path.exists()  # no empty desk made where the real one went missing
    _move(path, ".away", "")
    after = desk.create_ticket(op, call(summary="back again"))
    assert [n for n, _ in _tickets(desk)] == [*before, after.number]
    assert "while gone" not in {summary for _, summary in _tickets(desk)}
    _holds(desk)
    db.dispose()


# terminated PostgreSQL backends ---------------------------------------------------------------
@pytest.fixture
def admin_conn(desk: DeskService) -> Iterator[Connection]:
    engine = create_engine(desk.db.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def _terminate(conn: Connection, where: str) -> int:
    rows = conn.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = current_database() AND pid <> pg_backend_pid() AND {where}"
        )
    ).all()
    return len(rows)


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_terminated_idle_backends_lose_nothing(desk: DeskService, admin_conn: Connection) -> None:
    """Every pooled connection of a running desk terminated (a server restart, an admin's
    ``pg_terminate_backend``): the next call is saved on a fresh connection, or refused plainly
    once and saved on the retry; nothing saved before is lost."""
    op = desk.actor("op")
    first = desk.create_ticket(op, call(summary="before"))
    assert _terminate(admin_conn, "true") >= 1
    saved: list[str] = []
    refused: list[str] = []
    for _ in range(2):
        outcome = finishes(lambda: desk.create_ticket(op, call(summary="after")))
        if isinstance(outcome, TicketView):
            saved.append(outcome.number)
            break
        assert isinstance(outcome, ServiceError), outcome
        refused.append(outcome.code)
    assert refused in ([], ["database.unavailable"])
    assert [n for n, _ in _tickets(desk)] == [first.number, *saved] and saved
    _holds(desk)


@pytest.mark.postgres
@needs_sigstop
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_backend_terminated_inside_a_transaction_loses_nothing_saved(
    desk: DeskService, admin_conn: Connection
) -> None:
    """A console's backend terminated while it is inside its save (stopped there): the writer
    waiting behind it gets through at once, the terminated console is told its call was not
    saved (``database.unavailable``), and that call is not on record."""
    patient = DeskService(Database(desk.db.url, waits=DatabaseWaits(lock=60.0)), desk.clock)
    op = patient.actor("op")
    _ = patient.rules
    with stalled_writer(desk.db.url, at=FROZEN_AT) as stalled:
        assert _terminate(admin_conn, "state = 'idle in transaction'") == 1
        view = finishes(lambda: patient.create_ticket(op, call(summary="behind it")))
        assert isinstance(view, TicketView), view
        assert stalled.release() == ("failed", "database.unavailable")
    assert _tickets(desk) == [(view.number, "behind it")]
    _holds(desk)
    patient.db.dispose()


# a newer schema ---------------------------------------------------------------------------------
def test_a_newer_schema_refuses_writes_and_loses_nothing(
    desk: DeskService, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newer deskui migrated the desk: this one refuses to log a call (exit 6, the message
    says to upgrade deskui) and writes nothing; the desk's tickets are all there for the newer
    one (stamped back here, they verify)."""
    op = desk.actor("op")
    saved = [desk.create_ticket(op, call(summary=f"call {i}")).number for i in range(2)]
    desk.db.dispose()
    stamp(desk.db.url, FUTURE)
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"type": "incident"}'))
    capsys.readouterr()
    code = main(["ticket", "create", "--db", desk.db.url, "--lang", "en"])
    err = capsys.readouterr().err
    assert code == exits.DATABASE
    assert "newer than this deskui" in err and "Traceback" not in err
    # a console starting on it migrates nothing, neither down nor past
    with pytest.raises(SchemaNewer):
        prepare_database(Database(desk.db.url))
    stamp(desk.db.url, str(head_revision(desk.db)))
    assert [n for n, _ in _tickets(desk)] == saved
    _holds(desk)
