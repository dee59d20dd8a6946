"""``deskui kb …`` (the knowledge base) and ``deskui ticket search``: grammar and handlers.

``kb add`` reads the article as a JSON object on standard input (title, symptom, cause,
solution, category, tags) and prints it with its id; every other subcommand names an article by
its id. ``--json`` prints what a script can parse; otherwise a person reads a few clean lines
(stored text goes through the sanitizer: nothing a caller dictated reaches the terminal raw).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from deskui.cli.filters import searchable
from deskui.cli.intake_json import InputError, read_json
from deskui.core.enums import Status
from deskui.core.permissions import ArticleState
from deskui.core.sanitize import sanitize_line
from deskui.core.text_index import Snippet
from deskui.i18n import Catalog, detect_language
from deskui.services.knowledge import (
    ArticleHit,
    ArticleView,
    KnowledgeBase,
    TicketHit,
    draft_from_json,
)

if TYPE_CHECKING:
    from deskui.cli.commands import Cli

#: The most results one ``--limit`` asks for.
MAX_RESULTS = 1000


def add_kb_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """The ``kb`` subcommand and its actions."""
    kb = sub.add_parser("kb", parents=[common], help="the knowledge base")
    kb_sub = kb.add_subparsers(dest="action", required=True)
    kb_sub.add_parser("add", parents=[common], help="a new draft from a JSON object on stdin")
    for verb, text in (
        ("show", "one article"),
        ("submit", "send a draft to review"),
        ("publish", "publish an approved article"),
        ("retire", "retire a published article"),
    ):
        one = kb_sub.add_parser(verb, parents=[common], help=text)
        one.add_argument("id", type=int)
    review = kb_sub.add_parser("review", parents=[common], help="approve, or return with a comment")
    review.add_argument("id", type=int)
    verdict = review.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true")
    verdict.add_argument("--return", dest="send_back", action="store_true")
    review.add_argument("--comment")
    listing = kb_sub.add_parser("list", parents=[common], help="articles, newest first")
    listing.add_argument("--state", choices=[str(s) for s in ArticleState])
    listing.add_argument("--category")
    search = kb_sub.add_parser("search", parents=[common], help="ranked full-text search")
    search.add_argument("text")
    search.add_argument("--all", action="store_true", help="drafts, reviews and retired too")
    search.add_argument("--limit", type=int, default=20)


def add_ticket_search_parser(
    t_sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``ticket search TEXT [--status S] [--limit N]``."""
    search = t_sub.add_parser("search", parents=[common], help="full-text search of all tickets")
    search.add_argument("text")
    search.add_argument("--status", action="append", default=[])
    search.add_argument("--limit", type=int, default=20)


def _line(value: object) -> str:
    return sanitize_line(str(value))


def _limit(value: int) -> int:
    if not 1 <= value <= MAX_RESULTS:
        raise InputError("limit", "field.whole_range", value=value, low=1, high=MAX_RESULTS)
    return value


def _marked(piece: Snippet) -> str:
    """The snippet with each found word in 【】 (a terminal without colour reads it too)."""
    out, at = [], 0
    for start, end in piece.marks:
        out += [piece.text[at:start], "【", piece.text[start:end], "】"]
        at = end
    out.append(piece.text[at:])
    return _line("".join(out))


def _describe(view: ArticleView, t: Catalog, out: TextIO) -> None:
    state = t(f"kb.state.{view.state}")
    out.write(
        f"#{view.id}  v{view.version}  {state}  {t(f'category.{view.category}')}  "
        f"{_line(view.author)}  {t('kb.solved_count', count=view.solved)}\n"
        f"{_line(view.title)}\n"
    )
    for key, body in (
        ("kb.field.symptom", view.symptom),
        ("kb.field.cause", view.cause),
        ("kb.field.solution", view.solution),
    ):
        if body:
            out.write(f"  {t(key)}: {_line(body)}\n")
    if view.tags:
        out.write(f"  {t('kb.field.tags')}: {_line(', '.join(view.tags))}\n")
    if view.tickets:
        out.write(f"  {t('kb.field.tickets')}: {_line(' '.join(view.tickets))}\n")
    if view.review_comment:
        out.write(f"  {t('kb.field.review')}: {_line(view.review_comment)}\n")


def _article_hit(hit: ArticleHit, t: Catalog, out: TextIO) -> None:
    out.write(
        f"#{hit.id}  {t(f'kb.state.{hit.state}')}  {_line(hit.title)}  "
        f"{t('kb.solved_count', count=hit.solved)}\n    {_marked(hit.snippet)}\n"
    )


def _ticket_hit(hit: TicketHit, t: Catalog, out: TextIO) -> None:
    out.write(
        f"{_line(hit.number)}  {t(f'status.{hit.status}')}  {_line(hit.requester)}  "
        f"{_line(hit.summary)}\n    {_marked(hit.snippet)}\n"
    )


def run_kb(cli: Cli) -> int:
    """``deskui kb …``."""
    a = cli.args
    kb = KnowledgeBase.of(cli.desk)
    t = Catalog(detect_language(cli.settings.lang))
    if a.action in ("list", "search", "show"):
        if a.action == "show":
            return _emit(cli, t, kb.article(a.id))
        if a.action == "list":
            views = kb.articles(state=a.state, category=a.category)
            if a.json:
                cli.emit([v.as_json() for v in views])
            else:
                for view in views:
                    cli.stdout.write(
                        f"#{view.id}  v{view.version}  {t(f'kb.state.{view.state}')}  "
                        f"{t(f'category.{view.category}')}  {_line(view.title)}\n"
                    )
            return 0
        states = [str(s) for s in ArticleState] if a.all else [str(ArticleState.PUBLISHED)]
        hits = kb.search(searchable(a.text, "text"), states=states, limit=_limit(a.limit))
        if a.json:
            cli.emit([h.as_json() for h in hits])
        else:
            for hit in hits:
                _article_hit(hit, t, cli.stdout)
        return 0
    actor = cli.who().person()
    if a.action == "add":
        try:
            raw = cli.stdin.read()
        except UnicodeDecodeError as exc:
            raise InputError("input", "field.json_unreadable", reason=exc.reason) from exc
        view = kb.add(actor, draft_from_json(read_json(raw)))
    elif a.action == "submit":
        view = kb.submit(actor, a.id)
    elif a.action == "review":
        view = kb.review(actor, a.id, approve=a.approve, comment=a.comment)
    elif a.action == "publish":
        view = kb.publish(actor, a.id)
    else:
        view = kb.retire(actor, a.id)
    return _emit(cli, t, view)


def _emit(cli: Cli, t: Catalog, view: ArticleView) -> int:
    if cli.args.json:
        cli.emit(view.as_json())
    else:
        _describe(view, t, cli.stdout)
    return 0


def run_ticket_search(cli: Cli) -> int:
    """``deskui ticket search TEXT``: every ticket, ranked, with a snippet."""
    a = cli.args
    kb = KnowledgeBase.of(cli.desk)
    for status in a.status:
        if status not in {str(s) for s in Status}:
            raise InputError("status", "status.unknown", value=status)
    hits = kb.search_tickets(searchable(a.text, "text"), statuses=a.status, limit=_limit(a.limit))
    if a.json:
        cli.emit([h.as_json() for h in hits])
        return 0
    t = Catalog(detect_language(cli.settings.lang))
    for hit in hits:
        _ticket_hit(hit, t, cli.stdout)
    return 0
