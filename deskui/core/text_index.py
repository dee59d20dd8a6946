"""Chinese-aware text for the desk's full-text index: the same words on SQLite and PostgreSQL.

Chinese has no spaces, so text is cut into words before either database sees it, and both store
the same words: SQLite's FTS5 reads them space-separated, PostgreSQL's tsvector as lexemes
written out here (:func:`tsvector_literal`), so neither database's own parser (nor its locale)
decides what a word is, and a query finds the same rows on both.

- Text is first folded, one character for one character (so that offsets found in the folded
  text are offsets in the original): full-width ASCII to ASCII, upper to lower case, traditional
  characters to simplified ones (OpenCC's character table, as far as one character maps to one).
- Runs of Chinese characters are cut by jieba in its search mode: a long word yields its
  dictionary sub-words too (打印机 → 打印, 打印机), so a two-character query such as 网络, 打印
  or 密码 matches inside longer text. Single characters and a few particles are dropped.
- Runs of ASCII letters and digits are words as they are (``vpn``, ``outlook``, ``it20261130092``).
- A query that looks like a phone number in any format (``138-0013-8000``, ``+86 138 0013
  8000``) is one word of its digits.

A ticket's document also holds facet words (:func:`facet`: ``=status=in_progress``,
``=group=2``, the number reversed as ``=n=…``) that no text can yield, so a search narrowed by a
view and filters is answered by the index alone, and a number's tail is a prefix there.

A query is the conjunction of its words (every word must be present); :attr:`Query.any` makes it
the disjunction instead, ranked, for suggestions while someone is still typing. Its last ASCII
word also matches as a prefix (``outl`` finds ``outlook``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import jieba

from deskui.core.data_files import data_dir

#: The longest word kept (longer runs of letters or digits are cut there).
MAX_WORD = 64
#: The most positions one document gives PostgreSQL (its limit is 16,383).
MAX_POSITIONS = 16_000
#: Chinese words that say nothing about a problem.
STOP_WORDS = frozenset(
    "我们 你们 他们 一下 一个 这个 那个 什么 怎么 现在 已经 还是 可以 没有 就是".split()
)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(f"[{_CJK}]+|[a-z0-9]+")
_IS_CJK = re.compile(f"[{_CJK}]")
_PHONE = re.compile(r"[+(\d][\d\s\-()+]{6,}\d")
_lock = threading.Lock()
#: What a facet word starts with: words cut from text are letters, digits or Chinese, never this.
FACET_MARK = "="
_FACET_VALUE = re.compile(r"[^a-z0-9_]")
#: Facets a search is narrowed by: every group must hold, by any one of its facets.
Facets = tuple[tuple[str, ...], ...]


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {c: chr(c + 0x20) for c in range(ord("A"), ord("Z") + 1)}
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[c] = chr(c - 0xFEE0).lower()
    table[0x3000] = " "
    try:
        data = (
            resources.files("opencc_purepy")
            .joinpath("dicts/TSCharacters.txt")
            .read_text(encoding="utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - a broken install
        return table
    for line in data.splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1:
            table[ord(source)] = target
    return table


@cache
def _table() -> dict[int, str]:
    return _fold_table()


def fold(text: str) -> str:
    """``text`` with full-width ASCII, capitals and traditional characters folded, one character
    for one (``len(fold(t)) == len(t)``)."""
    return text.translate(_table())


@cache
def desk_words() -> tuple[str, ...]:
    """Words of an IT service desk the segmenter's dictionary lacks or holds too rarely
    (``data/words.txt``): cut whole, so that ``内网`` is a word in a sentence and in a search
    alike, rather than two single characters a search drops."""
    text = (data_dir() / "words.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@cache
def _segmenter() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    jieba.setLogLevel(logging.WARNING)
    with _lock:
        tokenizer.initialize()
        for word in desk_words():
            # just often enough to be cut whole (a word it knows well keeps its frequency)
            wanted = tokenizer.suggest_freq(word, tune=False)
            if (tokenizer.FREQ.get(word) or 0) < wanted:
                tokenizer.add_word(word, freq=wanted)
    return tokenizer


def prepare() -> None:
    """Load the dictionary now (about a second), rather than on the first word cut."""
    _segmenter()
    _table()


def _cjk_words(run: str) -> Iterable[str]:
    for word in _segmenter().cut_for_search(run, HMM=True):
        if len(word) > 1 and word not in STOP_WORDS:
            yield word


def words(text: str | None) -> list[str]:
    """The words of ``text`` to index, in order, repeats kept (see the module's description)."""
    if not text:
        return []
    out: list[str] = []
    for match in _RUN.finditer(fold(text)):
        run = match.group()
        if _IS_CJK.match(run):
            out.extend(_cjk_words(run))
        else:
            out.append(run[:MAX_WORD])
    return out


@dataclass(frozen=True)
class Query:
    """What a search asks for.

    Attributes:
        terms: the distinct words, in the order typed.
        prefix: the last word also matches as a prefix (it is letters or digits being typed).
        any: a row matches on any word (ranked), not only on all of them.
    """

    terms: tuple[str, ...]
    prefix: bool = False
    any: bool = False

    @property
    def empty(self) -> bool:
        """Nothing to search for."""
        return not self.terms

    @property
    def needed(self) -> tuple[str, ...]:
        """The terms the database is asked for.

        With every word required, a Chinese dictionary word of two or three characters inside
        a longer term adds nothing: wherever the index holds a word it holds that word's
        dictionary sub-words of two and three characters beside it (:func:`words` cuts in
        jieba's search mode), so ``打印 印机 打印机`` finds exactly the rows ``打印机`` finds, at
        a third of the cost. With any word enough, every term counts.
        """
        if self.any:
            return self.terms
        return tuple(t for t in self.terms if not _implied(t, self.terms))


def _implied(term: str, terms: Sequence[str]) -> bool:
    """``term`` is a sub-word the index holds wherever it holds a longer one of ``terms``."""
    if len(term) not in (2, 3) or not _IS_CJK.match(term) or not _segmenter().FREQ.get(term):
        return False
    return any(len(other) > len(term) and term in other for other in terms)


def parse_query(text: str, *, any_word: bool = False) -> Query:
    """The query for what someone typed (see the module's description)."""
    finished = text[-1:].isspace()
    text = text.strip()
    phone = _PHONE.fullmatch(text)
    if phone:
        digits = re.sub(r"\D", "", text)
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        return Query((digits,), prefix=True, any=any_word)
    terms = tuple(dict.fromkeys(words(text)))
    prefix = bool(terms) and not _IS_CJK.match(terms[-1]) and not finished
    return Query(terms, prefix=prefix, any=any_word)


def fts_text(parts: Iterable[str | None]) -> str:
    """One FTS5 column: the words of ``parts``, space-separated."""
    return " ".join(w for part in parts for w in words(part))


def facet(name: str, value: object) -> str:
    """The index word saying a document's ``name`` is ``value`` (``=status=in_progress``;
    None is ``none``): never a word of any text, so no search finds it by accident."""
    shown = "none" if value is None else str(value).lower()
    return f"{FACET_MARK}{name}{FACET_MARK}{_FACET_VALUE.sub('_', shown)}"


def number_facet(number: str) -> str:
    """The facet of a ticket's number, reversed, so that its tail is the facet's prefix."""
    return facet("n", number[::-1])


def fts_match(query: Query, *, facets: Facets = (), tail: str | None = None) -> str:
    """The FTS5 MATCH expression of ``query`` (words quoted; never FTS5 syntax from the user).

    ``tail``: digits; the numbers ending with them match too. ``facets``: every group must
    hold."""
    quoted = [f'"{t}"' for t in query.needed]
    if query.prefix and quoted:
        quoted[-1] += "*"
    words = (" OR " if query.any else " ").join(quoted)
    if tail:
        words = f'({words}) OR "{number_facet(tail)}"*' if words else f'"{number_facet(tail)}"*'
    if not facets:
        return words
    groups = ["(" + " OR ".join(f'"{f}"' for f in group) + ")" for group in facets]
    return " AND ".join([f"({words})", *groups])


def _quote_lexeme(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"


def tsvector_literal(columns: Sequence[tuple[Iterable[str | None], str]]) -> str:
    """A PostgreSQL tsvector in its text form: each column's words at their positions with the
    column's weight (``A``–``D``), e.g. ``'打印机':1A 'vpn':2C``."""
    entries: list[str] = []
    position = 0
    for parts, weight in columns:
        for part in parts:
            for word in words(part):
                position += 1
                if position > MAX_POSITIONS:
                    return " ".join(entries)
                entries.append(f"{_quote_lexeme(word)}:{position}{weight}")
    return " ".join(entries)


def tsquery_literal(query: Query, *, facets: Facets = (), tail: str | None = None) -> str:
    """The PostgreSQL tsquery of ``query`` in its text form (``tail`` and ``facets`` as for
    :func:`fts_match`)."""
    quoted = [_quote_lexeme(t) for t in query.needed]
    if query.prefix and quoted:
        quoted[-1] += ":*"
    words = (" | " if query.any else " & ").join(quoted)
    if tail:
        tails = _quote_lexeme(number_facet(tail)) + ":*"
        words = f"({words}) | {tails}" if words else tails
    if not facets:
        return words
    groups = ["(" + " | ".join(_quote_lexeme(f) for f in group) + ")" for group in facets]
    return " & ".join([f"({words})", *groups])


def facets_literal(facets: Iterable[str]) -> str:
    """Facet words as a PostgreSQL tsvector in its text form (no positions: a facet is there or
    not)."""
    return " ".join(_quote_lexeme(f) for f in facets)


@dataclass(frozen=True)
class Snippet:
    """A piece of a text around the first place a query's words occur.

    Attributes:
        text: the piece (with ``…`` where it was cut).
        marks: ``(start, end)`` offsets in :attr:`text` of each occurrence of a word.
    """

    text: str
    marks: tuple[tuple[int, int], ...] = ()


def snippet(text: str, query: Query, width: int = 60) -> Snippet:
    """The part of ``text`` (one line) around the first word of ``query`` found in it."""
    flat = " ".join(text.split())
    folded = fold(flat)
    hits = sorted(
        (m.start(), m.start() + len(term))
        for term in query.terms
        for m in re.finditer(re.escape(term), folded)
    )
    start = max(0, hits[0][0] - width // 4) if hits else 0
    end = min(len(flat), start + width)
    piece = flat[start:end]
    lead = "…" if start else ""
    tail = "…" if end < len(flat) else ""
    marks: list[tuple[int, int]] = []
    for a, b in hits:
        a, b = a - start + len(lead), b - start + len(lead)
        if a >= len(lead) and b <= len(lead) + len(piece) and (not marks or a >= marks[-1][1]):
            marks.append((a, b))
    return Snippet(lead + piece + tail, tuple(marks))
