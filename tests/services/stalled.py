"""A console stopped inside its write transaction, in another process, for the bounded-wait tests.

The stalled writer logs a call in a transaction it keeps open, says so through a pipe, and is
then stopped with ``SIGSTOP`` (what a closed laptop lid does to a console). Nothing here sleeps to
decide an order: the pipe says when the transaction is open, an event lets it go on.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

import pytest

from tests.services.race_workers import stalled_intake

T = TypeVar("T")

#: A hang guard, never a measure: every wait below returns as soon as its event happens, and this
#: only turns a wait without a bound (the fault under test) into a failure instead of a hang.
DEADLINE = 120.0

needs_sigstop = pytest.mark.skipif(
    not hasattr(signal, "SIGSTOP"), reason="stopping a process needs POSIX signals"
)
#: The fault-injection suite (``pytest -m faults``): tests/faults and the stalled-writer tests.
faults = pytest.mark.faults


@dataclass
class StalledWriter:
    """The stopped writer.

    Attributes:
        process: its process (stopped).
        go_on: the event it waits for inside its transaction.
        results: where it reports what became of its commit.
    """

    process: BaseProcess
    go_on: Any
    results: Any

    def release(self) -> tuple[str, str]:
        """Let it go on and commit; what became of the commit: ``("committed", number)`` or
        ``("failed", why)``."""
        assert self.process.pid is not None
        # first wake it: setting a multiprocessing event waits for its sleepers to take notice
        os.kill(self.process.pid, signal.SIGCONT)
        self.go_on.set()
        outcome: tuple[str, str] = self.results.get(timeout=DEADLINE)
        return outcome


@contextmanager
def stalled_writer(
    url: str,
    *,
    at: datetime | None,
    idle_in_transaction: float | None = None,
    stop: str = "SIGSTOP",
) -> Iterator[StalledWriter]:
    """A writer in another process, stopped inside a transaction that has logged a call.

    Args:
        url: the desk's database (staff seated).
        at: the desk's frozen time, so that it holds the same day's counter as the test's
            writer; None for the real clock (the command line's).
        idle_in_transaction: how long the server lets its stopped transaction sit
            (PostgreSQL); by default long enough that only the test ends it.
        stop: the signal sent inside the transaction: ``SIGSTOP`` (a closed laptop lid), or
            ``SIGKILL`` (``kill -9``: the process is gone, its transaction with it).
    """
    ctx = mp.get_context("spawn")
    told, opened = ctx.Pipe(duplex=False)
    go_on = ctx.Event()
    results = ctx.Queue()
    process = ctx.Process(
        target=stalled_intake,
        args=(url, idle_in_transaction, at, opened, go_on, results),
        daemon=True,
    )
    process.start()
    try:
        ready = wait([told, process.sentinel], timeout=DEADLINE)
        if told not in ready:
            why = results.get(timeout=DEADLINE) if ready else "no word"
            pytest.fail(f"the writer never opened its transaction: {why}")
        assert told.recv() == "opened"
        assert process.pid is not None
        os.kill(process.pid, getattr(signal, stop))
        yield StalledWriter(process, go_on, results)
    finally:
        if process.is_alive() and process.pid is not None:
            os.kill(process.pid, signal.SIGCONT)
            go_on.set()
        # a writer killed inside go_on.wait() never acknowledges a set(), which would then wait
        # for it for ever: only a living writer is told to go on
        process.join(DEADLINE)
        if process.is_alive():
            process.kill()
            process.join()


def finishes(fn: Callable[[], T]) -> T | BaseException:
    """Run ``fn`` and give what it returned or raised; fail if it is still waiting at
    :data:`DEADLINE` (its thread is left behind, a daemon)."""
    outcome: list[T | BaseException] = []

    def run() -> None:
        try:
            outcome.append(fn())
        except BaseException as exc:  # handed to the test, which looks at it
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    assert outcome, f"still waiting after {DEADLINE:g} s: a wait without a bound"
    return outcome[0]
