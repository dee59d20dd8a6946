"""Logging a typical phone call through the intake form: keystrokes, time, key-to-frame latency.

The console runs for real (SQLite demo desk, system clock) on a driver that renders and writes
every frame (:mod:`benchmarks.frame_driver`); keys are handed to it one at a time, as a terminal
would, each once the previous one is drawn.

* a typical call: find the caller by pinyin initials, pick, category, impact and urgency, a
  summary and a description in Chinese, ctrl+s — keystrokes, and the time from the first key's
  arrival to the frame that shows the new number (the app's own time: the operator's typing
  speed is not in it);
* key-to-frame latency while typing in the description field, and in the caller field (where
  every key also starts a directory search).

    python -m benchmarks.intake_call
    python -m benchmarks.intake_call --calls 10 --chars 200
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.frame_driver import FrameProbe, measure_keys, run_with_frames, summarize
from deskui.app import DeskApp, make_app
from deskui.config import Settings
from deskui.core.clock import SystemClock
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import pinyin_keys
from deskui.services.seed import seed_demo
from deskui.store.db import Database
from deskui.store.models import Requester

SUMMARY = "打印机卡纸"
DESCRIPTION = "三楼财务部打印机每页都卡纸，已重启"
TYPING = "显示器闪烁 monitor flickers 重启后仍然闪烁，线缆已更换。Error 0x80070005 "


def build_desk(directory: Path) -> tuple[str, str]:
    """A seeded demo desk; its URL and the pinyin initials of the caller the script asks for."""
    url = f"sqlite:///{directory / 'desk.db'}"
    db = Database(url)
    prepare_database(db)
    desk = DeskService(db, SystemClock())
    # the form's work does not depend on how many tickets the desk holds; callers it does
    seed_demo(desk, callers=300, tickets=20)
    with db.read() as session:
        caller = session.get(Requester, 3)
        assert caller is not None
        initials = pinyin_keys(caller.name)[1]
    db.dispose()
    return url, initials


def console(url: str) -> DeskApp:
    """The console as the demo operator, in Chinese, opening on the intake form.

    Each console gets a home of its own, so no draft of an earlier run is offered to it.
    """
    os.environ["DESKUI_HOME"] = tempfile.mkdtemp(prefix="deskui-bench-home-")
    return make_app(Settings(database_url=url, user="op", lang="zh"), start_mode="intake")


def call_keys(initials: str) -> tuple[list[str], list[str]]:
    """The keys of one call: before the pick (the caller field) and after it."""
    before = ["f2", *initials]
    after = [
        "enter",  # pick the highlighted caller; the cursor moves to the type (incident)
        "tab",
        "1",  # category: hardware
        "tab",
        "tab",
        "2",  # impact: department
        "tab",
        "2",  # urgency: severe
        "tab",
        *SUMMARY,
        "tab",
        *DESCRIPTION,
        "ctrl+s",
    ]
    return before, after


async def one_call(probe: FrameProbe, initials: str) -> dict[str, Any]:
    """Log one call, timing what the app does (the operator's own pace is left out).

    Per key, arrival to the next frame; for the caller lookup, the last key's arrival to the
    frame that lists the matches; for ctrl+s, its arrival to the frame that shows the number.
    """
    app: Any = probe.app
    before, after = call_keys(initials)
    timed: list[tuple[str, float]] = []

    async def press(key: str) -> float:
        latency = await probe.press(key)
        if latency is not None:
            timed.append((key, latency))
        return probe.arrived

    for key in before:
        last = await press(key)
    lookup = app.screen.panel.lookup
    search_ms = (
        await probe.wait_until(lambda: lookup.is_open and lookup.shown_query == initials) - last
    ) * 1000
    for key in after[:-1]:
        await press(key)
    previous = app.clipboard
    arrived = await press(after[-1])
    drawn = await probe.wait_until(
        lambda: app.clipboard != previous and app.clipboard.startswith("IT")
    )
    save_ms = (drawn - arrived) * 1000
    typing_ms = sum(latency for key, latency in timed[:-1])
    return {
        "keys": len(before) + len(after),
        "ms": typing_ms + search_ms + save_ms,
        "search_ms": search_ms,
        "save_ms": save_ms,
        "timed": timed[:-1],
        "number": app.clipboard,
    }


def typical_calls(url: str, initials: str, calls: int) -> list[dict[str, Any]]:
    """``calls`` calls logged one after another in one console."""

    async def script(probe: FrameProbe) -> list[dict[str, Any]]:
        return [await one_call(probe, initials) for _ in range(calls)]

    return list(run_with_frames(console(url), script))


def typing_latency(url: str, chars: int) -> tuple[list[float], list[float]]:
    """Latencies while typing a description, and while typing in the caller field."""
    text = (TYPING * (chars // len(TYPING) + 1))[:chars]

    async def to_description(probe: FrameProbe) -> None:
        probe.app.screen.query_one("#description").focus()

    description = measure_keys(console(url), list(text), prepare=to_description)
    names = ["zhang", "wang", "li", "8003", "13"]
    lookup_keys: list[str] = []
    for name in names:
        lookup_keys += [*name] + ["backspace"] * len(name)
    lookup = measure_keys(console(url), lookup_keys)
    return description, lookup


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5, help="typical calls to log")
    parser.add_argument("--chars", type=int, default=120, help="characters typed for latency")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, initials = build_desk(Path(tmp))
        results = typical_calls(url, initials, args.calls)
        description, lookup = typing_latency(url, args.chars)
    keys = results[0]["keys"]
    total = [r["ms"] for r in results]
    print("typical call (find caller by pinyin initials, pick, category, impact, urgency,")
    print(f"  summary {SUMMARY!r}, description {DESCRIPTION!r}, ctrl+s):")
    print(
        f"  keystrokes: {keys}  ({len(SUMMARY) + len(DESCRIPTION)} of them Chinese "
        "characters as committed by the input method)"
    )
    print(
        f"  app time per call (every key to its frame + lookup + save; the operator's typing "
        f"not included): median {statistics.median(total):.0f} ms over {len(total)} calls "
        f"(min {min(total):.0f}, max {max(total):.0f})"
    )
    print(
        f"    caller lookup, last key to the matches drawn: median "
        f"{statistics.median(r['search_ms'] for r in results):.1f} ms"
    )
    print(
        f"    ctrl+s to the new number drawn (validate, write, copy, clear): median "
        f"{statistics.median(r['save_ms'] for r in results):.1f} ms"
    )
    every = [(key, latency) for r in results for key, latency in r["timed"]]
    print(f"  key-to-frame over the calls' other keys: {summarize([lat for _, lat in every])}")
    slowest = sorted(every, key=lambda item: -item[1])[:3]
    print("    slowest: " + ", ".join(f"{key!r} {latency:.0f} ms" for key, latency in slowest))
    print(f"  numbers logged: {results[0]['number']} … {results[-1]['number']}")
    print(f"typing in the description field: {summarize(description)}")
    print(f"typing in the caller field (each key searches the directory): {summarize(lookup)}")


if __name__ == "__main__":
    main()
