"""Where a line of mixed Chinese and Latin text may break, by the Chinese rule (避头尾): a line
never starts with closing punctuation (。，、；：）」 …) and never ends with opening punctuation
(（「 …). Between two Chinese characters a line may break anywhere else; Latin words break at
spaces, and a word longer than the line is cut.

Rich and Textual break Chinese text only where it is too long for the line, wherever that falls,
so a sentence's full stop can open the next line. The console's wrapped texts go through
:func:`line_spans` instead (``deskui.widgets.wrapped``). Pure: widths are counted here in
terminal cells (East Asian wide and full-width characters take two).
"""

from __future__ import annotations

import unicodedata

#: Never the first character of a line.
NO_LINE_START = frozenset("。，、；：？！）」』】》〉〕…‥・ー’”.,;:?!)]}%·")
#: Never the last character of a line.
NO_LINE_END = frozenset("（「『【《〈〔‘“([{")


def cells(char: str) -> int:
    """How many terminal cells ``char`` takes (0 for a combining mark)."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _wide(char: str) -> bool:
    return cells(char) == 2


def may_break(before: str, after: str) -> bool:
    """A line may end after ``before`` and the next start with ``after``."""
    if after in NO_LINE_START or before in NO_LINE_END or after.isspace():
        return False
    return before.isspace() or _wide(before) or _wide(after)


def line_spans(text: str, width: int) -> list[tuple[int, int]]:
    """The lines of one paragraph (no ``\\n``) in ``width`` cells, as ``(start, end)`` slices of
    ``text``; the spaces where a line breaks belong to no line."""
    if width <= 0 or not text:
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    start, size = 0, len(text)
    while start < size:
        while start < size and text[start].isspace():
            start += 1
        if start >= size:
            break
        used, at, last = 0, start, 0
        while at < size:
            width_of = cells(text[at])
            if used + width_of > width and at > start:
                break
            used += width_of
            at += 1
            if at < size and may_break(text[at - 1], text[at]):
                last = at
        if at >= size:
            spans.append((start, size))
            break
        cut = last if last > start else at
        if cut == at and text[at] in NO_LINE_START and at - 1 > start:
            cut = at - 1  # a cut word: its punctuation's neighbour goes down with it
        end = cut
        while end > start and text[end - 1].isspace():
            end -= 1
        spans.append((start, end))
        start = cut
    return spans or [(0, 0)]


def wrap(text: str, width: int) -> list[str]:
    """``text`` (paragraphs split at ``\\n``) as lines of at most ``width`` cells."""
    return [
        paragraph[start:end]
        for paragraph in text.split("\n")
        for start, end in line_spans(paragraph, width)
    ]
