"""The desk's own words (data/words.txt) on SQLite and PostgreSQL: ``内网`` alone is a word, a
ticket and an article holding it are found by it, and migration 0015 cuts again the entries a
desk indexed before the segmenter knew the word."""

from __future__ import annotations

from unittest import mock

from alembic import command

from deskui.core import text_index
from deskui.services.desk import DeskService
from deskui.services.knowledge import ArticleDraft, KnowledgeBase
from deskui.services.ticket_filters import TicketFilter
from deskui.store import text_search
from deskui.store.migrate import alembic_config, upgrade
from tests.services.test_intake import call

EVERY = ("new", "to_assign", "in_progress")


def test_a_desk_word_alone_is_a_word() -> None:
    assert text_index.words("内网") == ["内网"]
    assert text_index.words("外网") == ["外网"]
    assert "内网" in text_index.words("五楼全部电脑无法访问内网和外网")
    assert "内网" in text_index.words("无法访问内网")


def test_a_ticket_and_an_article_are_found_by_a_desk_word(desk: DeskService) -> None:
    op = desk.actor("op")
    number = desk.create_ticket(
        op, call(summary="三楼电脑无法访问内网", description="外网正常")
    ).number
    assert [v.number for v in desk.tickets(TicketFilter(search="内网", status=EVERY))] == [number]
    assert [v.number for v in desk.tickets(TicketFilter(search="外网", status=EVERY))] == [number]
    kb = KnowledgeBase.of(desk)
    article = kb.add(
        desk.actor("agent1"),
        ArticleDraft(
            title="办公室无法访问内网",
            symptom="能上外网，内网系统打不开",
            cause="DNS 指向错误",
            solution="改回内网 DNS 并刷新缓存",
            category="network",
        ),
    )
    assert article.id in [h.id for h in kb.search("内网", states=("draft",))]


_CUT = text_index.words


def _old_cut(text: str | None) -> list[str]:
    """How the segmenter cut before it knew the desk's words (they were no words)."""
    return [w for w in _CUT(text) if w not in text_index.desk_words()]


def test_the_migration_cuts_again_what_the_index_held(desk: DeskService) -> None:
    op = desk.actor("op")
    number = desk.create_ticket(op, call(summary="无法访问内网")).number
    other = desk.create_ticket(op, call(summary="显示器闪烁")).number
    db = desk.db
    config = alembic_config(db)
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0014")
        # the entry as the segmenter wrote it before: 内网 two single characters, dropped
        with mock.patch.object(text_index, "words", _old_cut):
            text_search.backfill_tickets(conn)
    assert desk.tickets(TicketFilter(search="内网", status=EVERY)) == []
    upgrade(db)
    assert [v.number for v in desk.tickets(TicketFilter(search="内网", status=EVERY))] == [number]
    assert [v.number for v in desk.tickets(TicketFilter(search="闪烁", status=EVERY))] == [other]
