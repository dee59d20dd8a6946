"""How fast one console's change reaches another console's screen, and what watching costs.

Three measurements, each printed as figures (nothing is asserted):

``frames``  (default)  Commit in one process → the first frame, written by another process, that
    shows the change. The reader is the console itself (``make_app``) on the emergency board,
    its driver timestamping every frame it writes; it watches the desk through the change feed.
    The writer logs a P1 (received a minute ago, so it sorts to the top of the board), notes
    the instant its transaction committed, then rejects it again so the board keeps its size.
    Both sides use the wall clock (``time.time()``, CLOCK_REALTIME), shared by processes on one
    host. ``--gc`` picks how the reader treats Python's garbage collector: ``console`` (the
    console's own policy, as ``deskui`` runs), ``default`` (Python's schedule), ``off``.
    Targets: SQLite p99 ≤ 75 ms, PostgreSQL p99 ≤ 50 ms.
``idle``    The CPU a console spends watching a desk where nothing happens: a feed alone in a
    process for N seconds, its process CPU time over wall time. Target ≤ 0.5 % of a core.
``fanout``  PostgreSQL with many listening consoles: L feeds (one LISTEN connection each)
    spread over a few processes; the writer commits notifications; each feed stamps its
    receipt. Reports COMMIT sent → notification received, p50/p99 over all listeners. L is
    capped below the server's ``max_connections`` (checked first with ``SHOW max_connections``).

Run::

    .venv/bin/python -m benchmarks.propagation                      # frames + idle, SQLite
    .venv/bin/python -m benchmarks.propagation --pg postgresql://postgres@127.0.0.1/test
    .venv/bin/python -m benchmarks.propagation fanout --pg URL --listeners 200
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from textual.app import App

from benchmarks.frame_driver import FrameDriver
from deskui.app import make_app
from deskui.config import Settings
from deskui.console.gc_policy import CollectorPolicy
from deskui.core.clock import SystemClock
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import RequesterInput
from deskui.services.intake import IntakeRequest
from deskui.services.users import add_user
from deskui.store.db import Database
from deskui.store.feed import Changed, PostgresFeed, announce, open_feed
from deskui.store.migrate import upgrade

SIZE = (140, 40)
NUMBER_PREFIX = "IT"
STAFF = [("op", "王芳", "operator", ["desk"]), ("lead", "赵敏", "duty_lead", ["desk"])]


# the frame-stamping driver -------------------------------------------------------------------
class StampingDriver(FrameDriver):
    """The shared frame driver, plus what a measurement across processes needs: each frame's
    flush stamped on the wall clock, and the ticket numbers it showed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_seen: dict[str, float] = {}
        """Ticket number → wall-clock instant of the flush of the first frame that showed it."""
        self._in_frame: set[str] = set()

    def write(self, data: str) -> None:
        """Part of a frame: note the ticket numbers it draws."""
        super().write(data)
        start = data.find(NUMBER_PREFIX)
        while start != -1:
            number = data[start : start + 13]
            if number[2:].isdigit() and number not in self.first_seen:
                self._in_frame.add(number)
            start = data.find(NUMBER_PREFIX, start + 2)

    def flush(self) -> None:
        """The frame is out: stamp the numbers it showed for the first time."""
        super().flush()
        stamp = time.time()
        for number in self._in_frame:
            self.first_seen.setdefault(number, stamp)
        self._in_frame.clear()

    @property
    def frames(self) -> int:
        """Frames flushed so far."""
        return len(self.flushes)


def run_app(app: App[Any]) -> None:
    """Run an app on the stamping driver at the benchmark's terminal size."""
    app.driver_class = StampingDriver
    asyncio.run(app.run_async(headless=False, size=SIZE))


def board_shown(app: App[Any]) -> bool:
    """The board has read the desk once."""
    try:
        return getattr(app.screen, "snapshot", None) is not None
    except Exception:  # noqa: BLE001 - no screen yet
        return False


#: How the reading console treats Python's garbage collector.
GC_MODES = {
    "console": "",
    "default": ", Python's own collector schedule",
    "off": ", collector off (diagnostic)",
}


def run_reader(url: str, collector: str = "console") -> None:
    """The reading console: prints ``ready``, then on ``quit`` the first-seen times as JSON.

    The reader is the console itself (:func:`deskui.app.make_app`) on the emergency board, as
    the duty lead runs it. ``collector``: ``console`` — the console's own policy
    (:class:`deskui.console.gc_policy.CollectorPolicy`, as ``deskui`` installs it); ``default`` —
    Python's own schedule of full passes; ``off`` — no collection at all, to show what the
    collector's pauses cost.
    """
    policy = CollectorPolicy() if collector == "console" else None
    app = make_app(
        Settings(database_url=url, user="lead", lang="zh"), start_mode="board", collector=policy
    )
    if policy is not None:
        policy.install()
    elif collector == "off":
        gc.disable()

    def control() -> None:
        # wait until the board has read once and the feed listens, then take orders
        while not (app.live and app.live.connected and board_shown(app)):
            time.sleep(0.05)
        os.write(1, b"ready\n")  # the app holds sys.stdout while it runs
        sys.stdin.readline()
        app.call_from_thread(app.exit)

    threading.Thread(target=control, daemon=True).start()
    run_app(app)
    driver = app._driver
    seen = driver.first_seen if isinstance(driver, StampingDriver) else {}
    passes = policy.passes if policy else 0
    longest = policy.longest_pass_ms if policy else 0.0
    automatic = policy.automatic_passes if policy else 0
    longest_automatic = policy.longest_automatic_ms if policy else 0.0
    print(
        json.dumps(
            {
                "seen": seen,
                "passes": passes,
                "longest_pass": longest,
                "automatic": automatic,
                "longest_automatic": longest_automatic,
            }
        ),
        flush=True,
    )


# desks to measure on --------------------------------------------------------------------------
@contextmanager
def sqlite_desk() -> Iterator[str]:
    """A fresh SQLite desk file; its URL."""
    with tempfile.TemporaryDirectory(prefix="deskui-prop-") as tmp:
        yield f"sqlite:///{tmp}/desk.db"


@contextmanager
def postgres_desk(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server of ``admin_url``, dropped afterwards."""
    admin = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"deskui_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def prepare(url: str, urgent: int) -> DeskService:
    """Schema, staff, and ``urgent`` P2 tickets already on the board."""
    db = Database(url)  # its write sessions announce what they write (PostgreSQL's NOTIFY)
    upgrade(db)  # as `deskui db upgrade` does: a console never migrates a shared desk itself
    prepare_database(db)
    desk = DeskService(db, SystemClock())

    def staff(session: Any) -> None:
        for login, name, role, groups in STAFF:
            add_user(
                session=session,
                login=login,
                name=name,
                role=role,
                groups=groups,
                now=desk.clock.now(),
            )

    desk.write(staff)
    for n in range(urgent):
        desk.create_ticket(desk.actor("op"), call(f"财务系统无法登录 #{n}", impact=2, urgency=2))
    return desk


def call(summary: str, *, impact: int = 1, urgency: int = 1, ago: float = 0) -> IntakeRequest:
    """A phone call for the bench."""
    received = SystemClock().now() - timedelta(seconds=ago) if ago else None
    return IntakeRequest(
        type="incident",
        category="network",
        channel="phone",
        impact=impact,
        urgency=urgency,
        summary=summary,
        description=summary,
        received_at=received,
        requester=RequesterInput(name="钱十", phone="139-0000-0000", department="行政部"),
    )


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99, max of ``values`` (milliseconds)."""
    ordered = sorted(values)

    def pick(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    finite = [v for v in ordered if math.isfinite(v)] or [math.inf]
    return {
        "n": len(ordered),
        "p50": pick(0.50),
        "p95": pick(0.95),
        "p99": pick(0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(finite),
    }


def show(label: str, figures: dict[str, float], target: str = "") -> None:
    """One line of figures (``  >gap`` for samples never shown within the gap)."""

    def ms(value: float) -> str:
        return f"{value:6.1f} ms" if math.isfinite(value) else "  > gap  "

    print(
        f"  {label:<40} n={figures['n']:<4.0f} p50 {ms(figures['p50'])}   "
        f"p95 {ms(figures['p95'])}   p99 {ms(figures['p99'])}   "
        f"max {ms(figures['max'])}  {target}"
    )


# frames: commit → frame -----------------------------------------------------------------------
def measure_frames(
    url: str, samples: int, urgent: int, gap: float, collector: str
) -> dict[str, float]:
    """Commit in this process → first frame in the reader process that shows the ticket."""
    desk = prepare(url, urgent)
    op, lead = desk.actor("op"), desk.actor("lead")
    reader = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.propagation", "reader", url, collector],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout and reader.stdin
    if reader.stdout.readline().strip() != "ready":
        raise RuntimeError("the reading console did not start")
    committed: dict[str, float] = {}
    warmup = 5
    for n in range(samples + warmup):
        view = desk.create_ticket(op, call(f"核心交换机宕机 #{n}", ago=60))
        if n >= warmup:
            committed[view.number] = time.time()
        time.sleep(gap)
        desk.set_status(lead, view.number, "rejected", note="bench: duplicate of the outage")
        time.sleep(gap)
    out, _ = reader.communicate("quit\n", timeout=60)
    report = json.loads(out.strip().splitlines()[-1])
    seen: dict[str, float] = report["seen"]
    # a ticket never shown was rejected before the reader showed it: slower than the gap, and
    # counted so (as infinitely slow), not dropped from the figures
    latencies = [(seen[n] - t) * 1000 if n in seen else math.inf for n, t in committed.items()]
    desk.db.dispose()
    figures = percentiles(latencies)
    figures["missed"] = latencies.count(math.inf)
    figures["passes"] = report["passes"]
    figures["longest_pass"] = report["longest_pass"]
    figures["automatic"] = report["automatic"]
    figures["longest_automatic"] = report["longest_automatic"]
    return figures


# idle: the cost of watching -------------------------------------------------------------------
def run_idle(url: str, seconds: float) -> None:
    """A feed alone in this process for ``seconds``: print its CPU share of one core."""
    feed = open_feed(url)
    changes: list[Changed] = []
    thread = threading.Thread(target=feed.run, args=(changes.append,), daemon=True)
    thread.start()
    while not feed.connected:
        time.sleep(0.01)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0, wall0 = usage.ru_utime + usage.ru_stime, time.monotonic()
    time.sleep(seconds)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu0
    wall = time.monotonic() - wall0
    feed.stop()
    thread.join(5)
    print(
        json.dumps(
            {"cpu_s": cpu, "wall_s": wall, "percent": 100 * cpu / wall, "changes": len(changes)}
        ),
        flush=True,
    )


def measure_idle(url: str, seconds: float) -> dict[str, float]:
    """Run :func:`run_idle` in a fresh process (its figures are the feed's alone)."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.propagation", "idle-child", url, str(seconds)],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 120,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# fanout: many LISTEN connections --------------------------------------------------------------
def run_listeners(url: str, count: int) -> None:
    """``count`` feeds in this process; prints ``ready``, then on ``quit`` receipts as JSON."""
    received: dict[str, list[float]] = {}
    lock = threading.Lock()
    feeds = [PostgresFeed(url, health_every=60.0, min_gap=0.0) for _ in range(count)]

    def listener(item: object) -> None:
        stamp = time.time()
        if isinstance(item, Changed):
            with lock:
                for name in item.tables:
                    received.setdefault(name, []).append(stamp)

    threads = [threading.Thread(target=f.run, args=(listener,), daemon=True) for f in feeds]
    for thread in threads:
        thread.start()
    while not all(f.connected for f in feeds):
        time.sleep(0.05)
    print("ready", flush=True)
    sys.stdin.readline()
    for feed in feeds:
        feed.stop()
    for thread in threads:
        thread.join(5)
    print(json.dumps(received), flush=True)


def max_listeners(url: str, wanted: int, reserve: int = 15) -> tuple[int, int]:
    """How many listening connections the server allows us (``max_connections`` − in use − a
    reserve for everyone else)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        limit = int(conn.execute(text("SHOW max_connections")).scalar_one())
        used = int(conn.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one())
    engine.dispose()
    return min(wanted, max(1, limit - used - reserve)), limit


def measure_fanout(
    url: str, listeners: int, samples: int, processes: int, gap: float
) -> dict[str, float]:
    """Notify from this process → receipt in each of ``listeners`` feeds."""
    db = Database(url)
    upgrade(db)
    per = [
        listeners // processes + (1 if i < listeners % processes else 0) for i in range(processes)
    ]
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.propagation", "listen-child", url, str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in per
        if n
    ]
    for child in children:
        assert child.stdout
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("a listening process did not start")
    committed: dict[str, float] = {}
    for n in range(samples):
        name = f"bench{n}"
        with db.write() as session:
            announce(session, [name])
            # stamped as COMMIT leaves: the notification goes out with it, and reaches the
            # listeners before the writer has read the server's answer
            committed[name] = time.time()
        time.sleep(gap)
    latencies: list[float] = []
    missing = 0
    for child in children:
        out, _ = child.communicate("quit\n", timeout=60)
        got: dict[str, list[float]] = json.loads(out.strip().splitlines()[-1])
        for name, at in committed.items():
            stamps = got.get(name, [])
            latencies.extend((s - at) * 1000 for s in stamps)
            missing += max(0, per[children.index(child)] - len(stamps))
    db.dispose()
    figures = percentiles(latencies)
    figures["missed"] = missing
    return figures


# the command line -----------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    """Parse the command line and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "mode",
        nargs="?",
        default="frames",
        choices=["frames", "idle", "fanout", "reader", "idle-child", "listen-child"],
    )
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pg",
        default=os.environ.get("DESKUI_TEST_POSTGRES_URL"),
        help="a PostgreSQL server (a database is created there and dropped)",
    )
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--urgent", type=int, default=20, help="tickets already on the board")
    parser.add_argument("--gap", type=float, default=0.25, help="seconds between writes")
    parser.add_argument("--seconds", type=float, default=30.0, help="idle measurement length")
    parser.add_argument("--listeners", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--gc",
        default="console,default",
        help="the reader's collector, comma-separated: console, default, off",
    )
    options = parser.parse_args(argv)

    if options.mode == "reader":
        run_reader(options.args[0], options.args[1] if len(options.args) > 1 else "console")
        return
    if options.mode == "idle-child":
        run_idle(options.args[0], float(options.args[1]))
        return
    if options.mode == "listen-child":
        run_listeners(options.args[0], int(options.args[1]))
        return

    backends = ["sqlite"] + ([] if options.sqlite_only or not options.pg else ["postgresql"])
    print(f"deskui change propagation — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if options.mode == "frames":
        print(
            f"commit in one process → first frame in another that shows it "
            f"({options.samples} samples, board of {options.urgent + 1} tickets)"
        )
        for backend in backends:
            target = "(target p99 ≤ 75 ms)" if backend == "sqlite" else "(target p99 ≤ 50 ms)"
            for collector in options.gc.split(","):
                if collector not in GC_MODES:
                    parser.error(f"--gc: unknown mode {collector!r}")
                desk_of = sqlite_desk() if backend == "sqlite" else postgres_desk(options.pg)
                with desk_of as url:
                    figures = measure_frames(
                        url, options.samples, options.urgent, options.gap, collector
                    )
                label = f"{backend}{GC_MODES[collector]}"
                passes = (
                    f", full passes: quiet {figures['passes']:.0f}, automatic "
                    f"{figures['automatic']:.0f} (longest "
                    f"{figures['longest_automatic']:.0f} ms)"
                    if collector == "console"
                    else ""
                )
                show(label, figures, f"{target}  missed {figures['missed']:.0f}{passes}")
    if options.mode in ("frames", "idle"):
        print(
            f"CPU of an idle console watching for changes ({options.seconds:.0f} s, "
            "target ≤ 0.5 % of a core)"
        )
        for backend in backends:
            desk_of = sqlite_desk() if backend == "sqlite" else postgres_desk(options.pg)
            with desk_of as url:
                prepare(url, 0).db.dispose()
                idle = measure_idle(url, options.seconds)
            print(
                f"  {backend:<40} {idle['percent']:.3f} % of a core "
                f"({idle['cpu_s'] * 1000:.0f} ms CPU in {idle['wall_s']:.1f} s)"
            )
    if options.mode == "fanout":
        if not options.pg:
            parser.error("fanout needs --pg")
        with postgres_desk(options.pg) as url:
            count, limit = max_listeners(url, options.listeners)
            print(
                f"notify → receipt with {count} listening consoles in {options.processes} "
                f"processes (server max_connections {limit}; asked for {options.listeners})"
            )
            figures = measure_fanout(
                url, count, min(options.samples, 100), options.processes, max(options.gap, 0.2)
            )
        show(f"{count} listeners", figures, f"missed {figures['missed']:.0f}")


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        main()
