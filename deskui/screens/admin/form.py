"""The administration's one form: labelled one-line fields, an optional live preview.

It is a change form of the ticket forms' kind (:class:`~deskui.screens.ticket_forms.TicketForm`):
``ctrl+s`` hands the typed values to ``send``, which runs the change in the screen's worker; the
form closes when the change went through and stays open with the refusal, in the catalog's
words, and everything typed, when it did not. A refusal goes as soon as the preview finds the
typed values valid again: it no longer describes what is typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Static

from deskui.screens.ticket_forms import TicketForm, plain
from deskui.widgets.safe_input import SafeInput

#: The values of a form, by field name.
Values = dict[str, str]


@dataclass(frozen=True)
class Preview:
    """What the typed values would change, in words, and whether they could be saved."""

    text: str
    valid: bool = True


@dataclass(frozen=True)
class FormField:
    """One field: its name (the key of the form's values), its label, what it holds first."""

    name: str
    label: str
    value: str = ""


class AdminForm(TicketForm[Values]):
    """A form of named one-line fields.

    Args:
        title: what the form changes.
        fields: the fields, in order.
        send: runs the change with the typed values.
        preview: words what the typed values would change (shown as they are typed).
        intro: lines shown above the fields (what a confirming form is about to do).
    """

    CSS_PATH = "admin.tcss"
    AUTO_FOCUS = "SafeInput"

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField],
        send: Callable[[Values], None],
        *,
        preview: Callable[[Values], Preview] | None = None,
        intro: Sequence[str] = (),
    ) -> None:
        super().__init__(title, send)
        self.intro = tuple(intro)
        """Lines above the fields."""
        self.specs = tuple(fields)
        """The fields, in order."""
        self.preview = preview
        """Words what the typed values would change, or None."""

    def fields(self) -> ComposeResult:
        """The intro lines, a label and a field per spec, then the preview line."""
        for line in self.intro:
            yield Label(plain(line), classes="form-intro")
        for spec in self.specs:
            yield Label(plain(spec.label), classes="admin-label")
            yield SafeInput(spec.value, id=f"field-{spec.name}", classes="admin-field")
        if self.preview is not None:
            yield Static("", id="admin-preview")

    def on_mount(self) -> None:
        """Show the preview of the values as they are."""
        self._show_preview()

    @property
    def values(self) -> Values:
        """What is typed, by field name."""
        return {s.name: self.query_one(f"#field-{s.name}", Input).value for s in self.specs}

    def value(self) -> Values | None:
        """The typed values (the service validates them)."""
        return self.values

    @on(Input.Changed)
    def _changed(self, _event: Input.Changed) -> None:
        self._show_preview()

    def _show_preview(self) -> None:
        if self.preview is None:
            return
        preview = self.preview(self.values)
        self.query_one("#admin-preview", Static).update(plain(preview.text))
        if preview.valid and not self.sending:
            self.show_error("")
