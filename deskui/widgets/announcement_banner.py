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


def when(view: AnnouncementView, t: Catalog, zone: tzinfo, *, brief: bool = False) -> str:
    """The outage's window (or the announcement's expiry), in the desk's time, briefly.

    Args:
        brief: a window within one day names that day once (``12-01 12:34–13:34``), for a
            narrow terminal.
    """
    c = view.content
    fmt = "%m-%d %H:%M"
    if c.starts_at is not None:
        starts = c.starts_at.astimezone(zone)
        start = starts.strftime(fmt)
        if c.ends_at is None:
            return t("announce.banner.window", start=start, end="…")
        ends = c.ends_at.astimezone(zone)
        if brief and ends.date() == starts.date():
            return f"{start}–{ends.strftime('%H:%M')}"
        return t("announce.banner.window", start=start, end=ends.strftime(fmt))
    return t("announce.banner.until", end=c.expires_at.astimezone(zone).strftime(fmt))


def fit_line(width: int, label: str, parts: list[tuple[str, str]], right: str) -> Text:
    """One line of ``width`` cells: ``label``, then ``parts`` (text, style), ``right`` flush right.

    The first part (the title) gives way first, cut with an ellipsis, down to a few cells; the
    line never wraps.
    """
    head = Text(" ")
    head.append(f"{label} ", style="bold reverse")
    head.append(" ")
    fixed = (
        cell_len(head.plain) + sum(cell_len(text) for text, _ in parts[1:]) + cell_len(right) + 1
    )
    title, title_style = parts[0]
    room = width - fixed - 2
    title = _cut(title, max(room, 6))
    head.append(title, style=title_style)
    for text, style in parts[1:]:
        head.append(text, style=style)
    gap = max(1, width - cell_len(head.plain) - cell_len(right) - 1)
    line = Text.assemble(head, " " * gap, (right, "bold"), " ", no_wrap=True, overflow="ellipsis")
    line.truncate(width, overflow="ellipsis")
    return line


def _cut(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` cells, an ellipsis marking the cut."""
    if cell_len(text) <= cells:
        return text
    out = ""
    for char in text:
        if cell_len(out + char) > cells - 1:
            break
        out += char
    return out + "…"


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
        """Built from plain strings: what a group wrote is never markup.

        The first line fits the terminal: on a narrower one the group goes, a one-day window
        names its day once and the key's words shrink to the key; narrower still the label
        shrinks to its sign; the title is cut last, with an ellipsis. The body is one line, cut
        the same way.
        """
        app = console_app(self)
        shown = app.announcements
        if not shown:
            return Text()
        ctx = app.context
        t = ctx.t
        width = self.size.width or 80
        latest = shown[0]
        title = sanitize_line(latest.content.title)
        group = f"  · {sanitize_line(latest.group_name(t.lang))}"
        rest = len(shown) - 1
        zone = ctx.desk.rules.tz
        label = f"📢 {t('announce.banner.label')}"
        brief = [(title, "bold"), (f" · {when(latest, t, zone, brief=True)}", "")]
        short = (
            t("announce.banner.more_short", count=rest) if rest else t("announce.banner.read_short")
        )
        layouts = [
            (
                label,
                [(title, "bold"), (group, ""), (f" · {when(latest, t, zone)}", "")],
                t("announce.banner.more", count=rest) if rest else t("announce.banner.read"),
            ),
            (label, brief, short),
            ("📢", brief, short),
        ]
        for label, parts, right in layouts:
            needed = 5 + cell_len(label) + sum(cell_len(p) for p, _ in parts) + cell_len(right)
            if needed <= width:
                break
        first = fit_line(width, label, parts, right)
        body = Text("   " + sanitize_line(latest.content.body), no_wrap=True, overflow="ellipsis")
        body.truncate(width, overflow="ellipsis")
        return Text("\n", no_wrap=True, overflow="ellipsis").join([first, body])
