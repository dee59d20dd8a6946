"""A ticket number in large letters, three lines high, so it can be read out across the desk.

Digits and the letters of the ``IT`` prefix are drawn with box characters; anything else falls
back to the character itself on the middle line. Where the large letters do not fit (the caller
panel of an 80-column terminal), the number is written in plain bold letters on one line rather
than wrapped into pieces nobody can read out.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

#: Columns each glyph takes.
GLYPH_WIDTH = 3

_GLYPHS = {
    "0": ("┏━┓", "┃ ┃", "┗━┛"),
    "1": ("╺┓ ", " ┃ ", "╺┻╸"),
    "2": ("╺━┓", "┏━┛", "┗━╸"),
    "3": ("╺━┓", " ━┫", "╺━┛"),
    "4": ("╻ ╻", "┗━┫", "  ╹"),
    "5": ("┏━╸", "┗━┓", "╺━┛"),
    "6": ("┏━╸", "┣━┓", "┗━┛"),
    "7": ("╺━┓", "  ┃", "  ╹"),
    "8": ("┏━┓", "┣━┫", "┗━┛"),
    "9": ("┏━┓", "┗━┫", "╺━┛"),
    "I": ("╺┳╸", " ┃ ", "╺┻╸"),
    "T": ("╺┳╸", " ┃ ", " ╹ "),
}


def big_text(number: str, style: str = "bold") -> Text:
    """Three lines of ``number`` in box-drawing glyphs."""
    lines = ["", "", ""]
    for char in number:
        glyph = _GLYPHS.get(char.upper(), (" ", char, " "))
        for row in range(3):
            lines[row] += glyph[row]
    return Text("\n".join(lines), style=style, no_wrap=True)


def fits(number: str, width: int) -> bool:
    """The large letters of ``number`` fit in ``width`` columns."""
    return len(number) * GLYPH_WIDTH <= width


class BigNumber(Static):
    """The number of the call just saved."""

    number: reactive[str] = reactive("", layout=True)
    """The number drawn (empty: nothing)."""

    def show(self, number: str) -> None:
        """Draw ``number``."""
        self.number = number

    def render(self) -> Text:
        """Large letters where they fit the width, else the number in bold on one line."""
        if not self.number:
            return Text("")
        if fits(self.number, self.content_size.width):
            return big_text(self.number)
        return Text(self.number, style="bold", no_wrap=True)
