"""How an SLA clock reads on screen: remaining time, a glyph and a word, and a colour.

The glyph and the word carry the state so it reads without colour (monochrome terminals,
colour-blind operators); the colour only reinforces it.
"""

from __future__ import annotations

from rich.text import Text

from deskui.core.enums import ClockState
from deskui.core.sla import SlaClock
from deskui.i18n import Catalog

GLYPHS: dict[ClockState, str] = {
    ClockState.RUNNING: "●",
    ClockState.WARNING: "▲",
    ClockState.BREACHED: "✖",
    ClockState.PAUSED: "‖",
    ClockState.MET: "✔",
    ClockState.MISSED: "✗",
}
STYLES: dict[ClockState, str] = {
    ClockState.RUNNING: "green",
    ClockState.WARNING: "bold yellow",
    ClockState.BREACHED: "bold white on red",
    ClockState.PAUSED: "cyan",
    ClockState.MET: "dim green",
    ClockState.MISSED: "dim red",
}


def format_duration(seconds: float) -> str:
    """``1d02h``, ``3h05m``, ``12m30s``, ``-0m45s``: compact, signed, to the second below an
    hour."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes}m{secs:02d}s"


def clock_label(clock: SlaClock, t: Catalog, *, word: bool = True) -> str:
    """A clock's words alone: ``▲ 12m30s warning`` (its style is ``STYLES[clock.state]``)."""
    state = clock.state
    label = f"{GLYPHS[state]} {format_duration(clock.remaining_seconds)}"
    if word:
        label += f" {t(f'clock_state.{state}')}"
    return label


def clock_text(clock: SlaClock, t: Catalog, *, word: bool = True) -> Text:
    """A clock as styled text: ``▲ 12m30s warning``."""
    return Text(clock_label(clock, t, word=word), style=STYLES[clock.state], no_wrap=True)
