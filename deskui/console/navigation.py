"""Landing on an area's own screen: what an F-key closes on the way, and what it never drops.

Each area of the console (a Textual mode) keeps its own stack of screens: a ticket opened from
the board sits on the board's stack, a note being typed sits over that ticket. An F-key shows its
area's own screen — the board, the queue, the intake form — not whatever was left stacked on it
the last time: the detail opened from the board is closed on the way back to the board.

Nothing typed is dropped for it. A dialog with typed text in a field, or a change on its way to
the desk, stays where it is, and so does everything under it: the area shows that dialog (and
says why), to be sent or cancelled by the operator. The intake form keeps its call in its own
fields and as a draft on disk; it is an area's own screen and never closed. A question an area
asks on arrival (the offer of a draft) stays too: it is what the F-key leads to.
"""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea

from deskui.console.base import DeskModal


def holds_work(screen: Screen[Any]) -> bool:
    """``screen`` is a dialog holding what the operator typed, or waiting on a change it sent.

    Only dialogs are asked: an area's own screens keep their state on the stack, and a screen
    opened for reading (a ticket's detail) holds nothing that closing it loses.
    """
    if not isinstance(screen, ModalScreen):
        return False
    if isinstance(screen, DeskModal) and (screen.stays_over_area or screen.sending):
        return True
    for field in screen.query(Input):
        if field.value.strip():
            return True
    return any(area.text.strip() for area in screen.query(TextArea))


def close_stacked(app: App[Any]) -> bool:
    """Close, top first, what is stacked over the area in front, down to its own screen.

    A screen is closed as its escape would close it (its caller hears "nothing": a dialog's
    callback gets None). The closing stops at a dialog that :func:`holds_work`.

    Returns:
        True when the area's own screen is in front; False when a dialog holding work stays.
    """
    while len(app.screen_stack) > 1:
        top = app.screen
        if holds_work(top):
            return False
        top.dismiss(None)
    return True
