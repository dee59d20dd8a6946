"""The chosen caller: department and contact, and the VIP banner.

Everything shown comes from the directory, which callers and operators filled in: each value is
sanitized and drawn as plain text.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from deskui.console.context import desk_context
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.directory import RequesterView


def caller_text(view: RequesterView | None, t: Catalog) -> Text:
    """The card's lines, or the hint of what the lookup accepts."""
    if view is None:
        return Text(t("intake.caller.none"), style="dim")
    text = Text()
    text.append(sanitize_line(view.name), style="bold")
    where = " · ".join(sanitize_line(v) for v in (view.department, view.company) if v)
    if where:
        text.append(f"   {where}")
    rows = (
        ((t("field.phone"), view.phone), (t("field.extension"), view.extension)),
        ((t("field.employee_id"), view.employee_id), (t("field.email"), view.email)),
    )
    for row in rows:
        parts = [(label, value) for label, value in row if value]
        if not parts:
            continue
        text.append("\n")
        for n, (label, value) in enumerate(parts):
            if n:
                text.append("   ")
            text.append(f"{label} ", style="dim")
            text.append(sanitize_line(value))
    return text


class CallerCard(Static):
    """Who is calling, once picked."""

    def show(self, view: RequesterView | None) -> None:
        """Show ``view`` (None: nobody picked yet)."""
        self.update(caller_text(view, desk_context(self).t))


class VipBanner(Static):
    """A bright line when the caller is a VIP: the priority goes up one level."""

    def show(self, vip: bool) -> None:
        """Show or hide the banner."""
        self.display = vip
        if vip:
            self.update(Text(f"★ {desk_context(self).t('intake.caller.vip')}"))
