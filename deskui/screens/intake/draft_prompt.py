"""The offer to bring back a call that was being typed: one dialog, asked in two moments.

At start (a call left by an earlier run, the form empty): enter restores it into the form; ``d``
discards it; escape decides later (the offer comes back the next time the empty form opens,
until a new call is typed over it).

On F2 with a call still in the form (``pending``): enter, or escape, goes on with that call;
``n`` drops it for the new call that is ringing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from deskui.console.base import DeskModal
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.screens.intake.drafts import IntakeDraft
from deskui.widgets.key_footer import KeyFooter

DraftChoice = Literal["restore", "discard", "later", "new"]


def draft_summary(draft: IntakeDraft, t: Catalog, tz: ZoneInfo) -> Text:
    """When it was typed, who called, what about — as inert text."""
    text = Text()
    if draft.saved_at:
        try:
            at = datetime.fromisoformat(draft.saved_at).astimezone(tz)
            text.append(t("intake.draft.saved_at", at=at.strftime("%Y-%m-%d %H:%M")) + "\n")
        except ValueError:
            pass
    caller = ""
    if draft.requester is not None:
        caller = str(draft.requester.get("name") or "")
    elif draft.new_caller:
        caller = draft.caller_name
    else:
        caller = draft.lookup
    text.append(f"{t('field.requester')}: ", style="dim")
    text.append(sanitize_line(caller) or "—")
    text.append("\n")
    text.append(f"{t('field.summary')}: ", style="dim")
    text.append(sanitize_line(draft.summary) or "—")
    if draft.description.strip():
        text.append("\n")
        text.append(f"{t('field.description')}: ", style="dim")
        text.append(sanitize_line(draft.description, max_length=120))
    return text


class RestoreDraftScreen(DeskModal[DraftChoice]):
    """Restore the unsaved call? Or, on F2 with a call in the form, go on with it?

    Args:
        draft: the call in question.
        tz: the desk's time zone (when it was last edited).
        pending: asked on F2 about the call still in the form (go on with it, or a new call),
            not at start about one left by an earlier run.
    """

    CSS_PATH = "draft_prompt.tcss"
    stays_over_area = True

    BINDINGS = [
        Binding(
            "enter,r", "choose('restore')", "intake.key.draft_restore", id="desk.draft.restore"
        ),
        Binding("d", "choose('discard')", "intake.key.draft_discard", id="desk.draft.discard"),
        Binding("n", "choose('new')", "intake.key.draft_new", id="desk.draft.new"),
        Binding("escape", "choose('later')", "intake.key.draft_later", id="desk.draft.later"),
    ]

    def __init__(self, draft: IntakeDraft, tz: ZoneInfo, *, pending: bool = False) -> None:
        super().__init__()
        self.draft = draft
        self.tz = tz
        self.pending = pending
        """Asked on F2 about the call still in the form."""

    def compose(self) -> ComposeResult:
        """The question, what the draft holds, and the keys."""
        t = self.ctx.t
        with Vertical(id="draft-box"):
            title, keys = (
                ("intake.draft.pending_title", "intake.draft.pending_keys")
                if self.pending
                else ("intake.draft.title", "intake.draft.keys")
            )
            yield Static(Text(t(title)), id="draft-title")
            yield Static(draft_summary(self.draft, t, self.tz), id="draft-summary")
            yield Static(Text(t(keys)), id="draft-keys")
        # its own keys over the form's: the form's do not reach through the prompt
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """At start the draft may be discarded; on F2 the call in the form gives way to a new
        one (discarding it, said as what it is for)."""
        if action == "choose" and parameters == ("discard",):
            return not self.pending
        if action == "choose" and parameters == ("new",):
            return self.pending
        return True

    def action_choose(self, choice: DraftChoice) -> None:
        """Close with the operator's answer."""
        self.dismiss(choice)
