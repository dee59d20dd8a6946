"""The knowledge base at scale: indexing articles, and suggestions while the operator types.

    python -m benchmarks.knowledge [--articles 100000] [--tickets 1000000] [--postgres URL]

Builds a desk (SQLite in a temporary folder, or a scratch database on the PostgreSQL server
named) with ``--articles`` articles and ``--tickets`` solved tickets whose texts are drawn from
the demo desk's articles and calls (mixed, with numbers, places and callers' names varied), then:

- **indexing**: the articles are written and indexed through the store's own
  :func:`deskui.store.text_search.index_articles` (segmentation included), in chunks, timed;
- **suggestions while typing**: three calls are typed a character at a time (the summary as the
  operator types it); after each key, :func:`deskui.services.knowledge.suggest` (the best five
  published articles and five similar solved tickets, what the intake panel shows) runs in its
  own read session, timed from the key to the result; p50, p99 and the worst are printed;
- **memory**: the process's peak resident size.

The solved tickets' rows and index entries are bulk-inserted (their index text is the store's,
cut once per distinct text), so building a million of them takes minutes rather than the hours
of logging each through intake; the index they make is the one intake and every change keep.
What is timed is the query and its read models, not the drawing of the panel (the console draws
a few lines of text: see ``benchmarks/intake_call.py`` for key-to-frame figures).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from deskui.config import data_dir
from deskui.core.text_index import facets_literal, fts_text, prepare, tsvector_literal
from deskui.services.knowledge import suggest
from deskui.store import text_search
from deskui.store.db import Database
from deskui.store.migrate import upgrade

#: What the operator types, a key at a time.
TYPED = ("打印机卡纸无法打印", "VPN 频繁断线", "Outlook 无法收信", "共享盘 拒绝访问")
CHUNK = 5000
PLACES = ("三楼", "五楼", "财务部", "会议室", "仓库", "华东分公司", "研发中心", "前台")
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈杰", "杨静", "黄磊", "赵敏", "周新", "吴强")
PINYIN = (
    "zhangwei",
    "wangfang",
    "lina",
    "liuyang",
    "chenjie",
    "yangjing",
    "huanglei",
    "zhaomin",
    "zhouxin",
    "wuqiang",
)


def corpus() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The demo desk's articles and calls."""
    with (data_dir() / "knowledge.toml").open("rb") as f:
        articles = tomllib.load(f)["articles"]
    with (data_dir() / "demo.toml").open("rb") as f:
        calls = tomllib.load(f)["tickets"]
    return articles, calls


@contextmanager
def scratch(postgres: str | None) -> Iterator[str]:
    """A new database: a SQLite file, or a scratch database on the server."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'kb.db'}"
        return
    import psycopg

    name = f"deskui_kb_bench_{int(time.time())}"
    admin = make_url(postgres).set(drivername="postgresql")
    plain = admin.render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@contextmanager
def bench_desk(postgres: str | None) -> Iterator[tuple[Database, str]]:
    """A migrated scratch desk with the base rows (the segmenter loaded), and its kind's name."""
    prepare()
    with scratch(postgres) as url:
        db = Database(url)
        try:
            upgrade(db)
            base_rows(db)
            yield db, "PostgreSQL" if postgres else "SQLite"
        finally:
            db.dispose()


def settle(db: Database) -> None:
    """Leave the desk as autovacuum leaves a live one: statistics, and on PostgreSQL the
    visibility map too (the bulk rows and their facets' rewrite leave it empty, and the
    planner's estimates of the text index's matches old)."""
    if db.is_sqlite:
        with db.write_engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        return
    raw = db.write_engine.raw_connection()
    try:
        driver = raw.driver_connection  # psycopg's own connection: VACUUM runs outside a block
        assert driver is not None
        driver.autocommit = True
        # the desk's sessions bound every statement; a million tickets' vacuum takes longer
        driver.execute("SET statement_timeout = 0")
        driver.execute("VACUUM ANALYZE")
    finally:
        raw.close()


def base_rows(db: Database) -> None:
    now = datetime.now(UTC)
    with db.write_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO desk_user (id, login, name, role, active, created_at) "
                "VALUES (1, 'bench', '基准', 'agent', true, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO requester (id, name, name_pinyin, name_initials, phone_digits, vip, "
                "external, created_at) VALUES (:id, :name, :py, '', :phone, false, false, :now)"
            ),
            [
                {"id": i + 1, "name": n, "py": p, "phone": f"1380013{i:04d}", "now": now}
                for i, (n, p) in enumerate(zip(NAMES, PINYIN, strict=True))
            ],
        )


def articles_of(
    rng: random.Random, n: int, specs: list[dict[str, object]]
) -> Iterator[dict[str, object]]:
    for i in range(n):
        spec = specs[i % len(specs)]
        place = rng.choice(PLACES)
        yield {
            "id": i + 1,
            "title": f"{place}{spec['title']}（{i}）" if i >= len(specs) else str(spec["title"]),
            "symptom": f"{place}{spec['symptom']}",
            "cause": str(spec["cause"]),
            "solution": f"{spec['solution']} 参考编号 {rng.randrange(10**6)}",
            "category": str(spec["category"]),
            "tags": ",".join(str(t) for t in spec["tags"]),  # type: ignore[attr-defined]  # a TOML list
        }


def load_articles(db: Database, n: int, specs: list[dict[str, object]]) -> float:
    """Write and index ``n`` published articles; returns the seconds it took."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    started = time.perf_counter()
    batch: list[dict[str, object]] = []

    def flush() -> None:
        with db.write_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO article (id, lineage_id, version, title, symptom, cause, solution,"
                    " category, tags, state, author_id, approved, created_at, updated_at, "
                    "published_at) VALUES (:id, :id, 1, :title, :symptom, :cause, :solution, "
                    ":category, :tags, 'published', 1, true, :now, :now, :now)"
                ),
                [{**row, "now": now} for row in batch],
            )
            text_search.index_articles(
                conn,
                [
                    text_search.ArticleDoc(
                        int(str(r["id"])),
                        str(r["title"]),
                        str(r["tags"]).replace(",", " "),
                        (str(r["symptom"]), str(r["cause"]), str(r["solution"])),
                    )
                    for r in batch
                ],
            )
        batch.clear()

    for row in articles_of(rng, n, specs):
        batch.append(row)
        if len(batch) >= CHUNK:
            flush()
    if batch:
        flush()
    return time.perf_counter() - started


@cache
def _words(value: str) -> str:
    return fts_text([value])


#: The year the bulk tickets are received over.
YEAR_SECONDS = 365 * 24 * 3600


def load_tickets(
    db: Database, n: int, calls: list[dict[str, object]], specs: list[dict[str, object]]
) -> float:
    """Bulk-insert ``n`` closed tickets with their index entries, received evenly over the past
    year in the order of their ids (as a desk numbers its calls); returns the seconds."""
    now = datetime.now(UTC)
    postgres = not db.is_sqlite
    texts = [(str(c["summary"]), str(c["description"]), str(c["category"])) for c in calls] + [
        (str(s["title"]), str(s["symptom"]), str(s["category"])) for s in specs
    ]
    solutions = [str(s["solution"]) for s in specs]
    started = time.perf_counter()
    for first in range(0, n, CHUNK):
        rows, docs = [], []
        for i in range(first, min(n, first + CHUNK)):
            summary, description, category = texts[i % len(texts)]
            place = PLACES[i % len(PLACES)]
            who = i % len(NAMES)
            number = f"IT{i:011d}"
            rows.append(
                {
                    "id": i + 1,
                    "number": number,
                    "category": category,
                    "rid": who + 1,
                    "summary": f"{place}{summary}",
                    "description": description,
                    "solution": solutions[i % len(solutions)],
                    "now": now - timedelta(seconds=(n - i) * YEAR_SECONDS // n),
                }
            )
            parts = (place, summary, description, solutions[i % len(solutions)])
            facets = text_search.ticket_facets(
                (number, False, "closed", "P4", None, None, "incident", category, "phone")
            )
            if postgres:
                docs.append(
                    {
                        "id": i + 1,
                        "doc": tsvector_literal(
                            [
                                ([place + summary], "A"),
                                ([NAMES[who], PINYIN[who], number], "B"),
                                ([description, parts[3]], "C"),
                            ]
                        )
                        + " "
                        + facets_literal(facets),
                    }
                )
            else:
                docs.append(
                    {
                        "id": i + 1,
                        "summary": _words(place + summary),
                        "who": f"{_words(NAMES[who])} {PINYIN[who]} {number.lower()}",
                        "body": f"{_words(description)} {_words(parts[3])}",
                        "facets": " ".join(facets),
                    }
                )
        with db.write_engine.begin() as conn:
            if postgres:
                # bulk rows without their events: the desk's own guard allows that only in the
                # owner's deliberate maintenance (the benchmark runs as the database's owner)
                conn.execute(text("SET LOCAL deskui.maintenance = 'on'"))
            conn.execute(
                text(
                    "INSERT INTO ticket (id, number, type, category, channel, status, is_open, "
                    "impact, urgency, priority, matrix_priority, priority_reason, vip, "
                    "requester_id, summary, description, solution, received_at, created_at, "
                    "updated_at, tier, version) VALUES (:id, :number, 'incident', :category, "
                    "'phone', 'closed', false, 3, 3, 'P4', 'P4', 'I3 × U3 → P4', false, :rid, "
                    ":summary, :description, :solution, :now, :now, :now, 1, 1)"
                ),
                rows,
            )
            if postgres:
                conn.execute(
                    text(
                        "INSERT INTO ticket_text (ticket_id, doc) "
                        "VALUES (:id, CAST(:doc AS tsvector))"
                    ),
                    docs,
                )
            else:
                conn.execute(
                    text(
                        "INSERT INTO ticket_text (rowid, summary, who, body, facets) "
                        "VALUES (:id, :summary, :who, :body, :facets)"
                    ),
                    docs,
                )
    return time.perf_counter() - started


def typing(db: Database) -> list[float]:
    """Milliseconds from each key to its suggestions."""
    samples = []
    for call in TYPED:
        for end in range(1, len(call) + 1):
            started = time.perf_counter()
            with db.read() as session:
                suggest(session=session, query=call[:end])
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="a server URL to make a scratch database on")
    parser.add_argument("--rounds", type=int, default=5, help="how often the calls are typed")
    args = parser.parse_args()
    specs, calls = corpus()
    with bench_desk(args.postgres) as (db, kind):
        seconds = load_articles(db, args.articles, specs)
        print(
            f"{kind}: indexed {args.articles:,} articles in {seconds:.1f} s "
            f"({args.articles / seconds:,.0f}/s)"
        )
        seconds = load_tickets(db, args.tickets, calls, specs)
        print(f"{kind}: {args.tickets:,} solved tickets loaded in {seconds:.1f} s")
        if args.postgres:
            with db.write_engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        typing(db)  # warm the caches once
        samples = [ms for _ in range(args.rounds) for ms in typing(db)]
        samples.sort()
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
        print(
            f"{kind}: key → suggestions ({len(samples)} keys): p50 "
            f"{statistics.median(samples):.1f} ms, p99 {p99:.1f} ms, max {samples[-1]:.1f} ms"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{kind}: peak memory (RSS) {peak:.0f} MiB")


if __name__ == "__main__":
    main()
