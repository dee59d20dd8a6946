"""Text that wraps by the Chinese line-breaking rule (:mod:`deskui.core.line_break`), for any
place that shows a long message or explanation: :class:`Wrapped` in a cell of a Rich table,
:class:`WrappedStatic` for a line of the console (a form's message and its fields' errors).

Rich and Textual break a Chinese sentence wherever the line is full, so ``。`` or ``，`` can open
the next line. Wrapped hands them ready-made lines instead, each line styled as the text was.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, VisualType
from textual.widgets import Static

from deskui.core.line_break import line_spans

#: The narrowest a wrapped text asks a table for (cells).
MIN_WIDTH = 12


class Wrapped:
    """``text`` in lines broken where the Chinese rule allows (styles kept).

    Args:
        text: what to show (a ``str`` is shown as it is, never as markup).
        style: the style of a ``str``.
    """

    def __init__(self, text: Text | str, style: str = "") -> None:
        self.text = text if isinstance(text, Text) else Text(text, style=style)

    @property
    def plain(self) -> str:
        """The text without its styles."""
        return self.text.plain

    def __str__(self) -> str:
        return self.text.plain

    def lines(self, width: int) -> list[Text]:
        """The lines in ``width`` cells."""
        out: list[Text] = []
        for paragraph in self.text.split("\n", allow_blank=True):
            for start, end in line_spans(paragraph.plain, width):
                out.append(paragraph[start:end])
        return out

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines(options.max_width):
            yield from line.render(console, end="")
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((line.cell_len for line in self.text.split("\n")), default=0)
        return Measurement(min(MIN_WIDTH, longest), longest).clamp(max_width=options.max_width)


class RuledContent(Content):
    """Content whose lines break where the Chinese rule allows, at whatever width it is laid
    out (its text, ``str()`` of it, stays as given: the breaks are the layout's)."""

    def ruled(self, width: int) -> Content:
        """The content with a line break wherever a line of ``width`` cells ends."""
        if width <= 0 or self.cell_length <= width:
            return Content(self.plain, list(self.spans))
        lines: list[Content] = []
        for paragraph in self.split("\n", allow_blank=True):
            lines.extend(paragraph[start:end] for start, end in line_spans(paragraph.plain, width))
        return Content("\n").join(lines)

    def get_height(self, rules: RulesMap, width: int) -> int:
        """The lines it takes at ``width``, broken by the rule."""
        pad = rules.get("line_pad", 0) * 2
        return self.ruled(width - pad).get_height(rules, width)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        """The lines broken by the rule, then laid out as Textual lays out any content."""
        pad = options.rules.get("line_pad", 0) * 2
        return self.ruled(width - pad).render_strips(width, height, style, options)


class WrappedStatic(Static):
    """A Static whose text wraps by the Chinese rule (what ``render()`` gives reads as the text
    given; only the layout breaks it)."""

    def render(self) -> VisualType:
        """The content, to be broken into lines by the rule."""
        shown = super().render()
        if isinstance(shown, Content) and not isinstance(shown, RuledContent):
            return RuledContent(shown.plain, list(shown.spans))
        return shown
