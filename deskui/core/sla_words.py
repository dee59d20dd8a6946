"""An SLA target in words, and back: ``3 working_days`` (how the rules store it) shown as
``3 个工作日`` or ``3 working days``, and what an operator types in either language read back
into the stored form.

The words themselves are the catalog's; this knows only the stored form (``AMOUNT UNIT``, the
unit one of :data:`UNITS`) and how a typed amount and unit word are matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

#: The units a stored target is written in (``15 minutes``, ``3 working_days``).
UNITS = ("minutes", "hours", "business_hours", "working_days")

_TYPED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(.+?)\s*$")


def _amount(text: str) -> int | float | None:
    """A positive amount (whole when it is whole), or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not 0 < value < float("inf"):
        return None
    return int(value) if value.is_integer() else value


def _squeezed(text: str) -> str:
    return "".join(text.split()).casefold()


def split_target(stored: str) -> tuple[int | float, str] | None:
    """The amount and unit of a stored target (``"4 hours"`` → ``(4, "hours")``), or None when
    ``stored`` is not ``AMOUNT UNIT`` with a positive amount and one of :data:`UNITS`."""
    parts = stored.split()
    if len(parts) != 2 or parts[1] not in UNITS:
        return None
    amount = _amount(parts[0])
    return None if amount is None else (amount, parts[1])


def target_words(stored: str, unit_word: Callable[[str, int | float], str]) -> str:
    """A stored target in words: the amount, a space, ``unit_word(unit, amount)`` (the
    language's word for that many of the unit). A text that is not a stored target is shown as
    it is."""
    split = split_target(stored)
    if split is None:
        return stored
    amount, unit = split
    return f"{amount} {unit_word(unit, amount)}"


def read_target(typed: str, unit_words: Mapping[str, Iterable[str]]) -> str | None:
    """What an operator typed, as the stored target (``"4 小时"`` → ``"4 hours"``), or None.

    ``unit_words`` gives, per unit, every word that names it (each language, singular and
    plural); the unit's own name is always understood. Case and spaces do not matter
    (``4小时``, ``2 Working Days``).
    """
    match = _TYPED.match(typed)
    if match is None:
        return None
    amount_text, word = match.group(1), _squeezed(match.group(2))
    if _amount(amount_text) is None:
        return None
    for unit in UNITS:
        names = {_squeezed(unit), *(_squeezed(w) for w in unit_words.get(unit, ()))}
        if word in names:
            return f"{amount_text} {unit}"
    return None
