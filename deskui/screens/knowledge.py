"""The knowledge base (F5): search, browse by category, read, draft, submit, review, publish,
retire.

The left column is the search field and the categories; the right shows the articles found
(ranked when something is searched, newest first otherwise) over the article highlighted. ``f``
cycles what is listed: published articles, those in review, drafts, retired ones, all. What a
key may do on the highlighted article is :func:`deskui.core.permissions.article_refusal`'s, the
rule the service enforces, so a key the footer shows is a key that works.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from deskui.console.base import DeskScreen
from deskui.console.errors import describe
from deskui.console.messages import DeskChanged, LeaveArea
from deskui.core.permissions import Action, ArticleState, article_refusal
from deskui.screens.knowledge_forms import ArticleForm
from deskui.screens.ticket_forms import NoteForm, TicketForm
from deskui.services.knowledge import (
    KNOWLEDGE_TABLES,
    ArticleDraft,
    ArticleView,
    CategoryCount,
    KnowledgeBase,
)
from deskui.widgets.article_text import article_text, clean, marked
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.keys import desk_key
from deskui.widgets.safe_input import SafeInput

#: What ``f`` cycles through: a state, or None for every state.
VIEWS: tuple[str | None, ...] = (
    str(ArticleState.PUBLISHED),
    str(ArticleState.IN_REVIEW),
    str(ArticleState.DRAFT),
    str(ArticleState.RETIRED),
    None,
)
#: Worker groups that change an article (a failure goes back to the form that waits).
CHANGE_GROUP = "kb-change"


@dataclass(frozen=True)
class Row:
    """One article in the list."""

    id: int
    title: str
    state: str
    category: str
    solved: int
    snippet: Text | None = None


class KnowledgeScreen(DeskScreen[None]):
    """The knowledge base."""

    CSS_PATH = "knowledge.tcss"

    BINDINGS = [
        desk_key("slash", "search", "kb.key.search"),
        desk_key("f", "cycle_view", "kb.key.view"),
        desk_key("n", "new", "kb.key.new"),
        desk_key("e", "edit", "kb.key.edit"),
        desk_key("s", "submit", "kb.key.submit"),
        desk_key("v", "approve", "kb.key.approve"),
        desk_key("r", "return", "kb.key.return"),
        desk_key("p", "publish", "kb.key.publish"),
        desk_key("x", "retire", "kb.key.retire"),
        desk_key("escape", "leave", "kb.key.leave"),
    ]

    search_delay = 0.25
    """Seconds between the last key in the search field and the search."""

    class Listed(Message):
        """Articles and category counts arrived."""

        def __init__(self, rows: list[Row], categories: list[CategoryCount]) -> None:
            super().__init__()
            self.rows = rows
            self.categories = categories

    class Read(Message):
        """An article to show."""

        def __init__(self, view: ArticleView) -> None:
            super().__init__()
            self.view = view

    class Changed(Message):
        """An article was changed here."""

        def __init__(self, view: ArticleView, said: str) -> None:
            super().__init__()
            self.view = view
            self.said = said

    def __init__(self) -> None:
        super().__init__()
        self.view_index = 0
        """Which of :data:`VIEWS` is listed."""
        self.category: str | None = None
        """The category browsed (None: every category)."""
        self.rows: list[Row] = []
        """What the list shows."""
        self.article: ArticleView | None = None
        """The article read (the one highlighted, once it has been read)."""
        self.form: TicketForm[Any] | None = None
        """The form waiting on a change, if any."""
        self._select: int | None = None
        self._search_timer: Timer | None = None

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base's use cases."""
        return KnowledgeBase.of(self.ctx.desk)

    @property
    def state_filter(self) -> str | None:
        """The state listed (None: all)."""
        return VIEWS[self.view_index]

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        with Horizontal(id="kb-body"):
            with Vertical(id="kb-side"):
                yield SafeInput(id="kb-search", placeholder=t("kb.placeholder.search"))
                yield Static(id="kb-view", markup=False)
                yield OptionList(id="kb-categories")
            with Vertical(id="kb-main"):
                yield OptionList(id="kb-results")
                with VerticalScroll(id="kb-reader", can_focus=False):
                    yield Static(id="kb-article", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Keys in the operator's language; the list takes the focus."""
        self.refresh_bindings()
        self._show_view()
        self.query_one("#kb-results", OptionList).focus()

    def on_screen_resume(self) -> None:
        """Shown (again): read the list."""
        self.reload()

    def on_desk_changed(self, message: DeskChanged) -> None:
        """An article changed here or at another console (written, reviewed, published, used
        to solve a call): read the list and the article shown again."""
        if KNOWLEDGE_TABLES & message.tables:
            self.reload()

    # reading -------------------------------------------------------------------------------
    @property
    def query_text(self) -> str:
        """What is typed in the search field."""
        return self.query_one("#kb-search", Input).value.strip()

    def reload(self) -> None:
        """Read the list (a search when something is typed) in a worker."""
        self._list(self.query_text, self.state_filter, self.category)

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-list")
    def _list(self, text: str, state: str | None, category: str | None) -> None:
        kb = self.kb
        states = [state] if state else [str(s) for s in ArticleState]
        if text:
            rows = [
                Row(h.id, h.title, str(h.state), h.category, h.solved, marked(h.snippet))
                for h in kb.search(text, states=states, limit=100)
                if category is None or h.category == category
            ]
        else:
            rows = [
                Row(v.id, v.title, str(v.state), v.category, v.solved)
                for v in kb.articles(state=state, category=category)
            ]
        categories = kb.categories()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Listed(rows, categories))

    def on_knowledge_screen_listed(self, message: Listed) -> None:
        """Show the list; keep the highlight on the same article when it is still there."""
        t = self.ctx.t
        keep = self._select if self._select is not None else self._highlighted_id()
        self._select = None
        self.rows = message.rows
        results = self.query_one("#kb-results", OptionList)
        results.clear_options()
        results.add_options([self._option(row) for row in message.rows])
        if not message.rows:
            self.article = None
            self.query_one("#kb-article", Static).update(Text(t("kb.none")))
        else:
            ids = [row.id for row in message.rows]
            results.highlighted = ids.index(keep) if keep in ids else 0
        categories = self.query_one("#kb-categories", OptionList)
        chosen = categories.highlighted
        categories.clear_options()
        total = sum(c.count for c in message.categories)
        categories.add_option(Option(Text(f"{t('kb.all_categories')} ({total})"), id="*"))
        for c in message.categories:
            label = Text(f"{t(f'category.{c.category}')} ({c.count})")
            categories.add_option(Option(label, id=c.category))
        categories.highlighted = chosen if chosen is not None else 0
        self.refresh_bindings()

    def _option(self, row: Row) -> Option:
        t = self.ctx.t
        label = Text()
        label.append(f"#{row.id} ", style="dim")
        label.append(clean(row.title), style="bold")
        label.append(f"  {t(f'kb.state.{row.state}')} · {t(f'category.{row.category}')}")
        if row.solved:
            label.append(f" · {t('kb.solved_count', count=row.solved)}", style="green")
        if row.snippet is not None:
            label.append("\n  ")
            label.append_text(row.snippet)
        return Option(label, id=str(row.id))

    def _highlighted_id(self) -> int | None:
        results = self.query_one("#kb-results", OptionList)
        index = results.highlighted
        if index is None or index >= len(self.rows):
            return None
        return self.rows[index].id

    @on(OptionList.OptionHighlighted, "#kb-results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self._read(int(event.option.id))

    @work(thread=True, exclusive=True, exit_on_error=False, group="kb-read")
    def _read(self, article_id: int) -> None:
        view = self.kb.article(article_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Read(view))

    def on_knowledge_screen_read(self, message: Read) -> None:
        """Show the article read, if it is still the one highlighted."""
        if message.view.id != self._highlighted_id():
            return
        self.article = message.view
        self.query_one("#kb-article", Static).update(article_text(message.view, self.ctx.t))
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#kb-categories")
    def _category_chosen(self, event: OptionList.OptionSelected) -> None:
        self.category = None if event.option.id in (None, "*") else event.option.id
        self.reload()

    @on(Input.Changed, "#kb-search")
    def _typed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(self.search_delay, self.reload, name="kb-search")

    @on(Input.Submitted, "#kb-search")
    def _search_done(self) -> None:
        self.query_one("#kb-results", OptionList).focus()

    # keys ------------------------------------------------------------------------------------
    _NEEDS = {
        "edit": Action.KB_DRAFT,
        "submit": Action.KB_SUBMIT,
        "approve": Action.KB_REVIEW,
        "return": Action.KB_REVIEW,
        "publish": Action.KB_PUBLISH,
        "retire": Action.KB_RETIRE,
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what the rules refuse on the highlighted article; letters type in the
        search field while it has the focus."""
        typing = isinstance(self.focused, Input)
        if action in self._NEEDS:
            if typing or self.article is None:
                return None
            allowed = article_refusal(self.ctx.actor, self._NEEDS[action], self.article.facts)
            return True if allowed is None else None
        if action in ("new", "cycle_view", "search"):
            return None if typing else True
        return True

    def action_search(self) -> None:
        """Into the search field."""
        self.query_one("#kb-search", Input).focus()

    def action_cycle_view(self) -> None:
        """List the next state (published → in review → drafts → retired → all)."""
        self.view_index = (self.view_index + 1) % len(VIEWS)
        self._show_view()
        self.reload()

    def _show_view(self) -> None:
        state = self.state_filter
        t = self.ctx.t
        name = t(f"kb.state.{state}") if state else t("kb.all_states")
        self.query_one("#kb-view", Static).update(Text(t("kb.view", view=name), style="bold"))

    def action_leave(self) -> None:
        """Out of the search field, or back to the area the operator came from."""
        if isinstance(self.focused, Input):
            self.query_one("#kb-results", OptionList).focus()
            return
        self.post_message(LeaveArea())

    def action_new(self) -> None:
        """Write a new article."""
        self.open_form(ArticleForm(self.ctx.t("kb.form.new"), self._send_new))

    def open_form(self, form: TicketForm[Any]) -> None:
        """Show a change form; its send runs here."""
        self.form = form
        self.app.push_screen(form)

    def _send_new(self, draft: ArticleDraft) -> None:
        self._change("add", draft=draft)

    def action_edit(self) -> None:
        """Change the article (a published one gets a new version)."""
        view = self.article
        if view is None:
            return
        draft = ArticleDraft(
            view.title, view.symptom, view.cause, view.solution, view.category, view.tags
        )
        title = self.ctx.t("kb.form.edit", id=view.id)
        self.open_form(ArticleForm(title, lambda d: self._change("edit", draft=d), draft))

    def action_submit(self) -> None:
        """Send the draft to review."""
        self._change("submit")

    def action_approve(self) -> None:
        """Approve the article in review."""
        self._change("approve")

    def action_return(self) -> None:
        """Return the article to its author with a comment."""
        t = self.ctx.t
        form = NoteForm(
            t("kb.form.return"),
            lambda text: self._change("return", comment=text),
            label=t("kb.form.comment"),
        )
        self.open_form(form)

    def action_publish(self) -> None:
        """Publish the approved article."""
        self._change("publish")

    def action_retire(self) -> None:
        """Retire the published article."""
        self._change("retire")

    def _change(
        self, what: str, *, draft: ArticleDraft | None = None, comment: str | None = None
    ) -> None:
        view = self.article
        if what != "add" and view is None:
            return
        self._run_change(what, view.id if view else 0, draft, comment)

    @work(thread=True, exclusive=True, exit_on_error=False, group=CHANGE_GROUP)
    def _run_change(
        self, what: str, article_id: int, draft: ArticleDraft | None, comment: str | None
    ) -> None:
        kb, actor = self.kb, self.ctx.actor
        if what == "add" and draft is not None:
            view = kb.add(actor, draft)
        elif what == "edit" and draft is not None:
            view = kb.edit(actor, article_id, draft)
        elif what == "submit":
            view = kb.submit(actor, article_id)
        elif what in ("approve", "return"):
            view = kb.review(actor, article_id, approve=what == "approve", comment=comment)
        elif what == "publish":
            view = kb.publish(actor, article_id)
        else:
            view = kb.retire(actor, article_id)
        self.post_message(self.Changed(view, self.ctx.t(f"kb.done.{what}", id=view.id)))

    def on_knowledge_screen_changed(self, message: Changed) -> None:
        """Close the form, say what happened, list again with the article highlighted."""
        if self.form is not None:
            self.form.done()
            self.form = None
        self.notify(message.said, markup=False)
        state = message.view.state
        if self.state_filter not in (None, str(state)):
            self.view_index = VIEWS.index(str(state))
            self._show_view()
        self._select = message.view.id
        self.article = message.view
        self.reload()

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A refused change shows in its form (everything typed stays), or as a notice."""
        if worker.group != CHANGE_GROUP:
            return False
        if self.form is not None and self.form.is_attached:
            self.form.failed(describe(error, self.ctx.t))
            return True
        return False
