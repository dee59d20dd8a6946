"""An HR export of callers as rows: CSV (UTF-8 or GBK) or XLSX, headers in Chinese or English.

Each row comes with its line number in the file (the header is line 1), so a bad row is reported
where the person who made the file can find it. The columns are found by their headers, in any
order and either language; unknown columns are ignored; a file without a name column, or
without a phone or employee id column, is refused as a whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deskui.core.sanitize import sanitize_line
from deskui.services.errors import ServiceError

#: Each field and the headers that name it (compared without case, spaces, "_" or "-").
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名", "名字", "员工姓名"),
    "department": ("department", "dept", "部门", "所属部门"),
    "company": ("company", "公司", "单位", "所属公司"),
    "phone": ("phone", "mobile", "telephone", "电话", "手机", "手机号", "手机号码", "联系电话"),
    "extension": ("extension", "ext", "分机", "分机号"),
    "employee_id": ("employeeid", "employeeno", "staffid", "id", "工号", "员工编号", "员工号"),
    "email": ("email", "mail", "邮箱", "电子邮件", "电子邮箱"),
    "site": ("site", "location", "office", "地点", "办公地点", "工作地点"),
    "vip": ("vip", "重要客户", "重要用户"),
}
FIELDS = tuple(HEADERS)


@dataclass(frozen=True)
class SheetRows:
    """What a file holds: its fields (in file order), the encoding read, and the rows."""

    fields: tuple[str, ...]
    encoding: str
    rows: list[tuple[int, dict[str, str]]]

    def digest(self) -> str:
        """SHA-256 of the rows as read, each row's values in the desk's order of the fields.

        The file's column order, its encoding and its blank lines do not count, so the same
        export saved again as GBK, UTF-8 or XLSX has the same digest; ``deskui directory import
        FILE --dry-run --json`` prints it, to compare with the one an import recorded.
        """
        present = [f for f in FIELDS if f in self.fields]
        body = [present, *([values.get(f, "") for f in present] for _line, values in self.rows)]
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(header: str) -> str:
    return "".join(ch for ch in header.strip().casefold() if ch not in " _-\ufeff")


_LOOKUP = {_key(alias): field for field, aliases in HEADERS.items() for alias in aliases}


def _columns(header: list[str]) -> dict[int, str]:
    """Column index → field, for the headers that name one.

    Raises:
        ServiceError: a field named twice, no name column, or neither a phone nor an employee id.
    """
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        field = _LOOKUP.get(_key(str(title or "")))
        if field is None:
            continue
        if field in columns.values():
            raise ServiceError("directory.column_twice", field="file", column=sanitize_line(title))
        columns[index] = field
    present = set(columns.values())
    missing = [f for f in ("name",) if f not in present]
    if not present & {"phone", "employee_id"}:
        missing.append("phone / employee_id")
    if missing:
        raise ServiceError("directory.columns", field="file", missing=", ".join(missing))
    return columns


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file: UTF-8 (with or without its mark), else GBK (GB18030), as
    spreadsheets on Chinese Windows save it."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise ServiceError("directory.encoding", field="file", position=exc.start) from exc


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number or an id a spreadsheet took for a number
    return str(value).strip()


def _rows(lines: Iterator[list[object]], encoding: str, *, first_line: int = 1) -> SheetRows:
    try:
        header = next(lines)
    except StopIteration:
        raise ServiceError("directory.columns", field="file", missing="name") from None
    columns = _columns([_cell(h) for h in header])
    rows: list[tuple[int, dict[str, str]]] = []
    for number, line in enumerate(lines, start=first_line + 1):
        values = {field: _cell(line[i]) if i < len(line) else "" for i, field in columns.items()}
        if any(values.values()):
            rows.append((number, values))
    return SheetRows(tuple(columns.values()), encoding, rows)


def read_csv(data: bytes) -> SheetRows:
    """The rows of a CSV file (comma, semicolon or tab separated)."""
    text, encoding = _decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    return _rows((list(r) for r in reader), encoding)


def read_xlsx(data: bytes) -> SheetRows:
    """The rows of the first sheet of an XLSX workbook."""
    import openpyxl  # imported here: only an import of a workbook needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ServiceError("directory.unreadable", field="file", reason=type(exc).__name__) from exc
    try:
        sheet = book.worksheets[0]
        return _rows((list(r) for r in sheet.iter_rows(values_only=True)), "xlsx")
    finally:
        book.close()


def read_file(path: Path) -> SheetRows:
    """The rows of ``path``, by its suffix (``.xlsx``; anything else is read as CSV).

    Raises:
        ServiceError: the file cannot be read, or its columns are not a directory's.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ServiceError(
            "directory.unreadable", field="file", reason=exc.strerror or type(exc).__name__
        ) from exc
    return read_xlsx(data) if path.suffix.lower() in (".xlsx", ".xlsm") else read_csv(data)
