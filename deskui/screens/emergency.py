"""The emergency board (F4): SLA countdowns of everything urgent."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static


class EmergencyBoard(Screen[None]):
    """Placeholder until the emergency board lands."""

    def compose(self) -> ComposeResult:
        yield Static("board", id="placeholder")
        yield Footer()
