"""The console's garbage-collection policy: full passes only in quiet moments, memory bounded."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from deskui.collector import NEVER, CollectorPolicy
from deskui.messages import DeskChanged
from tests.ui.conftest import SIZE, make_test_app


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def restore_gc() -> Iterator[None]:
    """Whatever a test does to the collector, the process gets Python's schedule back."""
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def test_install_freezes_the_survivors_and_takes_full_passes_off_automatic(
    restore_gc: None,
) -> None:
    young, middle, _ = gc.get_threshold()
    policy = CollectorPolicy(clock=FakeTime())
    policy.install()
    assert policy.installed
    assert gc.get_threshold() == (young, middle, NEVER)
    assert gc.get_freeze_count() > 0
    frozen = gc.get_freeze_count()
    keep = [[n] for n in range(1000)]  # built after start-up: what the first screen would be
    policy.settle()
    assert gc.get_freeze_count() >= frozen + len(keep)
    policy.uninstall()
    assert gc.get_threshold() == (young, middle, _)
    assert not policy.due()


def test_a_full_pass_waits_for_a_quiet_moment_and_collects_cycles(restore_gc: None) -> None:
    clock = FakeTime()
    policy = CollectorPolicy(every=60, at_most=300, quiet=2, clock=clock)
    assert not policy.due() and not policy.maybe_collect()  # not installed: Python's schedule
    policy.install()
    clock.now += 59
    assert not policy.due()  # too soon
    clock.now += 1
    policy.activity()  # someone is typing
    clock.now += 1
    assert not policy.due()
    clock.now += 1
    assert policy.due()  # a minute since the last pass, two quiet seconds

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


def test_a_busy_desk_still_gets_a_full_pass_every_few_minutes(restore_gc: None) -> None:
    clock = FakeTime()
    policy = CollectorPolicy(every=60, at_most=300, quiet=2, clock=clock)
    policy.install()
    for _ in range(299):
        clock.now += 1
        policy.activity()  # never two quiet seconds
        assert not policy.due()
    clock.now += 1
    policy.activity()
    assert policy.due() and policy.maybe_collect()


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
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("deskui.app.SETTLE_AFTER", 0.05)
    monkeypatch.setattr("deskui.app.COLLECT_CHECK", 0.05)
    policy = RecordingPolicy()
    app = make_test_app(demo_db, start_mode="queue")
    app.collector = policy
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.2)
        assert policy.calls.count("settle") == 1
        assert "check" in policy.calls
        assert "activity" not in policy.calls
        policy.calls.clear()
        await pilot.press("down")
        assert "activity" in policy.calls
        policy.calls.clear()
        app.post_message(DeskChanged(frozenset({"ticket"})))
        await pilot.pause()
        assert "activity" in policy.calls
