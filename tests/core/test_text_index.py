"""Chinese-aware words for the full-text index: segmentation, folding, queries, snippets."""

from __future__ import annotations

import tomllib

import pytest

from deskui.core.text_index import (
    fold,
    fts_match,
    parse_query,
    snippet,
    tsquery_literal,
    tsvector_literal,
    words,
)


def test_search_mode_keeps_two_character_words_inside_longer_ones() -> None:
    found = words("网络打印机无法打印，忘记密码")
    for word in ("网络", "打印", "打印机", "无法", "忘记", "密码"):
        assert word in found, found


def test_mixed_text_ascii_words_digits_and_case() -> None:
    assert words("VPN 频繁断线") == ["vpn", "频繁", "断线"]
    assert words("Outlook无法收信") == ["outlook", "无法", "收信"]
    assert words("ＥＲＰ登录 IT20261130092") == ["erp", "登录", "it20261130092"]


def test_single_characters_and_particles_are_not_words() -> None:
    assert words("我的电脑坏了") == ["电脑"]
    assert words("") == [] and words(None) == []


def test_traditional_folds_to_simplified_one_character_for_one() -> None:
    text = "網路斷線，投影儀無信號"
    assert fold(text) == "网路断线,投影仪无信号"
    assert len(fold(text)) == len(text)
    assert "断线" in words("網路斷線") and "投影仪" in words("投影儀")


def test_queries() -> None:
    query = parse_query("vpn 断线")
    assert query.terms == ("vpn", "断线") and not query.prefix and not query.any
    assert fts_match(query) == '"vpn" "断线"'
    assert tsquery_literal(query) == "'vpn' & '断线'"
    typing = parse_query("outl", any_word=True)
    assert typing.prefix and fts_match(typing) == '"outl"*'
    assert tsquery_literal(typing) == "'outl':*"
    assert not parse_query("outlook ").prefix  # a finished word
    assert fts_match(parse_query("a b ", any_word=True)) == '"a" OR "b"'


@pytest.mark.parametrize(
    "typed", ["138-0013-8000", "+86 138 0013 8000", "(138) 0013 8000", "(+86)138-0013-8000"]
)
def test_a_phone_in_any_format_is_its_digits(typed: str) -> None:
    assert parse_query(typed).terms == ("13800138000",)


def test_user_text_never_becomes_query_syntax() -> None:
    query = parse_query('打印 OR "x" NEAR(a) * \' -- ;')
    assert fts_match(query) == '"打印" "or" "x" "near" "a"*'
    assert tsquery_literal(query) == "'打印' & 'or' & 'x' & 'near' & 'a':*"


def test_tsvector_weights_and_positions() -> None:
    assert tsvector_literal([(["打印机"], "A"), (["VPN", None], "C")]) == (
        "'打印':1A '印机':2A '打印机':3A 'vpn':4C"
    )


def test_snippet_marks_the_words_found() -> None:
    text = "用户反映打印机一直显示脱机，重启后仍然无法打印。" * 3
    piece = snippet(text, parse_query("打印"), width=30)
    assert piece.text.endswith("…")
    found = [piece.text[a:b] for a, b in piece.marks]
    assert len(found) >= 2 and set(found) == {"打印"}


def test_sub_words_of_a_longer_term_are_not_asked_for_when_every_word_counts() -> None:
    query = parse_query("打印机卡纸无法打印")
    assert set(query.terms) >= {"打印", "印机", "打印机", "卡纸", "无法"}
    assert query.needed == ("打印机", "卡纸", "无法")
    assert fts_match(query) == '"打印机" "卡纸" "无法"'
    assert tsquery_literal(query) == "'打印机' & '卡纸' & '无法'"
    anyword = parse_query("打印机卡纸", any_word=True)
    assert anyword.needed == anyword.terms  # with any word enough, each one ranks


def _corpus() -> list[str]:
    from deskui.config import data_dir

    with (data_dir() / "demo.toml").open("rb") as f:
        calls = tomllib.load(f)["tickets"]
    with (data_dir() / "knowledge.toml").open("rb") as f:
        articles = tomllib.load(f)["articles"]
    texts = [f"{c['summary']} {c.get('description', '')}" for c in calls]
    return texts + [f"{a['title']} {a['symptom']} {a['solution']}" for a in articles]


def test_leaving_out_implied_sub_words_finds_exactly_the_same_texts() -> None:
    texts = _corpus()
    indexed = [set(words(t)) for t in texts]
    checked = 0
    for text in texts:
        for start in range(0, max(1, len(text) - 6), 3):
            query = parse_query(text[start : start + 8])
            if query.needed == query.terms:
                continue
            checked += 1
            full = [i for i, w in enumerate(indexed) if w >= set(query.terms)]
            lean = [i for i, w in enumerate(indexed) if w >= set(query.needed)]
            assert full == lean, (text[start : start + 8], query)
    assert checked > 50
