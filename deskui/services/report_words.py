"""A report in words: table titles, column headers, row labels and cells in the reader's
language, the same for the console's screen and for the command line's files."""

from __future__ import annotations

from deskui.i18n import Catalog
from deskui.services.reports import Kind, Report, ReportRow, Table, Value

#: Labels the catalog words by the identifier (``category.hardware``, ``status.new``).
_DOMAIN = frozenset({"type", "category", "priority", "channel"})
#: Labels the reports' own catalog words (``report.metric.received``).
_OWN = frozenset({"metric", "aspect", "bucket"})


def table_title(table: Table, t: Catalog) -> str:
    """The table's title (a spreadsheet's sheet name, a section of the screen)."""
    return t(f"report.table.{table.key}")


def headers(table: Table, t: Catalog) -> list[str]:
    """The first column's header, then each value column's."""
    return [t(f"report.key.{table.label}")] + [t(f"report.column.{c}") for c, _ in table.columns]


def row_label(report: Report, table: Table, row: ReportRow, t: Catalog) -> str:
    """What the row is about, in words: a category's name, a group's, an agent's, a measure."""
    if row.key == "all":
        return t("report.all")
    if table.label in _DOMAIN:
        key = f"{table.label}.{row.key}"
        return t(key) if t.has(key) else row.key
    if table.label in _OWN:
        return t(f"report.{table.label}.{row.key}")
    if table.label == "group":
        names = report.groups.get(row.key)
        return t.pick(*names) if names else row.key
    if table.label == "agent":
        name = report.agents.get(row.key)
        return f"{name} ({row.key})" if name else row.key
    if table.label == "article":
        return report.articles.get(row.key, row.key)
    return row.key


def kinds(table: Table, row: ReportRow) -> list[Kind]:
    """Each value's kind in this row."""
    return [row.kind or kind for _, kind in table.columns]


def cell_text(value: Value, kind: Kind, t: Catalog) -> str:
    """A value as the screen shows it: percentages with %, hours to one decimal."""
    if value is None:
        return t("report.none")
    if kind == Kind.PERCENT and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind in (Kind.HOURS, Kind.NUMBER) and isinstance(value, int | float):
        return f"{value:.2f}" if kind == Kind.NUMBER else f"{value:.1f}"
    if isinstance(value, str) and value in ("response", "resolution"):
        return t(f"report.clock.{value}")
    if isinstance(value, str):
        # a priority or a status (an outage's parent), in the catalog's words
        for key in (f"priority.{value}", f"status.{value}"):
            if t.has(key):
                return t(key)
        return value
    return str(value)


def scope_text(report: Report, t: Catalog) -> str:
    """Whose tickets the report covers, in words."""
    if report.scope.agent:
        return t("report.scope.agent", agent=report.scope.agent)
    if report.scope.group:
        names = report.groups.get(report.scope.group)
        return t("report.scope.group", group=t.pick(*names) if names else report.scope.group)
    return t("report.scope.desk")


def heading(report: Report, t: Catalog) -> str:
    """The report's one-line heading: period, its days, scope, the period compared with."""
    return t(
        "report.heading",
        period=report.period.label,
        first=report.period.first.isoformat(),
        last=report.period.last.isoformat(),
        scope=scope_text(report, t),
        previous=report.previous.label,
    )
