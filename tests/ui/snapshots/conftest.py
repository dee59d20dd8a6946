"""A snapshot that does not match says how, in the test's own output.

The plugin's HTML report lives on the machine that ran the tests; a CI log keeps only text. So a
mismatch also prints the screen's rows as text, expected against actual, and, where the text is
the same, the rows whose styles differ.
"""

from __future__ import annotations

import difflib
import html
import pickle
import re
from collections.abc import Callable
from typing import Any

import pytest
from pytest_textual_snapshot import node_to_report_path
from textual.app import App

_TEXT = re.compile(
    r'<text class="([^"]*)"[^>]*clip-path="url\(#[\w-]*-line-(\d+)\)"[^>]*>([^<]*)</text>'
)


def svg_rows(svg: str, *, styled: bool = False) -> list[str]:
    """The terminal rows of a Textual SVG screenshot, in order (with each run's style class when
    ``styled``: the class names are numbered per file, so only compare styled rows of two
    screenshots of the same screen)."""
    rows: dict[int, list[str]] = {}
    for style, line, text in _TEXT.findall(svg):
        run = html.unescape(text).replace("\xa0", " ")
        rows.setdefault(int(line), []).append(f"[{style}]{run}" if styled else run)
    return ["".join(rows[line]).rstrip("\n") for line in sorted(rows)]


def mismatch_report(expected: str, actual: str) -> str:
    """What differs between two screenshots, as a unified diff of their rows."""
    text = list(
        difflib.unified_diff(
            svg_rows(expected), svg_rows(actual), "expected", "actual", lineterm="", n=1
        )
    )
    if text:
        return "\n".join(text)
    styled = list(
        difflib.unified_diff(
            svg_rows(expected, styled=True),
            svg_rows(actual, styled=True),
            "expected (styles)",
            "actual (styles)",
            lineterm="",
            n=0,
        )
    )
    return "the text is the same; the styles differ:\n" + "\n".join(styled)


@pytest.fixture(autouse=True)
def lasting_toasts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A toast stays up until the screenshot is taken.

    A toast leaves after five seconds of wall time; on a loaded machine a screen's steps can take
    longer than that, and the screenshot would then show the screen without what it said. The
    screens under test never choose a toast's timeout, so the app's default is the one to hold.
    """
    monkeypatch.setattr(App, "NOTIFICATION_TIMEOUT", 3600.0)


@pytest.fixture
def snap_compare(
    snap_compare: Callable[..., bool], request: pytest.FixtureRequest
) -> Callable[..., bool]:
    """The plugin's comparison, printing the difference when the screenshot does not match."""

    def compare(*args: Any, **kwargs: Any) -> bool:
        matched = snap_compare(*args, **kwargs)
        if not matched:
            data = pickle.loads(node_to_report_path(request.node).read_bytes())
            expected, actual = data[1], data[2]
            print(mismatch_report(expected, actual) if expected else "no snapshot on record")
        return matched

    return compare
