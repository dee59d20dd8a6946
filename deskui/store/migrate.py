"""Schema migrations (Alembic) and the first-run set-up of a desk database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from deskui.store.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x6465736B  # "desk"
#: Tables every deskui schema has had since its first migration: a database holding any of them
#: is a desk, whatever its ``alembic_version`` says.
_DESK_TABLES = frozenset({"desk_user", "support_group", "requester", "ticket", "ticket_event"})


def alembic_config(db: Database) -> Config:
    """An Alembic configuration pointing at deskui's migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return config


def head_revision(db: Database) -> str | None:
    """The newest migration deskui ships."""
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


class SchemaStanding(StrEnum):
    """Where a database's schema stands against the migrations this deskui ships."""

    EMPTY = "empty"
    """No schema yet (a new database)."""
    BEHIND = "behind"
    """An older revision this deskui knows: ``deskui db upgrade`` brings it up."""
    CURRENT = "current"
    """The newest revision this deskui ships."""
    NEWER = "newer"
    """A deskui revision past this deskui's newest: a newer deskui migrated it."""
    UNKNOWN = "unknown"
    """A revision no deskui writes (not of the shape of its migrations): not a deskui schema."""
    MISSING = "missing"
    """The desk's tables are there, its revision is not: nothing can tell what schema it has."""


@dataclass(frozen=True)
class SchemaState:
    """The revision a database is at, and how it compares with this deskui's migrations.

    Attributes:
        revision: the stored revision (``None`` for an empty database).
        head: the newest revision this deskui ships.
        standing: empty, behind, current, or newer than this deskui.
    """

    revision: str | None
    head: str | None
    standing: SchemaStanding


def schema_state(db: Database) -> SchemaState:
    """Compare the stored revision with the migrations this deskui knows; changes nothing.

    A revision missing from the script directory was written by a newer deskui: Alembic would
    fail on it with a traceback, so it is told apart here before anything upgrades or reads.
    """
    script = ScriptDirectory.from_config(alembic_config(db))
    head = script.get_current_head()
    with db.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        tables = set(inspect(connection).get_table_names()) if revision is None else set()
    if revision is None:
        # a desk whose revision was lost must not look new: migrating it would create its
        # tables over the ones it has
        standing = SchemaStanding.MISSING if tables & _DESK_TABLES else SchemaStanding.EMPTY
    elif revision == head:
        standing = SchemaStanding.CURRENT
    elif revision in {r.revision for r in script.walk_revisions()}:
        standing = SchemaStanding.BEHIND
    elif _numbered(revision) > _numbered(head or ""):
        standing = SchemaStanding.NEWER
    else:
        standing = SchemaStanding.UNKNOWN
    return SchemaState(revision, head, standing)


def _numbered(revision: str) -> int:
    """A deskui revision's number (``0014`` → 14); -1 for any other text.

    deskui's migrations are numbered in order, four digits and more (``0001``, ``0002`` …), so a
    newer deskui's revision is a greater number and anything else is no deskui revision.
    """
    return int(revision) if re.fullmatch(r"[0-9]{4,}", revision) else -1


def current_revision(db: Database) -> str | None:
    """The migration the database is at (``None`` for an empty database)."""
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Turn SQLite's enforcement of references on or off for this connection.

    SQLite takes the pragma only between transactions, so it goes straight to the driver's
    connection, before SQLAlchemy begins one.
    """
    raw = connection.connection.dbapi_connection
    if raw is not None:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        cursor.close()


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (normally the newest).

    Consoles starting together on a new database must not migrate it twice: the migration runs
    under the write lock (SQLite) or a transaction-scoped advisory lock (PostgreSQL).

    A migration may rewrite a large table, so on PostgreSQL its statements have no time limit;
    its waits for locks keep theirs (``lock_timeout``): a migration that cannot have a table
    gives up rather than queue every console's reads behind its own wait.
    """
    config = alembic_config(db)
    with db.write_engine.connect() as connection:
        if db.is_sqlite:
            # a batch migration rebuilds a table that others refer to (tickets refer to their
            # users): SQLite would refuse dropping the old copy; the references are checked
            # once the migration is done instead
            sqlite_foreign_keys(connection, on=False)
        try:
            with connection.begin():
                if not db.is_sqlite:
                    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if db.is_sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("the migration left rows referring to nothing")
        finally:
            if db.is_sqlite:
                sqlite_foreign_keys(connection, on=True)


def needs_upgrade(db: Database) -> bool:
    """The database is behind the code."""
    return current_revision(db) != head_revision(db)
