"""The base of every screen and dialog of the console: the desk context and one error funnel.

Every database call of a screen runs in a thread worker (``exit_on_error=False``), so a worker
that fails does not bring the console down: it ends in the ``ERROR`` state, and Textual tells the
screen with :class:`~textual.worker.Worker.StateChanged`. :class:`DeskScreen` receives every such
message of the screen's own workers in one place and hands a failure to
:meth:`DeskScreen.worker_failed`; a screen overrides that hook to put the form that was waiting
back in the operator's hands. (The message does not bubble: a widget that reads in a worker of
its own, like the queue's table, catches its failure there and tells its screen by message.)
Whatever the screen does not handle itself is shown (in the operator's language), logged with
its traceback, and — if the database went away — raises the status line's banner. A failure is
never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from deskui.console.context import DeskContext, desk_context
from deskui.console.errors import describe
from deskui.console.messages import ConnectionLost
from deskui.services.errors import DatabaseUnavailable, ServiceError

log = logging.getLogger(__name__)

ResultType = TypeVar("ResultType")


class KeysTaken(Message):
    """Sent through the focused field; back at its screen, every key queued before it has been
    taken by that field (see :meth:`DeskNode.after_pending_keys`)."""

    def __init__(self, then: Callable[[], None], hops: int) -> None:
        super().__init__()
        self.then = then
        self.hops = hops


class DeskNode:
    """What every screen and dialog of the console has: ``ctx``, the error funnel, and a way to
    act after the keys typed before a save have all landed."""

    def after_pending_keys(self, then: Callable[[], None]) -> None:
        """Run ``then`` once every key read before now has reached its field.

        A save key is a priority key: Textual runs it as soon as it reads it, while the keys
        typed just before it (a paste, a fast typist, a macro) may still wait in the queue of
        the field they go to — or of the screen, if it is still opening. A message sent first
        through the screen's queue and then through the focused field's comes back behind them.
        """
        assert isinstance(self, Screen), "DeskNode is mixed into screens only"
        self.post_message(KeysTaken(then, hops=2))

    def on_keys_taken(self, message: KeysTaken) -> None:
        """The message came back: on through the focused field, or done."""
        message.stop()
        assert isinstance(self, Screen), "DeskNode is mixed into screens only"
        focused = self.focused
        if message.hops > 1 and focused is not None:
            focused.post_message(KeysTaken(message.then, hops=1))
        else:
            message.then()

    @property
    def ctx(self) -> DeskContext:
        """The desk, the actor, the catalog, the clock."""
        assert isinstance(self, Screen), "DeskNode is mixed into screens only"
        return desk_context(self)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The funnel: a worker of this screen failed."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            report_failure(self, event.worker, event.worker.error)

    def worker_failed(self, worker: Worker[Any], error: BaseException) -> bool:
        """A worker failed: put things right here; True when the failure was shown.

        The default shows nothing itself: the funnel then shows and logs it. A screen whose
        form waits on ``worker`` returns the form to editable (what was typed stays) and says
        why where the operator is looking.
        """
        return False


class DeskScreen(DeskNode, Screen[ResultType]):
    """A screen of the console: ``self.ctx`` is the desk; failed workers end in one place."""


class DeskModal(DeskNode, ModalScreen[ResultType]):
    """A dialog of the console: ``self.ctx`` is the desk; failed workers end in one place."""

    stays_over_area: ClassVar[bool] = False
    """A question its area asks on arrival (the offer of a draft): an F-key leading to the
    area leaves it in front (see :mod:`deskui.console.navigation`)."""

    sending: bool = False
    """A change this dialog sent is on its way to the desk (an F-key leaves it in front)."""


def report_failure(node: DeskNode, worker: Worker[Any], error: BaseException) -> None:
    """Let the screen put things right, then make sure the failure is seen and logged."""
    assert isinstance(node, Screen)
    screen: Screen[Any] = node
    shown = node.worker_failed(worker, error)
    t = desk_context(screen).t
    if isinstance(error, DatabaseUnavailable):
        screen.app.post_message(ConnectionLost(describe(error, t)))
    elif not isinstance(error, ServiceError):
        # a refusal is the desk's answer, not a fault; anything else is a fault to fix
        log.error("worker %r of %r failed", worker.name, screen, exc_info=error)
    if not shown:
        screen.notify(describe(error, t), severity="error", markup=False)
