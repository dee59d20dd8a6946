"""Fitting text to a column: cut with an ellipsis, or padded, to exactly so many terminal cells.

Chinese characters take two cells, Latin letters one; both tables (the queue's and the board's)
lay out their columns in cells, so they share these two.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from deskui.i18n import Catalog


def fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def fit_text(value: str | Text, width: int, style: str | Style = "") -> Text:
    """As :func:`fit`, keeping a :class:`~rich.text.Text`'s own styles."""
    if isinstance(value, str):
        return Text(fit(value, width), style=style, no_wrap=True)
    text = value.copy()
    text.no_wrap = True
    text.truncate(max(0, width), overflow="ellipsis", pad=True)
    return text


def fit_either(full: str, short: str, width: int) -> str:
    """``full`` fitted to ``width`` cells where it fits whole, else ``short`` (cut if need be)."""
    return fit(full if cell_len(full) <= width else short, width)


def short_word(t: Catalog, key: str) -> str:
    """The catalog entry ``key`` in its short form (``key.short``) where the catalog has one."""
    return t(f"{key}.short") if t.has(f"{key}.short") else t(key)


def word(t: Catalog, key: str, width: int) -> str:
    """The catalog entry ``key`` fitted to ``width`` cells: in full where it fits, else its
    short form rather than a cut word."""
    return fit_either(t(key), short_word(t, key), width)
