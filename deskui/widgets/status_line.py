"""The status line at the top of every screen: who, which desk, the live counts, the connection.

It reads the app's ``actor``, ``counts`` and ``connection_problem`` and redraws when they
change; it never reads the database itself.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from sqlalchemy.engine import make_url
from textual.widget import Widget

from deskui.core.sanitize import sanitize_line


def database_label(url: str) -> str:
    """A short name for the desk's database: the file name of a SQLite file, else the URL
    without its password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return PurePath(parsed.database).name if parsed.database else ":memory:"
    return parsed.render_as_string(hide_password=True)


class StatusLine(Widget):
    """One line: user and role · database · open / P1 / breached — or the connection banner."""

    DEFAULT_CSS = """
    StatusLine {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    StatusLine.-lost {
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    def on_mount(self) -> None:
        """Redraw whenever the figures or the connection change."""
        self.watch(self.app, "counts", self._changed, init=False)
        self.watch(self.app, "connection_problem", self._changed)

    def _changed(self, _value: Any = None) -> None:
        self.set_class(getattr(self.app, "connection_problem", None) is not None, "-lost")
        self.refresh()

    def render(self) -> Text:
        """The line, built from plain strings (names come from the database: never markup)."""
        app: Any = self.app
        t = app.t
        actor = app.actor
        left = Text(" ")
        left.append(sanitize_line(actor.name), style="bold")
        left.append(f" ({sanitize_line(actor.login)}) · ")
        left.append(t(f"role.{actor.role}"))
        left.append(" · ")
        left.append(sanitize_line(database_label(app.desk.db.url)), style="italic")
        problem = app.connection_problem
        if problem is not None:
            right = Text(f"⚠ {t('shell.status.lost')}: {sanitize_line(problem)} ")
        else:
            right = self._counts(app)
        gap = max(1, self.size.width - cell_len(left.plain) - cell_len(right.plain))
        line = Text.assemble(left, " " * gap, right, no_wrap=True, overflow="ellipsis")
        return line

    @staticmethod
    def _counts(app: Any) -> Text:
        t = app.t
        counts = app.counts
        if counts is None:
            return Text(f"{t('shell.status.loading')} ", style="dim")
        text = Text()
        text.append(f"{t('shell.status.open')} {counts.open}")
        text.append("  │  ")
        text.append(f"P1 {counts.p1}", style="bold red" if counts.p1 else "")
        text.append("  │  ")
        text.append(
            f"{t('shell.status.breached')} {counts.breached}",
            style="bold white on red" if counts.breached else "",
        )
        text.append(" ")
        return text
