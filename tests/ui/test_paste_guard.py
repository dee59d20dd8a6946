"""A paste is text, always: an escape byte inside a bracketed paste never becomes keys."""

from __future__ import annotations

import inspect
from collections.abc import Iterable

import pytest
from textual import events
from textual.message import Message

from deskui.console.paste_guard import PASTE_END, PASTE_START, PasteGuard, PasteSafeParser


def parse(*chunks: str, parser_class: type = PasteSafeParser) -> list[Message]:
    parser = parser_class()
    found: list[Message] = []
    for chunk in (*chunks, ""):
        found.extend(parser.feed(chunk))
    return found


def keys(found: Iterable[Message]) -> list[str]:
    return [e.key for e in found if isinstance(e, events.Key)]


def pastes(found: Iterable[Message]) -> list[str]:
    return [e.text for e in found if isinstance(e, events.Paste)]


@pytest.mark.parametrize("control", ["\x13", "\x11", "[A", "O", "\x1b"])
def test_an_escape_inside_a_paste_is_not_a_key(control: str) -> None:
    found = parse(f"{PASTE_START}hello \x1b{control} there{PASTE_END}")
    assert keys(found) == []
    assert pastes(found) == [f"hello {control.replace(chr(27), '')} there"]


def test_textual_alone_turns_that_paste_into_keys() -> None:
    """The upstream behaviour the guard exists for (if this starts failing, Textual fixed it
    and the guard can go)."""
    from textual._xterm_parser import XTermParser

    found = parse(f"{PASTE_START}hello \x1b\x13{PASTE_END}", parser_class=XTermParser)
    assert keys(found), "Textual 8.2.8 reissues the bytes after the ESC as keys"


def test_markers_cut_by_the_reads_are_still_found() -> None:
    data = f"a{PASTE_START}密码是 x\x1by{PASTE_END}b"
    for cut in range(1, len(data)):
        guard = PasteGuard()
        out = guard.filter(data[:cut]) + guard.filter(data[cut:]) + guard.filter("")
        assert out == f"a{PASTE_START}密码是 xy{PASTE_END}b", cut
        assert not guard.in_paste


def test_outside_a_paste_nothing_is_changed_or_held() -> None:
    guard = PasteGuard()
    assert guard.filter("\x1b") == "\x1b", "a lone escape key goes at once"
    assert guard.filter("\x1b[A") == "\x1b[A"
    found = parse("\x1b[A", "x")
    assert keys(found) == ["up", "x"]


def test_the_linux_driver_builds_its_parser_by_the_name_install_replaces() -> None:
    from textual.drivers import linux_driver

    assert "XTermParser(" in inspect.getsource(linux_driver.LinuxDriver.run_input_thread)
    assert hasattr(linux_driver, "XTermParser")
