"""Engines, sessions and transactions for SQLite (embedded) and PostgreSQL (shared).

Write transactions that read-then-write take the write lock first: on SQLite they open with
``BEGIN IMMEDIATE`` (a deferred transaction that upgrades later deadlocks or duplicates under
concurrency); on PostgreSQL the services lock the rows they change.

No wait is unbounded (:class:`~deskui.config.DatabaseWaits`): a writer that cannot have the
lock within the lock wait gets :class:`DatabaseBusy` (nothing written), a PostgreSQL statement
runs at most the statement timeout, and the server ends a transaction left idle (a console
stopped inside it) so that its locks are freed. A change whose sender cancels it while it
waits (:mod:`deskui.store.cancel`) ends at once with :class:`WriteCancelled`, nothing written.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any
from urllib.request import pathname2url

import psycopg
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from deskui.config import (
    SHARED_GROUP_ENV,
    DatabaseWaits,
    check_shared_folder,
    make_private_dirs,
    shared_group,
)
from deskui.store.cancel import CancelToken, WriteCancelled, current_token
from deskui.store.feed import watch_writes
from deskui.store.writer_turn import HAVE_FLOCK, WriterTurn

#: PostgreSQL's codes for a wait that ran out: lock_timeout, statement_timeout.
PG_LOCK_NOT_AVAILABLE = "55P03"
PG_QUERY_CANCELED = "57014"


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` in it (kept in memory only: never shown, never written)."""
    return make_url(url).set(password=password).render_as_string(hide_password=False)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message says which and why.

    Attributes:
        database: the database's short name (:func:`display_name`), without a password.
        reason: why it cannot be used.
    """

    def __init__(self, message: str, *, database: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.database = database
        self.reason = reason or message

    @classmethod
    def of(cls, database: str, reason: str) -> DatabaseUnavailable:
        """The error for ``database`` (a short name) and ``reason``."""
        return cls(f"database {database} unavailable: {reason}", database=database, reason=reason)


class DatabaseBusy(RuntimeError):
    """Another writer held the lock longer than this one may wait; nothing was written.

    Attributes:
        database: the database's short name (:func:`display_name`), without a password.
        seconds: how long the writer waited (the configured lock wait).
    """

    def __init__(self, message: str, *, database: str = "", seconds: float = 0.0) -> None:
        super().__init__(message)
        self.database = database
        self.seconds = seconds

    @classmethod
    def of(cls, database: str, seconds: float) -> DatabaseBusy:
        """The error for ``database`` (a short name) after a wait of ``seconds``."""
        return cls(
            f"database {database} busy: no write lock within {seconds:g} s",
            database=database,
            seconds=seconds,
        )


def create_private_file(path: Path, group: int | None = None) -> None:
    """Create the empty file ``path`` with mode 0600 (its owner alone, whatever the umask);
    an existing file is left as it is, mode included.

    With ``group`` (a desk shared through ``DESKUI_DB_GROUP``): mode 0660, owned by that group.
    """
    mode = 0o600 if group is None else 0o660
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return
    try:
        if group is not None:
            os.fchown(fd, -1, group)
        if hasattr(os, "fchmod"):  # not on Windows, where the mode is only read-only or not
            os.fchmod(fd, mode)
    finally:
        os.close(fd)


def safe_url(url: str) -> str:
    """The URL without its password; for a URL that does not even parse, what follows ``@``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.rsplit("@", 1)[-1]


def display_name(url: str) -> str:
    """The database's short name for the status line and messages: a SQLite file's name
    (``:memory:`` in memory), otherwise the URL without its password."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return safe_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        return PurePath(database).name if database and database != ":memory:" else ":memory:"
    return safe_url(url)


def _milliseconds(seconds: float) -> int:
    # at least 1: zero means "no limit" to PostgreSQL and "do not wait at all" to SQLite
    return max(1, round(seconds * 1000))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling would issue a deferred BEGIN behind our back
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: How the desk's sessions read, set at connection (a URL's own ``options`` override them):
#: the text index's bitmap of a common word (100,000 tickets of a million) stays exact in 64 MB
#: (in the default 4 MB it goes lossy, and every ticket on a page that holds a match is read
#: and its document tested again: 250 ms for a name nobody had); and the console's reads are
#: short ones, for which compiling a plan (JIT) costs more than it saves (30–40 ms a count).
SESSION_SETTINGS = {"work_mem": "64MB", "jit": "off"}


def _postgres_connect_args(parsed: URL, waits: DatabaseWaits) -> dict[str, Any]:
    """libpq's connection parameters that bound every wait of a session.

    The server-side limits travel as start-up ``options`` (no extra round trip, and in force
    before the first statement); ``options`` already in the URL are kept, after ours, so a URL
    can still override one of them.
    """
    settings: dict[str, Any] = {
        "lock_timeout": _milliseconds(waits.lock),
        "statement_timeout": _milliseconds(waits.statement),
        "idle_in_transaction_session_timeout": _milliseconds(waits.idle_in_transaction),
        **SESSION_SETTINGS,
    }
    options = " ".join(f"-c {name}={value}" for name, value in settings.items())
    given = parsed.query.get("options")
    if isinstance(given, str) and given.strip():
        options = f"{options} {given.strip()}"
    return {
        "connect_timeout": waits.connect,
        "keepalives": 1,
        "keepalives_idle": waits.keepalive_idle,
        "keepalives_interval": waits.keepalive_interval,
        "keepalives_count": waits.keepalive_count,
        "options": options,
    }


def _new_desk_group(path: Path) -> int | None:
    """The group a new desk at ``path`` is shared through (``DESKUI_DB_GROUP``), checked; None
    for a desk that exists already (it keeps its modes) or a personal one.

    Raises:
        DeskGroupRefused: no such group, not a member, or a folder that is not the group's.
    """
    if path.exists():
        return None
    group = shared_group()
    if group is None:
        return None
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder == path.absolute().parent:
        check_shared_folder(folder, group, os.environ.get(SHARED_GROUP_ENV, ""))
    return group


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The file's device and inode; None when there is no file yet (raises nothing then)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def _sqlite_begin(connection: Any) -> None:
    options = connection.get_execution_options()
    busy_ms = options.get("sqlite_busy_ms")
    if busy_ms is not None:
        # the full lock wait, or for a writer what is left of it after its turn; set on every
        # transaction because the pooled connection keeps whatever the last one set
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(busy_ms)}")
    connection.exec_driver_sql(f"BEGIN {options.get('sqlite_begin', 'DEFERRED')}")


class _StatementCanceller:
    """Stops the statement a write session waits in, from the thread that cancels its change.

    On PostgreSQL that is the driver's cancel request (a lock wait ends with ``57014``); it is
    sent from a thread of its own, so the console that cancels does not wait for the server,
    and the session waits for it to be delivered before its connection goes back to the pool
    (a request arriving later could stop the connection's next statement). On SQLite the wait
    that matters is the writers' turn, woken by the token itself: nothing to do here.
    """

    def __init__(self, session: Session) -> None:
        self._request: Callable[[], None] | None = None
        self._sent: threading.Thread | None = None
        if session.get_bind().dialect.name != "postgresql":
            return
        driver = session.connection().connection.dbapi_connection
        if isinstance(driver, psycopg.Connection):
            self._request = driver.cancel_safe

    def cancel(self) -> None:
        """Send the cancel request (in the background)."""
        if self._request is not None and self._sent is None:
            self._sent = threading.Thread(target=self._request, name="deskui-cancel", daemon=True)
            self._sent.start()

    def finish(self) -> None:
        """The session is done with its statements: a cancel request sent has been delivered."""
        if self._sent is not None:
            self._sent.join()


class Database:
    """One desk database: an engine for reads and one whose transactions lock for writing.

    Args:
        url: SQLAlchemy URL (``sqlite:///path``, ``sqlite://`` in memory, ``postgresql+psycopg://``).
        echo: log SQL.
        waits: how long anything may wait (the defaults of :class:`DatabaseWaits` when not
            given; :class:`~deskui.config.Settings` reads them from ``DESKUI_DB_*``).
    """

    def __init__(self, url: str, *, echo: bool = False, waits: DatabaseWaits | None = None) -> None:
        self.url = url
        self.waits = waits or DatabaseWaits()
        """How long anything may wait on this database."""
        self._group: int | None = None
        """The group a new SQLite desk is shared through (``DESKUI_DB_GROUP``), if any."""
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["execution_options"] = {"sqlite_busy_ms": _milliseconds(self.waits.lock)}
            database = parsed.database
            if database and database != ":memory:":
                # a new desk's folder is its owner's alone (0700), as its files are (0600);
                # or its group's (2770 and 0660), when DESKUI_DB_GROUP shares it
                self._group = _new_desk_group(Path(database))
                make_private_dirs(Path(database).parent, group=self._group)
                # SQLite's busy timeout, for reads and for writers that are not deskui's
                kwargs["connect_args"] = {"timeout": self.waits.lock}
            else:
                # one shared connection so every session sees the same in-memory database
                kwargs["poolclass"] = StaticPool
                kwargs["connect_args"] = {"check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_size"] = 5
            kwargs["max_overflow"] = 5
            kwargs["connect_args"] = _postgres_connect_args(parsed, self.waits)
        self.lock_path: Path | None = None
        self._turn: WriterTurn | None = None
        self.path: Path | None = None
        """The SQLite database file (None in memory and on PostgreSQL)."""
        self._identity: tuple[int, int] | None = None
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            self.path = Path(parsed.database).absolute()
            self.lock_path = Path(f"{parsed.database}.writelock")
            if self._group is not None and not self.path.exists():
                # the writers' lock is opened by every account of the group
                create_private_file(self.lock_path, self._group)
            if HAVE_FLOCK:
                self._turn = WriterTurn(self.lock_path)
            self._identity = _file_identity(self.path)
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        if self.path is not None:
            event.listen(self.engine, "do_connect", self._open_existing)
            event.listen(self.engine, "connect", self._note_file)
        self.write_engine: Engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")

    # a SQLite file that goes away --------------------------------------------------------------
    def _open_existing(
        self, _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
    ) -> None:
        # once the file exists, a new connection opens it or fails: it never creates an empty
        # database where the real one went missing
        if self._identity is None and self.path is not None:
            # a new desk: its file is made 0600 before SQLite opens it, so the -wal and -shm
            # files SQLite makes beside it (with the main file's mode) are 0600 too
            create_private_file(self.path, self._group)
        if self._identity is not None and self.path is not None:
            cargs[:1] = [f"file:{pathname2url(str(self.path))}?mode=rw"]
            cparams["uri"] = True

    def _note_file(self, _connection: Any, _record: Any) -> None:
        if self._identity is None and self.path is not None:
            self._identity = _file_identity(self.path)

    def _check_file(self) -> None:
        """Before a session: the file must still be the one the pooled connections hold.

        A deleted file fails here (the open connections would go on reading and writing the
        unlinked one, and a call saved there would be lost). A replaced file (a backup put back)
        closes the pool, so the next connections open the file now at the path.

        Raises:
            DatabaseUnavailable: the file is gone.
        """
        if self._identity is None or self.path is None:
            return
        try:
            now = _file_identity(self.path)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise DatabaseUnavailable.of(self.display_name, f"{self.path}: {reason}") from exc
        if now is None:
            raise DatabaseUnavailable.of(self.display_name, f"the file {self.path} is gone")
        if now != self._identity:
            self.engine.dispose()
            self._identity = now

    def wait_ran_out(self, error: BaseException | None) -> float | None:
        """The limit in seconds of the wait that the driver's ``error`` reports running out —
        SQLite's busy timeout ("database is locked"), PostgreSQL's ``lock_timeout`` or
        ``statement_timeout`` — or None when it reports something else. Read from the error
        codes, never from the message."""
        if isinstance(error, sqlite3.OperationalError):
            # the primary result code; errors not raised by SQLite itself carry none
            code = getattr(error, "sqlite_errorcode", None)
            busy = code is not None and code & 0xFF == sqlite3.SQLITE_BUSY
            return self.waits.lock if busy else None
        sqlstate = getattr(error, "sqlstate", None)
        if sqlstate == PG_LOCK_NOT_AVAILABLE:
            return self.waits.lock
        if sqlstate == PG_QUERY_CANCELED:
            return self.waits.statement
        return None

    @property
    def is_sqlite(self) -> bool:
        """An embedded SQLite database."""
        return self.dialect == "sqlite"

    @property
    def display_name(self) -> str:
        """The database's short name, without a password (see :func:`display_name`)."""
        return display_name(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        self._check_file()
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose transaction holds the write lock from the start; commits on success.

        Everything done inside — the change and its audit events — commits together or not at all.

        A change run under a :class:`~deskui.store.cancel.CancelToken` (:func:`cancellable`)
        stops when it is cancelled before its commit starts: a wait for the writers' turn or
        (PostgreSQL) a statement waiting for a lock is cut short, the transaction is rolled
        back, and :class:`WriteCancelled` is raised.

        Raises:
            WriteCancelled: the change was cancelled; nothing was written.
        """
        self._check_file()
        token = current_token()
        if token is None:
            with self._transaction(None) as session:
                yield session
            return
        token.check()
        try:
            with self._transaction(token) as session:
                yield session
        except WriteCancelled:
            raise
        except Exception as exc:
            if token.cancelled:  # the wait the cancel cut short, or whatever it broke off
                raise WriteCancelled("the change was cancelled; nothing was written") from exc
            raise

    @contextmanager
    def _transaction(self, token: CancelToken | None) -> Iterator[Session]:
        with (
            self._writer_turn(token) as engine,
            Session(engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            # on PostgreSQL every flushed table is announced to the listening consoles in
            # this same transaction, so a notice leaves with the commit and never without it
            watch_writes(session)
            if token is None:
                yield session
                return
            canceller = _StatementCanceller(session)
            try:
                with token.waking(canceller.cancel):
                    yield session
                    session.flush()  # the last statements may wait on a lock too
            finally:
                canceller.finish()
            token.commit_starts()

    @contextmanager
    def _writer_turn(self, token: CancelToken | None = None) -> Iterator[Engine]:
        """On a SQLite file, take the writers' turn (:mod:`deskui.store.writer_turn`) before
        BEGIN IMMEDIATE; yields the engine to write with.

        Writers that do not take the turn (other tools) are still serialized by SQLite itself,
        whose busy timeout is then what is left of the same lock wait: a writer never waits
        longer than ``waits.lock`` in all.

        Raises:
            DatabaseBusy: the turn did not come within the lock wait (a writer stopped inside its
                transaction holds it).
            WriteCancelled: ``token`` was cancelled while the writer waited.
        """
        if self._turn is None:
            yield self.write_engine
            return
        deadline = time.monotonic() + self.waits.lock
        fd = self._turn.take(self.waits.lock, token)
        if fd is None:
            if token is not None:
                token.check()
            raise DatabaseBusy.of(self.display_name, self.waits.lock)
        try:
            left = max(0.0, deadline - time.monotonic())
            yield self.write_engine.execution_options(sqlite_busy_ms=_milliseconds(left))
        finally:
            os.close(fd)  # closing releases the turn

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
