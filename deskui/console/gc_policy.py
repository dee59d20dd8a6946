"""When Python's garbage collector may pause the console.

CPython's cyclic collector stops the whole process for a full pass over every tracked object it
is not told to skip. Right after start-up that is every object of Textual, Rich, SQLAlchemy and
the desk: a full pass then takes 130–250 ms, and it falls wherever the allocations happen to tip
it, in the middle of drawing a change that another console just made or of answering a key.

:class:`CollectorPolicy` does three things:

* :meth:`~CollectorPolicy.install` (before the app runs): collect once, then *freeze* what is
  alive (``gc.freeze()``): modules, classes, the catalog, the rules. They live as long as the
  process, and a frozen object is never scanned again.
* :meth:`~CollectorPolicy.settle` (once the first screen is drawn): collect and freeze again,
  so the app, its first screen and the stylesheet leave the collector's reach too.
* :meth:`~CollectorPolicy.maybe_collect` (called :attr:`~CollectorPolicy.quiet` seconds after
  the last key or desk change, and by a slow timer): a full pass in the gap between two
  changes, at most every :attr:`~CollectorPolicy.every` seconds, and regardless of quiet after
  :attr:`~CollectorPolicy.at_most` seconds. Python's own automatic full passes are off.

Frequent short passes are the point: a pass takes time in proportion to what it scans, the
objects built since start-up that are still alive plus the cyclic garbage left since the last
pass (widgets a screen rebuilt and dropped, read results). Python's schedule let that pile up
and ran its passes at random moments, in the middle of a frame; a pass forced only every five
minutes lasted seconds (measured while the footer still leaked its keys, see
:mod:`deskui.widgets.key_footer`). A pass every few seconds, in a gap, takes milliseconds.

Only what existed at start-up and after the first paint is frozen, and that lives until the
console closes.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.app import App
from textual.timer import Timer

log = logging.getLogger(__name__)

#: A generation-2 threshold no count reaches: full passes only when the policy runs them.
NEVER = 2**31 - 1


@dataclass
class CollectorPolicy:
    """Start-up frozen, and full garbage-collection passes in quiet moments (see the module
    docstring).

    Attributes:
        every: seconds between the policy's full passes, each in a quiet moment.
        quiet: seconds without a key or a desk change that make a quiet moment.
        at_most: the longest stretch without a full pass, quiet or not.
        clock: monotonic seconds (a test's fake).
    """

    every: float = 5.0
    quiet: float = 0.1
    at_most: float = 30.0
    clock: Callable[[], float] = time.monotonic
    installed: bool = field(default=False, init=False)
    passes: int = field(default=0, init=False)
    """Full passes run by the policy (after install)."""
    last_pass_ms: float = field(default=0.0, init=False)
    """How long the last full pass took, in milliseconds."""
    longest_pass_ms: float = field(default=0.0, init=False)
    """The longest full pass so far, in milliseconds."""
    automatic_passes: int = field(default=0, init=False)
    """Full passes Python ran on its own schedule (after install)."""
    longest_automatic_ms: float = field(default=0.0, init=False)
    """The longest of those, in milliseconds."""
    _own_pass: bool = field(default=False, init=False, repr=False)
    _thresholds: tuple[int, int, int] | None = field(default=None, init=False, repr=False)
    _automatic_started: float = field(default=0.0, init=False, repr=False)
    _last_pass: float = field(default=0.0, init=False, repr=False)
    _last_activity: float = field(default=0.0, init=False, repr=False)

    def install(self) -> None:
        """Collect, freeze the survivors, and take Python's full passes off automatic."""
        if self.installed:
            return
        self._thresholds = gc.get_threshold()
        young, middle, _full = self._thresholds
        self._collect_and_freeze()
        gc.set_threshold(young, middle, NEVER)
        self.installed = True
        self._last_pass = self._last_activity = self.clock()
        gc.callbacks.append(self._observe)

    def _observe(self, phase: str, info: dict[str, int]) -> None:
        # Python's own full passes, timed (the policy's are timed in maybe_collect)
        if info.get("generation") != 2 or self._own_pass:
            return
        if phase == "start":
            self._automatic_started = time.perf_counter()
        else:
            took = (time.perf_counter() - self._automatic_started) * 1000
            self.automatic_passes += 1
            self.longest_automatic_ms = max(self.longest_automatic_ms, took)

    def settle(self) -> None:
        """The console is up: collect and freeze what it built to show its first screen."""
        if self.installed:
            self._collect_and_freeze()
            self._last_pass = self.clock()

    def activity(self) -> None:
        """Someone pressed a key, or the desk changed: not a quiet moment."""
        self._last_activity = self.clock()

    def due(self) -> bool:
        """A full pass should run now."""
        if not self.installed:
            return False
        now = self.clock()
        since_pass = now - self._last_pass
        if since_pass >= self.at_most:
            return True
        return since_pass >= self.every and now - self._last_activity >= self.quiet

    def maybe_collect(self) -> bool:
        """Run the full pass if it is due; whether it ran."""
        if not self.due():
            return False
        started = time.perf_counter()
        self._own_pass = True
        try:
            found = gc.collect()
        finally:
            self._own_pass = False
        self.last_pass_ms = (time.perf_counter() - started) * 1000
        self.longest_pass_ms = max(self.longest_pass_ms, self.last_pass_ms)
        self.passes += 1
        self._last_pass = self.clock()
        log.debug("full collection: %d unreachable, %.1f ms", found, self.last_pass_ms)
        return True

    def uninstall(self) -> None:
        """No more passes of the policy's own (the frozen objects stay frozen)."""
        if self._observe in gc.callbacks:
            gc.callbacks.remove(self._observe)
        if self.installed and self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
        self.installed = False

    def _collect_and_freeze(self) -> None:
        self._own_pass = True
        try:
            gc.collect()
            gc.freeze()
        finally:
            self._own_pass = False


class QuietMoments:
    """Runs a :class:`CollectorPolicy` inside an app: its timers, and the gap after activity.

    Args:
        app: the console.
        policy: when passes may run.
        settle_after: seconds after start-up when what the first screen built is frozen.
        check_every: seconds between checks whether a full pass is due anyway.
    """

    def __init__(
        self,
        app: App[Any],
        policy: CollectorPolicy,
        *,
        settle_after: float = 2.0,
        check_every: float = 5.0,
    ) -> None:
        self.app = app
        self.policy = policy
        self.settle_after = settle_after
        self.check_every = check_every
        self._gap_timer: Timer | None = None

    def start(self) -> None:
        """Start the timers (from the app's ``on_mount``)."""
        self.app.set_timer(self.settle_after, self.policy.settle, name="gc-settle")
        self.app.set_interval(self.check_every, self.policy.maybe_collect, name="gc")

    def activity(self) -> None:
        """A key or a desk change: the pass waits for the gap after it."""
        self.policy.activity()
        if self._gap_timer is None:
            self._gap_timer = self.app.set_timer(self.policy.quiet, self._in_the_gap, name="gc-gap")
        else:
            self._gap_timer.reset()

    def _in_the_gap(self) -> None:
        self._gap_timer = None
        self.policy.maybe_collect()
