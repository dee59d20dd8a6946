"""When Python's garbage collector may pause the console.

CPython's cyclic collector stops the whole process for a full pass over every tracked object
once enough survivors pile up. In a console that has run for a while that pass takes 50–150 ms,
and it falls wherever the allocations happen to tip it: in the middle of drawing a change that
another console just made, or of answering a key. The young generations are cheap (a
millisecond or two) and stay automatic; the full pass is what this module moves.

:class:`CollectorPolicy` does three things:

* :meth:`~CollectorPolicy.install` (before the app runs): collect once, then *freeze* what is
  alive (``gc.freeze()``): modules, classes, the catalog, the rules. They live as long as the
  process, and a frozen object is never scanned again. Automatic full passes are switched off.
* :meth:`~CollectorPolicy.settle` (once the first screen is drawn): collect and freeze again,
  so the app, its first screen and the stylesheet leave the collector's reach too.
* :meth:`~CollectorPolicy.maybe_collect` (called by a timer): run the full pass in a quiet
  moment (no key and no desk change for :attr:`~CollectorPolicy.quiet` seconds) once
  :attr:`~CollectorPolicy.every` seconds have passed since the last; and regardless of quiet
  after :attr:`~CollectorPolicy.at_most` seconds, so memory stays bounded on a busy desk.

The periodic pass is a plain ``gc.collect()`` over everything not frozen: screens opened and
closed since start-up are collected as usual. Only what existed at start-up and after the first
paint is frozen, and that lives until the console closes.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: A generation-2 threshold no count reaches: full passes only when the policy runs them.
NEVER = 2**31 - 1


@dataclass
class CollectorPolicy:
    """Full garbage-collection passes in quiet moments only (see the module docstring).

    Attributes:
        every: seconds between full passes when the console is quiet at the time.
        at_most: the longest stretch without a full pass, quiet or not.
        quiet: seconds without a key or a desk change that make a quiet moment.
        clock: monotonic seconds (a test's fake).
    """

    every: float = 60.0
    at_most: float = 300.0
    quiet: float = 2.0
    clock: Callable[[], float] = time.monotonic
    installed: bool = field(default=False, init=False)
    passes: int = field(default=0, init=False)
    """Full passes run by the policy (after install)."""
    last_pass_ms: float = field(default=0.0, init=False)
    """How long the last full pass took, in milliseconds."""
    longest_pass_ms: float = field(default=0.0, init=False)
    """The longest full pass so far, in milliseconds."""
    _thresholds: tuple[int, int, int] | None = field(default=None, init=False, repr=False)
    _last_pass: float = field(default=0.0, init=False, repr=False)
    _last_activity: float = field(default=0.0, init=False, repr=False)

    def install(self) -> None:
        """Collect, freeze the survivors, and take full passes off automatic."""
        if self.installed:
            return
        self._thresholds = gc.get_threshold()
        young, middle, _full = self._thresholds
        self._collect_and_freeze()
        gc.set_threshold(young, middle, NEVER)
        self.installed = True
        self._last_pass = self._last_activity = self.clock()

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
        found = gc.collect()
        self.last_pass_ms = (time.perf_counter() - started) * 1000
        self.longest_pass_ms = max(self.longest_pass_ms, self.last_pass_ms)
        self.passes += 1
        self._last_pass = self.clock()
        log.debug("full collection: %d unreachable, %.1f ms", found, self.last_pass_ms)
        return True

    def uninstall(self) -> None:
        """Back to Python's own schedule (the frozen objects stay frozen)."""
        if self.installed and self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
        self.installed = False

    @staticmethod
    def _collect_and_freeze() -> None:
        gc.collect()
        gc.freeze()
