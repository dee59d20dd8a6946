"""A plot whose labels along the x axis are only those that fit its width.

Plotext drops a label that would touch one already drawn, but it draws them in the order of a set
(``plotext._utility.brush``), which changes from run to run with Python's string hashing: on a
narrow plot a different week went missing each time. So the plot thins the labels itself, for the
width it has when drawn: every label, else every second, every third… counted back from the last,
the first spacing at which plotext draws every label it is given.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot


def every(count: int, step: int) -> list[int]:
    """Every ``step``-th of ``count`` positions, counted back from the last."""
    return [i for i in range(count) if (count - 1 - i) % step == 0]


class TickedPlot(PlotextPlot):
    """A plot with one label per x position, as many of them drawn as fit."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.positions: Sequence[float] = ()
        """Where the labels go on the x axis, first to last."""
        self.labels: Sequence[str] = ()
        """A label (without spaces) for each position."""

    def label_x(self, positions: Sequence[float], labels: Sequence[str]) -> None:
        """Label the x axis at ``positions``."""
        self.positions, self.labels = positions, labels
        self.refresh()

    def render(self) -> RenderResult:
        """The plot, with the labels that fit its width now."""
        if self.labels:
            self.plt.plotsize(self.size.width, self.size.height)
            for step in range(1, len(self.labels) + 1):
                kept = [self.labels[i] for i in every(len(self.labels), step)]
                self.plt.xticks([self.positions[i] for i in every(len(self.labels), step)], kept)
                # the labels are the plot's last line
                last = Text.from_ansi(self.plt.build()).plain.rstrip("\n").rsplit("\n", 1)[-1]
                if last.split() == kept:
                    break
        return super().render()
