"""The agent's live queue (F3)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Static


class QueueScreen(Screen[None]):
    """Placeholder until the live queue lands."""

    def compose(self) -> ComposeResult:
        yield Static("queue", id="placeholder")
        yield Footer()
