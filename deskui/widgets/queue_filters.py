"""The queue's filter bar: status, priority, type, category, channel, group, assignee and the
received date range, each a single-line field.

It fills the same :class:`~deskui.services.ticket_filters.TicketFilter` as ``deskui ticket
list``'s options, and reads the dates with the same
:func:`~deskui.services.ticket_filters.received_bound`, so the console and the command line
find the same tickets. A choice in a list applies at once; ``enter`` in a date applies and goes
back to the table; ``escape`` clears every filter. A date that is no date is said under the
fields in the console's language, and nothing is applied until it is put right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from deskui.core.enums import Category, Channel, Priority, Status, TicketType
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.errors import ServiceError
from deskui.services.ticket_filters import UNASSIGNED, TicketFilter, received_bound
from deskui.widgets.keys import desk_key
from deskui.widgets.safe_input import SafeInput

#: The list fields, in the bar's order: name and the catalog prefix of its values' words.
LISTS = ("status", "priority", "type", "category", "channel", "group", "assignee")
#: The date fields.
DATES = ("from", "to")


@dataclass(frozen=True)
class Person:
    """Someone tickets can be held by, as the assignee list shows them."""

    login: str
    name: str


class FilterBar(Widget, can_focus=False):
    """The filter fields; posts :class:`Applied` with the filters to show.

    Args:
        t: the catalog.
        tz: the desk's zone (a day is a desk-local day); None until the desk's rules are read.
    """

    DEFAULT_CSS = """
    FilterBar {
        height: auto;
        background: $boost;
        padding: 0 1;
    }
    FilterBar Grid {
        grid-size: 5 2;
        grid-gutter: 0 1;
        height: 2;
    }
    FilterBar #filter-error {
        display: none;
        height: auto;
        color: $text-error;
    }
    FilterBar.-error #filter-error {
        display: block;
    }
    """

    BINDINGS = [
        desk_key("escape", "clear", "queue.key.filter_clear"),
        desk_key("ctrl+s", "apply", "queue.key.filter_apply"),
    ]

    class Applied(Message):
        """The filters changed (``close``: go back to the table)."""

        def __init__(self, filters: TicketFilter, summary: str, *, close: bool) -> None:
            super().__init__()
            self.filters = filters
            self.summary = summary
            self.close = close

    def __init__(
        self, t: Catalog, tz: Callable[[], ZoneInfo | None], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.t = t
        self.tz = tz
        self.applied = TicketFilter()
        """The filters last applied."""
        self._labels: dict[str, dict[str, str]] = {}

    def compose(self) -> ComposeResult:
        """Seven lists and two dates on two lines; the error line under them."""
        t = self.t
        words = {
            "status": [(t(f"status.{s}"), str(s)) for s in Status],
            "priority": [(t(f"priority.{p}"), str(p)) for p in Priority],
            "type": [(t(f"type.{k}"), str(k)) for k in TicketType],
            "category": [(t(f"category.{k}"), str(k)) for k in Category],
            "channel": [(t(f"channel.{k}"), str(k)) for k in Channel],
            "group": [],
            "assignee": [(t("queue.filter.unassigned"), UNASSIGNED)],
        }
        self._labels = {name: {v: label for label, v in words[name]} for name in LISTS}
        with Grid():
            for name in LISTS:
                yield Select[str](
                    words[name],
                    prompt=t(f"queue.filter.{name}"),
                    compact=True,
                    id=f"filter-{name}",
                )
            for name in DATES:
                yield SafeInput(
                    placeholder=t(f"queue.filter.{name}"), compact=True, id=f"filter-{name}"
                )
        yield Static("", id="filter-error")

    # the lists that come from the desk ------------------------------------------------------
    def set_groups(self, groups: Iterable[tuple[str, str]]) -> None:
        """The groups to choose from: ``(code, name)``."""
        self._set_options("group", [(name, code) for code, name in groups])

    def set_people(self, people: Iterable[Person]) -> None:
        """The people tickets can be held by."""
        unassigned = (self.t("queue.filter.unassigned"), UNASSIGNED)
        options = [unassigned, *((sanitize_line(p.name), p.login) for p in people)]
        self._set_options("assignee", options)

    def _set_options(self, name: str, options: Sequence[tuple[str, str]]) -> None:
        select = self._select(name)
        kept = select.value
        self._labels[name] = {v: label for label, v in options}
        select.set_options(options)  # a new list of choices is no choice: see _chose
        if isinstance(kept, str) and kept in self._labels[name]:
            select.value = kept

    def _select(self, name: str) -> Select[str]:
        return self.query_one(f"#filter-{name}", Select)

    def _field(self, name: str) -> Input:
        return self.query_one(f"#filter-{name}", Input)

    # reading and applying ---------------------------------------------------------------------
    def focus_first(self) -> None:
        """Focus the first field."""
        self._select(LISTS[0]).focus()

    def _chosen(self, name: str) -> str | None:
        value = self._select(name).value
        return value if isinstance(value, str) else None

    def read(self, tz: ZoneInfo) -> TicketFilter:
        """The filters the fields say, days in ``tz``.

        Raises:
            ServiceError: a date that is neither a day nor a time, or a range ending before
                it starts (on ``from`` or ``to``).
        """
        chosen = {name: self._chosen(name) for name in LISTS}
        start = received_bound("from", self._field("from").value, tz, end=False)
        end = received_bound("to", self._field("to").value, tz, end=True)
        if start is not None and end is not None and end <= start:
            raise ServiceError("date.order", field="to")

        def one(name: str) -> tuple[str, ...]:
            value = chosen[name]
            return (value,) if value else ()

        return TicketFilter(
            status=one("status"),
            priority=one("priority"),
            group=chosen["group"],
            assignee=chosen["assignee"],
            received_from=start,
            received_to=end,
            types=one("type"),
            categories=one("category"),
            channels=one("channel"),
        )

    def summary(self) -> str:
        """The filters applied, as the queue bar shows them: their values' words, the range."""
        parts = []
        for name in LISTS:
            value = self._chosen(name)
            if value is not None:
                parts.append(self._labels[name].get(value, value))
        start, end = self._field("from").value.strip(), self._field("to").value.strip()
        if start or end:
            parts.append(f"{start}…{end}")
        return " · ".join(sanitize_line(p) for p in parts)

    def apply(self, *, close: bool, changed_only: bool = False) -> bool:
        """Read the fields and post them (``changed_only``: unless they are those applied); a
        bad date is said and nothing is applied."""
        error = self.query_one("#filter-error", Static)
        tz = self.tz()
        if tz is None and any(self._field(name).value.strip() for name in DATES):
            error.update(self.t("queue.filter.wait"))
            self.add_class("-error")
            return False
        try:
            filters = self.read(tz or ZoneInfo("UTC"))  # no date typed: the zone is not read
        except ServiceError as exc:
            label = self.t(f"queue.filter.{exc.field}_label")
            error.update(Text(sanitize_line(f"{label}: {exc.words(self.t)}")))
            self.add_class("-error")
            if exc.field in DATES:
                self._field(exc.field).focus()
            return False
        error.update("")
        self.remove_class("-error")
        if changed_only and filters == self.applied:
            return True
        self.applied = filters
        self.post_message(self.Applied(filters, self.summary(), close=close))
        return True

    def _clear_fields(self) -> None:
        for name in LISTS:
            self._select(name).clear()
        for name in DATES:
            self._field(name).value = ""

    def clear(self) -> None:
        """Every field back to none, and that applied."""
        self._clear_fields()
        self.apply(close=True)

    def show_held_by(self, person: Person) -> None:
        """Only the tickets ``person`` holds: every other field cleared, that applied (the
        person is added to the list if the desk's people are not read yet)."""
        self._clear_fields()
        people = self._labels["assignee"]
        if person.login not in people:
            options = [(label, login) for login, label in people.items()]
            self._set_options("assignee", [*options, (sanitize_line(person.name), person.login)])
        self._select("assignee").value = person.login
        self.apply(close=True)

    @on(Select.Changed)
    def _chose(self, event: Select.Changed) -> None:
        event.stop()
        # posted later than the change, for a choice and for a list refilled or cleared alike:
        # only what differs from the filters applied is applied
        self.apply(close=False, changed_only=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply(close=True)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()  # a date applies on enter, not at each key

    def action_apply(self) -> None:
        """``ctrl+s``: apply and go back to the table."""
        self.apply(close=True)

    def action_clear(self) -> None:
        """``escape``: clear every filter."""
        self.clear()
