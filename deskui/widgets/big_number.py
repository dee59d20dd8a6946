"""A ticket number in large letters, three lines high, so it can be read out across the desk.

Digits and the letters of the ``IT`` prefix are drawn with box characters; anything else falls
back to the character itself on the middle line.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

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


class BigNumber(Static):
    """The number of the call just saved."""

    def show(self, number: str) -> None:
        """Draw ``number``."""
        self.update(big_text(number))
