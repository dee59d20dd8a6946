"""The ``deskui`` command: the console by default, and subcommands for scripts."""

from __future__ import annotations

from deskui.cli.main import main

__all__ = ["main"]
