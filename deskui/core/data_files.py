"""Where the shipped data files live (the rule files' defaults, the segmenter's words)."""

from __future__ import annotations

from pathlib import Path


def data_dir() -> Path:
    """Where the shipped configuration lives: inside the wheel, or the repository's data/."""
    packaged = Path(__file__).resolve().parent.parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "data"
