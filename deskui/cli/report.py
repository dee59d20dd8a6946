"""``deskui report``: a period's report as JSON for scripts, CSV, or an XLSX workbook with one
sheet per table, typed numbers, percentages formatted as such, headers in the reader's language
and charts."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, TextIO

from deskui.cli.files import unwritable
from deskui.cli.intake_json import InputError
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.desk import DeskService
from deskui.services.report_words import (
    headers,
    heading,
    kinds,
    row_label,
    table_title,
)
from deskui.services.reports import Kind, Report, ReportScope, read_period
from deskui.services.users import Actor

#: Number formats of the spreadsheet's cells, by kind.
XLSX_FORMATS = {Kind.PERCENT: "0.0%", Kind.HOURS: "0.00", Kind.NUMBER: "0.00", Kind.COUNT: "0"}
#: The notes every export carries: what the report does not (yet) count.
NOTES = ("report.note.minutes", "report.note.left_out")


def _clean(value: object) -> object:
    """Stored text (a summary, a group's name) as one clean line: no control character reaches
    a terminal showing the CSV, and none is refused by the workbook."""
    return sanitize_line(value) if isinstance(value, str) else value


def report_json(report: Report, t: Catalog) -> dict[str, Any]:
    """The report for a script: every table's rows by column name, each with its label."""
    tz = report.period.tz
    return {
        "period": report.period.label,
        "from": report.period.start.astimezone(tz).isoformat(),
        "to": report.period.end.astimezone(tz).isoformat(),
        "previous": report.previous.label,
        "scope": {"group": report.scope.group, "agent": report.scope.agent},
        "generated_at": report.generated_at.astimezone(tz).isoformat(),
        "tables": {
            table.key: {
                "title": table_title(table, t),
                "columns": {name: str(kind) for name, kind in table.columns},
                "rows": [
                    {
                        "key": row.key,
                        "label": row_label(report, table, row, t),
                        **dict(zip((c for c, _ in table.columns), row.values, strict=True)),
                    }
                    for row in table.rows
                ],
            }
            for table in report.tables
        },
        "notes": [t(n) for n in NOTES],
    }


def write_csv(report: Report, t: Catalog, out: TextIO) -> None:
    """Every table in one CSV: its title, its header, its rows, a blank line between tables.
    Numbers are written as numbers (a percentage as its fraction, 0.25 for 25 %)."""
    writer = csv.writer(out)
    writer.writerow([heading(report, t)])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table_title(table, t)])
        writer.writerow(headers(table, t))
        for row in table.rows:
            values = ["" if v is None else _clean(v) for v in row.values]
            writer.writerow([_clean(row_label(report, table, row, t)), *values])
    writer.writerow([])
    for note in NOTES:
        writer.writerow([t(note)])


def _sheet_name(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``, unique."""
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:28] or "sheet"
    name, n = clean, 2
    while name in taken:
        name, n = f"{clean[:26]} {n}", n + 1
    taken.add(name)
    return name


def write_xlsx(report: Report, t: Catalog, path: Path) -> None:
    """One sheet per table; numbers typed with their formats; bar and line charts."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]  # a new workbook always has its sheet
    taken: set[str] = set()
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table_title(table, t), taken))
        sheet.append([heading(report, t)])
        sheet.append(headers(table, t))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_clean(row_label(report, table, row, t)), *map(_clean, row.values)])
            for cell, kind in zip(sheet[sheet.max_row][1:], kinds(table, row), strict=True):
                if kind in XLSX_FORMATS and cell.value is not None:
                    cell.number_format = XLSX_FORMATS[kind]
        sheet.column_dimensions["A"].width = 28
        last = sheet.max_row
        if table.key == "volume_category" and last > 2:
            chart = BarChart()
            chart.title = table_title(table, t)
            chart.add_data(
                Reference(sheet, min_col=2, max_col=3, min_row=2, max_row=last),
                titles_from_data=True,
            )
            chart.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=last))
            sheet.add_chart(chart, "F3")
        if table.key == "sla_trend" and last > 2:
            line = LineChart()
            line.title = table_title(table, t)
            line.y_axis.number_format = "0%"
            line.add_data(
                Reference(sheet, min_col=3, max_col=4, min_row=2, max_row=last),
                titles_from_data=True,
            )
            line.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=last))
            sheet.add_chart(line, "F3")
    notes = book.create_sheet(_sheet_name(t("report.title"), taken))
    for note in NOTES:
        notes.append([t(note)])
    book.save(path)


def _write_file(path: Path, write: Any) -> None:
    """Write through a temporary file beside ``path``: a failed export leaves no half file."""
    try:
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(fd)
        try:
            write(Path(temp))
            os.replace(temp, path)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    except OSError as exc:
        raise unwritable("out", path, exc) from exc


def run_report(
    desk: DeskService, actor: Actor, args: argparse.Namespace, t: Catalog, stdout: TextIO
) -> int:
    """``deskui report --period P [--group G] [--agent LOGIN] --format F [--out FILE]``.

    JSON and CSV go to standard output without ``--out`` (or with ``--out -``); a workbook
    needs a file.

    Raises:
        InputError: an unreadable period, a workbook with no file, a file that cannot be
            written.
    """
    period = read_period(args.period, desk.rules.tz)
    out = args.out
    if args.format == "xlsx" and out in (None, "-"):
        raise InputError("out", "report.out")
    report = desk.report(actor, period, ReportScope(group=args.group, agent=args.agent))
    if args.format == "xlsx":
        _write_file(Path(out), lambda p: write_xlsx(report, t, p))
        return 0
    text = io.StringIO(newline="")
    if args.format == "csv":
        write_csv(report, t, text)
    else:
        text.write(json.dumps(report_json(report, t), ensure_ascii=False, indent=2) + "\n")
    if out in (None, "-"):
        stdout.write(text.getvalue())
    else:
        _write_file(Path(out), lambda p: p.write_text(text.getvalue(), encoding="utf-8"))
    return 0
