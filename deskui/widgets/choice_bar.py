"""A short list of choices on one line, picked with a single digit (or ←/→, or a click).

Used for type, category, channel, impact, urgency and frequency on the intake form: every
option is on screen with its digit, so the operator picks without opening anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ChoiceBar(Widget, can_focus=True):
    """Options ``1 …``, ``2 …``; the chosen one is highlighted.

    Args:
        options: (value, label) pairs; labels are catalog text, not user input.
        value: the initial choice (None: nothing chosen yet).
        optional: ``0`` clears the choice.
    """

    DEFAULT_CSS = """
    ChoiceBar {
        height: auto;
        width: 1fr;
        padding: 0 1;
    }
    ChoiceBar:focus {
        background: $boost;
    }
    """

    # Priority bindings run the moment the key is read, while this bar still has the focus:
    # in a burst such as "⇥1⇥2" each digit lands on the bar it was typed for, even though the
    # tabs move the focus before the digits would have reached the bar's own message queue.
    BINDINGS = [
        Binding("right", "move(1)", "intake.key.next_choice", show=False, priority=True),
        Binding("left", "move(-1)", "intake.key.previous_choice", show=False, priority=True),
        *(Binding(str(n), f"pick({n})", show=False, priority=True) for n in range(10)),
    ]

    value: reactive[str | None] = reactive(None, init=False)
    """The chosen option's value."""

    class Changed(Message):
        """The choice changed."""

        def __init__(self, bar: ChoiceBar, value: str | None) -> None:
            super().__init__()
            self.bar = bar
            self.value = value

        @property
        def control(self) -> ChoiceBar:
            """The bar that changed."""
            return self.bar

    def __init__(
        self,
        options: Sequence[tuple[str, str]],
        *,
        value: str | None = None,
        optional: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.options = list(options)
        self.optional = optional
        self.set_reactive(ChoiceBar.value, value)

    def _options_text(self) -> list[Text]:
        pieces = []
        numbered: list[tuple[int, str | None, str]] = [(0, None, "–")] if self.optional else []
        numbered += [(n, value, label) for n, (value, label) in enumerate(self.options, 1)]
        for number, value, label in numbered:
            style = Style(meta={"@click": f"pick({number})"})
            if value == self.value:
                style += Style(bold=True, reverse=True)
            pieces.append(Text(f" {number} {label} ", style=style))
        return pieces

    def _layout(self, width: int) -> Text:
        """The options, wrapped between options (never inside one) to ``width`` cells."""
        text = Text(no_wrap=True, overflow="ellipsis")
        used = 0
        for piece in self._options_text():
            size = piece.cell_len + 1
            if used and used + size > width:
                text.append("\n")
                used = 0
            text.append_text(piece)
            text.append(" ")
            used += size
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the options need at this width."""
        return len(self._layout(max(1, width)).plain.split("\n"))

    def render(self) -> Text:
        """``[1 Incident]  2 Service request …`` with the choice highlighted."""
        return self._layout(max(1, self.content_size.width))

    def watch_value(self, value: str | None) -> None:
        """Tell the form."""
        self.post_message(self.Changed(self, value))

    def action_pick(self, number: int) -> None:
        """Choose option ``number`` (1-based); ``0`` clears an optional choice."""
        if number == 0:
            if self.optional:
                self.value = None
            return
        if 1 <= number <= len(self.options):
            self.value = self.options[number - 1][0]

    def action_move(self, step: int) -> None:
        """The next or previous option (wrapping)."""
        values = [value for value, _label in self.options]
        if self.value in values:
            index = (values.index(self.value) + step) % len(values)
        else:
            index = 0 if step > 0 else len(values) - 1
        self.value = values[index]
