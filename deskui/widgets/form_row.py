"""A labelled form field with room for its error under it."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label

from deskui.widgets.wrapped import WrappedStatic


class FieldError(WrappedStatic):
    """Why the field was refused; hidden while there is nothing to say."""

    DEFAULT_CSS = """
    FieldError {
        display: none;
        color: $error;
        padding-left: 17;
        height: auto;
    }
    FieldError.-shown {
        display: block;
    }
    """


#: After the label of a field a save needs (shown before anything is saved).
REQUIRED_MARK = " *"


def required_text(text: str, required: bool) -> Text:
    """``text`` (shown as it is, never markup) with the required mark when a save needs it."""
    return Text(text + REQUIRED_MARK if required else text)


def mark_required(label: Label, text: str, required: bool) -> None:
    """Show ``text`` on ``label`` with the required mark, or without it."""
    label.update(required_text(text, required))
    label.set_class(required, "-required")


def required_label(text: str, *, required: bool, classes: str | None = None) -> Label:
    """A label for a field, marked when a save needs it (as the intake marks its fields)."""
    label = Label(classes=classes)
    mark_required(label, text, required)
    return label


def field_row(label: str, widget: Widget, *, name: str, required: bool = False) -> Vertical:
    """``label  [widget]`` with a :class:`FieldError` below, ``#field-NAME`` / ``#error-NAME``.

    Args:
        label: the field's name in the operator's language (catalog text).
        widget: the input.
        name: the widget's id, which also names the row and its error.
        required: a save needs it: the label is marked (``#label-NAME``).
    """
    shown = required_label(label, required=required, classes="field-label")
    shown.id = f"label-{name}"
    return Vertical(
        Horizontal(shown, widget, classes="field-line"),
        FieldError(id=f"error-{name}"),
        classes="field",
        id=f"field-{name}",
    )
