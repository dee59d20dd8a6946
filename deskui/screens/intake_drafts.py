"""The half-typed call on disk: written at most half a second after each change, deleted when
the call is saved, and offered back when the empty form opens after a crash or ``kill -9``.

:class:`DraftKeeping` is the intake screen's base: it needs ``collect()`` (the form as an
:class:`~deskui.drafts.IntakeDraft`) and ``restore()`` (the form filled from one).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual import on, work
from textual.message import Message
from textual.widgets import Checkbox, Input, TextArea

from deskui.drafts import DraftStore, IntakeDraft, draft_path
from deskui.screens.draft_prompt import DraftChoice, RestoreDraftScreen
from deskui.screens.intake_feedback import FormFeedback
from deskui.widgets.choice_bar import ChoiceBar

#: The draft is written at most this long after a change (seconds).
DRAFT_DELAY = 0.5


class DraftKeeping(FormFeedback):
    """A form screen whose content is kept in the operator's draft file."""

    class DraftFound(Message):
        """A draft was left by an earlier run."""

        def __init__(self, draft: IntakeDraft) -> None:
            super().__init__()
            self.draft = draft

    def __init__(self) -> None:
        super().__init__()
        self._sequence = 0
        self._draft_timer: Any = None
        self._offering = False
        self._postponed = False
        self._answered: str | None = None
        self._store: DraftStore | None = None

    def on_mount(self) -> None:
        """This operator's draft file on this desk."""
        ctx = self.ctx
        self._store = DraftStore(draft_path(ctx.actor.login, ctx.desk.db.url))

    def collect(self) -> IntakeDraft:
        """Everything in the form (the intake screen says how)."""
        raise NotImplementedError

    def restore(self, draft: IntakeDraft) -> None:
        """Fill the form from a draft the operator chose to restore."""
        raise NotImplementedError

    def mark_changed(self) -> None:
        """Something in the form changed: the draft follows within ``DRAFT_DELAY``."""
        self._sequence += 1
        if self._draft_timer is None:
            self._draft_timer = self.set_timer(DRAFT_DELAY, self._flush_draft, name="draft")

    def flush_draft(self) -> None:
        """Write a change still waiting for the delay now (leaving the form)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._flush_draft()

    def _flush_draft(self) -> None:
        self._draft_timer = None
        if self._store is not None and not self._offering:
            self.write_draft(self.collect(), self._sequence)

    @work(thread=True, exit_on_error=False, group="draft")
    def write_draft(self, draft: IntakeDraft, sequence: int) -> None:
        """Keep the form on disk (an empty form leaves no draft)."""
        assert self._store is not None
        if draft.is_blank:
            self._store.clear(sequence)
        else:
            self._store.save(draft, sequence, self.ctx.clock.now().isoformat())

    def forget_draft(self) -> None:
        """The draft file goes (the call was saved, discarded or cleared)."""
        self._sequence += 1
        self.discard_draft(self._sequence)

    @work(thread=True, exit_on_error=False, group="draft")
    def discard_draft(self, sequence: int) -> None:
        """Delete the draft file."""
        assert self._store is not None
        self._store.clear(sequence)

    def save_draft_now(self) -> None:
        """The console is closing: a change still waiting for the delay goes to disk now."""
        if self._draft_timer is None or self._store is None or self._offering:
            return
        self._draft_timer.stop()
        self._draft_timer = None
        draft = self.collect()
        if draft.is_blank:
            self._store.clear(self._sequence)
        else:
            self._store.save(draft, self._sequence, self.ctx.clock.now().isoformat())

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(ChoiceBar.Changed)
    @on(Checkbox.Changed)
    def _field_changed(self) -> None:
        self.mark_changed()

    def on_screen_resume(self) -> None:
        """An empty form looks for a draft left by an earlier run."""
        if self._postponed or self._store is None or self._offering:
            return
        if self.collect().is_blank:
            self.load_draft()

    def on_screen_suspend(self) -> None:
        """Leaving the form (not just opening help over it): a postponed draft is offered again
        when the operator comes back."""
        if self not in self.app.screen_stack:
            self._postponed = False

    @work(thread=True, exclusive=True, exit_on_error=False, group="draft-load")
    def load_draft(self) -> None:
        """Read the draft file (a worker: the disk may be slow)."""
        assert self._store is not None
        draft = self._store.load()
        if draft is not None:
            self.post_message(self.DraftFound(draft))

    def on_draft_keeping_draft_found(self, message: DraftFound) -> None:
        """Offer the draft, if the form is still empty and in front."""
        if self._offering or not self.collect().is_blank or not self.is_current:
            return
        if message.draft.saved_at is not None and message.draft.saved_at == self._answered:
            # read again while its discarding was still on the way to the disk
            return
        self._offering = True
        tz = self.ctx.desk.rules.tz
        draft = message.draft
        self.app.push_screen(
            RestoreDraftScreen(draft, tz), lambda choice: self._draft_answered(draft, choice)
        )

    def _draft_answered(self, draft: IntakeDraft, choice: DraftChoice | None) -> None:
        self._offering = False
        if choice != "later":
            self._answered = draft.saved_at
        if choice == "restore":
            self.restore(replace(draft, saved_at=None))
        elif choice == "discard":
            self.forget_draft()
        else:
            self._postponed = True
