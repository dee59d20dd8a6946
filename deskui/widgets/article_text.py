"""An article (or a solved ticket offered as one) as text to read: never markup, always clean.

Used by the knowledge screen's reader and by the reader the intake and detail panels open.
"""

from __future__ import annotations

from rich.text import Text

from deskui.core.sanitize import sanitize_text
from deskui.core.text_index import Snippet
from deskui.i18n import Catalog
from deskui.services.knowledge import ArticleView, TicketHit


def clean(text: str) -> str:
    """Stored text as it may reach the terminal (control characters removed)."""
    return sanitize_text(text)


def _section(out: Text, heading: str, body: str | None) -> None:
    if not body:
        return
    out.append(f"\n{heading}\n", style="bold")
    out.append(clean(body) + "\n")


def article_text(view: ArticleView, t: Catalog) -> Text:
    """The whole article: title, its state and counts, then each section."""
    out = Text()
    out.append(clean(view.title), style="bold")
    meta = [
        t(f"kb.state.{view.state}"),
        f"v{view.version}",
        t(f"category.{view.category}"),
        t("kb.solved_count", count=view.solved),
        t("kb.by", author=clean(view.author_name or view.author)),
    ]
    out.append("\n" + " · ".join(meta) + "\n", style="dim")
    if view.approved and view.state == "in_review":
        out.append(
            t("kb.approved_by", reviewer=clean(view.reviewer_name or view.reviewer or "")) + "\n",
            style="green",
        )
    if view.review_comment:
        out.append(
            t("kb.review_comment", comment=clean(view.review_comment)) + "\n", style="yellow"
        )
    if view.newer is not None:
        out.append(t("kb.newer", id=view.newer) + "\n", style="yellow")
    _section(out, t("kb.field.symptom"), view.symptom)
    _section(out, t("kb.field.cause"), view.cause)
    _section(out, t("kb.field.solution"), view.solution)
    if view.tags:
        _section(out, t("kb.field.tags"), ", ".join(view.tags))
    if view.tickets:
        _section(out, t("kb.field.tickets"), " ".join(view.tickets))
    return out


def ticket_text(hit: TicketHit, t: Catalog) -> Text:
    """A solved ticket offered as an answer: its summary, status and solution."""
    out = Text()
    out.append(f"{hit.number}  ", style="bold")
    out.append(clean(hit.summary), style="bold")
    out.append(f"\n{t(f'status.{hit.status}')} · {clean(hit.requester)}\n", style="dim")
    _section(out, t("kb.field.symptom"), hit.snippet.text)
    _section(out, t("kb.field.solution"), hit.solution)
    return out


def marked(piece: Snippet, style: str = "bold reverse") -> Text:
    """A snippet with the words found in it highlighted."""
    out = Text(clean(piece.text).replace("\n", " "))
    for start, end in piece.marks:
        out.stylize(style, start, end)
    return out
