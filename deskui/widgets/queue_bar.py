"""The line above the queue: the views with their keys, the count, the selection, the search."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.queue import QueueView
from deskui.services.ticket_filters import has_words

#: The key that shows each view.
VIEW_KEYS: dict[QueueView, str] = {
    QueueView.MINE: "1",
    QueueView.GROUPS: "2",
    QueueView.UNASSIGNED: "3",
    QueueView.OPEN: "4",
    QueueView.ALERT: "5",
    QueueView.RESOLVED: "6",
    QueueView.REVIEW: "7",
    QueueView.CLOSED: "8",
    QueueView.REJECTED: "9",
    QueueView.ALL: "0",
}


class QueueBar(Widget):
    """``1 Mine  2 My groups … │ 40 tickets · 2 selected · search: vpn``.

    Args:
        t: the catalog.
    """

    DEFAULT_CSS = """
    QueueBar {
        height: 1;
        background: $boost;
    }
    """

    view: reactive[QueueView] = reactive(QueueView.OPEN)
    """The view shown."""
    total: reactive[int | None] = reactive(None)
    """Tickets in the view (None while counting)."""
    selected: reactive[int] = reactive(0)
    """Tickets selected."""
    search: reactive[str] = reactive("")
    """The search typed after ``/``."""
    filters: reactive[str] = reactive("")
    """The filter bar's filters applied, in words (empty: none)."""

    def __init__(self, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.t = t

    def render(self) -> Text:
        """Built from plain strings: the search is the agent's text, never markup. When the ten
        views and the figures do not fit on the line, only the view shown is named (``v`` and
        the digits still go through them all; the help lists them)."""
        t = self.t
        status = self._status()
        views = Text(" ")
        for view, key in VIEW_KEYS.items():
            # ten views on one line: the one shown stands out, the others sit close together
            label = f"{key} {t(f'queue.view.{view}')}"
            if view == self.view:
                views.append(f" {label} ", style=Style(bold=True, reverse=True))
                views.append(" ")
            else:
                views.append(f"{label}  ")
        if views.cell_len + status.cell_len > self.size.width:
            label = f"{VIEW_KEYS[self.view]} {t(f'queue.view.{self.view}')}"
            views = Text(" ")
            views.append(f" {label} ", style=Style(bold=True, reverse=True))
            views.append(" ")
        return views + status

    def _status(self) -> Text:
        t = self.t
        text = Text()
        text.append("│ ", style="dim")
        if not has_words(self.search):
            text.append(t("queue.search.no_words"), style="bold yellow")
        else:
            count = "…" if self.total is None else t("queue.count", count=self.total)
            text.append(count, style="bold")
        if self.selected:
            text.append(" · ")
            text.append(t("queue.selected", count=self.selected), style="bold yellow")
        if self.search:
            text.append(" · ")
            text.append(t("queue.search.label") + ": ")
            text.append(sanitize_line(self.search), style="italic")
        if self.filters:
            text.append(" · ")
            text.append(t("queue.filter.label") + ": ")
            text.append(sanitize_line(self.filters), style="bold cyan")
        return text
