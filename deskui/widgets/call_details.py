"""The right half of the intake form: what the call is about.

Type, category, channel, impact and urgency on single keys, the matrix result live with its
reason, the description fields of SPEC §2, and the first-contact resolution toggle with its
answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from deskui.console.context import desk_context
from deskui.core.enums import IMPACTS, URGENCIES, Category, Channel, TicketType
from deskui.core.priority import PriorityDecision
from deskui.core.when import read_deadline
from deskui.services.intake import FREQUENCIES, description_needed
from deskui.widgets.choice_bar import ChoiceBar
from deskui.widgets.form_row import FieldError, field_row, mark_required
from deskui.widgets.priority_badge import PriorityBadge
from deskui.widgets.safe_input import SafeInput, SafeTextArea

#: The one-line fields that need no hint, in the order they are asked (SPEC §2).
PLAIN_LINES = ("impact_scope", "error_message", "tried", "device", "location", "attachments")


class CallDetails(VerticalScroll):
    """What the caller reports."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, can_focus=False)
        self.vip = False
        """The caller is a VIP (the matrix result goes up one level)."""

    def compose(self) -> ComposeResult:
        """Every field, in the order the operator asks."""
        t = desk_context(self).t

        def options(prefix: str, values: Iterable[object]) -> list[tuple[str, str]]:
            return [(str(v), t(f"{prefix}.{v}")) for v in values]

        yield FieldError(id="form-message")
        yield field_row(
            t("field.type"),
            ChoiceBar(options("type", TicketType), value=TicketType.INCIDENT, id="type"),
            name="type",
        )
        yield field_row(
            t("field.category"),
            ChoiceBar(options("category", Category), id="category"),
            name="category",
            required=True,
        )
        yield field_row(
            t("field.channel"),
            ChoiceBar(options("channel", Channel), value=Channel.PHONE, id="channel"),
            name="channel",
        )
        yield field_row(
            t("field.impact"),
            ChoiceBar(options("impact", IMPACTS), value="3", id="impact"),
            name="impact",
        )
        yield field_row(
            t("field.urgency"),
            ChoiceBar(options("urgency", URGENCIES), value="3", id="urgency"),
            name="urgency",
        )
        yield field_row(t("field.priority"), PriorityBadge(id="priority"), name="priority")
        yield field_row(
            t("field.summary"),
            SafeInput(id="summary", placeholder=t("intake.placeholder.summary")),
            name="summary",
            required=True,
        )
        yield field_row(
            t("field.description"),
            SafeTextArea(id="description", placeholder=t("intake.placeholder.description")),
            name="description",
            required=True,
        )
        yield field_row(
            t("field.started_when"),
            SafeInput(id="started-when", placeholder=t("intake.placeholder.started_when")),
            name="started-when",
        )
        yield field_row(
            t("field.frequency"),
            ChoiceBar(options("frequency", FREQUENCIES), optional=True, id="frequency"),
            name="frequency",
        )
        for attribute in PLAIN_LINES:
            widget_id = attribute.replace("_", "-")
            yield field_row(t(f"field.{attribute}"), SafeInput(id=widget_id), name=widget_id)
        yield field_row(
            t("field.expected_by"),
            SafeInput(id="expected-by", placeholder=t("intake.placeholder.expected_by")),
            name="expected-by",
        )
        yield Static("", id="understood-expected-by", classes="field-hint")
        yield field_row(
            t("intake.resolve_now.label"),
            Checkbox(t("intake.resolve_now.box"), id="resolve-now"),
            name="resolve-now",
        )
        yield field_row(
            t("field.solution"),
            SafeTextArea(id="solution", placeholder=t("intake.placeholder.solution")),
            name="solution",
            required=True,
        )

    def on_mount(self) -> None:
        """The first matrix result, the answer field hidden."""
        self.query_one("#field-solution").display = False
        self.query_one("#understood-expected-by").display = False
        self.show_priority()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Say which time an expected-by the operator typed was read as, as they type."""
        if event.input.id == "expected-by":
            self.show_understood(event.value)

    def show_understood(self, text: str) -> None:
        """The time ``text`` reads as (weekday included), a warning when that time has passed
        (the save refuses it), what can be typed when it reads as none; nothing when empty."""
        ctx = desk_context(self)
        hint = self.query_one("#understood-expected-by", Static)
        now = ctx.clock.now().astimezone(ctx.desk.rules.tz)
        deadline = read_deadline(text, now)
        hint.display = deadline is not None
        hint.set_class(deadline is not None and deadline.problem is not None, "-warning")
        if deadline is None:
            hint.update("")
            return
        at = deadline.at
        if at is None:
            hint.update(Text(ctx.t("intake.error.date")))
            return
        key = "intake.expected_by.past" if deadline.problem else "intake.expected_by.understood"
        hint.update(
            Text(
                ctx.t(
                    key,
                    date=at.strftime("%Y-%m-%d"),
                    weekday=ctx.t(f"intake.weekday.{at.weekday()}"),
                    time=at.strftime("%H:%M"),
                )
            )
        )

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """The resolve-now box ticked or cleared: the answer field follows it."""
        self.show_answer(event.value)

    def show_answer(self, resolved: bool) -> None:
        """The answer field shows only for a call resolved on the phone; a question answered on
        the call needs no description (the summary says it)."""
        self.query_one("#field-solution").display = resolved
        self.mark_description(resolved)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        """The answer typed or cleared: whether the description is needed follows it."""
        if event.text_area.id == "solution":
            self.mark_description(self.query_one("#resolve-now", Checkbox).value)

    def mark_description(self, resolved: bool) -> None:
        """The description marked required by the rule the save applies."""
        solution = self.query_one("#solution", TextArea).text
        label = self.query_one("#label-description", Label)
        needed = description_needed(resolve_now=resolved, solution=solution)
        mark_required(label, desk_context(self).t("field.description"), required=needed)

    def on_choice_bar_changed(self, event: ChoiceBar.Changed) -> None:
        """Impact or urgency changed: the matrix again."""
        if event.bar.id in ("impact", "urgency"):
            self.show_priority()

    def decision(self) -> PriorityDecision:
        """The matrix result for the current impact, urgency and caller."""
        rules = desk_context(self).desk.rules
        impact = int(self.query_one("#impact", ChoiceBar).value or 3)
        urgency = int(self.query_one("#urgency", ChoiceBar).value or 3)
        decision: PriorityDecision = rules.matrix.decide(
            impact, urgency, vip=self.vip and rules.vip_raise
        )
        return decision

    def show_priority(self, vip: bool | None = None) -> None:
        """Recompute and show the priority (``vip`` when the caller changed)."""
        if vip is not None:
            self.vip = vip
        self.query_one(PriorityBadge).show(self.decision())

    def show_state(self, *, vip: bool) -> None:
        """The fields were filled by code: the answer field and the priority follow them."""
        self.show_answer(self.query_one("#resolve-now", Checkbox).value)
        self.show_priority(vip=vip)
