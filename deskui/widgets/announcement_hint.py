"""Beside the intake form: the published announcements that concern the call being logged.

When the call's category is among an announcement's services, or is routed to the group that
owns it (:func:`deskui.core.announcements.matches_call`), the operator sees the announcement
here and may answer the call with it in one key (``ctrl+f`` on the intake form: a consultation
resolved on the call, the announcement as its solution). With nothing that matches it takes no
room. On a narrow terminal (below :attr:`AnnouncementHint.wide_from` columns) it is a two-line
bar under the form — the latest's title and window, then the key — so the form keeps its width.
It reads the console's ``announcements``; it never reads the database.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from deskui.console.context import console_app
from deskui.core.announcements import matches_call
from deskui.core.sanitize import sanitize_line, sanitize_text
from deskui.services.announcements import AnnouncementView
from deskui.widgets.announcement_banner import when


class AnnouncementHint(Widget):
    """The announcements that concern a call of :attr:`category`, the most recent first."""

    DEFAULT_CSS = """
    AnnouncementHint {
        width: 36;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $warning;
        background: $warning 10%;
        display: none;
    }
    AnnouncementHint.-shown {
        display: block;
    }
    AnnouncementHint.-narrow {
        dock: bottom;
        width: 1fr;
        height: 2;
        border-left: none;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    wide_from = 130
    """From this many columns on, the hint is a column beside the form; below, a bar under it."""

    category: reactive[str | None] = reactive(None, init=False)
    """The call's category (None until one is chosen)."""

    def on_mount(self) -> None:
        """Follow the published announcements."""
        self.watch(console_app(self), "announcements", self._update)

    def watch_category(self) -> None:
        """Another category: other announcements may concern the call."""
        self._update()

    @property
    def matching(self) -> tuple[AnnouncementView, ...]:
        """The published announcements that concern the call now."""
        category = self.category
        if not category:
            return ()
        app = console_app(self)
        routed = app.context.desk.rules.category_groups.get(category)
        return tuple(
            a
            for a in app.announcements
            if matches_call(a.content.services, a.content.group, category, routed)
        )

    def fit(self, width: int) -> None:
        """The terminal is ``width`` columns: a column beside the form, or a bar under it."""
        self.set_class(width < self.wide_from, "-narrow")
        self.refresh()

    def _update(self, _value: object = None) -> None:
        self.set_class(bool(self.matching), "-shown")
        self.refresh()
        self.screen.refresh_bindings()

    def render(self) -> Text:
        """The title, window and text of each (plain text), then the key that answers."""
        ctx = console_app(self).context
        t = ctx.t
        found = self.matching
        out = Text()
        if not found:
            return out
        if self.has_class("-narrow"):
            latest = found[0]
            out.append(f"📢 {sanitize_line(latest.content.title)}", style="bold")
            out.append(f" · {when(latest, t, ctx.desk.rules.tz, brief=True)}")
            if len(found) > 1:
                out.append(f" · {t('announce.banner.more_short', count=len(found) - 1)}")
            out.append("\n")
            out.append(t("announce.intake.key"), style="bold reverse")
            return out
        out.append(t("announce.intake.title", count=len(found)) + "\n\n", style="bold")
        for view in found:
            out.append(f"📢 {sanitize_line(view.content.title)}\n", style="bold")
            out.append(when(view, t, ctx.desk.rules.tz) + "\n", style="italic")
            out.append(sanitize_text(view.content.body) + "\n\n")
        out.append(t("announce.intake.key"), style="bold reverse")
        return out
