"""The intake form's widgets read as an :class:`~.drafts.IntakeDraft`, and filled from one.

The draft's fields are the one list of what the form holds: each is read from and written to the
widget whose id is the field's name with dashes (``started_when`` → ``#started-when``), by the
widget's kind. The caller (who was picked, or that one is being added) is the caller panel's
state; the lookup text is set through the panel so that it is not taken for new typing.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Checkbox, Input

from deskui.i18n import Catalog
from deskui.screens.intake.drafts import FIELD_TYPES, IntakeDraft, fits
from deskui.services.directory import RequesterView
from deskui.widgets.call_details import CallDetails
from deskui.widgets.caller_panel import CallerPanel
from deskui.widgets.choice_bar import ChoiceBar
from deskui.widgets.safe_input import SafeTextArea

#: Draft fields that are the caller panel's state, not a widget's value.
PANEL_STATE = frozenset({"lookup", "requester", "new_caller", "saved_at"})
#: Draft fields read from a widget, in the draft's order.
WIDGET_FIELDS = tuple(f.name for f in fields(IntakeDraft) if f.name not in PANEL_STATE)
#: Labels of the fields whose widget is labelled otherwise than ``field.<name>``.
LABELS = {
    "lookup": "field.requester",
    "caller_name": "intake.caller.name",
    "caller_phone": "field.phone",
    "caller_department": "field.department",
    "resolve_now": "intake.resolve_now.label",
}


def widget_id(name: str) -> str:
    """The id of the widget that takes the draft's field ``name``."""
    return "lookup-input" if name == "lookup" else name.replace("_", "-")


def draft_field(request_field: str) -> str:
    """The draft's field that holds a field of the intake request ("" when the form has none).

    The request names the caller's details ``requester.<name>``: a new caller's name, phone
    and department are typed into the form; anything else about a caller is the lookup's.
    """
    if request_field == "requester" or request_field.startswith("requester."):
        name = "caller_" + request_field.partition(".")[2]
        return name if name in FIELD_TYPES else "lookup"
    return request_field if request_field in FIELD_TYPES else ""


def field_label(name: str, request_field: str, t: Catalog) -> str:
    """The field's name as the form labels it."""
    key = LABELS.get(name, f"field.{name or request_field}")
    return t(key) if t.has(key) else sanitize_name(request_field)


def sanitize_name(name: str) -> str:
    """An identifier shown as it is (only letters, digits, ``_`` and ``.``)."""
    return "".join(ch for ch in name if ch.isalnum() or ch in "_.")


def _value(widget: Widget) -> object:
    if isinstance(widget, SafeTextArea):
        return widget.text
    if isinstance(widget, Input):
        return widget.value
    if isinstance(widget, ChoiceBar | Checkbox):
        return widget.value
    return None


def _set_value(widget: Widget, value: object) -> None:
    if isinstance(widget, SafeTextArea):
        if widget.text != value:
            widget.load_text(str(value))
    elif isinstance(widget, Input):
        widget.value = str(value)
    elif isinstance(widget, ChoiceBar):
        widget.value = None if value is None else str(value)
    elif isinstance(widget, Checkbox):
        widget.value = bool(value)


def read_form(screen: Widget) -> IntakeDraft:
    """Everything in the form on ``screen``."""
    draft = IntakeDraft()
    for name in WIDGET_FIELDS:
        value = _value(screen.query_one(f"#{widget_id(name)}"))
        if FIELD_TYPES[name] is int and isinstance(value, str) and value.isdigit():
            value = int(value)
        if fits(FIELD_TYPES[name], value):
            setattr(draft, name, value)
    panel = screen.query_one(CallerPanel)
    draft.lookup = panel.lookup.field.value
    draft.requester = asdict(panel.requester) if panel.requester is not None else None
    draft.new_caller = panel.new_caller
    return draft


def requester_of(draft: IntakeDraft) -> RequesterView | None:
    """The caller a draft holds, or None if the draft's copy is unreadable."""
    if not draft.requester:
        return None
    try:
        return RequesterView(**draft.requester)  # type: ignore[arg-type]  # checked: TypeError
    except TypeError:
        return None


def fill_form(screen: Widget, draft: IntakeDraft) -> None:
    """Fill the form on ``screen`` from ``draft`` (a blank draft empties it)."""
    for name in WIDGET_FIELDS:
        try:
            widget = screen.query_one(f"#{widget_id(name)}")
        except NoMatches:
            continue
        _set_value(widget, getattr(draft, name))
    requester = requester_of(draft)
    screen.query_one(CallerPanel).show_caller(requester, draft.lookup, new_caller=draft.new_caller)
    screen.query_one(CallDetails).show_state(vip=bool(requester and requester.vip))
