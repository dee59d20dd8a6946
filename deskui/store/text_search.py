"""The full-text index of articles and tickets, on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Both hold the words :mod:`deskui.core.text_index` cut, so the same query finds the same rows:

- SQLite: FTS5 tables ``article_text(title, tags, body)`` and ``ticket_text(summary, who, body,
  facets)`` whose rowid is the article's or ticket's id, ranked by ``bm25`` with column weights
  (a title hit outranks a tag hit, which outranks a body hit);
- PostgreSQL: tables ``article_text(article_id, doc)`` and ``ticket_text(ticket_id, doc)`` with a
  GIN-indexed ``tsvector`` whose lexemes carry the weights A (title, summary), B (tags; the
  requester's name, pinyin, phone and the number) and C (body), ranked by ``ts_rank``.

A ticket's document also holds its facets (:func:`ticket_facets`: open or not, status,
priority, group, assignee, type, category, channel, the number reversed), words no text yields:
a search within a view and filters asks the index for ``words AND facets``, so the rows the
database then reads and sorts are only the view's matches, not every ticket the words are in
(at a million tickets a common word is in 170,000). The facets follow every change of the
ticket (:func:`reindex_ticket`, called by every write), or alone (:func:`refresh_facets`).

Every write that changes an indexed text calls :func:`index_article` or :func:`index_ticket` in
its own transaction, so the index never lags the rows. :func:`backfill_tickets` indexes a desk's
existing tickets (migration 0007, the benchmarks).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, column, text
from sqlalchemy.sql.selectable import TextualSelect

from deskui.core.text_index import (
    FACET_MARK,
    Facets,
    Query,
    facet,
    facets_literal,
    fts_match,
    fts_text,
    number_facet,
    tsquery_literal,
    tsvector_literal,
)

#: SQLite bm25 weights, in the FTS5 tables' column order.
ARTICLE_WEIGHTS = "10.0, 5.0, 1.0"
TICKET_WEIGHTS = "10.0, 3.0, 1.0, 0.0"
#: Each index: its table, the PostgreSQL form's key column, its SQLite weights.
ARTICLE_INDEX = ("article_text", "article_id", ARTICLE_WEIGHTS)
TICKET_INDEX = ("ticket_text", "ticket_id", TICKET_WEIGHTS)
#: The index's tables (SQLite adds shadow tables named after them): kept by migrations, not
#: by the models.
INDEX_TABLES = ("article_text", "ticket_text")
#: How many tickets the backfill reads at a time.
CHUNK = 2000
#: The newest documents a capped search on PostgreSQL looks among first (see :func:`_ranked`).
RECENT_DOCUMENTS = 20_000


@dataclass(frozen=True)
class ArticleDoc:
    """The indexed text of an article."""

    id: int
    title: str
    tags: str
    body: Sequence[str | None]


@dataclass(frozen=True)
class TicketDoc:
    """The indexed text of a ticket: ``who`` is the requester's name, its pinyin and initials,
    the phone's digits and the ticket's number; ``facets`` are :func:`ticket_facets`."""

    id: int
    summary: str
    who: Sequence[str | None]
    body: Sequence[str | None]
    facets: Sequence[str] = ()


#: The ticket's columns its facets come from, in :func:`ticket_facets`' order.
FACET_COLUMNS = (
    "number",
    "is_open",
    "status",
    "priority",
    "group_id",
    "assignee_id",
    "type",
    "category",
    "channel",
)
#: The facet of tickets that are open, and of those that are not.
OPEN = facet("open", 1)
NOT_OPEN = facet("open", 0)


def ticket_facets(row: Sequence[Any]) -> list[str]:
    """A ticket's facets, from its :data:`FACET_COLUMNS`."""
    number, is_open, *rest = row
    named = zip(FACET_COLUMNS[2:], rest, strict=True)
    return [
        number_facet(str(number).lower()),
        OPEN if is_open else NOT_OPEN,
        *(facet(name, value) for name, value in named),
    ]


def is_index_table(name: str | None) -> bool:
    """``name`` is one of the index's tables or their SQLite shadow tables."""
    return bool(name) and any(name == t or str(name).startswith(t + "_") for t in INDEX_TABLES)


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


#: Each table's columns with their PostgreSQL weights, and the id column of its PostgreSQL form.
_COLUMNS = {
    "article_text": (("title", "A"), ("tags", "B"), ("body", "C")),
    "ticket_text": (("summary", "A"), ("who", "B"), ("body", "C")),
}
#: The SQLite column of a table's facets (PostgreSQL: weightless lexemes of the same ``doc``).
_FACETS = {"ticket_text": "facets"}
_KEYS = {"article_text": "article_id", "ticket_text": "ticket_id"}


def _put(
    conn: Connection,
    table: str,
    docs: Sequence[tuple[int, Sequence[Sequence[str | None]], Sequence[str]]],
) -> None:
    """Put (or replace) documents, each an id, the texts of each column and its facets, in
    ``table``."""
    if not docs:
        return
    columns = _COLUMNS[table]
    if _postgres(conn):
        key = _KEYS[table]
        rows: list[dict[str, Any]] = [
            {
                "id": i,
                "doc": " ".join(
                    (
                        tsvector_literal(
                            [(parts, w) for parts, (_, w) in zip(texts, columns, strict=True)]
                        ),
                        facets_literal(facets),
                    )
                ).strip(),
            }
            for i, texts, facets in docs
        ]
        conn.execute(
            text(
                f"INSERT INTO {table} ({key}, doc) VALUES (:id, CAST(:doc AS tsvector)) "
                f"ON CONFLICT ({key}) DO UPDATE SET doc = excluded.doc"
            ),
            rows,
        )
        return
    facet_column = _FACETS.get(table)
    rows = [
        {
            "id": i,
            **{name: fts_text(parts) for parts, (name, _) in zip(texts, columns, strict=True)},
            **({facet_column: " ".join(facets)} if facet_column else {}),
        }
        for i, texts, facets in docs
    ]
    names = [name for name, _ in columns] + ([facet_column] if facet_column else [])
    conn.execute(text(f"DELETE FROM {table} WHERE rowid = :id"), [{"id": r["id"]} for r in rows])
    conn.execute(
        text(
            f"INSERT INTO {table} (rowid, {', '.join(names)}) "
            f"VALUES (:id, {', '.join(':' + n for n in names)})"
        ),
        rows,
    )


def index_articles(conn: Connection, docs: Iterable[ArticleDoc]) -> None:
    """Put (or replace) the articles' text in the index."""
    _put(conn, "article_text", [(d.id, ([d.title], [d.tags], d.body), ()) for d in docs])


def index_tickets(conn: Connection, docs: Iterable[TicketDoc]) -> None:
    """Put (or replace) the tickets' text in the index."""
    _put(conn, "ticket_text", [(d.id, ([d.summary], d.who, d.body), d.facets) for d in docs])


_TICKET_TEXT = (
    "SELECT t.id, t.number, t.summary, t.description, t.solution, t.error_message, "
    "r.name, r.name_pinyin, r.name_initials, r.phone_digits, "
    + ", ".join(f"t.{c}" for c in FACET_COLUMNS)
    + " FROM ticket t JOIN requester r ON r.id = t.requester_id"
)


def ticket_docs(rows: Iterable[Sequence[Any]]) -> list[TicketDoc]:
    """Documents from rows of :data:`_TICKET_TEXT`."""
    return [
        TicketDoc(
            id=int(r[0]),
            summary=r[2],
            who=(r[6], r[7], r[8], r[9], r[1]),
            body=(r[3], r[4], r[5]),
            facets=ticket_facets(r[10:]),
        )
        for r in rows
    ]


def reindex_ticket(conn: Connection, ticket_id: int) -> None:
    """Index one ticket as it stands in this transaction."""
    rows = conn.execute(text(_TICKET_TEXT + " WHERE t.id = :id"), {"id": ticket_id}).all()
    index_tickets(conn, ticket_docs(rows))


def backfill_tickets(conn: Connection, chunk: int = CHUNK, *, missing_only: bool = False) -> int:
    """Index every ticket (those already indexed are replaced; ``missing_only``: left as they
    are); returns how many were indexed."""
    last, count = 0, 0
    missing = ""
    if missing_only:
        key = "ticket_id" if _postgres(conn) else "rowid"
        missing = f" AND NOT EXISTS (SELECT 1 FROM ticket_text x WHERE x.{key} = t.id)"
    while True:
        rows = conn.execute(
            text(_TICKET_TEXT + f" WHERE t.id > :last{missing} ORDER BY t.id LIMIT :n"),
            {"last": last, "n": chunk},
        ).all()
        if not rows:
            return count
        index_tickets(conn, ticket_docs(rows))
        last, count = int(rows[-1][0]), count + len(rows)


def reindex_holding(conn: Connection, words: Sequence[str], chunk: int = CHUNK) -> int:
    """Cut again the tickets and articles whose text holds any of ``words`` (the segmenter cuts
    them differently now); returns how many entries were rewritten."""
    if not words:
        return 0
    params = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}

    def holding(columns: Sequence[str]) -> str:
        return " OR ".join(f"{c} LIKE :{name}" for c in columns for name in params)

    ids = [
        int(i)
        for (i,) in conn.execute(
            text(
                "SELECT id FROM ticket t WHERE "
                + holding(("t.summary", "t.description", "t.solution", "t.error_message"))
            ),
            params,
        )
    ]
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = conn.execute(
            text(_TICKET_TEXT + " WHERE t.id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"ids": part},
        ).all()
        index_tickets(conn, ticket_docs(rows))
    articles = reindex_articles(
        conn, holding(("title", "tags", "symptom", "cause", "solution")), params
    )
    return len(ids) + articles


def reindex_articles(
    conn: Connection, where: str = "", params: dict[str, Any] | None = None
) -> int:
    """Index the articles (those ``where`` says, or every one) as they stand; how many."""
    rows = conn.execute(
        text(
            "SELECT id, title, tags, symptom, cause, solution FROM article"
            + (f" WHERE {where}" if where else "")
            + " ORDER BY id"
        ),
        params or {},
    ).all()
    index_articles(
        conn,
        [
            ArticleDoc(id=r[0], title=r[1], tags=(r[2] or "").replace(",", " "), body=r[3:6])
            for r in rows
        ],
    )
    return len(rows)


def refresh_facets(conn: Connection, ids: Sequence[int] | None = None, chunk: int = CHUNK) -> int:
    """Write the facets of the tickets ``ids`` (None: every ticket) as the tickets stand, their
    words untouched (no text is cut again); returns how many."""
    postgres = _postgres(conn)
    sql = (
        "UPDATE ticket_text SET doc = ts_delete(doc, ARRAY(SELECT u.lexeme FROM unnest(doc) u "
        f"WHERE left(u.lexeme, 1) = '{FACET_MARK}')) || CAST(:f AS tsvector) WHERE ticket_id = :id"
        if postgres
        else "UPDATE ticket_text SET facets = :f WHERE rowid = :id"
    )
    read = "SELECT id, " + ", ".join(FACET_COLUMNS) + " FROM ticket WHERE "
    last, count, wanted = 0, 0, sorted(set(ids)) if ids is not None else None
    while True:
        if wanted is None:
            rows = conn.execute(
                text(read + "id > :last ORDER BY id LIMIT :n"), {"last": last, "n": chunk}
            ).all()
        else:
            part, wanted = wanted[:chunk], wanted[chunk:]
            rows = (
                conn.execute(
                    text(read + "id IN :ids").bindparams(bindparam("ids", expanding=True)),
                    {"ids": part},
                ).all()
                if part
                else []
            )
        if not rows:
            return count
        conn.execute(
            text(sql),
            [
                {
                    "id": int(r[0]),
                    "f": (facets_literal if postgres else " ".join)(ticket_facets(r[1:])),
                }
                for r in rows
            ],
        )
        last, count = int(rows[-1][0]), count + len(rows)


def _in(column: str, values: Sequence[str], params: dict[str, Any]) -> str:
    names = []
    for i, value in enumerate(values):
        params[f"v{i}"] = value
        names.append(f":v{i}")
    return f"{column} IN ({', '.join(names)})"


def _candidates(
    conn: Connection,
    table: str,
    key: str,
    weights: str,
    query: Query,
    cap: int | None,
    params: dict[str, Any],
    window: int | None = None,
) -> str:
    """The matches of ``query`` in ``table`` with their scores, as a subquery ``c(id, score)``:
    every match, or (``cap``) only the newest ``cap`` of them, so that a word found in half
    the desk costs the same as a rare one. ``window`` (PostgreSQL): only among the newest
    ``window`` documents."""
    newest = " ORDER BY {} DESC LIMIT :cap" if cap is not None else ""
    params["cap"] = cap
    if _postgres(conn):
        params["q"] = tsquery_literal(query)
        source = table
        if window is not None:
            params["window"] = window
            source = f"(SELECT {key}, doc FROM {table} ORDER BY {key} DESC LIMIT :window) recent"
        return (
            f"(SELECT {key} AS id, ts_rank(doc, CAST(:q AS tsquery)) AS score FROM {source} "
            f"WHERE doc @@ CAST(:q AS tsquery){newest.format(key)})"
        )
    params["q"] = fts_match(query)
    return (
        f"(SELECT rowid AS id, -bm25({table}, {weights}) AS score FROM {table} "
        f"WHERE {table} MATCH :q{newest.format('rowid')})"
    )


def _ranked(
    conn: Connection,
    index: tuple[str, str, str],
    query: Query,
    cap: int | None,
    params: dict[str, Any],
    rows: str,
    where: str,
) -> list[tuple[int, float]]:
    """The rows of table ``rows`` (aliased ``r``, filtered by ``where``) matching ``query`` in
    ``index`` (its table, key and SQLite weights), best first: ``(id, score)``, at most
    ``params["n"]``.

    On PostgreSQL a capped search first takes its candidates among the newest
    :data:`RECENT_DOCUMENTS` documents: when those hold ``cap`` matches, they are exactly the
    newest ``cap`` matches of the whole index, found in a few milliseconds. Otherwise it asks
    the whole index. Words that often come together (``vpn 频繁 断线``) fool the planner's
    estimate of the whole index's matches (it multiplies each word's share), and it would read
    every match (45,000 rows, 200 ms at a million tickets) to keep the newest 400.
    """
    table, key, weights = index

    def ranking(found: str, extra: str) -> str:
        return (
            f"SELECT r.id, c.score{extra} FROM {found} c JOIN {rows} r ON r.id = c.id "
            f"WHERE {where} ORDER BY c.score DESC, r.id DESC LIMIT :n"
        )

    if cap is not None and _postgres(conn):
        recent = _candidates(conn, table, key, weights, query, cap, params, RECENT_DOCUMENTS)
        sql = f"WITH c AS {recent} " + ranking("c", ", (SELECT count(*) FROM c) AS held")
        found = conn.execute(text(sql), params).all()
        if found and int(found[0][2]) >= cap:
            return [(int(i), float(s)) for i, s, _ in found]
    everything = _candidates(conn, table, key, weights, query, cap, params)
    return [(int(i), float(s)) for i, s in conn.execute(text(ranking(everything, "")), params)]


def search_articles(
    conn: Connection, query: Query, *, states: Sequence[str], limit: int, cap: int | None = None
) -> list[tuple[int, float]]:
    """Articles in ``states`` matching ``query``, best first: ``(id, score)``, a higher score
    better on both databases. ``cap``: rank only the newest ``cap`` matches (suggestions)."""
    if query.empty or not states:
        return []
    params: dict[str, Any] = {"n": limit}
    where = _in("r.state", states, params)
    return _ranked(conn, ARTICLE_INDEX, query, cap, params, "article", where)


def search_tickets(
    conn: Connection,
    query: Query,
    *,
    statuses: Sequence[str] = (),
    limit: int,
    exclude: int | None = None,
    cap: int | None = None,
) -> list[tuple[int, float]]:
    """Tickets matching ``query`` (in ``statuses``, if any), best first: ``(id, score)``.
    ``cap``: rank only the newest ``cap`` matches (suggestions)."""
    if query.empty:
        return []
    params: dict[str, Any] = {"n": limit, "x": exclude if exclude is not None else -1}
    where = "r.id <> :x" + ((" AND " + _in("r.status", statuses, params)) if statuses else "")
    return _ranked(conn, TICKET_INDEX, query, cap, params, "ticket", where)


def count_tickets_matching(
    conn: Connection,
    query: Query,
    *,
    number_tail: str | None = None,
    facets: Facets = (),
    between: tuple[int, int] | None = None,
) -> int:
    """How many tickets :func:`ticket_ids_matching` finds, counted in the index alone."""
    values: dict[str, Any] = {}
    if not _postgres(conn):
        values["q"] = fts_match(query, facets=facets, tail=number_tail)
        sql = "SELECT count(*) FROM ticket_text WHERE ticket_text MATCH :q"
        key = "rowid"
    else:
        values["q"] = tsquery_literal(query, facets=facets, tail=number_tail)
        sql = "SELECT count(*) FROM ticket_text WHERE doc @@ CAST(:q AS tsquery)"
        key = "ticket_id"
    if between is not None:
        sql += f" AND {key} BETWEEN :first AND :last"
        values |= {"first": between[0], "last": between[1]}
    if not _postgres(conn):
        return int(conn.execute(text(sql), values).scalar_one())
    scan = scans_whole_table(_count_facts(conn, sql, values))
    if scan:
        conn.execute(text("SET LOCAL enable_bitmapscan = off"))
    try:
        return int(conn.execute(text(sql), values).scalar_one())
    finally:
        if scan:
            conn.execute(text("SET LOCAL enable_bitmapscan TO DEFAULT"))


#: The share of the documents a text query must be expected in for its count to read the whole
#: table rather than the pages the index names (see :func:`scans_whole_table`).
WHOLE_TABLE_SHARE = 0.05


@dataclass(frozen=True)
class CountFacts:
    """What decides how PostgreSQL counts a text query's matches (:func:`scans_whole_table`)."""

    expected: float  # the planner's estimate of the matching documents
    documents: float  # the documents the table holds (its statistics)
    table_bytes: int
    buffer_bytes: int  # the server's shared buffers
    workers: int  # the parallel workers a scan may have


def scans_whole_table(facts: CountFacts) -> bool:
    """Whether a count reads the whole table in parallel instead of through the GIN index.

    Counting through the index, PostgreSQL visits every heap page that holds a match (its
    current releases no longer skip the pages the visibility map says are all visible), one
    page at a time. When the table does not fit the server's shared buffers each such page is
    a read from the operating system: a word in one ticket of six, at a million tickets, is on
    70,000 of the table's 95,000 pages and its count took 480-730 ms that way, where a
    parallel scan of the whole table took 240-260 ms (two workers). From about one document
    in twenty a match is on a third of the pages, where the two cost the same. A table the
    shared buffers hold is counted faster through the index (160-240 ms for the same words),
    and the planner is left to choose; so it is with no parallel workers to scan with.
    """
    return (
        facts.workers > 0
        and facts.table_bytes > facts.buffer_bytes
        and facts.documents > 0
        and facts.expected >= WHOLE_TABLE_SHARE * facts.documents
    )


def _count_facts(conn: Connection, count: str, values: dict[str, Any]) -> CountFacts:
    """The facts :func:`scans_whole_table` decides by, for the count statement ``count``."""
    row = conn.execute(
        text(
            "SELECT c.reltuples, pg_relation_size(c.oid), "
            "pg_size_bytes(current_setting('shared_buffers')), "
            "current_setting('max_parallel_workers_per_gather')::int "
            "FROM pg_class c WHERE c.oid = 'ticket_text'::regclass"
        )
    ).one()
    matches = count.replace("SELECT count(*)", "SELECT 1", 1)
    plan = conn.execute(text(f"EXPLAIN (FORMAT JSON) {matches}"), values).scalar_one()
    # the top node's rows are the whole estimate (a Gather's too)
    expected = float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])
    return CountFacts(expected, float(row[0]), int(row[1]), int(row[2]), int(row[3]))


def ticket_ids_matching(
    dialect: str,
    query: Query,
    *,
    number_tail: str | None = None,
    facets: Facets = (),
    between: tuple[int, int] | None = None,
) -> TextualSelect:
    """The ids of the tickets matching ``query`` (every word; the last as a prefix when typed so)
    and holding ``facets``, as a subquery to filter the ticket table by, unranked: for reads in
    another order (the queue's, the list's). ``number_tail``: digits; the tickets whose number
    ends with them are in too (a prefix of the reversed number's facet: one read of the
    index). ``between``: only ids from the first to the last given (a received range's block,
    read from the index's own keys)."""
    if dialect == "postgresql":
        # OFFSET 0 keeps the matches one set read from the GIN index: PostgreSQL misjudges how
        # many documents a text query matches (an absent word is thousands to it) and would
        # otherwise walk the table in another order testing each document, a second a million
        key, sql = (
            "ticket_id",
            "SELECT ticket_id AS id FROM ticket_text WHERE doc @@ CAST(:ticket_words AS tsquery)",
        )
        words = tsquery_literal(query, facets=facets, tail=number_tail)
    else:
        key, sql = (
            "rowid",
            "SELECT rowid AS id FROM ticket_text WHERE ticket_text MATCH :ticket_words",
        )
        words = fts_match(query, facets=facets, tail=number_tail)
    values: dict[str, object] = {"ticket_words": words}
    if between is not None:
        sql += f" AND {key} BETWEEN :ticket_first AND :ticket_last"
        values |= {"ticket_first": between[0], "ticket_last": between[1]}
    if dialect == "postgresql":
        sql += " OFFSET 0"
    return text(sql).bindparams(**values).columns(column("id", Integer))


def matching_ticket_ids(
    conn: Connection,
    query: Query,
    *,
    number_tail: str | None = None,
    facets: Facets = (),
    between: tuple[int, int] | None = None,
) -> list[int]:
    """The ids :func:`ticket_ids_matching` finds, read (for a read driven by them)."""
    found = ticket_ids_matching(
        conn.dialect.name, query, number_tail=number_tail, facets=facets, between=between
    )
    return [int(i) for (i,) in conn.execute(found)]


def tickets_among(
    conn: Connection,
    ids: Sequence[int],
    query: Query,
    *,
    number_tail: str | None = None,
    facets: Facets = (),
) -> set[int]:
    """Which of the tickets ``ids`` match (each document tested by its key: for a few thousand
    ids, where the matches may be a hundred thousand)."""
    if not ids:
        return set()
    if _postgres(conn):
        # each document tested as it is read by its key: ``doc || ''`` is no indexed expression,
        # so the GIN index (a common word's whole bitmap, 70 ms) is not asked beside the keys
        sql = (
            "SELECT ticket_id FROM ticket_text WHERE ticket_id = ANY(:ids) "
            "AND (doc || ''::tsvector) @@ CAST(:q AS tsquery)"
        )
        words = tsquery_literal(query, facets=facets, tail=number_tail)
        return {int(i) for (i,) in conn.execute(text(sql), {"ids": list(ids), "q": words})}
    sql = "SELECT rowid FROM ticket_text WHERE rowid IN :ids AND ticket_text MATCH :q"
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    words = fts_match(query, facets=facets, tail=number_tail)
    return {int(i) for (i,) in conn.execute(statement, {"ids": list(ids), "q": words})}
