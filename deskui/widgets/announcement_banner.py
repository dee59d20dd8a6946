"""The announcement banner under the status line of every screen: what the desk has published.

It reads the console's ``announcements`` (the app keeps them current from the change feed, and
drops one as it expires) and redraws when they change; it never reads the database itself. With
nothing published it takes no room at all. With several, the most recent is shown, with a count
of the rest and the key that reads them all.
"""

from __future__ import annotations

from datetime import tzinfo

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from deskui.console.context import console_app
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.announcements import AnnouncementView


def when(view: AnnouncementView, t: Catalog, zone: tzinfo) -> str:
    """The outage's window (or the announcement's expiry), in the desk's time, briefly."""
    c = view.content
    fmt = "%m-%d %H:%M"
    if c.starts_at is not None:
        start = c.starts_at.astimezone(zone).strftime(fmt)
        end = c.ends_at.astimezone(zone).strftime(fmt) if c.ends_at is not None else "…"
        return t("announce.banner.window", start=start, end=end)
    return t("announce.banner.until", end=c.expires_at.astimezone(zone).strftime(fmt))


class AnnouncementBanner(Widget):
    """Two lines: the latest announcement's title, group and window; its text; ``+N`` more."""

    DEFAULT_CSS = """
    AnnouncementBanner {
        dock: top;
        margin-top: 1;
        height: 2;
        background: $warning 30%;
        color: $foreground;
        display: none;
    }
    AnnouncementBanner.-shown {
        display: block;
    }
    """

    def on_mount(self) -> None:
        """Redraw whenever the published announcements change."""
        self.watch(console_app(self), "announcements", self._changed)

    def _changed(self, shown: tuple[AnnouncementView, ...]) -> None:
        self.set_class(bool(shown), "-shown")
        self.refresh()

    def render(self) -> Text:
        """Built from plain strings: what a group wrote is never markup."""
        app = console_app(self)
        shown = app.announcements
        if not shown:
            return Text()
        ctx = app.context
        t = ctx.t
        latest = shown[0]
        head = Text(" ")
        head.append(f"📢 {t('announce.banner.label')} ", style="bold reverse")
        head.append(" ")
        head.append(sanitize_line(latest.content.title), style="bold")
        head.append(f"  · {sanitize_line(latest.group_name(t.lang))}")
        head.append(f" · {when(latest, t, ctx.desk.rules.tz)}")
        rest = len(shown) - 1
        right = Text(
            t("announce.banner.more", count=rest) if rest else t("announce.banner.read"),
            style="bold",
        )
        right.append(" ")
        gap = max(1, self.size.width - cell_len(head.plain) - cell_len(right.plain))
        first = Text.assemble(head, " " * gap, right, no_wrap=True, overflow="ellipsis")
        body = Text("   " + sanitize_line(latest.content.body), no_wrap=True, overflow="ellipsis")
        return Text("\n").join([first, body])
