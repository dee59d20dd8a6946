"""The caller field: type a name (characters or pinyin), a phone, an extension or an employee id;
suggestions appear under it; ↑/↓ move, enter picks; the last suggestion adds a new caller.

The widget never reads the directory itself: it asks for a search with a message and is handed
the results (``show_results``), so the screen runs the query in a worker.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from deskui.console.context import desk_context
from deskui.core.masking import mask_phone
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.directory import RequesterView
from deskui.widgets.safe_input import SafeInput

NEW_CALLER = "__new__"


class Suggestions(OptionList, can_focus=False):
    """The matches under the field; the field keeps the focus while the operator types."""


def requester_line(view: RequesterView, t: Catalog) -> Text:
    """One suggestion: name, VIP, department, extension, masked phone, employee id."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(sanitize_line(view.name), style="bold")
    if view.vip:
        text.append(" ★VIP", style="bold yellow")
    for value, label in (
        (view.department, None),
        (view.extension, t("intake.lookup.ext")),
        (mask_phone(view.phone) if view.phone else None, None),
        (view.employee_id, None),
    ):
        if value:
            text.append("  ")
            if label:
                text.append(f"{label} ", style="dim")
            text.append(sanitize_line(value))
    return text


class CallerLookup(Vertical):
    """The lookup field and its suggestions."""

    DEFAULT_CSS = """
    CallerLookup {
        height: auto;
    }
    CallerLookup Suggestions {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        max-height: 10;
        display: none;
        border: none;
        padding: 0;
    }
    CallerLookup.-open Suggestions {
        display: block;
    }
    """

    # Priority bindings act the moment the key is read, in the order the keys were typed: a
    # fast "↓↓⏎" must pick the third caller even when the keys arrive in one burst.
    BINDINGS = [
        Binding("down", "cursor(1)", "intake.key.next_caller", show=False, priority=True),
        Binding("up", "cursor(-1)", "intake.key.previous_caller", show=False, priority=True),
        Binding("escape", "close", "intake.key.close_suggestions", show=False, priority=True),
    ]

    class Search(Message):
        """The operator typed: find callers matching ``query``."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Picked(Message):
        """A caller from the directory was chosen."""

        def __init__(self, requester: RequesterView) -> None:
            super().__init__()
            self.requester = requester

    class AddNew(Message):
        """Nobody matches: add the caller inline, starting from what was typed."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Cleared(Message):
        """The field was edited after a pick: no caller is chosen any more."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.picked: RequesterView | None = None
        """The chosen caller, if any."""
        self.shown_query: str | None = None
        """What the suggestions on show were found for."""
        self._results: list[RequesterView] = []

    def compose(self) -> ComposeResult:
        """The field and the list."""
        t = desk_context(self).t
        yield SafeInput(placeholder=t("intake.lookup.placeholder"), id="lookup-input")
        yield Suggestions(id="suggestions")

    @property
    def field(self) -> SafeInput:
        """The text field."""
        return self.query_one("#lookup-input", SafeInput)

    @property
    def query_text(self) -> str:
        """What is typed, trimmed."""
        return sanitize_line(self.field.value)

    @property
    def is_open(self) -> bool:
        """Suggestions are showing."""
        return self.has_class("-open")

    def on_input_changed(self, event: Input.Changed) -> None:
        """Typing voids a pick and asks for a search (the event goes on up to the form)."""
        if event.input.id != "lookup-input":
            return
        if self.picked is not None:
            if event.value == self.picked.name:
                return
            self.picked = None
            self.post_message(self.Cleared())
        query = sanitize_line(event.value)
        if not query:
            self._results = []
            self.set_class(False, "-open")
        self.post_message(self.Search(query))

    def show_results(self, query: str, results: list[RequesterView]) -> None:
        """Show the matches of ``query`` (ignored if the field has moved on since)."""
        if query != self.query_text or self.picked is not None or not query:
            return
        t = desk_context(self).t
        self._results = results
        self.shown_query = query
        options = [Option(requester_line(view, t), id=str(view.id)) for view in results]
        new_line = Text(t("intake.lookup.add_new", name=query), style="italic")
        options.append(Option(new_line, id=NEW_CALLER))
        suggestions = self.query_one(Suggestions)
        suggestions.set_options(options)
        suggestions.highlighted = 0
        self.set_class(True, "-open")

    def set_picked(self, requester: RequesterView | None, text: str = "") -> None:
        """Show a chosen caller (a restored draft), or an empty field."""
        self.picked = requester
        self._results = []
        self.set_class(False, "-open")
        self.field.value = requester.name if requester is not None else text

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter picks the highlighted suggestion."""
        if event.input.id != "lookup-input":
            return
        event.stop()
        if not self.is_open:
            if self.query_text and self.picked is None:
                self.post_message(self.Search(self.query_text))
            return
        self.pick_highlighted()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a suggestion."""
        event.stop()
        self._pick(event.option_index, notify=True)

    def pick_highlighted(self, *, notify: bool = True) -> RequesterView | str:
        """Take the highlighted suggestion.

        Args:
            notify: post :class:`Picked` / :class:`AddNew`; a caller that acts on the result
                itself (at once, in key order) passes False.

        Returns:
            The caller picked, or the typed text when the "new caller" line was chosen.
        """
        highlighted = self.query_one(Suggestions).highlighted
        return self._pick(highlighted if highlighted is not None else 0, notify=notify)

    def _pick(self, index: int, *, notify: bool) -> RequesterView | str:
        self.set_class(False, "-open")
        if index >= len(self._results):
            query = self.query_text
            if notify:
                self.post_message(self.AddNew(query))
            return query
        view = self._results[index]
        self.picked = view
        self.field.value = view.name
        if notify:
            self.post_message(self.Picked(view))
        return view

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """↑/↓/escape belong to the suggestions only while they show."""
        if action in ("cursor", "close"):
            return self.is_open
        return True

    def action_cursor(self, step: int) -> None:
        """Move the highlight."""
        suggestions = self.query_one(Suggestions)
        count = suggestions.option_count
        if count:
            current = suggestions.highlighted or 0
            suggestions.highlighted = (current + step) % count

    def action_close(self) -> None:
        """Hide the suggestions (escape again leaves the form)."""
        self.set_class(False, "-open")
