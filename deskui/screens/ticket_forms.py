"""Small modal forms for working a ticket: a note, the requester's answer, a choice, triage.

A form never touches the database. It is one of two kinds, by whether it is given ``send``:

* a *change form* (``send`` given): ``ctrl+s`` hands the value to ``send``, which runs the change
  (see :class:`~deskui.screens.ticket_work.TicketChanges`); the form stays open until the change
  is through (:meth:`TicketForm.done`) or refused (:meth:`TicketForm.failed`: the reason shows
  and everything typed stays, so the agent can send again — after a stale edit the ticket was
  read again, and the next send is based on the new version);
* a *question* (no ``send``): ``ctrl+s`` closes the form with its value, for the screen's
  ``push_screen`` callback (the status picker asks what comes next).

Nothing typed is lost to timing. Keys that arrive while the form is still opening (a paste, a
fast typist, a macro) reach the form before any field has the focus: the form gives its first
field (``AUTO_FOCUS``) the focus and hands it those keys, in order. ``ctrl+s`` is a priority key,
run as soon as it is read, possibly before the field has taken the keys queued ahead of it; so
the form sends its value only once a message sent through the field comes back, which happens
after every key queued before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from deskui.console.base import DeskModal
from deskui.console.sending import stop_sending
from deskui.core.local_time import read_local_time
from deskui.core.sanitize import sanitize_line
from deskui.core.worked import MAX_MINUTES, MIN_MINUTES, MinutesError, read_minutes
from deskui.services.sending import CancelToken
from deskui.services.views import CONFIRMATION_CHANNELS
from deskui.services.views import SATISFACTION_ASPECTS as ASPECTS
from deskui.widgets.choice_bar import ChoiceBar
from deskui.widgets.form_row import required_label
from deskui.widgets.safe_input import SafeInput, SafeTextArea

ValueType = TypeVar("ValueType")


def plain(text: str) -> Text:
    """Text shown as it is: never parsed as markup."""
    return Text(sanitize_line(text))


class TicketForm(DeskModal[ValueType | None], Generic[ValueType]):
    """The frame of every form: title, fields, an error line and the keys.

    Args:
        title: what the form does, e.g. "Escalate IT20261102001".
        send: for a change form, called with the form's value on ``ctrl+s``; None for a
            question, which closes with its value.
    """

    CSS_PATH = "ticket_forms.tcss"

    BINDINGS = [
        Binding(
            "ctrl+s",
            "submit",
            "detail.form.submit",
            tooltip="detail.form.submit.tip",
            id="form.submit",
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            "detail.form.cancel",
            tooltip="detail.form.cancel.tip",
            id="form.cancel",
        ),
    ]

    patience = 5.0
    """Seconds of waiting on the desk before the form says it is still waiting, and that escape
    cancels the change (every database wait is bounded: the answer comes, refused or not)."""

    AUTO_FOCUS = "#note, #stars, #choices, #impact"
    """The field that takes the keys typed first (each form has one of these)."""

    def __init__(self, title: str, send: Callable[[ValueType], None] | None = None) -> None:
        super().__init__()
        self.form_title = title
        """The heading."""
        self.send = send
        """Where a change form's value goes (None: the form is a question)."""
        self.sending = False
        """A send is under way (a second ``ctrl+s`` waits for it)."""
        self.cancel_token: CancelToken | None = None
        """The send under way's, when it can be cancelled (the runner that took it runs the
        change under it): escape then asks it to stop instead of closing the form."""
        self._finished = False
        self._patience: Timer | None = None

    def compose(self) -> ComposeResult:
        """Title, the fields of the form, error and keys."""
        with Vertical(id="form"):
            yield Static(plain(self.form_title), id="form-title")
            # the fields scroll on a small terminal (the confirmation's are 24 lines), so the
            # error and the keys below them stay in sight
            with VerticalScroll(id="form-fields", can_focus=False):
                yield from self.fields()
            yield Static("", id="form-error")
            yield Static(plain(self.ctx.t("detail.form.hint")), id="form-hint")

    def fields(self) -> ComposeResult:
        """The form's own widgets."""
        yield from ()

    def value(self) -> ValueType | None:
        """The value to send, or None (after showing why) when the form is not complete."""
        return None

    def _first_field(self) -> Widget | None:
        found = self.query(self.AUTO_FOCUS).first() if self.AUTO_FOCUS else None
        return found if isinstance(found, Widget) and found.focusable else None

    def on_key(self, event: events.Key) -> None:
        """A key that reached the form itself: the form is still opening, no field has the
        focus yet; the first field takes it (and the focus)."""
        field = self._first_field()
        if self.focused is None and field is not None:
            event.stop()
            event.prevent_default()
            field.focus()
            field.post_message(events.Key(event.key, event.character))

    def on_paste(self, event: events.Paste) -> None:
        """A paste that reached the form itself goes to the first field, as keys do."""
        field = self._first_field()
        if self.focused is None and field is not None:
            event.stop()
            field.focus()
            field.post_message(events.Paste(event.text))

    def action_submit(self) -> None:
        """Send the value once every key typed before ``ctrl+s`` has reached its field."""
        if not self.sending:
            self.after_pending_keys(self._submit)

    def _submit(self) -> None:
        """Send the value (once at a time), or answer the question with it."""
        if self.sending:
            return
        value = self.value()
        if value is None:
            return
        if self.send is None:
            self.dismiss(value)
            return
        self.sending = True
        self.show_error(self.ctx.t("detail.form.sending"))
        self._patience = self.set_timer(self.patience, self._still_waiting, name="form-patience")
        self.send(value)

    def _still_waiting(self) -> None:
        token = self.cancel_token
        if not self.sending:
            return
        if token is None:
            self.show_error(self.ctx.t("detail.form.slow"))
        elif not token.cancelled:
            self.show_error(self.ctx.t("detail.form.slow_cancel"))

    def action_cancel(self) -> None:
        """Close without sending; while a send is under way, cancel it instead: the form stays
        with what was typed, and says how the change ended when the answer comes."""
        token = self.cancel_token
        if self.sending and token is not None:
            self.show_error(stop_sending(token, self.ctx.t))
            return
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        """Show a message under the fields (plain text)."""
        self.query_one("#form-error", Static).update(plain(message))

    def _stop_waiting(self) -> None:
        self.sending = False
        self.cancel_token = None
        if self._patience is not None:
            self._patience.stop()
            self._patience = None

    def failed(self, message: str) -> None:
        """The change was refused or failed: say why; everything typed stays, ready to send."""
        self._stop_waiting()
        self.show_error(message)

    def done(self) -> None:
        """The change went through: the form closes (at once, or as soon as a dialog opened
        over it — help, the palette — is closed: dismissing closes whatever is on top)."""
        self._stop_waiting()
        self._finished = True
        if self.app.screen is self:  # (is_current is true under a dialog too: it shows through)
            self.dismiss(None)

    def on_screen_resume(self) -> None:
        """Back on top after a dialog over it closed: a form whose change went through goes."""
        if self._finished:
            self.dismiss(None)


class NoteForm(TicketForm[str]):
    """A text to send: a worklog entry, an update, a solution, a reason.

    Args:
        label: what to write.
        text: what was typed before (kept when the form is opened again).
        required: an empty text is refused.
        intro: lines above the label (the tickets a close names, whom a takeover takes from).
    """

    def __init__(
        self,
        title: str,
        send: Callable[[str], None] | None = None,
        *,
        label: str,
        text: str = "",
        required: bool = True,
        intro: Sequence[str] = (),
    ) -> None:
        super().__init__(title, send)
        self.label = label
        self.initial = text
        self.required = required
        self.intro = list(intro)

    def fields(self) -> ComposeResult:
        """The intro lines, a label and the text area."""
        for line in self.intro:
            yield Label(plain(line), classes="form-intro")
        yield required_label(sanitize_line(self.label), required=self.required)
        yield SafeTextArea(self.initial, id="note")

    @property
    def text(self) -> str:
        """What is typed."""
        return self.query_one("#note", SafeTextArea).text

    def value(self) -> str | None:
        """The text, or None if it is required and empty."""
        text = self.text.strip()
        if self.required and not text:
            self.show_error(self.ctx.t("detail.form.required"))
            return None
        return text


@dataclass(frozen=True)
class Worklog:
    """A worklog entry as typed: what was done, and the whole minutes it took if said."""

    text: str
    minutes: int | None


class WorklogForm(TicketForm[Worklog]):
    """A worklog entry (or an update for the requester) with the minutes spent, optional:
    whole minutes, 1 to 1440 (:mod:`deskui.core.worked`); anything else is refused here, in
    the console's words, with the text kept."""

    def __init__(
        self, title: str, send: Callable[[Worklog], None] | None = None, *, label: str
    ) -> None:
        super().__init__(title, send)
        self.label = label

    def fields(self) -> ComposeResult:
        """The text, then the minutes."""
        t = self.ctx.t
        yield required_label(sanitize_line(self.label), required=True)
        yield SafeTextArea("", id="note")
        yield Label(plain(t("detail.form.minutes_label", low=MIN_MINUTES, high=MAX_MINUTES)))
        yield SafeInput(id="minutes", placeholder=t("detail.form.minutes_placeholder"))

    def value(self) -> Worklog | None:
        """The text (required) and the minutes (None when left empty)."""
        t = self.ctx.t
        text = self.query_one("#note", SafeTextArea).text.strip()
        if not text:
            self.show_error(t("detail.form.required"))
            return None
        typed = self.query_one("#minutes", SafeInput).value
        try:
            minutes = read_minutes(typed)
        except MinutesError as exc:
            self.show_error(
                t("detail.form.minutes_bad", value=exc.value, low=MIN_MINUTES, high=MAX_MINUTES)
            )
            return None
        return Worklog(text, minutes)


@dataclass(frozen=True)
class Confirmation:
    """The requester's answer to a solution, as the desk takes it down.

    Attributes:
        refused: the requester says it is not solved (the ticket goes back in progress).
        channel: how the answer came (phone, im, email, in_person, portal).
        satisfaction: 1–5 stars (a confirmation); None for a refusal.
        aspects: stars per aspect the requester rated.
        remark: the remark on the stars, or the requester's reason for refusing.
    """

    refused: bool
    channel: str
    satisfaction: int | None
    aspects: dict[str, int]
    remark: str


class ConfirmForm(TicketForm[Confirmation]):
    """The requester's answer, recorded by the desk: confirmed with 1–5 stars (and, if they
    gave them, stars per aspect) or refused with their reason, and the channel it came by.

    The stars have the focus first (``4`` ⇥ ``1`` ⇥ remark ``ctrl+s`` is a phone confirmation
    of four stars); the answer (confirmed or refused) sits above them, a shift+tab away.
    """

    def fields(self) -> ComposeResult:
        """Answer, stars, channel, remark or reason, aspects."""
        t = self.ctx.t
        yield ChoiceBar(
            [
                ("confirmed", t("detail.form.answer_confirmed")),
                ("refused", t("detail.form.answer_refused")),
            ],
            value="confirmed",
            id="answer",
        )
        yield Label(plain(t("detail.form.stars")))
        yield ChoiceBar([(str(n), "★" * n) for n in range(1, 6)], id="stars")
        yield Label(plain(t("detail.form.channel")))
        yield ChoiceBar([(c, t(f"channel.{c}")) for c in CONFIRMATION_CHANNELS], id="channel")
        yield Label(plain(t("detail.form.remark")))
        yield SafeInput(id="remark")
        yield Label(plain(t("detail.form.aspects")))
        for aspect in ASPECTS:
            yield Label(plain(t(f"field.satisfaction_{aspect}")))
            yield ChoiceBar(
                [(str(n), "★" * n) for n in range(1, 6)], optional=True, id=f"aspect-{aspect}"
            )

    def _choice(self, name: str) -> str | None:
        return self.query_one(f"#{name}", ChoiceBar).value

    def value(self) -> Confirmation | None:
        """The channel always; stars for a confirmation, the reason for a refusal."""
        t = self.ctx.t
        refused = self._choice("answer") == "refused"
        stars = self._choice("stars")
        channel = self._choice("channel")
        remark = self.query_one("#remark", SafeInput).value.strip()
        if not refused and stars is None:
            self.show_error(t("detail.form.stars_required"))
            return None
        if channel is None:
            self.show_error(t("detail.form.channel_required"))
            return None
        if refused and not remark:
            self.show_error(t("detail.form.reason_required"))
            return None
        aspects = {
            aspect: int(value)
            for aspect in ASPECTS
            if (value := self._choice(f"aspect-{aspect}")) is not None
        }
        return Confirmation(
            refused=refused,
            channel=channel,
            satisfaction=None if refused else int(stars or 0),
            aspects={} if refused else aspects,
            remark=remark,
        )


class PickForm(TicketForm[str]):
    """One choice from a list (a group, a status): enter or ``ctrl+s`` takes it.

    Args:
        options: (value, label) pairs.
        note: a line under the title (e.g. what the ticket is now).
    """

    def __init__(
        self,
        title: str,
        send: Callable[[str], None] | None = None,
        *,
        options: Sequence[tuple[str, str]],
        note: str = "",
    ) -> None:
        super().__init__(title, send)
        self.options = list(options)
        self.note = note

    def fields(self) -> ComposeResult:
        """The list."""
        if self.note:
            yield Label(plain(self.note))
        yield OptionList(
            *(Option(plain(label), id=value) for value, label in self.options), id="choices"
        )

    def on_mount(self) -> None:
        """The first option is highlighted (the list has the focus: ``AUTO_FOCUS``)."""
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = 0 if self.options else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on an option takes it."""
        event.stop()
        self.action_submit()

    def value(self) -> str | None:
        """The highlighted option."""
        choices = self.query_one("#choices", OptionList)
        if choices.highlighted is None:
            return None
        return choices.get_option_at_index(choices.highlighted).id


@dataclass(frozen=True)
class Triage:
    """Impact and urgency chosen, and why (needed when the priority goes down)."""

    impact: int
    urgency: int
    note: str = ""


class TriageForm(TicketForm[Triage]):
    """Impact × urgency, with the priority the matrix gives shown as they are picked.

    Args:
        impact: the current impact (1–3).
        urgency: the current urgency (1–4).
        preview: the priority label for an (impact, urgency) pair.
    """

    def __init__(
        self,
        title: str,
        send: Callable[[Triage], None] | None = None,
        *,
        impact: int,
        urgency: int,
        preview: Callable[[int, int], str],
    ) -> None:
        super().__init__(title, send)
        self.impact = impact
        self.urgency = urgency
        self.preview = preview

    def fields(self) -> ComposeResult:
        """Two choice bars and the resulting priority."""
        t = self.ctx.t
        yield Label(plain(t("field.impact")))
        yield ChoiceBar(
            [(str(i), t(f"impact.{i}")) for i in (1, 2, 3)], value=str(self.impact), id="impact"
        )
        yield Label(plain(t("field.urgency")))
        yield ChoiceBar(
            [(str(u), t(f"urgency.{u}")) for u in (1, 2, 3, 4)],
            value=str(self.urgency),
            id="urgency",
        )
        yield Static("", id="preview")
        yield Label(plain(t("detail.form.triage_reason")))
        yield SafeInput(id="reason")

    def on_mount(self) -> None:
        """Show the current priority (impact has the focus first: ``AUTO_FOCUS``)."""
        self._show_preview()

    def on_choice_bar_changed(self, event: ChoiceBar.Changed) -> None:
        """A new pick: a new priority preview."""
        event.stop()
        self._show_preview()

    def _pair(self) -> tuple[int, int]:
        impact = self.query_one("#impact", ChoiceBar).value or str(self.impact)
        urgency = self.query_one("#urgency", ChoiceBar).value or str(self.urgency)
        return int(impact), int(urgency)

    def _show_preview(self) -> None:
        impact, urgency = self._pair()
        self.query_one("#preview", Static).update(
            plain(
                self.ctx.t("detail.form.priority_preview", priority=self.preview(impact, urgency))
            )
        )

    def value(self) -> Triage:
        """The pair chosen, and the reason typed (the desk refuses a lowering without one)."""
        impact, urgency = self._pair()
        return Triage(impact, urgency, self.query_one("#reason", SafeInput).value.strip())


@dataclass(frozen=True)
class Override:
    """A lead's priority by hand (None: back to the matrix's), and why."""

    priority: str | None
    reason: str


#: The override form's choice that clears an override.
MATRIX = "matrix"


class OverrideForm(TicketForm[Override]):
    """A lead's priority override: P1–P4, or the matrix's priority again; a reason always.

    Args:
        current: the ticket's priority now.
        overridden: a lead's override stands now (clearing it is what the form starts on).
    """

    AUTO_FOCUS = "#override-priority"

    def __init__(
        self,
        title: str,
        send: Callable[[Override], None] | None = None,
        *,
        current: str,
        overridden: bool,
    ) -> None:
        super().__init__(title, send)
        self.current = current
        self.overridden = overridden

    def fields(self) -> ComposeResult:
        """The priorities (and the matrix's), and the reason."""
        t = self.ctx.t
        choices = [(p, t(f"priority.{p}")) for p in ("P1", "P2", "P3", "P4")]
        choices.append((MATRIX, t("lifecycle.override.matrix")))
        yield Label(plain(t("field.priority")))
        yield ChoiceBar(
            choices, value=MATRIX if self.overridden else self.current, id="override-priority"
        )
        yield Label(plain(t("lifecycle.override.reason")))
        yield SafeTextArea("", id="note")

    def value(self) -> Override | None:
        """The choice and the reason (required)."""
        chosen = self.query_one("#override-priority", ChoiceBar).value
        reason = self.query_one("#note", SafeTextArea).text.strip()
        if not reason:
            self.show_error(self.ctx.t("detail.form.required"))
            return None
        return Override(None if chosen in (None, MATRIX) else chosen, reason)


@dataclass(frozen=True)
class Estimate:
    """The new estimate given to the requester when a target cannot be met, and why."""

    until: datetime
    reason: str


class EstimateForm(TicketForm[Estimate]):
    """ "The target cannot be met": when it will be done instead (the desk's local time), why.

    Args:
        tz: the desk's time zone (the time typed is the desk's).
        now: the desk's time now (the new estimate lies after it).
    """

    AUTO_FOCUS = "#until"

    def __init__(
        self,
        title: str,
        send: Callable[[Estimate], None] | None = None,
        *,
        tz: ZoneInfo,
        now: datetime,
    ) -> None:
        super().__init__(title, send)
        self.tz = tz
        self.now = now

    def fields(self) -> ComposeResult:
        """The time and the reason."""
        t = self.ctx.t
        yield Label(plain(t("lifecycle.estimate.until")))
        yield SafeInput(placeholder="2026-11-03 18:00", id="until")
        yield Label(plain(t("lifecycle.estimate.reason")))
        yield SafeTextArea("", id="note")

    def value(self) -> Estimate | None:
        """The time (in the desk's zone, later than now) and the reason (required)."""
        t = self.ctx.t
        text = self.query_one("#until", SafeInput).value.strip()
        until = read_local_time(text, self.tz)
        if until is None:
            self.show_error(t("lifecycle.estimate.bad_time", value=text))
            return None
        if until <= self.now:
            self.show_error(t("lifecycle.estimate.past"))
            return None
        reason = self.query_one("#note", SafeTextArea).text.strip()
        if not reason:
            self.show_error(t("detail.form.required"))
            return None
        return Estimate(until, reason)
