"""A desk as one portable file: ``deskui export`` writes it, ``deskui import`` restores it.

The archive is JSON lines, UTF-8, one object a line:

1. a header: ``{"format": "deskui-archive", "version": 1, "schema": <revision>, "exported_at":
   ..., "digest": <audit digest>, "tables": {table: rows}}``;
2. one line a row, ``{"table": ..., "row": {column: value}}``, the tables in the order they
   are restored (a row only refers to rows before it), each in its key's order; times are ISO
   8601 in UTC;
3. a trailer: ``{"end": true, "rows": N, "sha256": ...}`` over the row lines as written.

Everything is kept as stored — ids, ticket numbers, the day counters, every event with its
hashes — so the restored desk is the same record: its ``deskui audit verify`` digest is the one
the header carries. The export reads one snapshot, the desk keeps working meanwhile.

An import goes into an empty desk only (no user, caller or ticket yet; a new desk's default
groups and rules are replaced), in one transaction, and is kept only when the restored desk
verifies with the exported digest: a damaged or altered archive leaves the desk as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Table, text
from sqlmodel import Session, SQLModel

from deskui.core.permissions import Action
from deskui.services.access import require
from deskui.services.errors import ServiceError
from deskui.services.identity import Basis, Identity
from deskui.services.verify import AuditReport, verify_record
from deskui.store import models, text_search
from deskui.store.backup import backup_sqlite
from deskui.store.types import UTCDateTime

FORMAT = "deskui-archive"
VERSION = 1

#: The desk's tables in the order they are restored: each row refers only to rows before it.
TABLES: tuple[str, ...] = (
    models.Group.__tablename__,
    models.User.__tablename__,
    models.UserGroup.__tablename__,
    models.Requester.__tablename__,
    models.Ticket.__tablename__,
    models.TicketEvent.__tablename__,
    models.TicketSequence.__tablename__,
    models.DeskSetting.__tablename__,
    models.SettingEvent.__tablename__,
    models.AgentSkill.__tablename__,
    models.Announcement.__tablename__,
    models.AnnouncementEvent.__tablename__,
    models.Article.__tablename__,
    models.ArticleTicket.__tablename__,
    models.ArticleEvent.__tablename__,
    models.TicketReportFact.__tablename__,
)
"""Every table of the record, in an order that keeps their references (a ticket's parent is
set once every ticket is in). The text index is not carried: it is rebuilt from the rows."""
#: What a new desk holds before anyone works at it; replaced by an import.
_DEFAULTS = ("setting_event", "desk_setting", "ticket_sequence", "support_group")
#: What makes a desk not empty: an import never mixes two desks.
_IN_USE = ("desk_user", "requester", "ticket", "ticket_event")
_BATCH = 500


class ArchiveRefused(ServiceError):
    """An archive that cannot be restored here, or a desk that cannot take it; nothing written."""


class ArchiveBroken(ServiceError):
    """The restored desk did not verify: the archive was altered or damaged; nothing written.

    Attributes:
        report: what the verification found.
    """

    def __init__(self, report: AuditReport) -> None:
        self._start("archive.broken", "archive", {"findings": len(report.findings)})
        self.report = report


@dataclass
class ArchiveSummary:
    """What an export wrote or an import restored.

    Attributes:
        tables: rows per table.
        digest: the audit digest of the desk exported (the restored desk's too).
        schema: the schema revision.
    """

    tables: dict[str, int] = field(default_factory=dict)
    digest: str = ""
    schema: str = ""

    def to_json(self) -> dict[str, object]:
        """What ``--json`` prints."""
        return {"tables": self.tables, "digest": self.digest, "schema": self.schema}


def _table(name: str) -> Table:
    table = SQLModel.metadata.tables[name]
    assert isinstance(table, Table)
    return table


def _schema_revision(session: Session) -> str:
    revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(revision or "")


def _encode(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _decoders(table: Table) -> dict[str, bool]:
    """Column name → whether it holds a time (decoded from ISO text)."""
    return {column.name: isinstance(column.type, UTCDateTime) for column in table.columns}


def export_desk(*, session: Session, who: Identity, out: IO[str], now: datetime) -> ArchiveSummary:
    """Write the whole desk to ``out`` (see the module's description).

    Args:
        session: a read session that has not begun its transaction (one snapshot).
        who: an admin.
        out: a text stream.
        now: the export's time, for the header.

    Raises:
        PermissionDenied: not an admin.
    """
    require(who.person(), Action.EXPORT_DESK)
    # the verification starts the snapshot (read only, repeatable on PostgreSQL): the rows
    # written below are those it verified
    report = verify_record(session)
    conn = session.connection()
    counts = {
        name: int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
        for name in TABLES
    }
    summary = ArchiveSummary(counts, report.digest, _schema_revision(session))
    header = {
        "format": FORMAT,
        "version": VERSION,
        "schema": summary.schema,
        "exported_at": now.astimezone(UTC).isoformat(),
        "digest": report.digest,
        "tables": counts,
    }
    out.write(json.dumps(header, ensure_ascii=False) + "\n")
    lines = hashlib.sha256()
    written = 0
    for name in TABLES:
        table = _table(name)
        keys = [column for column in table.primary_key.columns]
        result = conn.execution_options(yield_per=_BATCH).execute(table.select().order_by(*keys))
        for row in result.mappings():
            line = json.dumps(
                {"table": name, "row": {k: _encode(v) for k, v in row.items()}},
                ensure_ascii=False,
            )
            lines.update(line.encode() + b"\n")
            out.write(line + "\n")
            written += 1
    out.write(json.dumps({"end": True, "rows": written, "sha256": lines.hexdigest()}) + "\n")
    return summary


def write_archive(path: Path, write: Any, *, force: bool) -> None:
    """Write a file through ``write(stream)`` atomically, readable by its owner only.

    Raises:
        FileExistsError: ``path`` exists and ``force`` is not given.
    """
    if path.exists() and not force:
        raise FileExistsError(path)
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temporary, 0o600)  # callers' phone numbers and everything said on the calls
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


_Line = tuple[int, str, dict[str, Any]]


def _lines(source: IO[str]) -> Iterator[_Line]:
    """Each line: its number, its text (without the line break) and its object."""
    for number, line in enumerate(source, start=1):
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise ArchiveRefused("archive.damaged", field="archive", line=number) from exc
        if not isinstance(value, dict):
            raise ArchiveRefused("archive.damaged", field="archive", line=number)
        yield number, line.rstrip("\n"), value


def _require_whole_desk(who: Identity, action: Action) -> None:
    """A desk without users yet (its first account, a shared desk's installation) may; on a
    desk in use, only those the rules allow ``action`` (admins).

    Raises:
        PermissionDenied: someone else.
    """
    if who.basis not in (Basis.NEW_DESK, Basis.INSTALLATION):
        require(who.person(), action)


def backup_desk(
    *, who: Identity, source: Path, target: Path, force: bool, lock_wait: float
) -> Path:
    """Copy the SQLite desk at ``source`` to ``target`` (:func:`deskui.store.backup.backup_sqlite`).

    The copy holds every caller's whole phone number, as an export does, so the same people
    make it: an admin, or the account of a desk that has no users yet.

    Raises:
        PermissionDenied: someone else.
        FileExistsError: ``target`` exists and ``force`` is not given.
        OSError: ``target`` cannot be written.
    """
    _require_whole_desk(who, Action.BACKUP_DESK)
    return backup_sqlite(source, target, force=force, lock_wait=lock_wait)


def import_desk(*, session: Session, who: Identity, source: IO[str]) -> ArchiveSummary:
    """Restore an archive into this empty desk, in the caller's one write transaction.

    Args:
        session: a write session (its transaction is begun; a raised error rolls it back).
        who: a new desk's first account, a shared desk's installation, or an admin.
        source: the archive, as text.

    Raises:
        ArchiveRefused: not an archive, another version or schema, damaged, or a desk in use.
        ArchiveBroken: restored, the desk did not verify with the archive's digest.
        PermissionDenied: someone else.
    """
    _require_whole_desk(who, Action.IMPORT_DESK)
    lines = _lines(source)
    header = _header(next(lines, None), _schema_revision(session))
    conn = session.connection()
    for name in _IN_USE:
        if conn.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first() is not None:
            raise ArchiveRefused("archive.not_empty", field="archive")
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        # a new desk's settings trail is append-only; the installation replaces it whole
        conn.exec_driver_sql("SET LOCAL deskui.maintenance = 'on'")
    for name in _DEFAULTS:
        conn.execute(text(f"DELETE FROM {name}"))
    summary = ArchiveSummary({name: 0 for name in TABLES}, str(header["digest"]), header["schema"])
    _restore(conn, lines, summary)
    _rebuild_text_index(conn)
    if postgres:
        _advance_sequences(conn)
    report = verify_record(session, in_transaction=True)
    if not report.ok or report.digest != summary.digest:
        raise ArchiveBroken(report)
    return summary


def _header(first: _Line | None, schema: str) -> dict[str, Any]:
    if first is None or first[2].get("format") != FORMAT:
        raise ArchiveRefused("archive.not_archive", field="archive")
    header = first[2]
    if header.get("version") != VERSION:
        raise ArchiveRefused("archive.version", field="archive", version=str(header.get("version")))
    if header.get("schema") != schema:
        raise ArchiveRefused(
            "archive.schema", field="archive", revision=str(header.get("schema")), current=schema
        )
    if not isinstance(header.get("digest"), str):
        raise ArchiveRefused("archive.damaged", field="archive", line=1)
    return header


def _restore(conn: Any, lines: Iterator[_Line], summary: ArchiveSummary) -> None:
    digest = hashlib.sha256()
    order = {name: index for index, name in enumerate(TABLES)}
    current = -1
    batch: list[dict[str, Any]] = []
    table: Table | None = None
    times: dict[str, bool] = {}
    parents: list[dict[str, Any]] = []
    ended = False
    written = 0
    for number, line, value in lines:
        if ended:
            raise ArchiveRefused("archive.damaged", field="archive", line=number)
        if value.get("end") is True:
            ended = True
            if value.get("rows") != written or value.get("sha256") != digest.hexdigest():
                raise ArchiveRefused("archive.damaged", field="archive", line=number)
            continue
        name, row = value.get("table"), value.get("row")
        if not isinstance(name, str) or name not in order or not isinstance(row, dict):
            raise ArchiveRefused("archive.damaged", field="archive", line=number)
        digest.update(line.encode() + b"\n")
        if order[name] != current:
            if order[name] < current:
                raise ArchiveRefused("archive.damaged", field="archive", line=number)
            _flush(conn, table, batch)
            current, table = order[name], _table(name)
            times = _decoders(table)
        if not set(row) <= set(times):
            raise ArchiveRefused("archive.damaged", field="archive", line=number)
        decoded = {k: _decode(v, number) if times[k] else v for k, v in row.items()}
        if name == models.Ticket.__tablename__ and decoded.get("parent_id") is not None:
            # an outage's parent may have been logged after its calls: linked once all are in
            parents.append({"id": decoded["id"], "parent": decoded["parent_id"]})
            decoded["parent_id"] = None
        batch.append(decoded)
        summary.tables[name] += 1
        written += 1
        if len(batch) >= _BATCH:
            _flush(conn, table, batch)
    if not ended:
        raise ArchiveRefused("archive.truncated", field="archive")
    _flush(conn, table, batch)
    if parents:
        conn.execute(text("UPDATE ticket SET parent_id = :parent WHERE id = :id"), parents)


def _rebuild_text_index(conn: Any) -> None:
    """The knowledge base's and the tickets' text index, from the restored rows."""
    text_search.backfill_tickets(conn)
    text_search.reindex_articles(conn)


def _decode(value: object, line: int) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ArchiveRefused("archive.damaged", field="archive", line=line)
    return moment


def _flush(conn: Any, table: Table | None, batch: list[dict[str, Any]]) -> None:
    if table is not None and batch:
        conn.execute(table.insert(), batch)
    batch.clear()


def _advance_sequences(conn: Any) -> None:
    """PostgreSQL: the id sequences continue after the restored ids."""
    for name in TABLES:
        table = _table(name)
        if "id" not in table.columns or not table.columns["id"].primary_key:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {name}"
            )
        )
