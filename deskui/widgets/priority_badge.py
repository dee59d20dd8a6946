"""The matrix result, live while the operator chooses impact and urgency, with its reason.

``P1 Critical   I2 × U1 → P1; VIP: P2 → P1`` — the reason is the service's own, so the form
shows exactly what the ticket will record.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from deskui.console.context import desk_context
from deskui.core.priority import PriorityDecision
from deskui.i18n import Catalog

STYLES = {
    "P1": "bold white on red",
    "P2": "bold black on yellow",
    "P3": "bold black on cyan",
    "P4": "bold black on grey70",
}


def decision_text(decision: PriorityDecision, t: Catalog) -> Text:
    """The priority as a coloured label, then why."""
    priority = str(decision.priority)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {t(f'priority.{priority}')} ", style=STYLES.get(priority, "bold"))
    text.append("   ")
    text.append(decision.reason)
    if decision.vip_raised:
        text.append(f"   ({t('intake.priority.vip_raised')})", style="italic")
    return text


class PriorityBadge(Static):
    """The derived priority of the call being typed."""

    def show(self, decision: PriorityDecision) -> None:
        """Show a new decision."""
        self.update(decision_text(decision, desk_context(self).t))
