"""Importing the directory of callers from an HR export (``deskui directory import``).

Each row is cleaned as intake cleans a caller (:class:`~deskui.services.directory.RequesterInput`)
and matched to the directory by employee id, else by phone: a match is updated where the file
differs, anything else is added. A row that cannot be used — a missing name, a bad phone, a VIP
that is neither yes nor no, an employee id or phone listed twice in the file, or one that points
at two different callers — is reported with its line and left out; the good rows are imported.
Everything is written in one transaction, so a failure on the way (the database) leaves the
directory as it was; a dry run reads and reports the same, and writes nothing. Re-importing the
same file changes nothing. A real import is recorded on the settings' audit trail, in the same
transaction (:mod:`deskui.services.directory_trail`).

The directory is read once into memory (by employee id and by phone digits) and the rows are
written in batches, so 100,000 rows take seconds (``benchmarks/directory_import.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from deskui.services import staff
from deskui.services.admin import NO, YES
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput, _phone_digits, pinyin_keys
from deskui.services.directory_file import SheetRows
from deskui.services.directory_trail import CallerChange, MatchedBy, record_import
from deskui.services.errors import Problem, ServiceError, ValidationFailed, problem
from deskui.services.identity import Identity
from deskui.store.models import Requester

#: Rows written per statement.
BATCH = 1000
#: The fields an import may change on a caller it matched.
UPDATED = (
    "name",
    "department",
    "company",
    "phone",
    "extension",
    "employee_id",
    "email",
    "site",
    "vip",
)


@dataclass(frozen=True)
class RowProblem:
    """A row left out, and why (the desk's words, by code)."""

    line: int
    field: str
    error: ServiceError | Problem

    def words(self, t: Any) -> str:
        """Why, in the catalog's language."""
        return str(self.error.words(t))

    def field_words(self, t: Any) -> str:
        """The column at fault, in the catalog's language."""
        key = f"field.{self.field}"
        return str(t(key)) if t.has(key) else self.field

    def line_words(self, t: Any) -> str:
        """The whole line a person reads: where, which column, why."""
        return str(
            t("directory.bad_row", line=self.line, field=self.field_words(t), reason=self.words(t))
        )

    def to_json(self) -> dict[str, Any]:
        """The row for ``--json``."""
        code = self.error.code
        return {"line": self.line, "field": self.field, "code": code, "message": self.error.message}


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do).

    Attributes:
        rows: rows read (blank lines aside).
        new: callers added.
        changed: callers whose record the file changed.
        unchanged: rows that matched a caller already as the file says.
        problems: rows left out, with their lines.
        clashes: rows imported although a later row of the file lists the same employee id or
            phone (that later row is among ``problems``): the import cannot tell which is right.
        encoding: how the file was read (``utf-8``, ``gbk``, ``xlsx``).
        dry_run: nothing was written.
        digest: the rows' digest (:meth:`SheetRows.digest`), as the import's record keeps it.
        event: the setting event that records the import (None for a dry run).
    """

    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    clashes: list[RowProblem] = field(default_factory=list)
    encoding: str = ""
    dry_run: bool = False
    digest: str = ""
    event: int | None = None

    def words(self, t: Any) -> str:
        """The summary line a person reads (a dry run says nothing was written)."""
        key = "directory.summary.dry_run" if self.dry_run else "directory.summary"
        return str(
            t(
                key,
                rows=self.rows,
                new=self.new,
                changed=self.changed,
                unchanged=self.unchanged,
                count=len(self.problems),
                encoding=self.encoding,
            )
        )

    def reported(self) -> list[RowProblem]:
        """The rows a person is told about, by line: those left out and those imported although
        a later row clashes with them."""
        return sorted([*self.problems, *self.clashes], key=lambda row: row.line)

    def record_words(self, t: Any) -> str | None:
        """Where the import is on the record, in the catalog's language (None for a dry run)."""
        return None if self.event is None else str(t("directory.recorded", event=self.event))

    def counts(self) -> dict[str, int]:
        """Rows read, callers new, changed and unchanged, rows left out."""
        return {
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "bad": len(self.problems),
        }

    def to_json(self) -> dict[str, Any]:
        """The summary for ``--json``."""
        return {
            **self.counts(),
            "problems": [p.to_json() for p in self.problems],
            "clashes": [p.to_json() for p in self.clashes],
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "digest": self.digest,
            "event": self.event,
        }


def vip_of(text: str) -> bool | None:
    """A VIP column's answer, None when it is neither yes nor no."""
    answer = text.strip().casefold()
    if answer in YES:
        return True
    return False if answer in NO else None


def _clean(line: int, values: dict[str, str], problems: list[RowProblem]) -> RequesterInput | None:
    vip = vip_of(values.get("vip", ""))
    if vip is None:
        problems.append(
            RowProblem(line, "vip", problem("vip", "directory.yes_no", value=values["vip"]))
        )
        return None
    data = RequesterInput(
        name=values.get("name", ""),
        phone=values.get("phone") or None,
        department=values.get("department") or None,
        company=values.get("company") or None,
        extension=values.get("extension") or None,
        employee_id=values.get("employee_id") or None,
        email=values.get("email") or None,
        site=values.get("site") or None,
        vip=vip,
    )
    try:
        cleaned, _warnings = data.cleaned(prefix="row")
    except ValidationFailed as refused:
        problems.extend(RowProblem(line, p.field.removeprefix("row."), p) for p in refused.problems)
        return None
    if not cleaned.phone and not cleaned.employee_id:
        problems.append(RowProblem(line, "phone", problem("phone", "directory.no_key")))
        return None
    return cleaned


@dataclass
class _Known:
    """The directory as read once: id → record, and the two keys a row is matched by."""

    by_id: dict[int, dict[str, Any]]
    by_employee: dict[str, int]
    by_phone: dict[str, int]

    @classmethod
    def read(cls, session: Session) -> _Known:
        columns = [col(getattr(Requester, name)) for name in ("id", "phone_digits", *UPDATED)]
        rows = session.execute(sa_select(*columns).where(col(Requester.external).is_(False))).all()
        by_id: dict[int, dict[str, Any]] = {}
        by_employee: dict[str, int] = {}
        by_phone: dict[str, int] = {}
        for row in rows:
            record = dict(zip(UPDATED, row[2:], strict=True))
            by_id[row[0]] = record
            if record["employee_id"]:
                by_employee[record["employee_id"]] = row[0]
            if row[1]:
                by_phone[row[1]] = row[0]
        return cls(by_id, by_employee, by_phone)


@dataclass
class ImportPlan:
    """What importing a sheet does.

    Attributes:
        summary: the counts and the rows left out.
        added: the callers to add, as rows of ``requester``.
        changes: the updates to make, by ``requester.id``.
        changed: the same changes for the record: each caller's key and the fields that differ.
    """

    summary: ImportSummary
    added: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    changed: list[CallerChange] = field(default_factory=list)


def plan_import(session: Session, sheet: SheetRows) -> ImportPlan:
    """What importing ``sheet`` does: the summary, the rows to add and the changes to make."""
    summary = ImportSummary(rows=len(sheet.rows), encoding=sheet.encoding, digest=sheet.digest())
    plan = ImportPlan(summary)
    known = _Known.read(session)
    seen_employee: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    twice: list[RowProblem] = []
    for line, values in sheet.rows:
        data = _clean(line, values, summary.problems)
        if data is None:
            continue
        digits = _phone_digits(data.phone)
        clash = _listed_twice(line, data.employee_id, digits, seen_employee, seen_phone)
        if clash is not None:
            summary.problems.append(clash)
            twice.append(clash)
            continue
        by_employee = known.by_employee.get(data.employee_id or "")
        by_phone = known.by_phone.get(digits) if digits else None
        if by_employee and by_phone and by_employee != by_phone:
            summary.problems.append(
                RowProblem(line, "phone", problem("phone", "directory.two_callers"))
            )
            continue
        record = {
            "name": data.name,
            "department": data.department,
            "company": data.company,
            "phone": data.phone,
            "extension": data.extension,
            "employee_id": data.employee_id,
            "email": data.email,
            "site": data.site,
            "vip": data.vip,
        }
        match = by_employee or by_phone
        if match is None:
            plan.added.append(record | {"phone_digits": digits})
            continue
        before = known.by_id[match]
        # a column the file does not have leaves the caller's value as it is
        wanted = {k: v for k, v in record.items() if k in sheet.fields}
        if wanted.get("employee_id") is None:
            wanted.pop("employee_id", None)
        differs = {k: v for k, v in wanted.items() if before.get(k) != v}
        if not differs:
            summary.unchanged += 1
            continue
        change = {"id": match, **wanted}
        if "phone" in wanted:
            change["phone_digits"] = digits
        if "name" in differs:
            change["name_pinyin"], change["name_initials"] = pinyin_keys(data.name)
        plan.changes.append(change)
        # the record keys the caller by what matched it (a matched employee id is never empty)
        by: MatchedBy = "employee_id" if by_employee else "phone"
        key = (data.employee_id or "") if by_employee else digits
        plan.changed.append(CallerChange(by, key, {k: before.get(k) for k in differs}, differs))
    summary.new, summary.changed = len(plan.added), len(plan.changes)
    summary.clashes = _earlier_lines(twice, left_out={p.line for p in summary.problems})
    return plan


def _earlier_lines(twice: list[RowProblem], left_out: set[int]) -> list[RowProblem]:
    """The earlier line of each clash, when it was imported: it is named too, for a person to
    check which of the two rows is right."""
    earlier: list[RowProblem] = []
    for later in twice:
        first, value = later.error.params["first"], later.error.params["value"]
        if isinstance(first, int) and first not in left_out:
            said = problem(later.field, "directory.clash_kept", value=value, later=later.line)
            earlier.append(RowProblem(first, later.field, said))
    return earlier


def _listed_twice(
    line: int,
    employee_id: str | None,
    digits: str,
    seen_employee: dict[str, int],
    seen_phone: dict[str, int],
) -> RowProblem | None:
    if employee_id:
        first = seen_employee.setdefault(employee_id, line)
        if first != line:
            return RowProblem(
                line,
                "employee_id",
                problem("employee_id", "directory.twice", value=employee_id, first=first),
            )
    if digits:
        first = seen_phone.setdefault(digits, line)
        if first != line:
            return RowProblem(
                line, "phone", problem("phone", "directory.twice", value=digits, first=first)
            )
    return None


def write_import(
    session: Session,
    added: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Add and change the callers (in the caller's transaction), in batches."""
    done = 0
    keys = PinyinKeys()
    for batch in _batches(added):
        rows = []
        for record in batch:
            full, initials = keys(record["name"])
            rows.append(
                record
                | {
                    "name_pinyin": full,
                    "name_initials": initials,
                    "created_at": now,
                    "external": False,
                }
            )
        session.execute(insert(Requester), rows)
        done += len(batch)
        if progress:
            progress(done)
    for batch in _batches(changes):
        session.execute(update(Requester), batch)
        done += len(batch)
        if progress:
            progress(done)


class PinyinKeys:
    """:func:`~deskui.services.directory.pinyin_keys` for many names, the same answers faster.

    pypinyin converts a name by segmenting it against its phrase dictionary; a name none of
    whose runs of two or more characters is a phrase is converted character by character, so
    its keys are the concatenation of each character's (remembered once per character). A name
    with a phrase in it, or with anything but Chinese characters, goes to ``pinyin_keys``.
    """

    def __init__(self) -> None:
        from pypinyin.constants import PHRASES_DICT

        self.phrases = PHRASES_DICT
        self.chars: dict[str, str] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        """Full pinyin and initials of ``name``."""
        if not name or not all("\u4e00" <= ch <= "\u9fff" for ch in name) or self._phrase(name):
            return pinyin_keys(name)
        syllables = [self._char(ch) for ch in name]
        if not all(syllables):
            return pinyin_keys(name)
        return "".join(syllables), "".join(s[0] for s in syllables)

    def _phrase(self, name: str) -> bool:
        size = len(name)
        return any(name[i:j] in self.phrases for i in range(size) for j in range(i + 2, size + 1))

    def _char(self, ch: str) -> str:
        found = self.chars.get(ch)
        if found is None:
            full, _initials = pinyin_keys(ch)
            found = self.chars[ch] = full if full.isascii() and full.isalpha() else ""
        return found


def _batches(items: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def import_directory(
    desk: DeskService,
    who: Identity,
    sheet: SheetRows,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """An admin imports ``sheet`` into the directory (see the module docstring).

    Raises:
        PermissionDenied: not an admin.
    """
    now = desk.clock.now()

    def run(session: Session) -> ImportSummary:
        staff.guard_admin(session, who)
        plan = plan_import(session, sheet)
        summary = plan.summary
        summary.dry_run = dry_run
        if dry_run:
            return summary
        write_import(session, plan.added, plan.changes, now, progress)
        # An import that changed nothing is recorded as well: that this file (by its digest)
        # was applied, by whom and when, and found the directory already as it says, belongs
        # to the directory's history as much as a change does; the trail then holds every
        # import that ran, and a missing one cannot pass for "nothing to change".
        event = record_import(
            session,
            actor=who.person(),
            now=now,
            counts=summary.counts(),
            digest=summary.digest,
            added=plan.added,
            changed=plan.changed,
        )
        summary.event = event.id
        return summary

    return desk.read(run) if dry_run else desk.write(run)
