"""The console's garbage-collection policy: full passes only in quiet moments, memory bounded."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from deskui.console.gc_policy import NEVER, CollectorPolicy
from deskui.console.messages import DeskChanged
from tests.ui.conftest import SIZE, make_test_app


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def restore_gc() -> Iterator[None]:
    """Whatever a test does to the collector, the process gets Python's schedule back."""
    thresholds, callbacks = gc.get_threshold(), list(gc.callbacks)
    yield
    gc.set_threshold(*thresholds)
    gc.callbacks[:] = callbacks
    gc.unfreeze()


def test_install_freezes_the_survivors_and_takes_full_passes_off_automatic(
    restore_gc: None,
) -> None:
    young, middle, full = gc.get_threshold()
    policy = CollectorPolicy(clock=FakeTime())
    policy.install()
    assert policy.installed and gc.get_threshold() == (young, middle, NEVER)
    assert gc.get_freeze_count() > 0
    frozen = gc.get_freeze_count()
    keep = [[n] for n in range(1000)]  # built after start-up: what the first screen would be
    policy.settle()
    assert gc.get_freeze_count() >= frozen + len(keep)
    assert policy.automatic_passes == 0  # the policy's own passes are not counted as Python's
    gc.collect()  # a full pass the policy did not run: counted and timed
    assert policy.automatic_passes == 1 and policy.longest_automatic_ms > 0
    policy.uninstall()
    assert gc.get_threshold() == (young, middle, full)
    gc.collect()
    assert policy.automatic_passes == 1  # no longer watching
    assert not policy.due()


def test_a_full_pass_waits_for_a_quiet_moment_and_collects_cycles(restore_gc: None) -> None:
    clock = FakeTime()
    policy = CollectorPolicy(every=30, quiet=1, at_most=300, clock=clock)
    assert not policy.due() and not policy.maybe_collect()  # not installed: Python's schedule
    policy.install()
    clock.now += 29
    assert not policy.due()  # too soon
    clock.now += 1
    policy.activity()  # someone is typing
    clock.now += 0.5
    assert not policy.due()
    clock.now += 0.5
    assert policy.due()  # half a minute since the last pass, a quiet second

    class Node:
        def __init__(self) -> None:
            self.me = self

    gc.disable()  # no young pass may find the cycle first
    try:
        Node()  # garbage only the cyclic collector can free
        before = sum(isinstance(o, Node) for o in gc.get_objects())
        assert before == 1
        assert policy.maybe_collect()
        assert sum(isinstance(o, Node) for o in gc.get_objects()) == 0
    finally:
        gc.enable()
    assert policy.passes == 1 and policy.longest_pass_ms >= policy.last_pass_ms > 0
    assert not policy.due()  # the clock starts again


def test_a_busy_desk_still_gets_a_pass_within_at_most(restore_gc: None) -> None:
    """Never a quiet moment: the pass waits, but never longer than ``at_most``."""
    clock = FakeTime()
    policy = CollectorPolicy(every=5, quiet=0.1, at_most=30, clock=clock)
    policy.install()
    for _ in range(119):  # a change every quarter of a second, for half a minute
        clock.now += 0.25
        policy.activity()
        assert not policy.due()
    clock.now += 0.25
    policy.activity()
    assert policy.due() and policy.maybe_collect()
    assert not policy.due()


class RecordingPolicy(CollectorPolicy):
    """The console's calls into its policy, without touching the process's collector."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def settle(self) -> None:
        self.calls.append("settle")

    def activity(self) -> None:
        self.calls.append("activity")

    def maybe_collect(self) -> bool:
        self.calls.append("check")
        return False


async def test_the_console_reports_keys_and_changes_and_settles_after_start(
    demo_db: str,
) -> None:
    policy = RecordingPolicy()
    policy.quiet = 0.02
    app = make_test_app(demo_db, start_mode="queue", collector=policy)
    moments = app.quiet_moments
    assert moments is not None and moments.policy is policy
    moments.settle_after = 0.01
    moments.check_every = 60  # the slow timer stays out of it
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        assert policy.calls == ["settle"]
        policy.calls.clear()
        await pilot.press("down")
        assert "activity" in policy.calls
        await pilot.pause(policy.quiet + 0.1)
        assert policy.calls[-1] == "check"  # in the gap after the key
        policy.calls.clear()
        app.post_message(DeskChanged(frozenset({"ticket"})))
        await pilot.pause()
        assert "activity" in policy.calls
        await pilot.pause(policy.quiet + 0.1)
        assert policy.calls[-1] == "check"  # in the gap after the change
