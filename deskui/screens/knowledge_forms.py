"""The knowledge base's form: an article's title, category, tags, symptom, cause and solution.

A change form (:class:`~deskui.screens.ticket_forms.TicketForm`): ``ctrl+s`` hands the draft to
the screen, which saves it in a worker; a refusal shows under the fields and everything typed
stays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static
from textual.worker import Worker

from deskui.console.base import DeskModal
from deskui.console.context import desk_context
from deskui.console.errors import describe
from deskui.core.enums import Category
from deskui.screens.ticket_forms import TicketForm, plain
from deskui.services.knowledge import SOLVED_STATUSES, ArticleDraft, ArticleView, KnowledgeBase
from deskui.widgets.article_text import article_text, clean
from deskui.widgets.choice_bar import ChoiceBar
from deskui.widgets.keys import desk_key
from deskui.widgets.safe_input import SafeInput, SafeTextArea
from deskui.widgets.suggestion_panel import SuggestionPanel


class ArticleReader(DeskModal[None]):
    """An article or a solved ticket to read, over the form (escape closes it)."""

    DEFAULT_CSS = """
    ArticleReader {
        align: center middle;
    }
    ArticleReader > VerticalScroll {
        width: 90;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $accent;
        background: $surface;
        padding: 0 1;
    }
    """

    BINDINGS = [desk_key("escape", "close", "kb.key.close")]

    def __init__(
        self, text: Text, article_id: int | None = None, *, hint: str = "kb.reader.hint"
    ) -> None:
        super().__init__()
        self.text = text
        self.article_id = article_id
        """The article to read in full (None: ``text`` is all there is)."""
        self.hint = hint
        """The catalog entry naming the keys under the text (those of the screen below)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.text, markup=False, id="kb-reader-text")
            yield Static(Text(self.ctx.t(self.hint), style="dim"), markup=False)

    def on_mount(self) -> None:
        """Read the article."""
        if self.article_id is not None:
            self._read(self.article_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-reader")
    def _read(self, article_id: int) -> None:
        view = KnowledgeBase.of(self.ctx.desk).article(article_id)
        self.app.call_from_thread(self._show, view)

    def _show(self, view: ArticleView) -> None:
        self.query_one("#kb-reader-text", Static).update(article_text(view, self.ctx.t))

    def action_close(self) -> None:
        """Back to the form."""
        self.dismiss(None)


class ArticleForm(TicketForm[ArticleDraft]):
    """Write or change an article.

    Args:
        title: the form's heading.
        send: saves the draft (the form closes when it is through).
        draft: the text to start from (an article being changed, a solved ticket).
    """

    AUTO_FOCUS = "#kb-title"

    def __init__(
        self, title: str, send: Callable[[ArticleDraft], None], draft: ArticleDraft | None = None
    ) -> None:
        super().__init__(title, send)
        self.draft = draft or ArticleDraft("", "", "", "", str(Category.OTHER))

    def fields(self) -> ComposeResult:
        """Title, category, tags, then the three texts."""
        t = self.ctx.t
        d = self.draft
        yield Label(plain(t("kb.field.title")))
        yield SafeInput(d.title, id="kb-title")
        yield Label(plain(t("kb.field.category")))
        yield ChoiceBar(
            [(str(c), t(f"category.{c}")) for c in Category], value=d.category, id="kb-category"
        )
        yield Label(plain(t("kb.field.tags")))
        yield SafeInput(", ".join(d.tags), id="kb-tags", placeholder=t("kb.placeholder.tags"))
        for name, text in (("symptom", d.symptom), ("cause", d.cause), ("solution", d.solution)):
            yield Label(plain(t(f"kb.field.{name}")))
            yield SafeTextArea(text, id=f"kb-{name}", classes="kb-text")

    def value(self) -> ArticleDraft | None:
        """The draft as typed (the service checks it and says what is missing)."""
        tags = self.query_one("#kb-tags", SafeInput).value.replace("，", ",").split(",")
        return ArticleDraft(
            title=self.query_one("#kb-title", SafeInput).value,
            symptom=self.query_one("#kb-symptom", SafeTextArea).text,
            cause=self.query_one("#kb-cause", SafeTextArea).text,
            solution=self.query_one("#kb-solution", SafeTextArea).text,
            category=self.query_one("#kb-category", ChoiceBar).value or "",
            tags=tuple(tag.strip() for tag in tags if tag.strip()),
        )


def show_suggestion(screen: Screen[Any], panel: SuggestionPanel) -> None:
    """Open the panel's highlighted suggestion in a reader: the article (read in a worker of the
    reader), or the solved ticket as the panel holds it."""
    item = panel.selected
    if item is None:
        return
    t = desk_context(screen).t
    # ctrl+t is named only where the panel names it (where it works)
    hint = "kb.reader.hint" if panel.keys == "kb.suggest.keys" else "kb.reader.hint_read"
    if item.article_id is None:
        text = Text()
        text.append(f"{item.number}  {clean(item.title)}\n", style="bold")
        text.append(f"\n{t('kb.field.solution')}\n", style="bold")
        text.append(clean(item.solution))
        screen.app.push_screen(ArticleReader(text, hint=hint))
        return
    title = Text(clean(item.title), style="bold")
    screen.app.push_screen(ArticleReader(title, item.article_id, hint=hint))


class TicketArticleForm(ArticleForm):
    """An article drafted from a solved ticket (the detail's ``k``): saved as a draft linked to
    the ticket, by the form's own worker; a refusal shows in the form, everything typed stays.

    Args:
        number: the ticket.
        draft: the text taken from it (:func:`deskui.services.knowledge.draft_from_ticket`).
    """

    def __init__(self, number: str, draft: ArticleDraft, title: str) -> None:
        super().__init__(title, self._save, draft)
        self.number = number

    def _save(self, draft: ArticleDraft) -> None:
        self._add(draft)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-from-ticket")
    def _add(self, draft: ArticleDraft) -> None:
        ctx = self.ctx
        view = KnowledgeBase.of(ctx.desk).add(ctx.actor, draft, link=self.number)
        self.app.call_from_thread(self._saved, view)

    def _saved(self, view: ArticleView) -> None:
        self.app.notify(self.ctx.t("kb.done.add", id=view.id), markup=False)
        self.done()

    def worker_failed(self, worker: Worker[Any], error: BaseException) -> bool:
        """The draft was refused: say why in the form."""
        self.failed(describe(error, self.ctx.t))
        return True


def may_draft_from(status: str) -> bool:
    """A ticket whose solution can become an article: resolved or closed."""
    return status in SOLVED_STATUSES
