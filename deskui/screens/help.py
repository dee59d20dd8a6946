"""Help (F1 / ?): the keys of the screen in front of the operator, read from its live bindings.

Nothing is listed by hand: the rows come from the screen's active bindings (the focused widget,
the screen, the app) at the moment help was asked for, so the help can never drift from the
keys that really work. Keys that do not apply right now are shown dimmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from deskui.console.base import DeskModal
from deskui.core.enums import ClockKind, ClockState, Priority
from deskui.i18n import Catalog
from deskui.widgets.keys import binding_text
from deskui.widgets.queue_table.row import PRIORITY_STYLES
from deskui.widgets.sla_text import GLYPHS, STYLES
from deskui.widgets.wrapped import Wrapped


@dataclass(frozen=True)
class KeyRow:
    """One line of help.

    Attributes:
        key: the key as the footer shows it (``F2``, ``^s``).
        description: what it does, translated.
        tooltip: a longer explanation, translated (may be empty).
        everywhere: an app-wide key rather than one of this screen.
        enabled: it applies right now.
    """

    key: str
    description: str
    tooltip: str
    everywhere: bool
    enabled: bool


def _listed(binding: Binding, t: Catalog) -> bool:
    """A key of the desk's: declared with a catalog entry as its description.

    Textual's own keys (copying a selection, moving between fields, the editing keys of a text
    field) are the keys of every Textual program and would drown the desk's; they are left out.
    """
    return bool(binding.description) and t.has(binding.description)


def key_rows(app: App[Any], screen: Screen[Any], t: Catalog) -> list[KeyRow]:
    """The help rows of ``screen``: its own keys first, then the app-wide ones, worded by ``t``."""
    rows: list[KeyRow] = []
    seen: set[tuple[str, str]] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not _listed(binding, t):
            continue
        key = app.get_key_display(binding)
        description, tooltip = binding_text(binding, t)
        if (key, description) in seen:
            continue
        seen.add((key, description))
        rows.append(KeyRow(key, description, tooltip, active.node is app, active.enabled))
    rows.sort(key=lambda row: row.everywhere)
    return rows


def legend(t: Catalog) -> Table:
    """What the clocks' glyphs say (each reads without colour too), what the colours say, and
    the letter the queue puts before its nearest clock at 80 columns."""
    table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    table.add_row(Text(t("shell.help.legend"), style="underline"), "", "")
    for state in ClockState:
        table.add_row(
            Text(GLYPHS[state], style=STYLES[state]),
            Text(t(f"clock_state.{state}"), style=STYLES[state]),
            Wrapped(t(f"shell.legend.{state}"), style="dim"),
        )
    table.add_row("", "", "")
    table.add_row(Text(t("shell.legend.colours"), style="underline"), "", "")
    clocks = Text()
    for state in (ClockState.RUNNING, ClockState.WARNING, ClockState.BREACHED, ClockState.PAUSED):
        clocks.append(GLYPHS[state], style=STYLES[state])
    table.add_row(clocks, "", Wrapped(t("shell.legend.colour.clocks"), style="dim"))
    for priority in (Priority.P1, Priority.P2, Priority.P4):
        table.add_row(
            Text(str(priority), style=PRIORITY_STYLES[priority]),
            "",
            Wrapped(t(f"shell.legend.colour.{priority}"), style="dim"),
        )
    table.add_row("", "", "")
    table.add_row(
        Text(t("shell.legend.shorts"), style="underline"),
        "",
        Wrapped(t("shell.legend.shorts.note"), style="dim"),
    )
    for kind in ClockKind:
        table.add_row(
            Text(t(f"queue.clock.short.{kind}"), style="bold"),
            Text(t(f"clock.{kind}")),
            "",
        )
    return table


class HelpScreen(DeskModal[None]):
    """The keys of the screen below, in two groups: this screen, and everywhere."""

    CSS_PATH = "help.tcss"

    BINDINGS = [
        Binding("escape,f1,question_mark,q,enter", "close", "shell.key.close", id="desk.close"),
    ]

    def __init__(self, rows: list[KeyRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        """A title and one table."""
        t = self.ctx.t
        with Vertical(id="help-box"):
            yield Static(Text(t("shell.help.title")), id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self._table(t), id="help-keys")
                yield Static(legend(t), id="help-legend")
            yield Static(Text(t("shell.help.hint")), id="help-hint")

    def _table(self, t: Catalog) -> Table:
        table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
        table.add_column(no_wrap=True, style="bold")
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, overflow="fold")
        for everywhere in (False, True):
            group = [row for row in self.rows if row.everywhere is everywhere]
            if not group:
                continue
            heading = t("shell.help.global") if everywhere else t("shell.help.screen")
            table.add_row(Text(heading, style="underline"), "", "")
            for row in group:
                style = "" if row.enabled else "dim"
                table.add_row(
                    Text(row.key, style=style),
                    Text(row.description, style=style),
                    Wrapped(row.tooltip, style="dim"),
                )
            table.add_row("", "", "")
        return table

    def action_close(self) -> None:
        """Back to the screen."""
        self.dismiss()
