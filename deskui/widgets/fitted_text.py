"""Text drawn for the width it has: drawn again whenever that width changes.

A chart's bars or a legend laid out once, at the width a widget had when its figures arrived,
stays wrong after the terminal is resized (or when the figures arrive before the first layout).
This widget keeps the drawing, not the drawn text, and draws at render time.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widget import Widget

#: What draws the text, given the cells of one line.
Drawing = Callable[[int], Text]


def _blank(room: int) -> Text:
    return Text()


class FittedText(Widget):
    """One or more lines drawn to fit the widget's width (each line is kept to one row)."""

    DEFAULT_CSS = """
    FittedText {
        height: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.drawing: Drawing = _blank
        """Draws what is shown, for the width given."""

    def show(self, drawing: Drawing) -> None:
        """Draw with ``drawing`` from now on."""
        self.drawing = drawing
        self.refresh(layout=True)

    def render(self) -> Text:
        """The text, drawn for the width the widget has now."""
        return self.drawing(self.content_size.width)
