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
from zoneinfo import ZoneInfo

from textual.worker import Worker

from deskui.console.base import DeskScreen
from deskui.console.errors import describe
from deskui.core.enums import Status
from deskui.core.permissions import Action, Person, TicketFacts, allows, role_may
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.screens.ticket_forms import (
    Estimate,
    EstimateForm,
    NoteForm,
    Override,
    OverrideForm,
    PickForm,
    TicketForm,
)
from deskui.services import skills
from deskui.services.errors import (
    ChangeCancelled,
    ClaimConflict,
    DatabaseUnavailable,
    DeskBusy,
    ServiceError,
    StaleEdit,
)
from deskui.services.handlers import HandlerChoice
from deskui.services.queue import GroupChoice
from deskui.services.review import ReviewItem
from deskui.services.sending import CancelToken, cancellable
from deskui.services.skills import Suggestion
from deskui.services.views import TicketView

#: The worker group of ticket changes (one screen runs one batch at a time).
CHANGES_GROUP = "ticket-changes"
#: What a ticket change writes, for the other consoles.
CHANGE_TABLES = frozenset({"ticket", "ticket_event"})

#: The worker group that reads whom a ticket can be assigned to.
HANDLERS_GROUP = "ticket-handlers"


#: Marks the suggested assignee in the assign dialog.
SUGGESTED_MARK = "★"


def assignee_options(
    people: Sequence[HandlerChoice], suggestion: Suggestion, t: Catalog
) -> tuple[list[tuple[str, str]], str]:
    """The assign dialog's choices and the line above them.

    The suggested person (:func:`deskui.services.skills.suggest`: skilled in the ticket's
    category, the least open work) comes first, marked; everyone skilled in the category shows
    their level and open tickets held, as ``deskui ticket suggest`` prints them.
    """
    skilled = {c.login: c for c in suggestion.candidates}
    best = (
        suggestion.best
        if suggestion.best and suggestion.best.login in {p.login for p in people}
        else None
    )
    ordered = sorted(people, key=lambda p: best is None or p.login != best.login)
    options = []
    for p in ordered:
        label = f"{sanitize_line(p.name)} ({p.login}) · {t(f'role.{p.role}')}"
        known = skilled.get(p.login)
        if known is not None:
            label += " · " + t("lifecycle.assign.skill", level=known.level, open=known.open_count)
        if best is not None and p.login == best.login:
            label = f"{SUGGESTED_MARK} {label}"
        options.append((p.login, label))
    category = t(f"category.{suggestion.category}")
    if best is None:
        return options, t("lifecycle.assign.no_suggestion", category=category)
    note = t(
        "lifecycle.assign.suggested",
        mark=SUGGESTED_MARK,
        name=sanitize_line(best.name),
        login=best.login,
        category=category,
        level=best.level,
        open=best.open_count,
    )
    return options, note


#: The lead's keys (and the handler's new estimate) on the queue and the detail, and the action
#: each is: the footer shows each only to those whose role may take it.
LEAD_ACTIONS = {
    "override": Action.OVERRIDE_PRIORITY,
    "assign": Action.ASSIGN,
    "take_over": Action.TAKE_OVER,
    "estimate": Action.ESTIMATE,
}


def lead_key(person: Person, action: str, ticket: TicketFacts | None) -> bool | None:
    """Whether a lead's key applies: False (not offered) when the person's role may never take
    it, None (greyed) when it does not apply to ``ticket``, True when it does."""
    wanted = LEAD_ACTIONS[action]
    if not role_may(person.role, wanted):
        return False
    return True if ticket is not None and allows(person, wanted, ticket) else None


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


def apply_changes(kind: str, calls: Sequence[Call], token: CancelToken | None = None) -> Outcome:
    """Run each call (in a worker thread), keeping every refusal with its ticket number; under
    ``token``, a call still waiting on the desk when it is cancelled ends with nothing written.

    A database that went away, one held by a stalled console past the wait, or a cancel ends
    the batch (the rest would fail, wait, or be cancelled the same way). Anything that is not a
    refusal of the desk propagates: it is a fault, for the screen's error funnel.
    """
    outcome = Outcome(kind)
    with cancellable(token):
        for number, call in calls:
            try:
                outcome.result = call()
            except ServiceError as exc:
                outcome.refused.append(Refusal(number, exc))
                if isinstance(exc, DatabaseUnavailable | DeskBusy | ChangeCancelled):
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


#: A dialog names this many tickets at most; beyond, "and K more".
NAMED_AT_MOST = 20


def numbers_text(numbers: Sequence[str], t: Catalog) -> str:
    """The tickets a dialog acts on, every one named (the title wraps), or the first
    :data:`NAMED_AT_MOST` and how many more."""
    named = ", ".join(numbers[:NAMED_AT_MOST])
    rest = len(numbers) - NAMED_AT_MOST
    return t("queue.numbers.more", numbers=named, count=rest) if rest > 0 else named


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
        other batches run meanwhile; escape on it cancels the batch (its ``cancel_token``).
        """
        if not calls:
            return
        self.say(self.t("queue.working"))
        top = self.screen.app.screen
        form = top if isinstance(top, TicketForm) and top.sending else None
        batch = list(calls)
        token = None
        if form is not None:
            token = form.cancel_token = CancelToken()
        worker: Worker[None] = self.screen.run_worker(
            lambda: self._run(kind, batch, form, token),
            name=f"ticket-{kind}",
            group=CHANGES_GROUP,
            thread=True,
            exit_on_error=False,
        )
        if form is not None:
            self._forms[worker] = form

    def _run(
        self,
        kind: str,
        calls: list[Call],
        form: TicketForm[Any] | None,
        token: CancelToken | None,
    ) -> None:
        outcome = apply_changes(kind, calls, token)
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
        text: str = "",
    ) -> None:
        """Ask for a note (``detail.form.<kind>_title`` / ``_label``; ``text`` already in it),
        then send the call ``change(note)`` builds (on the event loop, when the note is sent: so
        it can name the version on screen then, read again after a stale edit)."""
        t = self.t

        def send(note: str) -> None:
            self.send(kind, [(number, change(note))])

        self.open(
            NoteForm(
                title or t(f"detail.form.{kind}_title", number=number),
                send,
                label=label or t(f"detail.form.{kind}_label"),
                text=text,
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

    def close(
        self,
        items: Sequence[ReviewItem],
        version: Callable[[str], int | None],
        left_out: str | None = None,
    ) -> None:
        """The desk's review and close: a dialog that names every ticket with what its record
        lacks, then closes those that can be (one change each, with the note); ``version(number)``
        is the version on screen when the note is sent; ``left_out`` names the selected tickets
        that are not resolved (the key does not apply to them)."""
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
                intro=[
                    *([left_out] if left_out else []),
                    *(review_line(item, t) for item in items),
                ],
            )
        )

    # the lead's tools ---------------------------------------------------------------------------
    def override(
        self, number: str, current: str, overridden: bool, version: Callable[[], int | None]
    ) -> None:
        """A lead's priority override with a reason, or clearing it (the matrix's again)."""
        desk, actor, t = self.screen.ctx.desk, self.screen.ctx.actor, self.t

        def send(chosen: Override) -> None:
            change = partial(
                desk.override_priority,
                actor,
                number,
                chosen.priority,
                chosen.reason,
                expected_version=version(),
            )
            self.send("override", [(number, change)])

        title = t("lifecycle.override.title", number=number)
        self.open(OverrideForm(title, send, current=current, overridden=overridden))

    def take_over(self, number: str, holder: str | None, version: Callable[[], int | None]) -> None:
        """A lead takes the ticket over from ``holder``: the form names them and asks why;
        sending it is the confirmation."""
        desk, actor, t = self.screen.ctx.desk, self.screen.ctx.actor, self.t

        def change(reason: str) -> Callable[[], TicketView]:
            return partial(
                desk.claim, actor, number, takeover=True, reason=reason, expected_version=version()
            )

        self.with_note(
            "take_over",
            number,
            change,
            title=t(
                "lifecycle.take_over.title", number=number, holder=sanitize_line(holder or "-")
            ),
            label=t("lifecycle.take_over.reason"),
        )

    def estimate(self, number: str, tz: ZoneInfo, version: Callable[[], int | None]) -> None:
        """ "The target cannot be met": a new estimate for the requester, and why."""
        desk, actor, t = self.screen.ctx.desk, self.screen.ctx.actor, self.t

        def send(given: Estimate) -> None:
            change = partial(
                desk.estimate, actor, number, given.reason, given.until, expected_version=version()
            )
            self.send("estimate", [(number, change)])

        now = self.screen.ctx.clock.now()
        self.open(EstimateForm(t("lifecycle.estimate.title", number=number), send, tz=tz, now=now))

    def assign(
        self, number: str, group_code: str | None, version: Callable[[], int | None]
    ) -> None:
        """A lead assigns the ticket to a named person of its group: they are read, then
        offered."""
        self.screen.run_worker(
            lambda: self._read_handlers(number, group_code, version),
            name=HANDLERS_GROUP,
            group=HANDLERS_GROUP,
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _read_handlers(
        self, number: str, group_code: str | None, version: Callable[[], int | None]
    ) -> None:
        desk = self.screen.ctx.desk
        people = desk.group_handlers(group_code)
        suggestion = skills.suggest(desk, number)
        self.screen.app.call_from_thread(self._ask_assignee, number, people, suggestion, version)

    def _ask_assignee(
        self,
        number: str,
        people: list[HandlerChoice],
        suggestion: Suggestion,
        version: Callable[[], int | None],
    ) -> None:
        desk, actor, t = self.screen.ctx.desk, self.screen.ctx.actor, self.t
        if not people:
            self.say(t("lifecycle.assign.nobody"))
            return

        def send(login: str) -> None:
            change = partial(desk.assign, actor, number, login, expected_version=version())
            self.send("assign", [(number, change)])

        options, note = assignee_options(people, suggestion, t)
        self.open(
            PickForm(t("lifecycle.assign.title", number=number), send, options=options, note=note)
        )

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A batch failed with a fault, not a refusal: the form waiting for it is editable
        again with the reason; True when this was one of this runner's workers."""
        if worker.group == HANDLERS_GROUP:
            self.say(describe(error, self.t))
            return True
        if worker.group != CHANGES_GROUP:
            return False
        text = describe(error, self.t)
        self.say(text)
        form = self._forms.pop(worker, None)  # type: ignore[arg-type]  # the same worker object
        if form is not None and form.is_attached:
            form.failed(text)
        return True
