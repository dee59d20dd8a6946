"""A ticket's timeline: every event and worklog entry, stamped to the minute at the desk.

Entries are built as plain Text from sanitized strings; a note an agent or a caller typed is
shown as typed, never interpreted as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from deskui.core.enums import EventKind
from deskui.core.sanitize import sanitize_line, sanitize_text
from deskui.i18n import Catalog
from deskui.services.views import EventView

#: How each kind of entry stands out (the word says it too).
KIND_STYLES: dict[EventKind, str] = {
    EventKind.WORKLOG: "bold",
    EventKind.PROGRESS: "bold cyan",
    EventKind.ESCALATED: "bold magenta",
    EventKind.SOLUTION: "bold green",
    EventKind.CONFIRMED: "green",
    EventKind.REFUSED: "yellow",
    EventKind.REJECTED: "red",
    EventKind.PENDING: "yellow",
    EventKind.TAKEOVER: "magenta",
    EventKind.PRIORITY_OVERRIDE: "magenta",
}
ACTOR_WIDTH = 8


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal cells (wide characters count twice)."""
    return text + " " * max(0, width - cell_len(text))


def stamp(moment: datetime | None, tz: ZoneInfo) -> str:
    """``2026-11-02 10:05`` in the desk's time zone ("—" for none)."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "—"


def value_text(field: str | None, value: str | None, t: Catalog) -> str:
    """A recorded value in the agent's words (statuses translated, the rest as stored)."""
    if value is None:
        return "—"
    if field == "status" and t.has(f"status.{value}"):
        return t(f"status.{value}")
    if field and field.startswith("satisfaction") and value.isdigit():  # overall and per aspect
        return "★" * int(value)
    if field == "confirmation_channel" and t.has(f"channel.{value}"):
        return t(f"channel.{value}")
    return sanitize_line(value)


#: Marks an entry stamped earlier than the one before it (the line under it says why).
BACKDATED_MARK = "⚠"
BACKDATED_STYLE = "bold red"


def entry_text(event: EventView, tz: ZoneInfo, t: Catalog) -> Text:
    """One entry: stamp, who, what, the change, and the note under it.

    An entry stamped earlier than its predecessor has its stamp marked, and a line saying so.
    """
    text = Text()
    if event.earlier_than is not None:
        text.append(f"{BACKDATED_MARK} {stamp(event.at, tz)}", style=BACKDATED_STYLE)
    else:
        text.append(stamp(event.at, tz), style="dim")
    text.append("  ")
    text.append(pad(sanitize_line(event.actor or "—"), ACTOR_WIDTH), style="bold")
    text.append(" ")
    if event.acting_admin:
        # an admin acted for this user: both names are on the record, and both are shown
        text.append(t("detail.timeline.acting", login=sanitize_line(event.acting_admin)))
        text.append("  ")
    if event.kind != EventKind.STATUS:  # a status entry says it with its field label
        text.append(t(f"event.{event.kind}"), style=KIND_STYLES.get(event.kind, ""))
        text.append("  ")
    if event.field and (event.old_value is not None or event.new_value is not None):
        label = t(f"field.{event.field}") if t.has(f"field.{event.field}") else event.field
        text.append(f"{sanitize_line(label)}: ")
        if event.old_value is not None:
            text.append(value_text(event.field, event.old_value, t))
            text.append(" → ")
        text.append(value_text(event.field, event.new_value, t))
    if event.note:
        for line in sanitize_text(event.note).strip().splitlines():
            text.append("\n" + " " * 4 + line)
    if event.earlier_than is not None:
        text.append("\n" + " " * 4)
        text.append(
            f"{BACKDATED_MARK} "
            + t("detail.timeline.backdated", previous=stamp(event.earlier_than, tz)),
            style=BACKDATED_STYLE,
        )
    return text


class Timeline(VerticalScroll, can_focus=True):
    """The entries, oldest first, scrolled to the newest when shown."""

    DEFAULT_CSS = """
    Timeline {
        height: 1fr;
        border: round $primary 50%;
        padding: 0 1;
    }
    Timeline:focus {
        border: round $accent;
    }
    Timeline > Static {
        width: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        """One Static holds the whole text (a long timeline stays a single widget)."""
        yield Static("", id="timeline-text")

    def show(self, events: Sequence[EventView], tz: ZoneInfo, t: Catalog) -> None:
        """Replace the entries and scroll to the newest."""
        text = Text()
        for index, event in enumerate(events):
            if index:
                text.append("\n")
            text.append_text(entry_text(event, tz, t))
        self.query_one("#timeline-text", Static).update(text)
        self.call_after_refresh(self.scroll_end, animate=False)
