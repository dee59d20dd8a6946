"""The half-typed call on disk: written at most :attr:`DraftKeeper.delay` seconds after each
change, deleted when the call is saved, and offered back when the empty form opens after a crash
or ``kill -9``.

The keeper is a part of the intake screen, not a base class: it is given the screen (whose
timers and thread workers it uses, so that a failed write ends in the screen's error funnel) and
two functions, one that reads the form as a draft and one that fills the form from a draft.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual.message import Message
from textual.timer import Timer

from deskui.console.base import DeskScreen
from deskui.screens.intake.draft_prompt import DraftChoice, RestoreDraftScreen
from deskui.screens.intake.drafts import DraftStore, IntakeDraft, draft_path

#: Worker groups of the draft file (their failures are said on the form's message line).
DRAFT_GROUPS = frozenset({"draft", "draft-load"})


class DraftFound(Message):
    """A draft was left by an earlier run (posted to the screen by the reading worker)."""

    def __init__(self, draft: IntakeDraft) -> None:
        super().__init__()
        self.draft = draft


class DraftKeeper:
    """Keeps a form's content in the operator's draft file.

    Args:
        screen: the form's screen; its timers and workers do the keeping.
        collect: the form as a draft.
        restore: fill the form from a draft the operator chose to restore.
        delay: seconds between a change and its write (tests shorten it; 0 writes at once).
    """

    def __init__(
        self,
        screen: DeskScreen[None],
        collect: Callable[[], IntakeDraft],
        restore: Callable[[IntakeDraft], None],
        *,
        delay: float,
    ) -> None:
        self.screen = screen
        self.collect = collect
        self.restore = restore
        self.delay = delay
        """Seconds between a change and its write."""
        self.store: DraftStore | None = None
        """This operator's draft file on this desk (known once the screen is mounted)."""
        self._sequence = 0
        self._timer: Timer | None = None
        self._offering = False
        self._postponed = False
        self._answered: str | None = None
        self._forgotten = 0
        """The form state whose draft was last forgotten (its deleting may still be on the way)."""

    def start(self) -> None:
        """The screen is mounted: find this operator's draft file on this desk."""
        ctx = self.screen.ctx
        self.store = DraftStore(draft_path(ctx.actor.login, ctx.desk.database_url))

    # writing --------------------------------------------------------------------------------
    def mark_changed(self) -> None:
        """Something in the form changed: the draft follows within :attr:`delay`."""
        self._sequence += 1
        if self.delay <= 0:
            self._write_now()
        elif self._timer is None:
            self._timer = self.screen.set_timer(self.delay, self._write_now, name="draft")

    def flush(self) -> None:
        """Write a change still waiting for the delay now (leaving the form)."""
        if self._timer is not None:
            self._timer.stop()
            self._write_now()

    def _write_now(self) -> None:
        self._timer = None
        store = self.store
        if store is None or self._offering:
            return
        draft, sequence, at = self.collect(), self._sequence, self.screen.ctx.clock.now()
        self._run(lambda: keep(store, draft, sequence, at.isoformat()), "draft")

    def forget(self) -> None:
        """The draft file goes (the call was saved, discarded or cleared)."""
        self._sequence += 1
        store, sequence = self.store, self._sequence
        self._forgotten = sequence
        if store is not None:
            self._run(lambda: store.clear(sequence), "draft")

    def save_now(self) -> None:
        """The console is closing: the form goes to disk now, on this thread (the workers are
        about to stop, and a write already under way may not finish).

        The store refuses a state it already holds, so this costs nothing when the last change
        was written.
        """
        if self.store is None or self._offering or self._sequence == 0:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        keep(self.store, self.collect(), self._sequence, self.screen.ctx.clock.now().isoformat())

    def _run(self, work: Callable[[], object], group: str) -> None:
        self.screen.run_worker(work, name=group, group=group, thread=True, exit_on_error=False)

    # offering -------------------------------------------------------------------------------
    def look(self) -> None:
        """The form is in front: if it is empty, look for a draft left by an earlier run."""
        store = self.store
        if self._postponed or store is None or self._offering or not self.collect().is_blank:
            return

        forgotten = self._forgotten

        def read() -> None:
            if store.written < forgotten:
                return  # what is on disk was just forgotten; its deleting is on the way
            draft = store.load()
            if draft is not None:
                self.screen.post_message(DraftFound(draft))

        self.screen.run_worker(
            read,
            name="draft-load",
            group="draft-load",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def left(self) -> None:
        """The screen was suspended: if the operator left the form (not just opened help over
        it), a postponed draft is offered again when they come back."""
        if self.screen not in self.screen.app.screen_stack:
            self._postponed = False

    def offer(self, draft: IntakeDraft) -> None:
        """Offer ``draft``, if the form is still empty and in front."""
        if self._offering or not self.collect().is_blank or not self.screen.is_current:
            return
        if draft.saved_at is not None and draft.saved_at == self._answered:
            # read again while its discarding was still on the way to the disk
            return
        self._offering = True
        prompt = RestoreDraftScreen(draft, self.screen.ctx.desk.rules.tz)
        self.screen.app.push_screen(prompt, lambda choice: self._answer(draft, choice))

    def _answer(self, draft: IntakeDraft, choice: DraftChoice | None) -> None:
        self._offering = False
        if choice in ("restore", "discard"):
            self._answered = draft.saved_at
        if choice == "restore":
            self.restore(replace(draft, saved_at=None))
        elif choice == "discard":
            self.forget()
        else:
            self._postponed = True


def keep(store: DraftStore, draft: IntakeDraft, sequence: int, saved_at: str) -> None:
    """Write ``draft`` to ``store`` (an empty form leaves no draft)."""
    if draft.is_blank:
        store.clear(sequence)
    else:
        store.save(draft, sequence, saved_at)
