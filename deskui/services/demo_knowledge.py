"""The demo desk's knowledge base: the articles of ``data/knowledge.toml``, written by the
groups' agents, reviewed and published by the duty lead, and linked as solving the demo's
solved tickets they match."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from deskui.config import load_toml
from deskui.core.permissions import ArticleState
from deskui.services import knowledge
from deskui.services.rules import DeskRules
from deskui.services.users import Actor, load_actor
from deskui.store.models import Ticket

#: Who reviews and publishes the demo's articles.
REVIEWER = "lead"


def seed_knowledge(session: Session, *, now: datetime, rules: DeskRules) -> int:
    """Write the demo articles (each through the knowledge base's own use cases, so each is
    audited) and link the demo's solved tickets to the article that answers them; returns how
    many articles."""
    actors: dict[str, Actor] = {}

    def actor(login: str) -> Actor:
        if login not in actors:
            actors[login] = load_actor(session, login)
        return actors[login]

    specs = load_toml("knowledge")["articles"]
    for spec in specs:
        draft = knowledge.ArticleDraft(
            title=spec["title"],
            symptom=spec["symptom"],
            cause=spec["cause"],
            solution=spec["solution"],
            category=spec["category"],
            tags=tuple(spec["tags"]),
        )
        author = actor(spec["author"])
        article = knowledge.add_article(
            session=session,
            actor=author,
            draft=draft,
            now=now,
            category_groups=rules.category_groups,
        )
        state = spec.get("state", str(ArticleState.PUBLISHED))
        if state == ArticleState.DRAFT:
            continue
        knowledge.submit_article(session=session, actor=author, article_id=article.id, now=now)
        if state == ArticleState.IN_REVIEW:
            continue
        lead = actor(REVIEWER)
        knowledge.review_article(
            session=session, actor=lead, article_id=article.id, approve=True, comment=None, now=now
        )
        knowledge.publish_article(session=session, actor=lead, article_id=article.id, now=now)
    solved = session.exec(
        select(Ticket.number, Ticket.summary, Ticket.assignee_id)
        .where(col(Ticket.status).in_(knowledge.SOLVED_STATUSES))
        .order_by(col(Ticket.id))
    ).all()
    desk = actor("op")
    for number, summary, _ in solved:
        hits = knowledge.search_articles(session=session, query=summary, limit=1)
        if hits:
            knowledge.link_ticket(
                session=session,
                actor=desk,
                article_id=hits[0].id,
                number=number,
                solved=True,
                now=now,
            )
    return len(specs)
