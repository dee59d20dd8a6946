"""The administration's six sections as tables: what each shows of :class:`AdminData`.

Each section fills its table from the one read of the screen (keyed rows, so the cursor stays
on its line when a change arrives) and a line of text above it. Nothing here reads the desk.

A table too wide for the terminal (80 columns) gives way rather than running off its right
edge: the lists in a cell (a user's groups and skills, a group's members) take a line each, and
a group's two names share a column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from deskui.core.enums import IMPACTS, URGENCIES, Category, ClockKind, Priority
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.admin import AdminData, target_text

#: The sections, in the order of their keys 1–6.
SECTIONS = ("users", "groups", "matrix", "sla", "calendar", "routing")
#: What a table needs besides its columns: the vertical scrollbar.
SCROLLBAR = 2
#: A cell's padding, left and right.
CELL_PADDING = 2

Rows = list[tuple[str, list[object]]]


def _cell(value: object) -> Text:
    """A cell shown as it is (never markup; control characters removed), on the lines it was
    given."""
    return Text("\n".join(sanitize_line(line) for line in str(value).split("\n")))


class Section(Vertical):
    """One section: a line of text and a table."""

    def __init__(self, name: str) -> None:
        super().__init__(id=f"section-{name}", classes="admin-section")
        self.section = name
        """Which of :data:`SECTIONS` this is."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="admin-about", markup=False)
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        yield table

    @property
    def table(self) -> DataTable[Text]:
        """The section's table."""
        found: DataTable[Text] = self.query_one(DataTable)
        return found

    def current_key(self) -> str | None:
        """The key of the line under the cursor, if any."""
        table = self.table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key) if key is not None else None

    def fill(
        self, about: str, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[object]]]
    ) -> None:
        """Show ``about`` and the rows (each with its key), keeping the cursor on its line."""
        self.query_one(".admin-about", Static).update(about)
        table = self.table
        keep = self.current_key()
        if [str(c.label) for c in table.columns.values()] != list(columns):
            table.clear(columns=True)
            table.add_columns(*columns)
        else:
            table.clear()
        for key, cells in rows:
            lines = max(str(c).count("\n") + 1 for c in cells)
            table.add_row(*(_cell(c) for c in cells), key=key, height=lines)
        if keep is not None and keep in {k for k, _ in rows}:
            table.move_cursor(row=table.get_row_index(keep))


def _listed(items: Sequence[str], *, narrow: bool) -> str:
    """A cell's list: on one line, or (narrow) a line each."""
    return ("\n" if narrow else " ").join(items)


def fits(columns: Sequence[str], rows: Rows, width: int) -> bool:
    """The table of ``columns`` and ``rows`` is no wider than ``width``."""
    widths = [cell_len(c) for c in columns]
    for _key, cells in rows:
        for i, cell in enumerate(cells):
            widths[i] = max(widths[i], *(cell_len(line) for line in str(cell).split("\n")))
    return sum(w + CELL_PADDING for w in widths) + SCROLLBAR <= width


def table_of(section: str, data: AdminData, t: Catalog, *, narrow: bool) -> tuple[list[str], Rows]:
    """A section's column headings and rows, as wide as they are or (narrow) giving way."""
    rows: Rows
    if section == "users":
        rows = users_rows(data, t, narrow=narrow)
    elif section == "groups":
        rows = groups_rows(data, t, narrow=narrow)
    elif section == "matrix":
        rows = matrix_rows(data)
    elif section == "sla":
        rows = sla_rows(data, t)
    elif section == "calendar":
        rows = calendar_rows(data, t)
    else:
        rows = routing_rows(data, t)
    return columns(section, t, narrow=narrow), rows


def users_rows(data: AdminData, t: Catalog, *, narrow: bool = False) -> Rows:
    """One line per user (narrow: a line per group and per skill)."""
    rows: Rows = []
    for user in data.users:
        state = t("admin.active") if user.active else t("admin.disabled")
        leads = data.led_group(user.login) or ""
        skills = _listed(
            [f"{c}={lv}" for c, lv in data.skills.get(user.login, {}).items()], narrow=narrow
        )
        rows.append(
            (
                user.login,
                [
                    user.login,
                    user.name,
                    t(f"role.{user.role}"),
                    _listed(user.groups, narrow=narrow),
                    leads,
                    skills,
                    state,
                ],
            )
        )
    return rows


def groups_rows(data: AdminData, t: Catalog, *, narrow: bool = False) -> Rows:
    """One line per group (narrow: its two names in one column, a line per member)."""
    rows: Rows = []
    for g in data.groups:
        names: list[object] = [f"{g.name_zh}\n{g.name_en}"] if narrow else [g.name_zh, g.name_en]
        tier, members = t(f"admin.tier.{g.tier}"), _listed(g.members, narrow=narrow)
        rows.append((g.code, [g.code, *names, tier, g.lead or "", members]))
    return rows


def matrix_rows(data: AdminData) -> Rows:
    """One line per impact."""
    matrix = dict(data.rules["matrix"].get("matrix", {}))
    return [(f"I{i}", [f"I{i}", *matrix.get(f"I{i}", [])]) for i in IMPACTS]


def sla_rows(data: AdminData, t: Catalog) -> Rows:
    """One line per priority, its targets in the console's language."""
    targets: Mapping[str, Any] = data.rules["sla"].get("targets", {})
    return [
        (
            str(p),
            [
                str(p),
                *(target_text(str(targets.get(str(p), {}).get(str(k), "")), t) for k in ClockKind),
            ],
        )
        for p in Priority
    ]


def warning_percent(data: AdminData) -> int:
    """The SLA warning share as a whole percentage."""
    return round(float(data.rules["sla"].get("warning_ratio", 0.75)) * 100)


def calendar_rows(data: AdminData, t: Catalog) -> Rows:
    """One line per special day of the shown year."""
    return [
        (
            day.day.isoformat(),
            [
                day.day.isoformat(),
                t(f"admin.weekday.{day.day.isoweekday()}"),
                t("admin.day.workday") if day.workday else t("admin.day.holiday"),
                day.name_words(t),
                t("admin.source.desk") if day.desk else t("admin.source.statutory"),
            ],
        )
        for day in data.calendar.days
    ]


def hours_text(data: AdminData, t: Catalog) -> str:
    """The working day in words."""
    hours: Mapping[str, Any] = data.rules["calendar"].get("hours", {})
    lunch = hours.get("lunch")
    lunch_text = t("admin.calendar.lunch", start=lunch[0], end=lunch[1]) if lunch else ""
    weekdays = " ".join(t(f"admin.weekday.{d}") for d in hours.get("weekdays", [1, 2, 3, 4, 5]))
    return t(
        "admin.calendar.hours",
        start=hours.get("start", "09:00"),
        end=hours.get("end", "18:00"),
        lunch=lunch_text,
        weekdays=weekdays,
    )


def hours_fields(data: AdminData) -> dict[str, str]:
    """The working day as the hours form shows it."""
    hours: Mapping[str, Any] = data.rules["calendar"].get("hours", {})
    lunch = hours.get("lunch")
    return {
        "start": str(hours.get("start", "09:00")),
        "end": str(hours.get("end", "18:00")),
        "lunch": f"{lunch[0]}-{lunch[1]}" if lunch else "",
        "weekdays": " ".join(str(d) for d in hours.get("weekdays", [1, 2, 3, 4, 5])),
    }


def routing_rows(data: AdminData, t: Catalog) -> Rows:
    """One line per category."""
    categories: Mapping[str, str] = data.rules["routing"].get("categories", {})
    names = {g.code: (g.name_zh if t.lang == "zh" else g.name_en) for g in data.groups}
    rows: Rows = []
    for category in Category:
        code = categories.get(str(category), "")
        rows.append((str(category), [t(f"category.{category}"), f"{code}  {names.get(code, '')}"]))
    return rows


def columns(section: str, t: Catalog, *, narrow: bool = False) -> list[str]:
    """The column headings of a section."""
    group_names = ["names"] if narrow else ["name_zh", "name_en"]
    names = {
        "users": ["login", "name", "role", "groups", "leads", "skills", "active"],
        "groups": ["code", *group_names, "tier", "lead", "members"],
        "sla": ["priority", "response", "update", "resolution"],
        "calendar": ["date", "weekday", "kind", "day_name", "source"],
        "routing": ["category", "group"],
    }
    if section == "matrix":
        return [t("admin.col.impact"), *(f"U{u}" for u in URGENCIES)]
    return [t(f"admin.col.{n}") for n in names[section]]
