"""Key-to-frame latency of a Textual app, measured inside the app.

Pilot cannot measure latency: it waits for the app to go idle in 20 ms slices. Textual's headless
driver cannot either: the app skips rendering when its driver is headless. :class:`FrameDriver`
takes its input from the benchmark (like the headless driver) but tells the app it is a real
terminal, so every frame is composed, rendered to escape sequences and written — to nowhere —
and each frame's final flush is timestamped.

A key is timestamped when it arrives (handed to the app exactly as the terminal driver hands a
parsed key), and its latency is the time to the flush of the next frame. Between keys the probe
waits until the app has drawn everything it had to (no frame for ``quiet`` seconds), so one key's
work never counts against the next.

Usage::

    latencies = measure_keys(make_app(), list("打印机卡纸"), size=(140, 40))
    print(summarize(latencies))

or, for a scripted session, :func:`run_with_frames` with an async script receiving a
:class:`FrameProbe`.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from textual import events
from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

#: Seconds without a frame after which the app is taken to be done drawing.
QUIET = 0.05
#: Longest wait for a frame after a key (a key that draws nothing times out).
FRAME_TIMEOUT = 2.0


class FrameDriver(HeadlessDriver):
    """Headless input, real output: frames are rendered and their flushes timestamped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flushes: list[float] = []
        """``perf_counter()`` of every frame's flush, in order."""
        self.bytes_written = 0
        """What the frames would have sent to a terminal."""
        self._new_frame = asyncio.Event()

    @property
    def is_headless(self) -> bool:
        """Not headless: the app renders and writes every frame."""
        return False

    def write(self, data: str) -> None:
        """Count the bytes of a frame (they go nowhere)."""
        self.bytes_written += len(data)

    def flush(self) -> None:
        """The end of a frame: timestamp it."""
        self.flushes.append(time.perf_counter())
        self._new_frame.set()

    async def next_frame_after(self, count: int, timeout: float = FRAME_TIMEOUT) -> float | None:
        """The time of the first flush after the first ``count`` ones (None on timeout)."""
        deadline = time.perf_counter() + timeout
        while len(self.flushes) <= count:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            self._new_frame.clear()
            try:
                await asyncio.wait_for(self._new_frame.wait(), remaining)
            except TimeoutError:
                return None
        return self.flushes[count]

    async def quiet(self, quiet: float = QUIET, limit: float = 5.0) -> None:
        """Wait until no frame has been written for ``quiet`` seconds."""
        start = time.perf_counter()
        while time.perf_counter() - start < limit:
            last = self.flushes[-1] if self.flushes else start
            idle = time.perf_counter() - last
            if idle >= quiet:
                return
            await asyncio.sleep(quiet - idle)


def key_event(key: str) -> events.Key:
    """The event a terminal driver produces for ``key`` (a character or a key name)."""
    if len(key) == 1:
        # a typed character keeps itself as the character, as the terminal parser does
        # (Pilot's name lookup loses characters such as "，" that have no short name)
        return events.Key(key if key.isalnum() else _character_to_key(key), key)
    original = REPLACED_KEYS.get(key, key)
    try:
        character: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        character = key if len(key) == 1 else None
    return events.Key(key, character)


class FrameProbe:
    """Drives a running app key by key and times each key to its frame."""

    def __init__(self, app: App[Any], pilot: Pilot[Any], driver: FrameDriver) -> None:
        self.app = app
        self.pilot = pilot
        self.driver = driver
        self.arrived = 0.0
        """``perf_counter()`` of the last key's arrival at the app."""

    async def settle(self) -> None:
        """Let workers finish and the screen be drawn."""
        await self.app.workers.wait_for_complete()
        await self.driver.quiet()

    async def press(self, key: str) -> float | None:
        """Send ``key``; milliseconds from its arrival to the next frame (None: no frame)."""
        await self.driver.quiet()
        count = len(self.driver.flushes)
        event = key_event(key)
        event.set_sender(self.app)
        self.arrived = time.perf_counter()
        self.driver.send_message(event)
        frame = await self.driver.next_frame_after(count)
        return None if frame is None else (frame - self.arrived) * 1000

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> float:
        """Wait until ``predicate()`` holds and a frame shows it; the time it was drawn.

        The state is polled every millisecond; the frame that shows it is the first one
        flushed after the last poll that found it false (it may already have been written by
        the time the poll sees the new state).
        """
        deadline = time.perf_counter() + timeout
        count = len(self.driver.flushes)
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError("the app never reached the awaited state")
            count = len(self.driver.flushes)
            await asyncio.sleep(0.001)
        frame = await self.driver.next_frame_after(count)
        return frame if frame is not None else time.perf_counter()


Script = Callable[[FrameProbe], Awaitable[Any]]


def run_with_frames(app: App[Any], script: Script, size: tuple[int, int] = (140, 40)) -> Any:
    """Run ``app`` on a :class:`FrameDriver` and play ``script`` against it; its result."""
    outcome: dict[str, Any] = {}
    app.driver_class = FrameDriver

    async def auto_pilot(pilot: Pilot[Any]) -> None:
        driver = app._driver
        assert isinstance(driver, FrameDriver)
        try:
            await pilot.pause()
            probe = FrameProbe(app, pilot, driver)
            await probe.settle()
            outcome["result"] = await script(probe)
        finally:
            app.exit()

    asyncio.run(app.run_async(headless=False, size=size, auto_pilot=auto_pilot))
    return outcome.get("result")


def measure_keys(
    app: App[Any],
    keys: Sequence[str],
    size: tuple[int, int] = (140, 40),
    *,
    prepare: Script | None = None,
) -> list[float]:
    """Key-to-frame latency of each key, in milliseconds (keys that drew nothing are left out).

    Args:
        app: an app not yet running.
        keys: characters or key names, sent one at a time once the previous one is drawn.
        size: the terminal's columns and rows.
        prepare: run first (focus a field, open a screen); not measured.
    """

    async def script(probe: FrameProbe) -> list[float]:
        if prepare is not None:
            await prepare(probe)
            await probe.settle()
        latencies = []
        for key in keys:
            latency = await probe.press(key)
            if latency is not None:
                latencies.append(latency)
        return latencies

    return list(run_with_frames(app, script, size) or [])


def summarize(latencies: Sequence[float]) -> str:
    """``n=40  p50 3.1 ms  p99 7.9 ms  max 8.2 ms``."""
    if not latencies:
        return "n=0"
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"n={len(ordered)}  p50 {statistics.median(ordered):.1f} ms  p99 {p99:.1f} ms  "
        f"max {ordered[-1]:.1f} ms"
    )
