"""A labelled form field with room for its error under it."""

from __future__ import annotations

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static


class FieldError(Static):
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


def field_row(label: str, widget: Widget, *, name: str) -> Vertical:
    """``label  [widget]`` with a :class:`FieldError` below, ``#field-NAME`` / ``#error-NAME``.

    Args:
        label: the field's name in the operator's language (catalog text).
        widget: the input.
        name: the widget's id, which also names the row and its error.
    """
    return Vertical(
        Horizontal(Label(label, classes="field-label"), widget, classes="field-line"),
        FieldError(id=f"error-{name}"),
        classes="field",
        id=f"field-{name}",
    )
