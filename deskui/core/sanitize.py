"""Cleaning untrusted text before it is stored or drawn in a terminal.

Anything a caller dictated, an agent typed or somebody pasted from a chat window may carry terminal
escape sequences (which can recolour, retitle or even rewrite the screen of whoever later reads the
ticket), raw control characters, bidirectional overrides and marks that make text read differently
from how it is stored, invisible characters that make two names look alike while they differ (or a
secret's label escape the masking), and lone surrogates that cannot be encoded. This module removes
exactly those and nothing else: every printable character, including CJK, emoji sequences and
combining marks, passes through untouched.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["has_control_characters", "sanitize_line", "sanitize_text"]

# Terminal escape sequences are removed whole, not just their ESC byte: dropping only the
# introducer would leave fragments such as "[31m" or "]0;title" in the stored text.
_ESCAPE_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b) [0-?]* [\x20-/]* [@-~]                    # CSI, 7-bit and 8-bit
    | (?:\x1b\]|\x9d) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)     # OSC, ended by BEL or ST
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]) [^\x1b\x9c]* (?:\x1b\\|\x9c)  # DCS, SOS, PM, APC
    | \x1b [\x20-/]* [0-~]                                      # every other ESC sequence
    """,
    re.VERBOSE,
)

# A high surrogate followed by a low one is a character that was decoded in two halves (JSON
# "\ud83d\ude00", UTF-16 round trips); it is rejoined rather than lost.
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")

# Everything removed after escape sequences are gone. Tab and newline are the only C0 controls
# a description legitimately needs; carriage returns are rewritten before this runs.
# Besides the controls: the zero-width space, word joiner, zero-width no-break space (BOM), soft
# hyphen, and the left-to-right, right-to-left and Arabic letter marks.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
    "\u200b\u200e\u200f\u2060\ufeff\u00ad\u061c]",
)

# One search decides whether the slow path is needed at all; most text is plain and skips it.
_NEEDS_WORK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\u2028\u2029"
    "\u200b-\u200f\u2060\ufeff\u00ad\u061c]",
)

# The zero-width joiner and non-joiner have a job only between two characters of an emoji
# sequence or of a script that joins its letters (Arabic, Persian, the Indic scripts); next to
# ASCII, CJK, whitespace, the text's ends or another joiner they only hide a difference.
_JOINERS = re.compile("[\u200c\u200d]")
_NO_JOINING = re.compile(
    "[\x00-\x7f\\s\u200c\u200d\u2e80-\u303f\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\uff00-\uffef\U00020000-\U0003ffff]"
)

_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_WHITESPACE_RUN = re.compile("[ \t\n]+")

_ZWJ = "\u200d"
_JOINER_CHARS = ("\u200c", _ZWJ)


def sanitize_text(text: str, *, multiline: bool = True, max_length: int | None = None) -> str:
    """Return ``text`` without anything that could hide, spoof or drive a terminal.

    Removed: whole ANSI/VT escape sequences (CSI, OSC, DCS, SOS, PM, APC and two-character ESC
    sequences, in their 7-bit and 8-bit forms), C0 control characters other than tab and
    newline, DEL, C1 controls (U+0080-U+009F), bidirectional embedding, override and isolate
    characters (U+202A-U+202E, U+2066-U+2069), the left-to-right, right-to-left and Arabic letter
    marks, zero-width spaces, word joiners, byte-order marks and soft hyphens, zero-width joiners
    and non-joiners that join nothing (see ``_JOINERS``), and lone surrogates. ``\\r\\n``, a
    lone ``\\r`` and the Unicode line and paragraph separators become ``\\n``. Printable text,
    including zero-width joiners and variation selectors inside emoji and joiners inside Arabic
    or Indic words, is kept exactly.

    The result is a fixed point: sanitizing it again returns it unchanged.

    Args:
        text: Untrusted input.
        multiline: When false, every run of whitespace that contains a tab or a newline is
            collapsed into a single space, for one-line fields.
        max_length: When given, the result is cut to at most this many code points, backing off
            so that an emoji sequence or a letter with its combining marks is not split when a
            shorter cut allows it.

    Returns:
        The cleaned text.

    Raises:
        ValueError: If ``max_length`` is negative.
    """
    if max_length is not None and max_length < 0:
        raise ValueError(f"max_length must not be negative, got {max_length}")
    cleaned = _clean(text) if _NEEDS_WORK.search(text) else text
    if not multiline and ("\n" in cleaned or "\t" in cleaned):
        cleaned = _WHITESPACE_RUN.sub(_collapse_break, cleaned)
    if max_length is not None:
        cleaned = _truncate(cleaned, max_length)
    return cleaned


def sanitize_line(text: str, *, max_length: int | None = None) -> str:
    """Return ``text`` cleaned for a one-line field such as a name, subject or phone number.

    Same rules as :func:`sanitize_text` with ``multiline=False``, then leading and trailing
    whitespace is stripped. Truncation happens after stripping, so the limit applies to what
    is kept, and any whitespace left dangling by the cut is stripped too.

    Args:
        text: Untrusted input.
        max_length: Optional limit in code points.

    Returns:
        The cleaned single line.

    Raises:
        ValueError: If ``max_length`` is negative.
    """
    line = sanitize_text(text, multiline=False).strip()
    if max_length is not None:
        if max_length < 0:
            raise ValueError(f"max_length must not be negative, got {max_length}")
        line = _truncate(line, max_length).rstrip()
    return line


def has_control_characters(text: str) -> bool:
    """Tell whether ``text`` holds a control character :func:`sanitize_text` would not keep.

    Tab and newline are not counted; carriage returns, escape, every other C0 and C1 control,
    DEL, the bidirectional controls and marks, the invisible characters (zero-width space, word
    joiner, BOM, soft hyphen, a joiner outside an emoji or a joining script) and lone surrogates
    are.

    Args:
        text: Text to inspect.

    Returns:
        True if at least one such character is present.
    """
    return _UNWANTED.search(text) is not None or any(
        _stray_joiner(text, m.start()) for m in _JOINERS.finditer(text)
    )


def _clean(text: str) -> str:
    # Order matters for idempotence: sequences go first (they are defined by the very bytes the
    # later step deletes), and once every control character is gone nothing can form a new one.
    text = _SURROGATE_PAIR.sub(_join_surrogates, text)
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _UNWANTED.sub("", text)
    return _JOINERS.sub(lambda m: "" if _stray_joiner(text, m.start()) else m.group(), text)


def _stray_joiner(text: str, index: int) -> bool:
    if index == 0 or index == len(text) - 1:
        return True
    return bool(_NO_JOINING.match(text[index - 1]) or _NO_JOINING.match(text[index + 1]))


def _collapse_break(match: re.Match[str]) -> str:
    # Runs of plain spaces are content and stay; only runs that break the line become one space.
    run = match.group()
    return " " if "\n" in run or "\t" in run else run


def _join_surrogates(match: re.Match[str]) -> str:
    pair = match.group()
    high, low = pair[0], pair[1]
    return chr(0x10000 + ((ord(high) - 0xD800) << 10) + (ord(low) - 0xDC00))


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = limit
    while cut > 0 and _continues_cluster(text, cut):
        cut -= 1
    if cut:
        return text[:cut]
    # A single cluster longer than the whole limit cannot be kept intact; a hard cut keeps at
    # least its base character rather than returning nothing, minus a joiner left dangling.
    return text[:limit].rstrip("".join(_JOINER_CHARS))


def _continues_cluster(text: str, index: int) -> bool:
    """Whether a cut just before ``text[index]`` would split a user-perceived character."""
    char = text[index]
    previous = text[index - 1]
    if previous in _JOINER_CHARS or _is_extender(char):
        return True
    if _is_regional_indicator(char) and _is_regional_indicator(previous):
        # Flags are pairs of regional indicators; an odd count before the cut means the cut
        # falls between the two halves of one flag.
        run = 0
        position = index - 1
        while position >= 0 and _is_regional_indicator(text[position]):
            run += 1
            position -= 1
        return run % 2 == 1
    return False


def _is_extender(char: str) -> bool:
    code = ord(char)
    return (
        code == 0x200D
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
        or unicodedata.category(char) in ("Mn", "Mc", "Me")
    )


def _is_regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
