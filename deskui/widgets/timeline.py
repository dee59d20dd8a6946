"""A ticket's timeline: every event and worklog entry, stamped to the minute at the desk.

Entries are built as plain Text from sanitized strings; a note an agent or a caller typed is
shown as typed, never interpreted as markup. People are shown by name and groups, categories
and types in the console's language; the record itself keeps logins and codes.

One action is one entry: pending, resuming, rejecting, reopening, a refusal, closing, a
solution and a confirmation are recorded as the status change (which the clocks replay) and the
event (or events: each detail of a confirmation is its own) that say what it was, stamped
together by the same person; the timeline shows them as one entry, each text once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from deskui.core.enums import EventKind
from deskui.core.sanitize import sanitize_line, sanitize_text
from deskui.i18n import Catalog, minutes_text
from deskui.services.names import DeskNames
from deskui.services.views import EventView
from deskui.widgets.record_words import (
    alert_words,
    is_priority_reason,
    note_words,
    outage_words,
    priority_words,
    routing_words,
)

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
    EventKind.ASSIGNED: "magenta",
    EventKind.PRIORITY_OVERRIDE: "magenta",
    EventKind.OUTAGE_SOLVED: "bold green",
    EventKind.PHONE_REVEALED: "yellow",
}
ACTOR_WIDTH = 8


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal cells (wide characters count twice)."""
    return text + " " * max(0, width - cell_len(text))


def stamp(moment: datetime | None, tz: ZoneInfo) -> str:
    """``2026-11-02 10:05`` in the desk's time zone ("—" for none)."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else "—"


#: Kinds recorded together with the status change they name (the pair is one entry).
SAYS_THE_STATUS = frozenset(
    {
        EventKind.PENDING,
        EventKind.RESUMED,
        EventKind.REJECTED,
        EventKind.REFUSED,
        EventKind.REOPENED,
        EventKind.CLOSED,
        EventKind.SOLUTION,
        EventKind.CONFIRMED,
    }
)
#: Events an action records one of each detail of, stamped together: shown in one entry.
DETAILED = frozenset({EventKind.CONFIRMED})


@dataclass(frozen=True)
class Entry:
    """One entry of the timeline: the event that says what was done, the status change recorded
    with it (if any) and the further details of the same action (a confirmation's channel and
    stars)."""

    event: EventView
    status: EventView | None = None
    details: tuple[EventView, ...] = ()


#: Fields whose values are catalog codes: ``field`` → the catalog's prefix.
CODED_FIELDS = {
    "status": "status",
    "category": "category",
    "type": "type",
    "channel": "channel",
    "confirmation_channel": "channel",
    "impact": "impact",
    "urgency": "urgency",
    "vip": "hardening.vip_claim",  # a VIP claim the directory contradicts: yes / no
}
#: Fields whose values are moments (recorded as ISO 8601), shown as the detail shows times.
TIME_FIELDS = frozenset({"expected_by"})


def moment_text(value: str, tz: ZoneInfo) -> str:
    """A recorded ISO 8601 moment stamped in the desk's time zone (as recorded if unreadable)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return sanitize_line(value)
    return stamp(moment if moment.tzinfo else moment.replace(tzinfo=UTC), tz)


def value_text(
    field: str | None,
    value: str | None,
    t: Catalog,
    names: DeskNames | None = None,
    tz: ZoneInfo | None = None,
) -> str:
    """A recorded value in the agent's words: codes translated, people and groups named,
    moments stamped in ``tz``."""
    if value is None:
        return "—"
    if tz is not None and field in TIME_FIELDS:
        return moment_text(value, tz)
    prefix = CODED_FIELDS.get(field or "")
    if prefix and t.has(f"{prefix}.{value}"):
        return t(f"{prefix}.{value}")
    if field == "alerts":  # an acknowledgement of the board's alerts
        return alert_words(value, t)
    if names is not None and field == "assignee":
        return sanitize_line(names.person(value))
    if names is not None and field == "group":
        return sanitize_line(names.group(value, t.lang))
    if field and field.startswith("satisfaction") and value.isdigit():  # overall and per aspect
        return "★" * int(value)
    return sanitize_line(value)


#: Marks an entry stamped earlier than the one before it (the line under it says why).
BACKDATED_MARK = "⚠"
BACKDATED_STYLE = "bold red"


def _note_text(event: EventView, t: Catalog, names: DeskNames) -> str:
    """The note in the console's words where the desk wrote it (routing, priority, takeover)."""
    note = event.note or ""
    if event.kind == EventKind.ROUTED and event.field == "group":
        return routing_words(note, t, names)
    if event.kind in (EventKind.CREATED, EventKind.TRIAGED) and is_priority_reason(note):
        return priority_words(note, t)
    if event.kind == EventKind.TAKEOVER:
        return note_words(note, t, names)
    if event.kind in (EventKind.STATUS, EventKind.CLOSED):
        return outage_words(note, t)
    return note


def _change(
    text: Text, event: EventView, tz: ZoneInfo, t: Catalog, names: DeskNames | None
) -> None:
    """``field: old → new``, as recorded, in the console's words."""
    label = t(f"field.{event.field}") if t.has(f"field.{event.field}") else event.field or ""
    text.append(f"{sanitize_line(label)}: ")
    if event.old_value is not None:
        text.append(value_text(event.field, event.old_value, t, names, tz))
        text.append(" → ")
    text.append(value_text(event.field, event.new_value, t, names, tz))


def _has_change(event: EventView) -> bool:
    return bool(event.field) and (event.old_value is not None or event.new_value is not None)


def entry_text(
    event: EventView,
    tz: ZoneInfo,
    t: Catalog,
    names: DeskNames | None = None,
    status: EventView | None = None,
    details: Sequence[EventView] = (),
) -> Text:
    """One entry: stamp, who, what, the changes, and the notes under it.

    ``status`` is the status change recorded with ``event``, ``details`` the further events of
    the same action (one action: shown once, each note once). An entry stamped earlier than its
    predecessor has its stamp marked, and a line saying so.
    """
    names = names or DeskNames()
    text = Text()
    if event.earlier_than is not None:
        text.append(f"{BACKDATED_MARK} {stamp(event.at, tz)}", style=BACKDATED_STYLE)
    else:
        text.append(stamp(event.at, tz), style="dim")
    text.append("  ")
    actor = names.person(event.actor) if event.actor else "—"
    text.append(pad(sanitize_line(actor), ACTOR_WIDTH), style="bold")
    text.append(" ")
    if event.acting_admin:
        # an admin acted for this user: both names are on the record, and both are shown
        admin = names.person(event.acting_admin)
        text.append(t("detail.timeline.acting", login=sanitize_line(admin)))
        text.append("  ")
    if event.kind != EventKind.STATUS:  # a status entry says it with its field label
        text.append(t(f"event.{event.kind}"), style=KIND_STYLES.get(event.kind, ""))
        text.append("  ")
    if event.minutes:
        text.append(t("detail.worked.spent", time=minutes_text(event.minutes, t)), style="cyan")
        text.append("  ")
    notes: list[str] = []
    for noted in (event, *details):
        note = _note_text(noted, t, names) or (
            _note_text(status, t, names) if status is not None and noted is event else None
        )
        if note and note not in notes:
            notes.append(note)
    changes = [
        e
        for e in (status, event, *details)
        # a text shown as the entry's note is not shown again as a change (a solution)
        if e is not None and _has_change(e) and not (e is not status and e.new_value in notes)
    ]
    for index, changed in enumerate(changes):
        if index:
            text.append("  ")
        _change(text, changed, tz, t, names)
    for note in notes:
        for line in sanitize_text(note).strip().splitlines():
            text.append("\n" + " " * 4 + line)
    if event.earlier_than is not None:
        text.append("\n" + " " * 4)
        text.append(
            f"{BACKDATED_MARK} "
            + t("detail.timeline.backdated", previous=stamp(event.earlier_than, tz)),
            style=BACKDATED_STYLE,
        )
    return text


def _together(first: EventView, event: EventView) -> bool:
    """Stamped together by the same person: recorded by one action."""
    return first.at == event.at and first.actor == event.actor


def _same_action(status: EventView, event: EventView) -> bool:
    return (
        status.kind == EventKind.STATUS
        and event.kind in SAYS_THE_STATUS
        and _together(status, event)
        and (event.note is None or status.note is None or status.note == event.note)
    )


def entries(events: Sequence[EventView]) -> list[Entry]:
    """The events as entries: each with the status change and the details recorded with it."""
    shown: list[Entry] = []
    index = 0
    while index < len(events):
        event, status = events[index], None
        after = events[index + 1] if index + 1 < len(events) else None
        if after is not None and _same_action(event, after):
            event, status = after, event
            index += 1
        index += 1
        details: list[EventView] = []
        while (
            event.kind in DETAILED
            and index < len(events)
            and events[index].kind == event.kind
            and _together(event, events[index])
        ):
            details.append(events[index])
            index += 1
        shown.append(Entry(event, status, tuple(details)))
    return shown


class Timeline(VerticalScroll, can_focus=True):
    """The entries, oldest first, scrolled to the newest when shown."""

    DEFAULT_CSS = """
    Timeline {
        height: 1fr;
        border: round $primary 50%;
        padding: 0 1;
    }
    Timeline:focus {
        border: heavy $accent;
    }
    Timeline > Static {
        width: 1fr;
    }
    """

    def compose(self) -> ComposeResult:
        """One Static holds the whole text (a long timeline stays a single widget)."""
        yield Static("", id="timeline-text")

    def show(
        self,
        events: Sequence[EventView],
        tz: ZoneInfo,
        t: Catalog,
        names: DeskNames | None = None,
    ) -> None:
        """Replace the entries and scroll to the newest."""
        text = Text()
        for index, entry in enumerate(entries(events)):
            if index:
                text.append("\n")
            text.append_text(entry_text(entry.event, tz, t, names, entry.status, entry.details))
        self.query_one("#timeline-text", Static).update(text)
        self.call_after_refresh(self.scroll_end, animate=False)
