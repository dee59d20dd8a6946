"""The status line at the top of every screen: who, which desk, the live counts, the connection.

It reads the console's ``counts`` and ``connection_problem`` and the context's actor, and
redraws when they change; it never reads the database itself.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from deskui.console.context import DeskContext, console_app
from deskui.core.permissions import sees_calendar_warning
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.queries import DeskCounts


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
        app = console_app(self)
        self.watch(app, "counts", self._changed, init=False)
        self.watch(app, "connection_problem", self._changed)

    def _changed(self, _value: object = None) -> None:
        self.set_class(console_app(self).connection_problem is not None, "-lost")
        self.refresh()

    def render(self) -> Text:
        """The line, built from plain strings (names come from the database: never markup)."""
        app = console_app(self)
        ctx = app.context
        t = ctx.t
        problem = app.connection_problem
        if problem is not None:
            right = Text(f"⚠ {t('shell.status.lost')}: {sanitize_line(problem)} ")
        else:
            right = self._counts(app.counts, t)
        # on a narrow terminal the counts and the warning matter more than the database's file
        # and the role: those go first, then the rest of the left part is cut, the counts never
        room = self.size.width - cell_len(right.plain) - 1
        for database, role in ((True, True), (False, True), (False, False)):
            left = self._who(ctx, database=database, role=role)
            if cell_len(left.plain) <= room:
                break
        else:
            left.truncate(max(room, 0), overflow="ellipsis")
        gap = max(1, self.size.width - cell_len(left.plain) - cell_len(right.plain))
        return Text.assemble(left, " " * gap, right, no_wrap=True, overflow="ellipsis")

    def _who(self, ctx: DeskContext, *, database: bool, role: bool) -> Text:
        """Who is at the console, on which desk, and what the desk must still be told
        (``database``, ``role``: with the database's file, with the role)."""
        t, actor = ctx.t, ctx.actor
        left = Text(" ")
        left.append(sanitize_line(actor.name), style="bold")
        left.append(f" ({sanitize_line(actor.login)})")
        if role:
            left.append(f" · {t(f'role.{actor.role}')}")
        if actor.proxy_login:
            # an admin acting for this user: both are recorded, and both are shown
            left.append(
                f" ({t('shell.status.acting_for', login=sanitize_line(actor.proxy_login))})"
            )
        if database:
            left.append(" · ")
            left.append(sanitize_line(ctx.desk.database_name), style="italic")
        if ctx.demo:
            left.append(f" · {t('shell.status.demo')}", style="bold")
        year = self._calendar_year(ctx)
        if year is not None:
            left.append(f" · {t('shell.status.calendar', year=year)}", style="bold")
        return left

    @staticmethod
    def _calendar_year(ctx: DeskContext) -> int | None:
        """The year whose holiday schedule the desk must still enter, for those who can do
        something about it (admins) or must know (duty leads); None for everyone else."""
        if not sees_calendar_warning(ctx.actor):
            return None
        rules = ctx.desk.rules  # held since the console started: no database read here
        return rules.calendar.year_to_enter(ctx.clock.now().astimezone(rules.tz).date())

    @staticmethod
    def _counts(counts: DeskCounts | None, t: Catalog) -> Text:
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
