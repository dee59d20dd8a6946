"""The administration's six sections as tables: what each shows of :class:`AdminData`.

Each section fills its table from the one read of the screen (keyed rows, so the cursor stays
on its line when a change arrives) and a line of text above it. Nothing here reads the desk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from deskui.core.enums import IMPACTS, URGENCIES, Category, ClockKind, Priority
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.admin import AdminData

#: The sections, in the order of their keys 1–6.
SECTIONS = ("users", "groups", "matrix", "sla", "calendar", "routing")


def _cell(value: object) -> Text:
    """A cell shown as it is (never markup; control characters removed)."""
    return Text(sanitize_line(str(value)))


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
            table.add_row(*(_cell(c) for c in cells), key=key)
        if keep is not None and keep in {k for k, _ in rows}:
            table.move_cursor(row=table.get_row_index(keep))


def users_rows(data: AdminData, t: Catalog) -> list[tuple[str, list[object]]]:
    """One line per user."""
    rows: list[tuple[str, list[object]]] = []
    for user in data.users:
        state = t("admin.active") if user.active else t("admin.disabled")
        leads = data.led_group(user.login) or ""
        skills = " ".join(f"{c}={lv}" for c, lv in data.skills.get(user.login, {}).items())
        rows.append(
            (
                user.login,
                [
                    user.login,
                    user.name,
                    t(f"role.{user.role}"),
                    " ".join(user.groups),
                    leads,
                    skills,
                    state,
                ],
            )
        )
    return rows


def groups_rows(data: AdminData, t: Catalog) -> list[tuple[str, list[object]]]:
    """One line per group."""
    return [
        (
            g.code,
            [
                g.code,
                g.name_zh,
                g.name_en,
                t(f"admin.tier.{g.tier}"),
                g.lead or "",
                " ".join(g.members),
            ],
        )
        for g in data.groups
    ]


def matrix_rows(data: AdminData) -> list[tuple[str, list[object]]]:
    """One line per impact."""
    matrix = dict(data.rules["matrix"].get("matrix", {}))
    return [(f"I{i}", [f"I{i}", *matrix.get(f"I{i}", [])]) for i in IMPACTS]


def sla_rows(data: AdminData) -> list[tuple[str, list[object]]]:
    """One line per priority."""
    targets: Mapping[str, Any] = data.rules["sla"].get("targets", {})
    return [
        (str(p), [str(p), *(targets.get(str(p), {}).get(str(k), "") for k in ClockKind)])
        for p in Priority
    ]


def warning_percent(data: AdminData) -> int:
    """The SLA warning share as a whole percentage."""
    return round(float(data.rules["sla"].get("warning_ratio", 0.75)) * 100)


def calendar_rows(data: AdminData, t: Catalog) -> list[tuple[str, list[object]]]:
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


def routing_rows(data: AdminData, t: Catalog) -> list[tuple[str, list[object]]]:
    """One line per category."""
    categories: Mapping[str, str] = data.rules["routing"].get("categories", {})
    names = {g.code: (g.name_zh if t.lang == "zh" else g.name_en) for g in data.groups}
    rows: list[tuple[str, list[object]]] = []
    for category in Category:
        code = categories.get(str(category), "")
        rows.append((str(category), [t(f"category.{category}"), f"{code}  {names.get(code, '')}"]))
    return rows


def columns(section: str, t: Catalog) -> list[str]:
    """The column headings of a section."""
    names = {
        "users": ["login", "name", "role", "groups", "leads", "skills", "active"],
        "groups": ["code", "name_zh", "name_en", "tier", "lead", "members"],
        "sla": ["priority", "response", "update", "resolution"],
        "calendar": ["date", "weekday", "kind", "name", "source"],
        "routing": ["category", "group"],
    }
    if section == "matrix":
        return [t("admin.col.impact"), *(f"U{u}" for u in URGENCIES)]
    return [t(f"admin.col.{n}") for n in names[section]]
