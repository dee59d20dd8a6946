"""A paste is text, always: escape bytes inside a bracketed paste never become keys.

Textual 8.2.8's terminal parser (``textual/_xterm_parser.py``) reads an ESC inside a bracketed
paste as the start of an escape sequence: it swallows the bytes after it, and when they do not
form a sequence it reissues them as key presses, after which the rest of the paste arrives as
text. Reproduction (in a real terminal, paste this text; or feed the parser the bytes)::

    \\x1b[200~hello \\x1b\\x13\\x1b[201~   →   keys alt+ctrl+s (the console's Save)
    \\x1b[200~bye \\x1b\\x11\\x1b[201~     →   keys alt+ctrl+q (Quit)

and the text before the ESC lands after the reissued keys. A pasted worklog or a log excerpt with
a stray escape byte could so save a form half-typed or close the console.

:class:`PasteGuard` sits in front of the parser: inside a bracketed paste it drops every ESC
that does not begin the paste's end marker, so the parser sees plain text up to the marker (the
control byte left behind is removed by the console's sanitizer like any other pasted control
character). Outside a paste the input passes through untouched, so a lone escape key is never
delayed. :func:`install` makes Textual's Linux driver build its parser as
:class:`PasteSafeParser`.
"""

from __future__ import annotations

from collections.abc import Iterable

# Textual's parser is private to it; the console is pinned to the Textual it was checked against
# (pyproject), and tests/ui/test_paste_guard.py fails if the driver stops building it by name
from textual._xterm_parser import XTermParser
from textual.message import Message

ESC = "\x1b"
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


class PasteGuard:
    """A filter of terminal input, fed chunk by chunk as the driver reads it."""

    def __init__(self) -> None:
        self.in_paste = False
        """Between a paste's start and end markers."""
        self._held = ""
        self._tail = ""

    def filter(self, data: str) -> str:
        """The input with every ESC inside a paste removed, but the paste's end marker.

        A chunk that ends in the middle of what may be the end marker holds those bytes back
        until the next chunk (a paste always ends with its marker); an empty chunk (the end of
        input) lets them go.
        """
        text, self._held = self._held + data, ""
        if not data and text:
            return text
        out: list[str] = []
        at = 0
        while at < len(text):
            if not self.in_paste:
                window = self._tail + text[at:]
                found = window.find(PASTE_START)
                if found < 0:
                    out.append(text[at:])
                    self._tail = window[-(len(PASTE_START) - 1) :]
                    break
                end = found + len(PASTE_START) - len(self._tail)
                out.append(text[at : at + end])
                at += end
                self.in_paste, self._tail = True, ""
                continue
            escape = text.find(ESC, at)
            if escape < 0:
                out.append(text[at:])
                break
            out.append(text[at:escape])
            rest = text[escape:]
            if rest.startswith(PASTE_END):
                out.append(PASTE_END)
                at = escape + len(PASTE_END)
                self.in_paste = False
            elif PASTE_END.startswith(rest):
                self._held = rest  # perhaps the end marker, cut by the read
                break
            else:
                at = escape + 1  # an escape byte inside the paste: text, not a key
        return "".join(out)


class PasteSafeParser(XTermParser):
    """Textual's terminal parser behind a :class:`PasteGuard`."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self.paste_guard = PasteGuard()

    def feed(self, data: str) -> Iterable[Message]:
        """Parse ``data`` as Textual does, escape bytes inside a paste removed first."""
        return super().feed(self.paste_guard.filter(data))


def install() -> bool:
    """Make Textual's Linux driver read the terminal through :class:`PasteSafeParser`.

    The driver builds its parser by the name it imported (``XTermParser``) when its input
    thread starts; that name is replaced in the driver's module. Returns whether it was (there
    is no such driver on Windows, whose driver reads keys differently).
    """
    try:
        from textual.drivers import linux_driver
    except ImportError:
        return False
    # the driver's own (imported, unexported) name for its parser
    setattr(linux_driver, "XTermParser", PasteSafeParser)  # noqa: B010
    return True
