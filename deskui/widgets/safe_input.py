"""Text fields that never hold a control character.

Textual draws a widget's text as it is: an escape sequence pasted into an ``Input`` would reach
the terminal of everyone who later sees the field. These fields clean what comes in — typed,
pasted or set by code — with the same sanitizer the services use before storing.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea
from textual.widgets.text_area import Edit, EditResult

from deskui.core.sanitize import sanitize_text


class SafeInput(Input):
    """A one-line field whose value is always sanitized (spaces the operator types are kept)."""

    def validate_value(self, value: str) -> str:
        """Clean every value before it is stored or drawn."""
        return sanitize_text(value, multiline=False)


class SafeTextArea(TextArea):
    """A multi-line field whose text is always sanitized; tab moves to the next field."""

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(sanitize_text(text), tab_behavior="focus", **kwargs)

    def edit(self, edit: Edit) -> EditResult:
        """Clean inserted text (typing, pasting) before the document takes it."""
        edit.text = sanitize_text(edit.text)
        return super().edit(edit)

    def load_text(self, text: str) -> None:
        """Clean text set by code (restoring a draft)."""
        super().load_text(sanitize_text(text))
