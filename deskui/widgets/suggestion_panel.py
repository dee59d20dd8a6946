"""Suggestions while the caller talks: the best articles and similar solved tickets for what the
operator has typed, beside the form, never taking the focus.

The panel reads in a worker of its own, a short while after the last key (``suggest_delay``),
and only the newest read reports back. It owns the highlighted suggestion; the screen's keys
move it, open it, or take its solution. On a wide terminal it is a column beside the form; on a
narrow one (below :attr:`SuggestionPanel.wide_from` columns) a two-line bar under it, showing the
highlighted suggestion. With nothing to suggest it is not shown at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from deskui.console.context import desk_context
from deskui.console.errors import describe
from deskui.services.knowledge import KnowledgeBase, Suggestions
from deskui.widgets.article_text import clean, marked


@dataclass(frozen=True)
class Suggestion:
    """One suggestion: an article (``article_id``) or a solved ticket (``number``)."""

    title: str
    solution: str
    article_id: int | None = None
    number: str | None = None
    solved: int = 0


class SuggestionPanel(Vertical, can_focus=False):
    """Articles and similar solved tickets for what the operator typed."""

    DEFAULT_CSS = """
    SuggestionPanel {
        display: none;
        width: 36;
        height: 1fr;
        padding: 0 1;
        border-left: vkey $panel-lighten-2;
    }
    SuggestionPanel.-shown {
        display: block;
    }
    SuggestionPanel.-narrow {
        dock: bottom;
        width: 1fr;
        height: 3;
        padding: 0 1;
        border-left: none;
        border-top: hkey $panel-lighten-2;
    }
    SuggestionPanel.-narrow #kb-suggest-keys {
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    SuggestionPanel #kb-suggest-keys {
        margin-top: 1;
    }
    SuggestionPanel.-narrow #kb-suggest-keys {
        margin-top: 0;
    }
    SuggestionPanel #kb-suggest-list {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    suggest_delay = 0.3
    """Seconds between the last key and the search."""
    wide_from = 130
    """Terminal width from which the panel is a column beside the form."""

    class Found(Message):
        """Suggestions for ``query`` arrived."""

        def __init__(self, query: str, suggestions: Suggestions) -> None:
            super().__init__()
            self.query = query
            self.suggestions = suggestions

    class Linked(Message):
        """A ticket was linked to the article whose solution solved it."""

        def __init__(self, number: str) -> None:
            super().__init__()
            self.number = number

    def __init__(self, *, id: str | None = None, exclude: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Suggestion] = []
        """What is suggested, articles first."""
        self.highlighted = 0
        """The suggestion the keys act on."""
        self.query_text = ""
        self.shown_for = ""
        """The text whose suggestions are on show (``query_text`` once the read is back)."""
        """What the suggestions are for."""
        self.exclude = exclude
        """A ticket never suggested to itself (the one on the detail screen)."""
        self.used: int | None = None
        """The article whose solution the operator took (linked once the call is saved)."""
        self.reads = 0
        """Searches started."""
        self.keys = "kb.suggest.keys"
        """The catalog entry naming the keys that act on a suggestion where the panel is."""
        self._snippets: list[Text] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="kb-suggest-list", markup=False)
        yield Static(id="kb-suggest-keys", markup=False)

    # reading -------------------------------------------------------------------------------
    def update_query(self, text: str) -> None:
        """The operator typed: search a moment after the last key (nothing typed: hide)."""
        text = " ".join(text.split())[:400]
        if text == self.query_text:
            return
        self.query_text = text
        if self._timer is not None:
            self._timer.stop()
        if not text:
            self._show(Suggestions(""))
            return
        self._timer = self.set_timer(self.suggest_delay, self._start, name="kb-suggest")

    def _start(self) -> None:
        self.reads += 1
        self._suggest(self.query_text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-suggest")
    def _suggest(self, text: str) -> None:
        found = KnowledgeBase.of(desk_context(self).desk).suggest(text, exclude=self.exclude)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Found(text, found))

    def on_suggestion_panel_found(self, message: Found) -> None:
        """Show the newest suggestions (an older answer is dropped)."""
        message.stop()
        if message.query == self.query_text:
            self._show(message.suggestions)

    @property
    def up_to_date(self) -> bool:
        """The suggestions on show are those of the text typed (no read waiting or running)."""
        return self.shown_for == self.query_text

    def _show(self, found: Suggestions) -> None:
        self.shown_for = found.query
        self.items = [
            Suggestion(a.title, a.solution, article_id=a.id, solved=a.solved)
            for a in found.articles
        ] + [Suggestion(t.summary, t.solution or "", number=t.number) for t in found.tickets]
        self._snippets = [marked(a.snippet) for a in found.articles] + [
            marked(t.snippet) for t in found.tickets
        ]
        self.highlighted = 0
        self.set_class(bool(self.items), "-shown")
        self.draw()
        if self.is_mounted:
            # the keys that act on a suggestion apply now (or no longer)
            self.screen.refresh_bindings()

    # drawing -------------------------------------------------------------------------------
    def fit(self, width: int) -> None:
        """The terminal is ``width`` columns: a column beside the form, or a bar under it."""
        self.set_class(width < self.wide_from, "-narrow")
        self.draw()

    def draw(self) -> None:
        """Draw the suggestions, the highlighted one marked."""
        if not self.is_mounted:
            return
        t = desk_context(self).t
        out = Text()
        narrow = self.has_class("-narrow")
        if narrow:
            item = self.selected
            if item is not None:
                out.append(t("kb.suggest.bar", at=self.highlighted + 1, count=len(self.items)))
                out.append(" ")
                out.append(self._line(item), style="bold")
        else:
            articles = [i for i in self.items if i.article_id is not None]
            out.append(t("kb.suggest.articles") + "\n", style="bold")
            if not articles:
                out.append(t("kb.suggest.none") + "\n", style="dim")
            for index, item in enumerate(self.items):
                if index == len(articles):
                    out.append("\n" + t("kb.suggest.tickets") + "\n", style="bold")
                chosen = index == self.highlighted
                out.append(
                    ("▶ " if chosen else "  ") + self._line(item), "reverse" if chosen else ""
                )
                out.append("\n")
                if chosen:
                    # the highlighted one says where the words were found
                    out.append("  ")
                    out.append_text(self._snippets[index])
                    out.append("\n")
        self.query_one("#kb-suggest-list", Static).update(out)
        self.query_one("#kb-suggest-keys", Static).update(Text(t(self.keys), style="dim"))

    def _line(self, item: Suggestion) -> str:
        t = desk_context(self).t
        if item.article_id is not None:
            solved = f" ({t('kb.solved_count', count=item.solved)})" if item.solved else ""
            return f"#{item.article_id} {clean(item.title)}{solved}"
        return f"{item.number} {clean(item.title)}"

    # the keys' part ------------------------------------------------------------------------
    def show_keys(self, keys: str) -> None:
        """Name the keys of the catalog entry ``keys``: those that work here and now."""
        if keys != self.keys:
            self.keys = keys
            self.draw()

    @property
    def selected(self) -> Suggestion | None:
        """The highlighted suggestion, if any."""
        if not self.items:
            return None
        return self.items[min(self.highlighted, len(self.items) - 1)]

    def move(self, step: int) -> None:
        """Highlight the next (``step`` 1) or previous (-1) suggestion."""
        if self.items:
            self.highlighted = (self.highlighted + step) % len(self.items)
            self.draw()

    def take(self) -> Suggestion | None:
        """The highlighted suggestion's solution is used: its article is remembered to link."""
        item = self.selected
        if item is not None:
            self.used = item.article_id
        return item

    def link_saved(self, number: str) -> None:
        """The call was saved as resolved with a taken article's solution: link it, solved."""
        article_id, self.used = self.used, None
        if article_id is not None:
            self._link(article_id, number)

    def forget(self) -> None:
        """A new call: nothing taken, nothing suggested."""
        self.used = None
        self.update_query("")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed read leaves the suggestions as they were; a failed link is said. Either
        is shown in the operator's language (the panel's workers end here, not at the screen)."""
        error = event.worker.error
        if event.state == WorkerState.ERROR and error is not None:
            event.stop()
            self.notify(describe(error, desk_context(self).t), severity="error", markup=False)

    @work(thread=True, exit_on_error=False, group="kb-link")
    def _link(self, article_id: int, number: str) -> None:
        ctx = desk_context(self)
        KnowledgeBase.of(ctx.desk).link(ctx.actor, article_id, number, solved=True)
        self.post_message(self.Linked(number))
