"""Every field of a ticket, grouped as the desk reads them: ticket, requester, problem, handling.

Values are what callers and agents typed: each is sanitized and laid out as Text cells, never
markup. The requester's phone is masked unless it is to be shown whole (to the ticket's holder,
or once revealed on the record); the extension (internal) is shown whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from deskui.core.sanitize import sanitize_line, sanitize_text
from deskui.i18n import Catalog, minutes_text
from deskui.services.names import DeskNames
from deskui.services.views import DETAIL_FIELDS, TicketView
from deskui.widgets.record_words import priority_words, routing_words
from deskui.widgets.timeline import stamp

Row = tuple[str, str | None]


def _label(key: str, t: Catalog) -> str:
    return t(key) if t.has(key) else key


def ticket_rows(
    view: TicketView, tz: ZoneInfo, t: Catalog, names: DeskNames | None = None
) -> list[Row]:
    """The ticket's own fields (the rules' reasons in the console's words)."""
    names = names or DeskNames()
    group = t.pick(view.group_name_zh or "", view.group_name_en or "") or None
    priority = t(f"priority.{view.priority}")
    if view.matrix_priority != view.priority:
        priority += f" ({t('detail.field.matrix_priority')} {view.matrix_priority})"
    assignee = f"{view.assignee_name} ({view.assignee})" if view.assignee else None
    return [
        ("field.type", t(f"type.{view.type}")),
        ("field.category", t(f"category.{view.category}")),
        ("field.channel", t(f"channel.{view.channel}")),
        ("field.status", t(f"status.{view.status}")),
        ("field.priority", priority),
        ("detail.field.priority_reason", priority_words(view.priority_reason, t)),
        ("detail.field.override_reason", view.override_reason),
        ("field.impact", t(f"impact.{view.impact}")),
        ("field.urgency", t(f"urgency.{view.urgency}")),
        ("field.vip", t("detail.yes") if view.vip else None),
        ("field.tier", f"L{view.tier}"),
        ("field.group", group),
        (
            "detail.field.routing_reason",
            routing_words(view.routing_reason, t, names) if view.routing_reason else None,
        ),
        ("field.assignee", assignee or t("detail.unassigned")),
        ("field.received_at", stamp(view.received_at, tz)),
        ("detail.field.accepted_at", stamp(view.accepted_at, tz) if view.accepted_at else None),
        ("detail.field.worked", worked_text(view, t)),
        ("field.expected_by", stamp(view.expected_by, tz) if view.expected_by else None),
        ("detail.field.created_at", stamp(view.created_at, tz)),
        ("detail.field.updated_at", stamp(view.updated_at, tz)),
        ("detail.field.version", str(view.version)),
    ]


def worked_text(view: TicketView, t: Catalog) -> str | None:
    """The time its worklog entries say was spent, summed, and how many said (None if none)."""
    entries = [e.minutes for e in view.events if e.minutes]
    if not entries:
        return None
    return t("detail.worked.entries", time=minutes_text(sum(entries), t), count=len(entries))


def requester_rows(view: TicketView, t: Catalog, *, phone_shown: bool = False) -> list[Row]:
    """Who called; the phone masked unless ``phone_shown``."""
    r = view.requester
    name = r.name + (f"  [{t('field.vip')}]" if r.vip else "")
    return [
        ("field.requester", name),
        ("field.department", r.department),
        ("field.company", r.company),
        ("field.phone", r.shown_phone(whole=phone_shown)),
        ("field.extension", r.extension),
        ("field.employee_id", r.employee_id),
        ("field.email", r.email),
    ]


def problem_rows(view: TicketView, t: Catalog) -> list[Row]:
    """What is wrong, as the caller told it."""
    rows: list[Row] = [("field.summary", view.summary), ("field.description", view.description)]
    for name in DETAIL_FIELDS:
        value = view.details.get(name)
        if name == "frequency" and value:
            value = t(f"frequency.{value}")
        rows.append((f"field.{name}", value))
    return rows


def _stars(value: int | None) -> str | None:
    return "★" * value + "☆" * (5 - value) if value else None


def handling_rows(
    view: TicketView, tz: ZoneInfo, t: Catalog, names: DeskNames | None = None
) -> list[Row]:
    """The solution and the requester's confirmation (who, by which channel, who recorded it)."""
    names = names or DeskNames()
    recorder = view.confirmation_recorded_by
    stars = _stars(view.satisfaction)
    channel = view.confirmation_channel
    aspects: list[Row] = [
        (f"field.satisfaction_{aspect}", _stars(value))
        for aspect, value in view.satisfaction_aspects.items()
    ]
    return [
        ("field.solution", view.solution),
        (
            "detail.field.result",
            t(f"status.{view.result}")
            if view.result and t.has(f"status.{view.result}")
            else view.result,
        ),
        ("detail.field.resolved_at", stamp(view.resolved_at, tz) if view.resolved_at else None),
        ("detail.field.confirmed_by", view.confirmed_by),
        ("detail.field.confirmed_at", stamp(view.confirmed_at, tz) if view.confirmed_at else None),
        ("field.confirmation_channel", t(f"channel.{channel}") if channel else None),
        ("detail.field.confirmation_recorded_by", names.person(recorder) if recorder else None),
        ("detail.field.confirmation", view.confirmation_text),
        ("field.satisfaction", stars),
        *aspects,
        ("detail.field.satisfaction_remark", view.satisfaction_remark),
        ("detail.field.closed_at", stamp(view.closed_at, tz) if view.closed_at else None),
    ]


def section(title: str, rows: Iterable[Row], t: Catalog) -> RenderableType:
    """A heading and its label/value grid; empty values (and empty sections) are left out."""
    filled = [(key, value) for key, value in rows if value is not None and value != ""]
    if not filled:
        return Group()
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for key, value in filled:
        grid.add_row(Text(_label(key, t)), Text(sanitize_text(str(value)).strip()))
    return Group(Text(sanitize_line(title), style="bold underline"), grid, Text(""))


class DetailFields(VerticalScroll, can_focus=True):
    """All the fields, scrollable."""

    DEFAULT_CSS = """
    DetailFields {
        height: 1fr;
        border: round $primary 50%;
        padding: 0 1;
    }
    DetailFields:focus {
        border: heavy $accent;
    }
    """

    def compose(self) -> ComposeResult:
        """The sections in one Static."""
        yield Static("", id="fields-text")

    def show(
        self,
        view: TicketView,
        tz: ZoneInfo,
        t: Catalog,
        names: DeskNames | None = None,
        *,
        phone_shown: bool = False,
    ) -> None:
        """Lay out every field of ``view`` (the requester's phone whole if ``phone_shown``)."""
        self.query_one("#fields-text", Static).update(
            Group(
                section(t("detail.section.ticket"), ticket_rows(view, tz, t, names), t),
                section(
                    t("detail.section.requester"),
                    requester_rows(view, t, phone_shown=phone_shown),
                    t,
                ),
                section(t("detail.section.problem"), problem_rows(view, t), t),
                section(t("detail.section.handling"), handling_rows(view, tz, t, names), t),
            )
        )
