"""Lines of Chinese text never start with closing punctuation (避头尾)."""

from __future__ import annotations

import pytest

from deskui.core.line_break import NO_LINE_END, NO_LINE_START, line_spans, wrap

SAVED = "工单号 IT20261201089 已发往终端的剪贴板（本机没有可用的剪贴板）。可以接下一个电话了。"
HELP = "回答来电时采用旁边显示的公告，公告作为解决方案，当场解决"
ARTICLE = "根据已解决的工单撰写知识库文章（现象、解决方案、类型已填好，并关联本工单）"


@pytest.mark.parametrize("text", [SAVED, HELP, ARTICLE])
@pytest.mark.parametrize("width", range(6, 70))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(
    text: str, width: int
) -> None:
    lines = wrap(text, width)
    assert all(line and line[0] not in NO_LINE_START for line in lines), lines
    assert all(line[-1] not in NO_LINE_END for line in lines), lines
    assert "".join("".join(lines).split()) == "".join(text.split())


def test_the_cut_that_would_open_a_line_with_a_full_stop_takes_the_character_before() -> None:
    # 38 cells end just before "。": the closing bracket and 板 go down together
    lines = wrap(SAVED, 60)
    assert lines[1].startswith("。") is False
    assert wrap("剪贴板。可以", 6) == ["剪贴", "板。可", "以"]


def test_latin_words_break_at_spaces_and_long_ones_are_cut() -> None:
    assert wrap("Ready for the next call.", 10) == ["Ready for", "the next", "call."]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert line_spans("", 5) == [(0, 0)]


def test_paragraphs_keep_their_breaks() -> None:
    assert wrap("一二\n三四", 10) == ["一二", "三四"]
