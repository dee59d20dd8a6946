"""Copying a ticket number for the operator: to the system clipboard and through the terminal.

Two routes, because either may be missing. ``pyperclip`` reaches the desktop clipboard of the
machine the console runs on; Textual's ``copy_to_clipboard`` sends an OSC 52 sequence that the
terminal emulator itself puts on the clipboard of the machine the operator sits at, which is the
only route that works over SSH. On a headless server pyperclip has no mechanism and raises: that
is not an error, the terminal route was taken.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pyperclip
from textual.app import App

log = logging.getLogger(__name__)


def system_copy(text: str) -> bool:
    """Put ``text`` on the local desktop clipboard; False when the machine has none."""
    try:
        pyperclip.copy(text)
    except pyperclip.PyperclipException as exc:
        log.debug("no desktop clipboard: %s", exc)
        return False
    return True


def copy_text(app: App[object], text: str, then: Callable[[bool], None] | None = None) -> None:
    """Copy ``text`` by both routes.

    The terminal route is immediate (it is a write to the terminal); pyperclip may start a
    helper process (xclip, wl-copy), so it runs in a thread worker and never blocks the screen.

    Args:
        then: called on the event loop once the local copy is over, with whether this machine's
            clipboard took it (so what is said about the copy is what happened).
    """
    app.copy_to_clipboard(text)

    def local() -> None:
        copied = system_copy(text)
        if then is not None:
            app.call_from_thread(then, copied)

    app.run_worker(local, name="clipboard", group="clipboard", thread=True, exit_on_error=False)
