"""Engines, sessions and transactions for SQLite (embedded) and PostgreSQL (shared).

Write transactions that read-then-write take the write lock first: on SQLite they open with
``BEGIN IMMEDIATE`` (a deferred transaction that upgrades later deadlocks or duplicates under
concurrency); on PostgreSQL the services lock the rows they change.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import Any
from urllib.request import pathname2url

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from deskui.store.feed import watch_writes

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy handler alone serializes writers
    _HAVE_FLOCK = False
else:
    _HAVE_FLOCK = True

BUSY_TIMEOUT_MS = 30_000


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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling would issue a deferred BEGIN behind our back
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The file's device and inode; None when there is no file yet (raises nothing then)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return info.st_dev, info.st_ino


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One desk database: an engine for reads and one whose transactions lock for writing.

    Args:
        url: SQLAlchemy URL (``sqlite:///path``, ``sqlite://`` in memory, ``postgresql+psycopg://``).
        echo: log SQL.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000}
            else:
                # one shared connection so every session sees the same in-memory database
                kwargs["poolclass"] = StaticPool
                kwargs["connect_args"] = {"check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_size"] = 5
            kwargs["max_overflow"] = 5
        self.lock_path: Path | None = None
        self.path: Path | None = None
        """The SQLite database file (None in memory and on PostgreSQL)."""
        self._identity: tuple[int, int] | None = None
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            self.path = Path(parsed.database).absolute()
            self.lock_path = Path(f"{parsed.database}.writelock")
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
        """
        self._check_file()
        with (
            self._writer_turn(),
            Session(self.write_engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            # on PostgreSQL every flushed table is announced to the listening consoles in
            # this same transaction, so a notice leaves with the commit and never without it
            yield watch_writes(session)

    @contextmanager
    def _writer_turn(self) -> Iterator[None]:
        """On a SQLite file, queue writers on an OS file lock before BEGIN IMMEDIATE.

        SQLite's busy handler makes a waiting writer sleep in growing steps (up to 100 ms), so
        under contention some writers wait seconds while others get in; the kernel wakes a
        waiter of ``flock`` as soon as the lock is free. Writers that do not take this lock
        (other tools) are still serialized by SQLite itself.
        """
        if self.lock_path is None or not _HAVE_FLOCK:
            yield
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
