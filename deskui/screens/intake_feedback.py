"""What the intake form says when something is refused or fails: next to each field at fault,
in the operator's language, with the cursor on the first one; a database that went away is
named, and nothing typed is lost.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from deskui.console.base import DeskScreen
from deskui.console.messages import ConnectionLost
from deskui.core.sanitize import sanitize_line
from deskui.screens.intake_data import FORM_FIELDS, explain
from deskui.services.errors import DatabaseUnavailable, NotFound, ServiceError, ValidationFailed
from deskui.widgets.form_row import FieldError

#: Form field → the widget that takes it (and whose ``error-`` line shows its fault).
WIDGET_OF = {
    "requester": "lookup-input",
    "requester.name": "caller-name",
    "requester.phone": "caller-phone",
    "requester.department": "caller-department",
    "requester.extension": "lookup-input",
    "requester.email": "lookup-input",
    "requester.employee_id": "lookup-input",
    "requester.company": "lookup-input",
}
LABEL_OF = {
    "requester.name": "intake.caller.name",
    "requester.phone": "field.phone",
    "requester.department": "field.department",
}


def widget_id(field: str) -> str:
    """The id of the widget that takes ``field``."""
    return WIDGET_OF.get(field, field.replace("_", "-"))


class FormFeedback(DeskScreen[None]):
    """A form screen with a ``#form-message`` line and an ``#error-ID`` line per field."""

    def say(self, text: str, *, error: bool) -> None:
        """A line at the top of the form: what happened (``error``: something went wrong)."""
        message = self.query_one("#form-message", FieldError)
        message.update(Text(text))
        message.set_class(bool(text), "-shown")
        message.set_class(error, "-error")
        message.set_class(not error, "-info")

    def clear_errors(self) -> None:
        """Hide every field's error and the form's message."""
        for error in self.query(FieldError):
            error.update("")
            error.remove_class("-shown")

    def _field_value(self, field: str) -> str:
        try:
            widget = self.query_one(f"#{widget_id(field)}")
        except Exception:
            return ""
        return str(getattr(widget, "value", "") or "")

    def show_errors(self, errors: list[tuple[str, str]]) -> None:
        """Each fault next to its field, the fields named at the top, the cursor on the first."""
        t = self.ctx.t
        by_widget: dict[str, list[str]] = {}
        named: list[str] = []
        for field, message in errors:
            text = explain(field, message, t, self._field_value(field))
            by_widget.setdefault(widget_id(field), []).append(text)
            label = t(LABEL_OF.get(field, f"field.{field.split('.')[0]}"))
            if label not in named:
                named.append(label)
        for target, texts in by_widget.items():
            try:
                line = self.query_one(f"#error-{target}", FieldError)
            except Exception:
                line = self.query_one("#form-message", FieldError)
            line.update(Text("；".join(texts) if t.lang == "zh" else "; ".join(texts)))
            line.add_class("-shown")
        self.say(
            t(
                "intake.error.summary",
                fields="、".join(named) if t.lang == "zh" else ", ".join(named),
            ),
            error=True,
        )
        order = {name: n for n, name in enumerate(FORM_FIELDS)}
        first = min((f for f, _ in errors), key=lambda f: order.get(f, len(order)))
        self._focus_field(first)

    def _focus_field(self, field: str) -> None:
        try:
            widget: Widget = self.query_one(f"#{widget_id(field)}")
        except Exception:
            return
        if widget.focusable:
            widget.focus()

    def show_failure(self, error: BaseException | None) -> None:
        """A refused or failed save: say what happened; everything typed stays."""
        t = self.ctx.t
        if isinstance(error, ValidationFailed):
            self.show_errors(error.errors)
        elif isinstance(error, NotFound) and error.field == "requester":
            self.show_errors([("requester", t("intake.error.caller_gone"))])
        elif isinstance(error, DatabaseUnavailable):
            self.report_database(error)
        elif isinstance(error, ServiceError):
            self.say(t("intake.error.refused", reason=sanitize_line(str(error))), error=True)
        else:
            reason = sanitize_line(f"{type(error).__name__}: {error}")
            self.say(t("intake.error.unexpected", reason=reason), error=True)

    def report_database(self, error: DatabaseUnavailable) -> None:
        """The database did not answer: say so here, and raise the status line's banner."""
        reason = sanitize_line(str(error))
        self.say(self.ctx.t("intake.error.database", reason=reason), error=True)
        self.app.post_message(ConnectionLost(reason))
