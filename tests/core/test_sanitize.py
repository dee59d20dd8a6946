"""Sanitizing pasted text: escapes and controls go, every printable character stays."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from deskui.core.sanitize import has_control_characters, sanitize_line, sanitize_text

PRINTABLE = [
    "张三 🧑‍💻 ✅ 👍🏽 é",
    "e\u0301 a\u0308 n\u0303",  # letters built from combining marks
    "👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ 1️⃣ 🇨🇳🇯🇵",
    "打印机卡纸，请尽快处理。（三楼东侧）",
    "日本語 한국어 العربية עברית",
    "tab\tand\nnewline kept",
    "𠀀𪚥 (astral CJK)",
    "",
    "   spaces   ",
    "VS16\ufe0f",
    "می\u200cخواهم",  # Persian: the non-joiner keeps two letters apart
    "क्\u200dष",  # Devanagari: the joiner asks for a half form
]

CLEANED = [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b]0;title\x07", ""),
    ("\x1b]0;title\x07after", "after"),
    ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1b]52;c;aGVsbG8=\x9c", ""),
    ("\x9b2J", ""),
    ("\x9b31mred\x9b0m", "red"),
    ("a\x00b", "ab"),
    ("line1\r\nline2", "line1\nline2"),
    ("line1\rline2", "line1\nline2"),
    ("a\r\r\nb", "a\n\nb"),
    ("a\u2028b\u2029c", "a\nb\nc"),
    ("bell\x07 backspace\x08 vt\x0b ff\x0c", "bell backspace vt ff"),
    ("del\x7f", "del"),
    ("c1\x80\x85\x9f", "c1"),
    ("\x1bPq#0;2;0;0;0#1~~\x1b\\sixel", "sixel"),
    ("\x1bX sos \x1b\\x", "x"),
    ("\x1b^ pm \x1b\\x", "x"),
    ("\x1b_ apc \x1b\\x", "x"),
    ("\x90dcs\x9cx", "x"),
    ("\x1b(Bcharset", "charset"),
    ("\x1b7saved\x1b8", "saved"),
    ("\x1bcreset", "reset"),
    ("\x1b[?1049h\x1b[2J\x1b[H", ""),
    ("\x1b[38;2;255;0;0mrgb\x1b[m", "rgb"),
    ("\x1b[1;31", "1;31"),  # an unterminated CSI keeps its harmless parameters as text
    ("\x1b]0;never ended", "0;never ended"),
    ("trailing escape\x1b", "trailing escape"),
    ("\x1b\x1b[31mx", "x"),
    ("user\u202etxt.exe", "usertxt.exe"),
    ("\u2066isolate\u2069 \u202aembed\u202c \u202b\u202d", "isolate embed "),
    ("lone \ud800 high", "lone  high"),
    ("lone \udfff low", "lone  low"),
    ("pair \ud83d\ude00 rejoined", "pair 😀 rejoined"),
    ("\ud83d\x00\ude00", ""),
]

SINGLE_LINE = [
    ("a\nb", "a b"),
    ("a\tb", "a b"),
    ("a \n\n\t b", "a b"),
    ("line1\r\nline2", "line1 line2"),
    ("  padded \n", "padded"),
    ("\x1b[1mbold\x1b[0m name", "bold name"),
    ("张三\u3000", "张三"),
]

# Invisible characters that make two names or summaries look alike while they differ.
INVISIBLE = [
    ("张\u200b三", "张三"),
    ("\ufeff张三", "张三"),
    ("王\u2060五", "王五"),
    ("Li\u00adLei", "LiLei"),
    ("\u200e张三\u200f", "张三"),
    ("\u061c李四", "李四"),
    ("张\u200d三", "张三"),
    ("a\u200cb", "ab"),
    ("ZWNJ\u200cand ZWJ\u200d and VS16\ufe0f", "ZWNJand ZWJ and VS16\ufe0f"),
    ("\u200d🧑", "🧑"),
    ("🧑\u200d\u200d💻", "🧑💻"),
    ("打印机\u200b卡纸 🧑\u200d💻", "打印机卡纸 🧑\u200d💻"),
]


@pytest.mark.parametrize(("text", "expected"), INVISIBLE)
def test_invisible_characters_are_removed(text: str, expected: str) -> None:
    assert sanitize_text(text) == expected
    assert sanitize_line(text) == expected
    assert has_control_characters(text)
    assert not has_control_characters(expected)
    assert sanitize_text(expected) == expected


DANGEROUS_ALPHABET = (
    "ab 张🧑\u200d\ufe0f\u0301\t\n\r\x00\x07\x1b[]P\\^_X;0m\x7f\x85\x9b\x9c\x9d"
    "\u202e\u2066\ud83d\ude00\udfff\u2028()\u200b\u200c\u200e\u061c\ufeff"
)


def _random_strings(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(DANGEROUS_ALPHABET) for _ in range(rng.randint(0, 40)))
        for _ in range(count)
    ]


CORPUS = PRINTABLE + [source for source, _ in CLEANED + SINGLE_LINE] + _random_strings(400, 7)


@pytest.mark.parametrize("text", PRINTABLE)
def test_printable_text_is_kept_exactly(text: str) -> None:
    assert sanitize_text(text) == text
    assert not has_control_characters(text)


@pytest.mark.parametrize(("raw", "expected"), CLEANED)
def test_controls_and_escape_sequences_are_removed(raw: str, expected: str) -> None:
    assert sanitize_text(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), SINGLE_LINE)
def test_sanitize_line_gives_one_stripped_line(raw: str, expected: str) -> None:
    assert sanitize_line(raw) == expected


def test_single_line_mode_keeps_outer_whitespace() -> None:
    assert sanitize_text(" a\nb ", multiline=False) == " a b "


@pytest.mark.parametrize("text", CORPUS)
def test_sanitize_is_idempotent(text: str) -> None:
    once = sanitize_text(text)
    assert sanitize_text(once) == once
    line = sanitize_line(text)
    assert sanitize_line(line) == line
    short = sanitize_text(text, max_length=5)
    assert sanitize_text(short, max_length=5) == short


@pytest.mark.parametrize("text", CORPUS)
def test_output_never_holds_a_control_character(text: str) -> None:
    cleaned = sanitize_text(text)
    assert not has_control_characters(cleaned)
    assert "\x1b" not in cleaned
    assert "\r" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogate survives
    assert "\n" not in sanitize_line(text)
    assert "\t" not in sanitize_line(text)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abcdef", 3, "abc"),
        ("abc", 3, "abc"),
        ("abc", 10, "abc"),
        ("abc", 0, ""),
        ("张三丰", 2, "张三"),
        ("ab👍🏽", 3, "ab"),  # the skin tone stays with its hand
        ("👍🏽👍🏽", 3, "👍🏽"),
        ("e\u0301e\u0301", 3, "e\u0301"),
        ("x🧑\u200d💻", 3, "x"),  # not cut after the joiner
        ("x🧑\u200d💻", 4, "x🧑\u200d💻"),
        ("❤\ufe0fx", 1, "❤"),  # one cluster longer than the limit: hard cut
        ("🧑\u200d💻", 2, "🧑"),  # and no dangling joiner
        ("🇨🇳🇯🇵", 3, "🇨🇳"),  # flags are pairs
        ("🇨🇳🇯🇵", 2, "🇨🇳"),
        ("\x1b[31mabcdef", 3, "abc"),  # the limit counts what is kept
    ],
)
def test_max_length_truncates_without_splitting_clusters(
    text: str, limit: int, expected: str
) -> None:
    assert sanitize_text(text, max_length=limit) == expected


def test_max_length_on_a_line_counts_after_stripping() -> None:
    assert sanitize_line("   abcdef   ", max_length=3) == "abc"
    assert sanitize_line("ab cdef", max_length=3) == "ab"


@pytest.mark.parametrize("call", [sanitize_text, sanitize_line])
def test_negative_max_length_is_refused(call: Callable[..., str]) -> None:
    with pytest.raises(ValueError, match="max_length"):
        call("abc", max_length=-1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", False),
        ("tab\tnewline\n", False),
        ("张三 🧑‍💻", False),
        ("\r", True),
        ("\x1b[0m", True),
        ("\x00", True),
        ("\x7f", True),
        ("\x9b", True),
        ("\u202e", True),
        ("\u2069", True),
        ("\ud800", True),
    ],
)
def test_has_control_characters(text: str, expected: bool) -> None:
    assert has_control_characters(text) is expected


def test_large_plain_input_is_unchanged() -> None:
    # about 100 000 characters, ending after a whole unit (a joiner at the very end joins nothing)
    text = "工单描述 description 🧑‍💻 " * 4761
    assert sanitize_text(text) == text


def test_large_hostile_input_is_cleaned() -> None:
    unit = "ok\x1b[31m\x1b]0;t\x07\x00\x9b2J\r\n\u202e"
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    cleaned = sanitize_text(text)
    assert set(cleaned) <= set("ok\n")
    assert sanitize_text(cleaned) == cleaned


@pytest.mark.parametrize(
    "text",
    [
        "\x1b[" + "1" * 100_000,
        "\x1b]" + "x" * 100_000,
        "\x1bP" + "x" * 100_000,
        "\x1b[" * 50_000,
        "\x1b]" * 50_000,
        " " * 100_000 + "x",
        " \n" * 50_000,
    ],
)
def test_hostile_long_input_is_cleaned(text: str) -> None:
    cleaned = sanitize_text(text)
    assert "\x1b" not in cleaned and sanitize_text(cleaned) == cleaned
    assert "\n" not in sanitize_line(text)


def test_plain_space_runs_survive_single_line_mode() -> None:
    assert sanitize_line("a   b\n\n c") == "a   b c"
