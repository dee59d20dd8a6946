"""The one way the queue, the ticket detail and the emergency board change tickets.

A change is a list of calls, one per ticket, each naming the version the agent was looking at
(the service refuses a stale edit). :class:`TicketChanges` runs them in a thread worker, keeps
each refusal with its ticket number (a claim race or a stale edit is reported as exactly that),
and hands the :class:`Outcome` back to the screen on the event loop. A form that sent the change
closes when it went through and stays open, with what was typed, when it did not. A failure
that is not the desk's answer (a bug, a driver error) reaches the screen's error funnel, and the
waiting form comes back to life with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from textual.worker import Worker

from deskui.console.base import DeskScreen
from deskui.console.errors import describe
from deskui.core.enums import Status
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.screens.ticket_forms import NoteForm, PickForm, TicketForm
from deskui.services.errors import (
    ClaimConflict,
    DatabaseUnavailable,
    DeskBusy,
    ServiceError,
    StaleEdit,
)
from deskui.services.queue import GroupChoice
from deskui.services.review import ReviewItem
from deskui.services.views import TicketView

#: The worker group of ticket changes (one screen runs one batch at a time).
CHANGES_GROUP = "ticket-changes"
#: What a ticket change writes, for the other consoles.
CHANGE_TABLES = frozenset({"ticket", "ticket_event"})

#: The desk's refusal of an escalation it cannot route: it names the groups to choose from.
GROUP_NEEDED = "escalate.group_needed"
#: One change: the ticket's number and the call that makes it (run in a worker thread).
Call = tuple[str, Callable[[], TicketView]]


@dataclass(frozen=True)
class Refusal:
    """One ticket the change did not go through for, and the desk's reason."""

    number: str
    error: ServiceError


@dataclass
class Outcome:
    """What happened to a batch of changes."""

    kind: str
    done: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    result: TicketView | None = None
    """The ticket as the last successful call left it."""
    groups: list[GroupChoice] = field(default_factory=list)
    """For an escalation the rules could not route: the groups it may go to (read in the
    worker), so the form can ask which."""


def apply_changes(kind: str, calls: Sequence[Call]) -> Outcome:
    """Run each call (in a worker thread), keeping every refusal with its ticket number.

    A database that went away, or one held by a stalled console past the wait, ends the batch
    (the rest would fail, or wait, the same way). Anything that is not a refusal of the desk
    propagates: it is a fault, for the screen's error funnel.
    """
    outcome = Outcome(kind)
    for number, call in calls:
        try:
            outcome.result = call()
        except ServiceError as exc:
            outcome.refused.append(Refusal(number, exc))
            if isinstance(exc, DatabaseUnavailable | DeskBusy):
                break
        else:
            outcome.done.append(number)
    return outcome


def refusal_text(refusal: Refusal, t: Catalog) -> str:
    """Why one ticket was refused, as a sentence in the catalog's language."""
    error = refusal.error
    if isinstance(error, ClaimConflict):
        return t("detail.error.conflict", number=refusal.number, holder=sanitize_line(error.holder))
    if isinstance(error, StaleEdit):
        return t("detail.error.stale", number=refusal.number)
    if isinstance(error, DatabaseUnavailable):
        return t("detail.error.database", detail=describe(error, t))
    return t("detail.error.refused", number=refusal.number, detail=describe(error, t))


def review_line(item: ReviewItem, t: Catalog) -> str:
    """One ticket as the close dialog names it: number, summary, and what its record lacks."""
    if item.status != Status.RESOLVED:
        state = f"{t('lifecycle.review.skipped')} ({t(f'status.{item.status}')})"
    elif item.gaps:
        gaps = t.pick("、", ", ").join(t(f"lifecycle.gap.{g}") for g in item.gaps)
        state = t("lifecycle.review.missing", gaps=gaps)
        if not item.closable:
            state += f" · {t('lifecycle.review.skipped')}"
    else:
        state = t("lifecycle.review.complete")
    return f"{item.number}  {sanitize_line(item.summary)}  — {state}"


def outcome_text(outcome: Outcome, t: Catalog) -> str:
    """One line for the notice: what went through, then each refusal."""
    parts = []
    if outcome.done:
        parts.append(t(f"detail.done.{outcome.kind}", numbers=", ".join(outcome.done)))
    parts.extend(refusal_text(r, t) for r in outcome.refused)
    return "  ".join(parts)


class TicketChanges:
    """Sends changes for one screen and reports back to it.

    Args:
        screen: the screen the changes are made from (it runs the worker).
        say: shows a line to the agent (the screen's notice line, or a notification).
        finished: the screen's own follow-up once a batch is through (read the rows again…).
    """

    def __init__(
        self,
        screen: DeskScreen[Any],
        *,
        say: Callable[[str], None],
        finished: Callable[[Outcome], None],
    ) -> None:
        self.screen = screen
        self.say = say
        self.finished = finished
        self._forms: dict[Worker[None], TicketForm[Any]] = {}
        self._ask_group: Callable[[list[GroupChoice]], None] | None = None

    @property
    def t(self) -> Catalog:
        """The catalog."""
        return self.screen.ctx.t

    def send(self, kind: str, calls: Sequence[Call]) -> None:
        """Run ``calls`` in a worker; ``kind`` names them (``detail.done.<kind>``).

        A form that is sending right now (its ``ctrl+s`` is what called this) is bound to this
        batch: it closes when the batch went through and hears why when it did not, whatever
        other batches run meanwhile.
        """
        if not calls:
            return
        self.say(self.t("queue.working"))
        top = self.screen.app.screen
        form = top if isinstance(top, TicketForm) and top.sending else None
        batch = list(calls)
        worker: Worker[None] = self.screen.run_worker(
            lambda: self._run(kind, batch, form),
            name=f"ticket-{kind}",
            group=CHANGES_GROUP,
            thread=True,
            exit_on_error=False,
        )
        if form is not None:
            self._forms[worker] = form

    def _run(self, kind: str, calls: list[Call], form: TicketForm[Any] | None) -> None:
        outcome = apply_changes(kind, calls)
        asked = [r.error.params for r in outcome.refused if r.error.code == GROUP_NEEDED]
        if asked:
            choices = {c.strip() for c in str(asked[0]["choices"]).split(",")}
            outcome.groups = [g for g in self.screen.ctx.desk.groups() if g.code in choices]
        if outcome.done:
            self.screen.ctx.announce(CHANGE_TABLES)
        self.screen.app.call_from_thread(self._finished, outcome, form)

    def _finished(self, outcome: Outcome, form: TicketForm[Any] | None) -> None:
        text = outcome_text(outcome, self.t)
        self.say(text)
        self.finished(outcome)
        for worker in [w for w, waiting in self._forms.items() if waiting is form]:
            del self._forms[worker]
        if form is None or not form.is_attached:
            return
        if outcome.refused:
            form.failed(text)
            if outcome.groups and self._ask_group is not None:
                self._ask_group(outcome.groups)
        else:
            form.done()

    def open(self, form: TicketForm[Any]) -> None:
        """Show a change form; its send goes through :meth:`send`."""
        self.screen.app.push_screen(form)

    def with_note(
        self,
        kind: str,
        number: str,
        change: Callable[[str], Callable[[], TicketView]],
        *,
        title: str | None = None,
        label: str | None = None,
        required: bool = True,
    ) -> None:
        """Ask for a note (``detail.form.<kind>_title`` / ``_label``), then send the call
        ``change(note)`` builds (on the event loop, when the note is sent: so it can name the
        version on screen then, read again after a stale edit)."""
        t = self.t

        def send(note: str) -> None:
            self.send(kind, [(number, change(note))])

        self.open(
            NoteForm(
                title or t(f"detail.form.{kind}_title", number=number),
                send,
                label=label or t(f"detail.form.{kind}_label"),
                required=required,
            )
        )

    def escalate(self, number: str, version: Callable[[], int | None]) -> None:
        """Escalate ``number`` with a note; ``version()`` is the version on screen when the note
        is sent. When the rules name no group of the next tier for the ticket's category, the
        desk's refusal lists the groups: they are offered, and the next send goes to the one
        chosen (the note stays as typed)."""
        desk, actor, t = self.screen.ctx.desk, self.screen.ctx.actor, self.t
        chosen: dict[str, str] = {}
        names: dict[str, str] = {}

        def change(note: str) -> Callable[[], TicketView]:
            return partial(
                desk.escalate,
                actor,
                number,
                note,
                group=chosen.get("group"),
                expected_version=version(),
            )

        def ask(groups: list[GroupChoice]) -> None:
            names.update((g.code, t.pick(g.name_zh, g.name_en)) for g in groups)
            options = list(names.items())
            title = t("detail.form.escalate_group_title", number=number)
            self.screen.app.push_screen(PickForm(title, options=options), took)

        def took(code: str | None) -> None:
            form = self.screen.app.screen
            if code is None or not isinstance(form, NoteForm):
                return
            chosen["group"] = code
            form.show_error(t("detail.form.escalate_group_chosen", group=names.get(code, code)))

        self._ask_group = ask
        self.with_note("escalate", number, change)

    def close(self, items: Sequence[ReviewItem], version: Callable[[str], int | None]) -> None:
        """The desk's review and close: a dialog that names every ticket with what its record
        lacks, then closes those that can be (one change each, with the note); ``version(number)``
        is the version on screen when the note is sent."""
        desk, actor, t = self.screen.ctx.desk, self.screen.ctx.actor, self.t
        closable = [item.number for item in items if item.closable]
        if not closable:
            self.say(t("lifecycle.close.none"))
            return

        def send(note: str) -> None:
            calls: list[Call] = [
                (
                    number,
                    partial(
                        desk.set_status,
                        actor,
                        number,
                        "closed",
                        note=note or None,
                        expected_version=version(number),
                    ),
                )
                for number in closable
            ]
            self.send("close", calls)

        self.open(
            NoteForm(
                t("lifecycle.close.title", count=len(closable)),
                send,
                label=t("lifecycle.close.label"),
                required=False,
                intro=[review_line(item, t) for item in items],
            )
        )

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A batch failed with a fault, not a refusal: the form waiting for it is editable
        again with the reason; True when this was one of this runner's workers."""
        if worker.group != CHANGES_GROUP:
            return False
        text = describe(error, self.t)
        self.say(text)
        form = self._forms.pop(worker, None)  # type: ignore[arg-type]  # the same worker object
        if form is not None and form.is_attached:
            form.failed(text)
        return True
