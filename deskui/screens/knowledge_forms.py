"""The knowledge base's form: an article's title, category, tags, symptom, cause and solution.

A change form (:class:`~deskui.screens.ticket_forms.TicketForm`): ``ctrl+s`` hands the draft to
the screen, which saves it in a worker; a refusal shows under the fields and everything typed
stays.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.widgets import Label

from deskui.core.enums import Category
from deskui.screens.ticket_forms import TicketForm, plain
from deskui.services.knowledge import ArticleDraft
from deskui.widgets.choice_bar import ChoiceBar
from deskui.widgets.safe_input import SafeInput, SafeTextArea


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
