"""The three SLA clocks of one ticket, side by side, with their due times and pause reasons."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widget import Widget

from deskui.core.enums import ClockKind
from deskui.core.sanitize import sanitize_line
from deskui.core.sla import SlaClock
from deskui.i18n import Catalog
from deskui.widgets.sla_text import clock_text
from deskui.widgets.timeline import pad, stamp


class DetailClocks(Widget):
    """``Response ✔ 0m45s met · due 10:15 │ Update ● 3h10m running …``.

    Args:
        t: the catalog.
    """

    DEFAULT_CSS = """
    DetailClocks {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.t = t
        self.clocks: Mapping[ClockKind, SlaClock] = {}
        """The clocks as they stand now."""
        self.tz: ZoneInfo | None = None

    def show(self, clocks: Mapping[ClockKind, SlaClock], tz: ZoneInfo) -> None:
        """New figures (each second, and after every change)."""
        first = not self.clocks
        self.clocks, self.tz = clocks, tz
        self.refresh(layout=first)  # always three lines: a new layout only the first time

    def render(self) -> Text:
        """One line per clock: name, glyph, remaining, state, due, pause reason."""
        t, tz = self.t, self.tz
        text = Text()
        if tz is None:
            return text
        for index, kind in enumerate(ClockKind):
            clock = self.clocks.get(kind)
            if clock is None:
                continue
            if index:
                text.append("\n")
            text.append(pad(t(f"clock.{kind}"), 10), style="bold")
            text.append(" ")
            text.append_text(clock_text(clock, t))
            if clock.state.is_live:
                text.append("  " + t("detail.clock.due", due=stamp(clock.due, tz)), style="dim")
            elif clock.stopped_at is not None:
                text.append(
                    "  " + t("detail.clock.stopped", at=stamp(clock.stopped_at, tz)), style="dim"
                )
            if clock.paused_reason:
                text.append("  " + t("detail.clock.paused_for"), style="dim")
                text.append(sanitize_line(clock.paused_reason), style="italic")
        return text
