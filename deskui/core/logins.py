"""Desk logins: one spelling per person, and no look-alike of somebody else's.

A login names a person in every record of the desk and, on a shared desk, a PostgreSQL login
role, so it is kept to what both can spell without quoting surprises: after Unicode NFKC
normalisation and case folding, lowercase ASCII letters, digits, ``.``, ``_`` and ``-``,
starting with a letter, at most :data:`MAX_LOGIN` characters. ``ＡＤＭＩＮ`` (full width) and
``Admin`` are therefore the login ``admin``.

That alone does not stop an impostor: ``adm1n``, ``adrnin`` or the Cyrillic ``аdmin`` read as
``admin`` at a glance in a timeline. :func:`skeleton` maps every character to the one it is
commonly mistaken for (Unicode's confusables data, via ``confusable_homoglyphs``, plus the
digit and letter-pair look-alikes of Latin script), and two logins with the same skeleton are
confusable: the second is refused.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from confusable_homoglyphs import confusables

#: PostgreSQL's identifier limit; a desk's role prefix comes out of it.
MAX_LOGIN = 63
_LOGIN = re.compile(r"[a-z][a-z0-9._-]*")
#: Latin look-alikes that survive case folding (Unicode TR39's skeleton maps these too).
_LATIN_FOLDS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("0", "o"), ("1", "l"), ("i", "l"))


def normalize_login(text: str) -> str:
    """The login as stored and compared: NFKC, case-folded, without surrounding spaces."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def is_valid_login(login: str) -> bool:
    """A normalised login that a desk (and PostgreSQL) can use as is."""
    return len(login) <= MAX_LOGIN and _LOGIN.fullmatch(login) is not None


@cache
def _ascii_twin(char: str) -> str:
    """The ASCII character ``char`` is commonly mistaken for, or ``char`` itself."""
    if char.isascii():
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=[])
    for entry in found or []:
        for glyph in entry["homoglyphs"]:
            twin = str(glyph["c"])
            if twin.isascii() and len(twin) == 1:
                return twin.casefold()
    return char


def skeleton(text: str) -> str:
    """What ``text`` looks like: the same for every login a reader could mistake for another."""
    folded = "".join(_ascii_twin(c) for c in normalize_login(text))
    for pair, single in _LATIN_FOLDS:
        folded = folded.replace(pair, single)
    return folded


def confusable_with(login: str, existing: list[str]) -> str | None:
    """The first of ``existing`` that ``login`` could be mistaken for (not itself), or None."""
    mark = skeleton(login)
    for other in existing:
        if other != login and skeleton(other) == mark:
            return other
    return None
