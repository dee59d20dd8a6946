"""What a report is made of: tables of rows, each value with its kind, for a period and a scope.

Plain data, the same for the screen, the spreadsheet, CSV and JSON (:mod:`deskui.services.reports`
fills it; :mod:`deskui.services.report_words` words it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from deskui.core.report_periods import Period

#: Every table of a report, in reading order.
TABLE_KEYS = (
    "summary",
    "volume_type",
    "volume_category",
    "volume_priority",
    "volume_group",
    "volume_channel",
    "sla",
    "breaches",
    "sla_trend",
    "resolution_time",
    "resolution_histogram",
    "satisfaction",
    "recurring",
    "workload",
    "workload_group",
    "knowledge",
    "knowledge_top",
    "outages",
)


class Kind(StrEnum):
    """What a value is, for its format on screen and in a spreadsheet."""

    COUNT = "count"
    PERCENT = "percent"
    """A fraction (0.25 is 25 %)."""
    HOURS = "hours"
    NUMBER = "number"
    TEXT = "text"


Value = int | float | str | None


@dataclass(frozen=True)
class ReportRow:
    """One row: its key (an identifier, a login, a number, a summary) and its values.

    Attributes:
        key: what the row is about; the table's ``label`` says how it is worded.
        values: one per column of the table.
        kind: overrides the columns' kind (the summary table's rows differ).
    """

    key: str
    values: tuple[Value, ...]
    kind: Kind | None = None


@dataclass(frozen=True)
class Table:
    """One table of the report (one sheet of the spreadsheet).

    Attributes:
        key: its name (``volume_category``); the catalog words ``report.table.<key>``.
        label: how the rows' keys are worded: ``type``, ``category``, ``priority``, ``channel``,
            ``status`` (the catalog's own words), ``group``, ``agent`` (names), ``metric``,
            ``aspect``, ``bucket`` (``report.<label>.<key>``), ``article`` (a knowledge
            article's lineage, worded by its title), or ``ticket``, ``week``, ``summary`` (as
            stored).
        columns: the value columns: name (``report.column.<name>``) and kind.
        rows: the rows.
        drill: the rows' tickets can be listed (:func:`report_tickets`).
    """

    key: str
    label: str
    columns: tuple[tuple[str, Kind], ...]
    rows: tuple[ReportRow, ...]
    drill: bool = False

    def row(self, key: str) -> ReportRow | None:
        """The row of ``key``, if there is one."""
        return next((r for r in self.rows if r.key == key), None)


@dataclass(frozen=True)
class ReportScope:
    """Whose tickets: the desk (neither), one group, or one agent."""

    group: str | None = None
    agent: str | None = None


@dataclass(frozen=True)
class Report:
    """A report's tables and what they are about.

    Attributes:
        period: the period reported.
        previous: the period before (volume is compared with it).
        scope: desk, group or agent.
        generated_at: "now" at which the running clocks were judged.
        tables: the tables, in reading order.
        groups: group code → (Chinese name, English name), for wording group rows.
        agents: login → name, for wording agent rows.
        articles: an article's lineage id (as text) → its latest title, for wording article
            rows.
    """

    period: Period
    previous: Period
    scope: ReportScope
    generated_at: datetime
    tables: tuple[Table, ...]
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)
    articles: dict[str, str] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        """The table named ``key``."""
        return next(t for t in self.tables if t.key == key)
