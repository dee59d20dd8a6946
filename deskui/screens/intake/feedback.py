"""What the intake form says when something is refused or fails: next to each field at fault,
in the operator's language, with the cursor on the first one; anything else on the form's message
line at the top. Nothing typed is touched.

Every refusal is worded from its code: a field's fault by the form's own wording of that code
(``intake.error.<code>``) where the form has one, else the desk's (``error.<code>``); a refusal
without a field, and any unexpected failure, by :func:`~deskui.console.errors.describe`.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

from deskui.console.base import DeskScreen
from deskui.console.errors import describe
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.screens.intake.form import draft_field, field_label, widget_id
from deskui.screens.intake.request import FieldProblem, refused_fields
from deskui.services.errors import (
    ChangeCancelled,
    DatabaseUnavailable,
    ServiceError,
    ValidationFailed,
)
from deskui.widgets.form_row import FieldError


def problem_text(problem: FieldProblem, t: Catalog) -> str:
    """Why the field was refused, in the catalog's language (the values made safe to show)."""
    params = {name: sanitize_line(str(value)) for name, value in problem.params.items()}
    for key in (f"intake.error.{problem.code}", f"error.{problem.code}"):
        if t.has(key):
            return t(key, **params)
    return t("intake.error.check")


def joined(texts: list[str], t: Catalog) -> str:
    """A list in the catalog's language (``、`` or ``, ``)."""
    return t.join(texts)


class FormFeedback:
    """The message line (``#form-message``) and the error line under each field of a form.

    Args:
        screen: the form's screen (the lines are found in it, the catalog is its context's).
        focus: puts the cursor in a field and scrolls the form to it (the field's error line
            under it may just have been shown).
    """

    def __init__(self, screen: DeskScreen[None], focus: Callable[[Widget], None]) -> None:
        self.screen = screen
        self.focus = focus

    @property
    def message(self) -> FieldError:
        """The line at the top of the form."""
        return self.screen.query_one("#form-message", FieldError)

    def say(self, text: str, *, error: bool) -> None:
        """A line at the top of the form: what happened (``error``: something went wrong)."""
        message = self.message
        message.update(Text(text))
        message.set_class(bool(text), "-shown")
        message.set_class(error, "-error")
        message.set_class(not error, "-info")

    def clear(self) -> None:
        """Hide every field's error and the form's message."""
        for line in self.screen.query(FieldError):
            line.update("")
            line.remove_class("-shown")

    def field_error(self, widget_id: str, text: str) -> None:
        """``text`` on the line under the field ``widget_id``."""
        line = self.screen.query_one(f"#error-{widget_id}", FieldError)
        line.update(Text(text))
        line.add_class("-shown")

    def show_problems(self, problems: list[FieldProblem]) -> None:
        """Each fault next to its field, the fields named at the top, the cursor on the first."""
        t = self.screen.ctx.t
        by_widget: dict[str, list[str]] = {}
        named: list[str] = []
        top: list[str] = []
        for problem in problems:
            name = draft_field(problem.field)
            label = field_label(name, problem.field, t)
            if label not in named:
                named.append(label)
            text = problem_text(problem, t)
            if not name:  # a field the form does not show: said at the top
                top.append(t("shell.sep.labelled", label=label, text=text))
            elif text not in by_widget.setdefault(widget_id(name), []):
                by_widget[widget_id(name)].append(text)
        for target, texts in by_widget.items():
            self.field_error(target, t.join(texts, "shell.sep.clause"))
        summary = t("intake.error.summary", fields=joined(named, t))
        self.say(" ".join([summary, *top]), error=True)
        self.focus_first(set(by_widget))

    def focus_first(self, widget_ids: set[str]) -> None:
        """The cursor to the first of these fields, in the order the form is filled in."""
        for widget in self.screen.focus_chain:
            if widget.id in widget_ids:
                self.focus(widget)
                return

    def show_failure(self, error: BaseException) -> None:
        """A refused or failed save: say why, next to the field when one is named."""
        t = self.screen.ctx.t
        if isinstance(error, ValidationFailed):
            self.show_problems(refused_fields(error))
        elif isinstance(error, DatabaseUnavailable):
            self.say(t("intake.error.database"), error=True)
        elif isinstance(error, ChangeCancelled):
            self.say(describe(error, t), error=True)
        elif isinstance(error, ServiceError) and error.field:
            self.show_problems([FieldProblem(error.field, error.code, error.params)])
        else:
            self.say(t("intake.error.not_saved", reason=describe(error, t)), error=True)
