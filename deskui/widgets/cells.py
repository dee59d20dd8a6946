"""Fitting text to a column: cut with an ellipsis, or padded, to exactly so many terminal cells.

Chinese characters take two cells, Latin letters one; both tables (the queue's and the board's)
lay out their columns in cells, so they share these two.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text


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
