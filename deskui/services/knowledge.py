"""The knowledge base (知识库): articles drafted, reviewed, published, retired, and found.

Each use case is one transaction. Who may do what is :func:`deskui.core.permissions.
article_refusal`'s; every change is recorded on the knowledge base's chain in the same transaction
(:func:`deskui.services.audit.append_article_event`): key ``article`` with the article's record
(:func:`article_records`) after the change, key ``article_link`` with a ticket linked to it.
``deskui audit verify`` compares the stored articles and links with their last records.

Editing a published article makes a new version (a new row of the same lineage) that is reviewed
again while the published one stays visible; publishing it retires the one it replaces. The
calls an article solved are the tickets linked to its lineage as solved by it.

Search goes through :mod:`deskui.store.text_search` (the index shared with ticket search).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, text
from sqlmodel import Session, col, func, select

from deskui.core import text_index
from deskui.core.enums import Category, Status
from deskui.core.masking import mask_secrets
from deskui.core.permissions import (
    Action,
    ArticleFacts,
    ArticleState,
    Person,
    article_refusal,
)
from deskui.core.sanitize import sanitize_line, sanitize_text
from deskui.core.text_index import Query, Snippet, parse_query, snippet
from deskui.services.access import deny
from deskui.services.audit import append_article_event
from deskui.services.errors import NotFound, PermissionDenied, ValidationFailed, problem
from deskui.services.users import Actor
from deskui.store import text_search
from deskui.store.models import Article, ArticleTicket, Group, Requester, Ticket, User

T = TypeVar("T")

#: The keys of the knowledge base's records on its chain.
ARTICLE_KEY = "article"
LINK_KEY = "article_link"
#: Field → the longest text it holds.
LIMITS = {"title": 200, "symptom": 20_000, "cause": 20_000, "solution": 20_000, "tags": 400}
#: Statuses of a ticket whose solution can be learned from.
SOLVED_STATUSES = (str(Status.RESOLVED), str(Status.CLOSED))
#: What a suggestion panel shows at most of each kind.
SUGGESTIONS = 5
#: The tables whose change changes what the knowledge screen shows (an article, its review
#: record, the calls it solved).
KNOWLEDGE_TABLES = frozenset({"article", "article_event", "article_ticket"})
#: How many of the newest matches a suggestion ranks: a word found in half the desk then costs
#: what a rare one does, while the caller is still talking (a search ranks every match).
SUGGESTION_CANDIDATES = 400


@dataclass(frozen=True)
class ArticleDraft:
    """An article's text as its author gives it."""

    title: str
    symptom: str
    cause: str
    solution: str
    category: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleView:
    """One version of an article, for reading."""

    id: int
    lineage_id: int
    version: int
    title: str
    symptom: str
    cause: str
    solution: str
    category: str
    group: str | None
    tags: tuple[str, ...]
    state: ArticleState
    author: str
    author_name: str
    reviewer: str | None
    reviewer_name: str | None
    approved: bool
    review_comment: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    tickets: tuple[str, ...] = ()
    """Numbers of the tickets linked to the article's lineage."""
    solved: int = 0
    """How many calls its solution solved (all versions)."""
    group_lead: str | None = None
    newer: int | None = None
    """The id of a newer version being drafted or reviewed, if any."""

    @property
    def facts(self) -> ArticleFacts:
        """What the permission rules need of it."""
        return ArticleFacts(self.state, self.author, self.group_lead, self.approved)

    def as_json(self) -> dict[str, Any]:
        """The article for ``--json``."""
        return {
            "id": self.id,
            "lineage": self.lineage_id,
            "version": self.version,
            "title": self.title,
            "symptom": self.symptom,
            "cause": self.cause,
            "solution": self.solution,
            "category": self.category,
            "group": self.group,
            "tags": list(self.tags),
            "state": str(self.state),
            "author": self.author,
            "reviewer": self.reviewer,
            "approved": self.approved,
            "review_comment": self.review_comment,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "tickets": list(self.tickets),
            "solved": self.solved,
            "newer": self.newer,
        }


@dataclass(frozen=True)
class ArticleHit:
    """An article a search found."""

    id: int
    title: str
    category: str
    state: ArticleState
    solved: int
    score: float
    snippet: Snippet
    solution: str

    def as_json(self) -> dict[str, Any]:
        """The hit for ``--json``."""
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "state": str(self.state),
            "solved": self.solved,
            "score": round(self.score, 6),
            "snippet": self.snippet.text,
        }


@dataclass(frozen=True)
class TicketHit:
    """A ticket a search found."""

    number: str
    summary: str
    status: Status
    category: str
    requester: str
    received_at: datetime
    score: float
    snippet: Snippet
    solution: str | None

    def as_json(self) -> dict[str, Any]:
        """The hit for ``--json``."""
        return {
            "number": self.number,
            "summary": self.summary,
            "status": str(self.status),
            "category": self.category,
            "requester": self.requester,
            "received_at": self.received_at.isoformat(),
            "score": round(self.score, 6),
            "snippet": self.snippet.text,
        }


@dataclass(frozen=True)
class Suggestions:
    """What the intake and detail panels show: the best articles and similar solved tickets."""

    query: str
    articles: tuple[ArticleHit, ...] = ()
    tickets: tuple[TicketHit, ...] = ()


@dataclass(frozen=True)
class CategoryCount:
    """How many published articles a category holds."""

    category: str
    count: int


# validation ---------------------------------------------------------------------------------


def _text(name: str, value: object, errors: list[Any], *, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            errors.append(problem(name, "field.required"))
        return ""
    if not isinstance(value, str):
        errors.append(problem(name, "field.text"))
        return ""
    cleaned = sanitize_line(value) if name == "title" else sanitize_text(value).strip()
    if required and not cleaned:
        errors.append(problem(name, "field.required"))
    if len(cleaned) > LIMITS[name]:
        errors.append(problem(name, "text.too_long", length=len(cleaned), limit=LIMITS[name]))
    return mask_secrets(cleaned)


def validate_draft(draft: ArticleDraft) -> ArticleDraft:
    """A sanitized copy (control characters removed, secrets masked), or every fault at once.

    Raises:
        ValidationFailed: naming each field at fault.
    """
    errors: list[Any] = []
    title = _text("title", draft.title, errors)
    symptom = _text("symptom", draft.symptom, errors)
    cause = _text("cause", draft.cause, errors, required=False)
    solution = _text("solution", draft.solution, errors)
    if draft.category not in {str(c) for c in Category}:
        errors.append(problem("category", "field.choice", choices=", ".join(Category)))
    tags: list[str] = []
    if not isinstance(draft.tags, tuple | list) or not all(isinstance(t, str) for t in draft.tags):
        errors.append(problem("tags", "field.text"))
    else:
        for tag in draft.tags:
            cleaned = sanitize_line(tag).replace(",", " ").strip()
            if cleaned and cleaned not in tags:
                tags.append(cleaned)
        if len(",".join(tags)) > LIMITS["tags"]:
            length = len(",".join(tags))
            errors.append(problem("tags", "text.too_long", length=length, limit=LIMITS["tags"]))
    if errors:
        raise ValidationFailed(errors)
    return ArticleDraft(title, symptom, cause, solution, draft.category, tuple(tags))


def draft_from_json(data: object) -> ArticleDraft:
    """An article draft from ``deskui kb add``'s JSON object.

    Raises:
        ValidationFailed: not an object, an unknown field, or a field of the wrong kind.
    """
    if not isinstance(data, dict):
        raise ValidationFailed([problem("input", "field.json_object")])
    known = {"title", "symptom", "cause", "solution", "category", "tags"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValidationFailed([problem(name, "field.unknown") for name in unknown])
    tags = data.get("tags", [])
    if isinstance(tags, str):
        tags = [t for t in tags.replace("，", ",").split(",")]
    return ArticleDraft(
        title=data.get("title", ""),
        symptom=data.get("symptom", ""),
        cause=data.get("cause", ""),
        solution=data.get("solution", ""),
        category=data.get("category", ""),
        tags=tuple(tags) if isinstance(tags, list) else tags,
    )


# records ------------------------------------------------------------------------------------

_RECORD_SQL = (
    "SELECT a.id, a.lineage_id, a.version, a.title, a.symptom, a.cause, a.solution, a.category, "
    "g.code, a.tags, a.state, u.login, r.login, a.approved, a.review_comment "
    "FROM article a JOIN desk_user u ON u.id = a.author_id "
    "LEFT JOIN desk_user r ON r.id = a.reviewer_id "
    "LEFT JOIN support_group g ON g.id = a.group_id"
)
RECORD_FIELDS = (
    "id",
    "lineage",
    "version",
    "title",
    "symptom",
    "cause",
    "solution",
    "category",
    "group",
    "tags",
    "state",
    "author",
    "reviewer",
    "approved",
    "review_comment",
)


def article_records(conn: Connection, article_id: int | None = None) -> dict[int, dict[str, Any]]:
    """Each article's record as the knowledge base's chain keeps it (one article, or all)."""
    where = " WHERE a.id = :id" if article_id is not None else ""
    records = {}
    for row in conn.execute(text(_RECORD_SQL + where + " ORDER BY a.id"), {"id": article_id}):
        record = dict(zip(RECORD_FIELDS, row, strict=True))
        record["approved"] = bool(record["approved"])
        records[int(row[0])] = record
    return records


def link_records(conn: Connection) -> dict[tuple[int, str], dict[str, Any]]:
    """Every ticket linked to an article, as the knowledge base's chain keeps the link."""
    rows = conn.execute(
        text(
            "SELECT l.lineage_id, t.number, l.solved FROM article_ticket l "
            "JOIN ticket t ON t.id = l.ticket_id"
        )
    )
    return {
        (int(lineage), str(number)): {"lineage": int(lineage), "ticket": number, "solved": bool(s)}
        for lineage, number, s in rows
    }


def _audit(
    session: Session,
    actor: Actor,
    key: str,
    old: str | None,
    new: dict[str, Any],
    now: datetime,
    note: str | None = None,
) -> None:
    append_article_event(
        session,
        key=key,
        old=old,
        new=json.dumps(new, ensure_ascii=False, sort_keys=True),
        actor_id=actor.id,
        proxy_id=actor.proxy_id,
        now=now,
        note=note,
    )


def _record_json(session: Session, article_id: int) -> str | None:
    record = article_records(session.connection(), article_id).get(article_id)
    return json.dumps(record, ensure_ascii=False, sort_keys=True) if record else None


def _index(session: Session, article: Article) -> None:
    assert article.id is not None
    text_search.index_articles(
        session.connection(),
        [
            text_search.ArticleDoc(
                id=article.id,
                title=article.title,
                tags=article.tags.replace(",", " "),
                body=(article.symptom, article.cause, article.solution),
            )
        ],
    )


def _save(
    session: Session, article: Article, actor: Actor, now: datetime, note: str | None = None
) -> None:
    """Write the article, index it and record it, all in the caller's transaction."""
    assert article.id is not None
    old = _record_json(session, article.id)
    article.updated_at = now
    session.add(article)
    session.flush()
    if article.lineage_id is None:
        article.lineage_id = article.id
        session.add(article)
        session.flush()
    _index(session, article)
    record = article_records(session.connection(), article.id)[article.id]
    _audit(session, actor, ARTICLE_KEY, old, record, now, note)


# reading ------------------------------------------------------------------------------------


def _login_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.login, User.name).where(col(User.id).in_(ids)))
    return {int(i or 0): (str(login), str(name)) for i, login, name in rows}


def _view(session: Session, article: Article) -> ArticleView:
    assert article.id is not None
    lineage = article.lineage_id or article.id
    group = session.get(Group, article.group_id) if article.group_id is not None else None
    people = _login_names(
        session,
        {
            i
            for i in (article.author_id, article.reviewer_id, group.lead_id if group else None)
            if i
        },
    )
    links = session.exec(
        select(Ticket.number, ArticleTicket.solved)
        .join(Ticket, col(Ticket.id) == ArticleTicket.ticket_id)
        .where(ArticleTicket.lineage_id == lineage)
        .order_by(col(ArticleTicket.linked_at), col(Ticket.number))
    ).all()
    newer = session.exec(
        select(Article.id).where(
            Article.lineage_id == lineage,
            col(Article.version) > article.version,
            col(Article.state).in_([str(ArticleState.DRAFT), str(ArticleState.IN_REVIEW)]),
        )
    ).first()
    author = people.get(article.author_id, ("", ""))
    reviewer: tuple[str | None, str | None] = people.get(article.reviewer_id or 0, (None, None))
    return ArticleView(
        id=article.id,
        lineage_id=lineage,
        version=article.version,
        title=article.title,
        symptom=article.symptom,
        cause=article.cause,
        solution=article.solution,
        category=article.category,
        group=group.code if group else None,
        tags=tuple(t for t in article.tags.split(",") if t),
        state=ArticleState(article.state),
        author=author[0],
        author_name=author[1],
        reviewer=reviewer[0],
        reviewer_name=reviewer[1],
        approved=article.approved,
        review_comment=article.review_comment,
        created_at=article.created_at,
        updated_at=article.updated_at,
        published_at=article.published_at,
        tickets=tuple(str(n) for n, _ in links),
        solved=sum(1 for _, s in links if s),
        group_lead=people[group.lead_id][0] if group and group.lead_id in people else None,
        newer=newer,
    )


def _load(session: Session, article_id: int, *, lock: bool = False) -> Article:
    query = select(Article).where(Article.id == article_id)
    article = session.exec(query.with_for_update() if lock else query).first()
    if article is None:
        raise NotFound("article.unknown", field="id", id=article_id)
    return article


def get_article(*, session: Session, article_id: int) -> ArticleView:
    """One version of an article.

    Raises:
        NotFound: no article with that id.
    """
    return _view(session, _load(session, article_id))


def list_articles(
    *, session: Session, state: str | None = None, category: str | None = None, limit: int = 500
) -> list[ArticleView]:
    """Articles (in ``state``, in ``category``), newest first."""
    query = select(Article)
    if state:
        query = query.where(Article.state == state)
    if category:
        query = query.where(Article.category == category)
    rows = session.exec(
        query.order_by(col(Article.updated_at).desc(), col(Article.id).desc()).limit(limit)
    )
    return [_view(session, a) for a in rows.all()]


def category_counts(*, session: Session) -> list[CategoryCount]:
    """Published articles per category, in the categories' order."""
    counts = dict(
        session.exec(
            select(Article.category, func.count())
            .where(Article.state == str(ArticleState.PUBLISHED))
            .group_by(col(Article.category))
        ).all()
    )
    return [CategoryCount(str(c), int(counts.get(str(c), 0))) for c in Category]


def _solved_counts(session: Session, lineages: set[int]) -> dict[int, int]:
    if not lineages:
        return {}
    rows = session.exec(
        select(ArticleTicket.lineage_id, func.count())
        .where(col(ArticleTicket.lineage_id).in_(lineages), col(ArticleTicket.solved))
        .group_by(col(ArticleTicket.lineage_id))
    )
    return {int(lineage): int(n) for lineage, n in rows}


def _article_hits(
    session: Session, query: Query, states: Sequence[str], limit: int, cap: int | None = None
) -> list[ArticleHit]:
    found = text_search.search_articles(
        session.connection(), query, states=states, limit=limit, cap=cap
    )
    if not found:
        return []
    ids = [i for i, _ in found]
    rows = {a.id: a for a in session.exec(select(Article).where(col(Article.id).in_(ids)))}
    solved = _solved_counts(session, {a.lineage_id or i for i, a in rows.items() if i is not None})
    hits = []
    for article_id, score in found:
        a = rows[article_id]
        body = " ".join(x for x in (a.symptom, a.cause, a.solution) if x)
        hits.append(
            ArticleHit(
                id=article_id,
                title=a.title,
                category=a.category,
                state=ArticleState(a.state),
                solved=solved.get(a.lineage_id or article_id, 0),
                score=score,
                snippet=snippet(body, query),
                solution=a.solution,
            )
        )
    return hits


def search_articles(
    *,
    session: Session,
    query: str,
    states: Sequence[str] = (str(ArticleState.PUBLISHED),),
    limit: int = 20,
    any_word: bool = False,
    cap: int | None = None,
) -> list[ArticleHit]:
    """Articles matching what was typed, best first, each with a snippet.

    Every word must match (``any_word``: any, ranked by how well); with ``any_word`` False and
    nothing found, the search is tried again with any word. ``cap``: rank only the newest
    ``cap`` matches.
    """
    parsed = parse_query(query, any_word=any_word)
    hits = _article_hits(session, parsed, states, limit, cap)
    if not hits and not any_word and len(parsed.terms) > 1:
        hits = _article_hits(session, parse_query(query, any_word=True), states, limit, cap)
    return hits


def search_tickets(
    *,
    session: Session,
    query: str,
    statuses: Sequence[str] = (),
    limit: int = 20,
    any_word: bool = False,
    exclude: str | None = None,
    cap: int | None = None,
) -> list[TicketHit]:
    """Tickets matching what was typed (number, any text, the requester's name in characters or
    pinyin, a phone number in any format), best first, each with a snippet.

    Every word must match, and when none does with more than one word typed, any word
    (``any_word``: any word from the start). ``cap``: rank only the newest ``cap`` matches.
    """
    parsed = parse_query(query, any_word=any_word)
    conn = session.connection()
    skip = None
    if exclude:
        skip = session.exec(select(Ticket.id).where(Ticket.number == exclude)).first()
    found = text_search.search_tickets(
        conn, parsed, statuses=statuses, limit=limit, exclude=skip, cap=cap
    )
    if not found and not any_word and len(parsed.terms) > 1:
        parsed = parse_query(query, any_word=True)
        found = text_search.search_tickets(
            conn, parsed, statuses=statuses, limit=limit, exclude=skip, cap=cap
        )
    if not found:
        return []
    ids = [i for i, _ in found]
    rows = {
        t.id: (t, name)
        for t, name in session.exec(
            select(Ticket, Requester.name)
            .join(Requester, col(Requester.id) == Ticket.requester_id)
            .where(col(Ticket.id).in_(ids))
        ).all()
    }
    hits = []
    for ticket_id, score in found:
        t, name = rows[ticket_id]
        body = " ".join(x for x in (t.description, t.solution) if x)
        hits.append(
            TicketHit(
                number=t.number,
                summary=t.summary,
                status=Status(t.status),
                category=t.category,
                requester=name,
                received_at=t.received_at,
                score=score,
                snippet=snippet(body, parsed),
                solution=t.solution,
            )
        )
    return hits


def suggest(*, session: Session, query: str, exclude: str | None = None) -> Suggestions:
    """The best published articles and similar solved tickets for what the operator typed."""
    if parse_query(query).empty:
        return Suggestions(query)
    articles = search_articles(
        session=session, query=query, limit=SUGGESTIONS, cap=SUGGESTION_CANDIDATES
    )
    tickets = search_tickets(
        session=session,
        query=query,
        statuses=SOLVED_STATUSES,
        limit=SUGGESTIONS,
        exclude=exclude,
        cap=SUGGESTION_CANDIDATES,
    )
    return Suggestions(query, tuple(articles), tuple(tickets))


# changing -----------------------------------------------------------------------------------


def _group_lead(session: Session, article: Article) -> str | None:
    group = session.get(Group, article.group_id) if article.group_id is not None else None
    if group is None or group.lead_id is None:
        return None
    lead = session.get(User, group.lead_id)
    return lead.login if lead else None


def _facts(session: Session, article: Article) -> ArticleFacts:
    author = session.get(User, article.author_id)
    return ArticleFacts(
        ArticleState(article.state),
        author.login if author else "",
        _group_lead(session, article),
        article.approved,
    )


def require_article(person: Person, action: Action, facts: ArticleFacts | None = None) -> None:
    """Refuse unless the article rules let ``person`` take ``action``.

    Raises:
        PermissionDenied: the rules' refusal.
    """
    deny(person, action, article_refusal(person, action, facts))


def _group_id(session: Session, category_groups: Mapping[str, str], category: str) -> int | None:
    code = category_groups.get(category)
    if not code:
        return None
    return session.exec(select(Group.id).where(Group.code == code)).first()


def add_article(
    *,
    session: Session,
    actor: Actor,
    draft: ArticleDraft,
    now: datetime,
    category_groups: Mapping[str, str],
    link: str | None = None,
) -> ArticleView:
    """A new draft article by ``actor`` (linked to ticket ``link``, if given).

    Raises:
        ValidationFailed: a required text missing or too long, an unknown category.
        NotFound: no ticket ``link``.
    """
    require_article(actor, Action.KB_DRAFT)
    clean = validate_draft(draft)
    article = Article(
        title=clean.title,
        symptom=clean.symptom,
        cause=clean.cause,
        solution=clean.solution,
        category=clean.category,
        group_id=_group_id(session, category_groups, clean.category),
        tags=",".join(clean.tags),
        state=str(ArticleState.DRAFT),
        author_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(article)
    session.flush()
    _save(session, article, actor, now)
    if link:
        _link(session, article, actor, link, solved=False, now=now)
    return _view(session, article)


def edit_article(
    *,
    session: Session,
    actor: Actor,
    article_id: int,
    draft: ArticleDraft,
    now: datetime,
    category_groups: Mapping[str, str],
) -> ArticleView:
    """Change a draft; a published article gets a new version (a draft, reviewed again) while
    it stays published.

    Raises:
        PermissionDenied: someone else's draft, or an article in review or retired.
        ValidationFailed: as :func:`add_article`.
    """
    article = _load(session, article_id, lock=True)
    require_article(actor, Action.KB_DRAFT, _facts(session, article))
    clean = validate_draft(draft)
    if article.state == ArticleState.PUBLISHED:
        pending = session.exec(
            select(Article.id).where(
                Article.lineage_id == article.lineage_id,
                col(Article.state).in_([str(ArticleState.DRAFT), str(ArticleState.IN_REVIEW)]),
            )
        ).first()
        if pending is not None:
            raise PermissionDenied("permission.kb_state", action=Action.KB_DRAFT)
        article = Article(
            lineage_id=article.lineage_id,
            version=article.version + 1,
            state=str(ArticleState.DRAFT),
            author_id=actor.id,
            created_at=now,
            updated_at=now,
            title="",
            symptom="",
            cause="",
            solution="",
            category=clean.category,
        )
        session.add(article)
        session.flush()
    article.title, article.symptom = clean.title, clean.symptom
    article.cause, article.solution = clean.cause, clean.solution
    article.category, article.tags = clean.category, ",".join(clean.tags)
    article.group_id = _group_id(session, category_groups, clean.category)
    article.approved, article.reviewer_id = False, None
    _save(session, article, actor, now)
    return _view(session, article)


def _step(
    session: Session,
    actor: Actor,
    article_id: int,
    action: Action,
    change: Callable[[Article], None],
    now: datetime,
    note: str | None = None,
) -> ArticleView:
    """One step of an article's life: lock it, ask the rules, change it, save and record it."""
    article = _load(session, article_id, lock=True)
    require_article(actor, action, _facts(session, article))
    change(article)
    _save(session, article, actor, now, note)
    return _view(session, article)


def submit_article(
    *, session: Session, actor: Actor, article_id: int, now: datetime
) -> ArticleView:
    """A draft goes to review."""

    def submit(article: Article) -> None:
        article.state = str(ArticleState.IN_REVIEW)
        article.approved, article.reviewer_id = False, None

    return _step(session, actor, article_id, Action.KB_SUBMIT, submit, now)


def review_article(
    *,
    session: Session,
    actor: Actor,
    article_id: int,
    approve: bool,
    comment: str | None,
    now: datetime,
) -> ArticleView:
    """The reviewer approves the article (it may then be published), or returns it to its
    author as a draft with a comment (required).

    Raises:
        PermissionDenied: the author, or neither a duty lead nor the lead of its group.
        ServiceError: a return without a comment.
    """
    note = sanitize_text(comment or "").strip() or None

    def review(article: Article) -> None:
        if not approve and not note:
            raise ValidationFailed([problem("comment", "note.required")])
        article.reviewer_id, article.review_comment = actor.id, note
        if approve:
            article.approved = True
        else:
            article.state = str(ArticleState.DRAFT)

    return _step(session, actor, article_id, Action.KB_REVIEW, review, now, note)


def publish_article(
    *, session: Session, actor: Actor, article_id: int, now: datetime
) -> ArticleView:
    """An approved article is published; the version it replaces is retired."""

    def publish(article: Article) -> None:
        for older in session.exec(
            select(Article).where(
                Article.lineage_id == article.lineage_id,
                Article.id != article.id,
                Article.state == str(ArticleState.PUBLISHED),
            )
        ).all():
            older.state = str(ArticleState.RETIRED)
            _save(session, older, actor, now)
        article.state = str(ArticleState.PUBLISHED)
        article.published_at = now

    return _step(session, actor, article_id, Action.KB_PUBLISH, publish, now)


def retire_article(
    *, session: Session, actor: Actor, article_id: int, now: datetime, note: str | None = None
) -> ArticleView:
    """A published article is retired: no longer suggested or found by default."""

    def retire(article: Article) -> None:
        article.state = str(ArticleState.RETIRED)

    return _step(session, actor, article_id, Action.KB_RETIRE, retire, now, note)


def _link(
    session: Session, article: Article, actor: Actor, number: str, *, solved: bool, now: datetime
) -> None:
    ticket_id = session.exec(
        select(Ticket.id).where(Ticket.number == number.strip().upper())
    ).first()
    if ticket_id is None:
        raise NotFound("ticket.unknown", field="number", number=number)
    lineage = article.lineage_id or article.id
    assert lineage is not None
    link = session.get(ArticleTicket, (lineage, ticket_id))
    if link is not None and (link.solved or not solved):
        return
    if link is None:
        link = ArticleTicket(lineage_id=lineage, ticket_id=ticket_id, solved=solved, linked_at=now)
    link.solved = solved
    session.add(link)
    session.flush()
    record = {"lineage": lineage, "ticket": number.strip().upper(), "solved": solved}
    _audit(session, actor, LINK_KEY, None, record, now)


def link_ticket(
    *, session: Session, actor: Actor, article_id: int, number: str, solved: bool, now: datetime
) -> ArticleView:
    """Link a ticket to the article; ``solved``: its solution solved the call (counted)."""
    require_article(actor, Action.KB_DRAFT)
    article = _load(session, article_id)
    _link(session, article, actor, number, solved=solved, now=now)
    return _view(session, article)


def draft_from_ticket(*, session: Session, number: str) -> ArticleDraft:
    """An article's text from a solved ticket, ready to edit: the summary as the title, the
    description as the symptom, its solution, its category.

    Raises:
        NotFound: no such ticket.
    """
    ticket = session.exec(select(Ticket).where(Ticket.number == number.strip().upper())).first()
    if ticket is None:
        raise NotFound("ticket.unknown", field="number", number=number)
    symptom = ticket.description
    if ticket.error_message:
        symptom = f"{symptom}\n{ticket.error_message}"
    return ArticleDraft(
        title=ticket.summary,
        symptom=symptom,
        cause="",
        solution=ticket.solution or "",
        category=ticket.category,
    )


# the front door -----------------------------------------------------------------------------


@dataclass
class KnowledgeBase:
    """The knowledge base's use cases for one desk; every method is one transaction.

    Call the methods from a worker thread, never on the event loop.

    Args:
        read: runs a function in a read session (:meth:`DeskService.read`).
        write: runs a function in a write transaction (:meth:`DeskService.write`).
        now: the desk's clock.
        category_groups: category → the group it routes to (the desk's routing rules).
    """

    read: Callable[[Callable[[Session], Any]], Any]
    write: Callable[[Callable[[Session], Any]], Any]
    now: Callable[[], datetime]
    category_groups: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, desk: Any) -> KnowledgeBase:
        """The knowledge base of a :class:`~deskui.services.desk.DeskService`."""
        return cls(desk.read, desk.write, desk.clock.now, desk.rules.category_groups)

    def article(self, article_id: int) -> ArticleView:
        """One version of an article."""
        result: ArticleView = self.read(lambda s: get_article(session=s, article_id=article_id))
        return result

    def articles(self, state: str | None = None, category: str | None = None) -> list[ArticleView]:
        """Articles, newest first."""
        result: list[ArticleView] = self.read(
            lambda s: list_articles(session=s, state=state, category=category)
        )
        return result

    def categories(self) -> list[CategoryCount]:
        """Published articles per category."""
        result: list[CategoryCount] = self.read(lambda s: category_counts(session=s))
        return result

    def search(
        self, query: str, states: Sequence[str] = (str(ArticleState.PUBLISHED),), limit: int = 20
    ) -> list[ArticleHit]:
        """Articles matching ``query``, ranked."""
        result: list[ArticleHit] = self.read(
            lambda s: search_articles(session=s, query=query, states=states, limit=limit)
        )
        return result

    def search_tickets(
        self, query: str, statuses: Sequence[str] = (), limit: int = 20
    ) -> list[TicketHit]:
        """Tickets matching ``query``, ranked."""
        result: list[TicketHit] = self.read(
            lambda s: search_tickets(session=s, query=query, statuses=statuses, limit=limit)
        )
        return result

    def suggest(self, query: str, exclude: str | None = None) -> Suggestions:
        """Articles and similar solved tickets for the intake and detail panels."""
        result: Suggestions = self.read(lambda s: suggest(session=s, query=query, exclude=exclude))
        return result

    def draft_from_ticket(self, number: str) -> ArticleDraft:
        """An article's text from a solved ticket."""
        result: ArticleDraft = self.read(lambda s: draft_from_ticket(session=s, number=number))
        return result

    def add(self, actor: Actor, draft: ArticleDraft, link: str | None = None) -> ArticleView:
        """A new draft."""
        return self._change(
            add_article, actor, draft=draft, category_groups=self.category_groups, link=link
        )

    def edit(self, actor: Actor, article_id: int, draft: ArticleDraft) -> ArticleView:
        """Change a draft, or start a new version of a published article."""
        return self._change(
            edit_article,
            actor,
            article_id=article_id,
            draft=draft,
            category_groups=self.category_groups,
        )

    def submit(self, actor: Actor, article_id: int) -> ArticleView:
        """Send a draft to review."""
        return self._change(submit_article, actor, article_id=article_id)

    def review(
        self, actor: Actor, article_id: int, *, approve: bool, comment: str | None
    ) -> ArticleView:
        """Approve, or return with a comment."""
        return self._change(
            review_article, actor, article_id=article_id, approve=approve, comment=comment
        )

    def publish(self, actor: Actor, article_id: int) -> ArticleView:
        """Publish an approved article."""
        return self._change(publish_article, actor, article_id=article_id)

    def retire(self, actor: Actor, article_id: int, note: str | None = None) -> ArticleView:
        """Retire a published article."""
        return self._change(retire_article, actor, article_id=article_id, note=note)

    def link(self, actor: Actor, article_id: int, number: str, *, solved: bool) -> ArticleView:
        """Link a ticket to an article (``solved``: counted as solved by it)."""
        return self._change(link_ticket, actor, article_id=article_id, number=number, solved=solved)

    def _change(self, fn: Callable[..., ArticleView], actor: Actor, **kwargs: Any) -> ArticleView:
        now = self.now()
        text_index.prepare()  # the dictionary loaded before the write turn is taken
        result: ArticleView = self.write(lambda s: fn(session=s, actor=actor, now=now, **kwargs))
        return result
