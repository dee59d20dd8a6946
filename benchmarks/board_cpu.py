"""What an emergency board with many ticking clocks costs: process CPU time over wall time.

A desk with N tickets on the board (P2s, so each stays on it, three clocks each) is opened in
the console itself (``make_app``, a duty lead, the change feed on) on the shared frame driver
(``benchmarks/frame_driver.py``), which renders
and writes every frame (to nowhere) as to a terminal; the board's one timer ticks every second.
After the first read has arrived, the process's CPU time is taken over ``--seconds`` of wall
time. Nothing else runs in the process: the figure is the board's, the status line's and the
feed's, plus Textual's own frame work. Target: ≤ 2 % of a core with 200 tickets.

Run::

    .venv/bin/python -m benchmarks.board_cpu                 # 200 tickets, 30 s
    .venv/bin/python -m benchmarks.board_cpu --tickets 50 --seconds 10
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from benchmarks.propagation import StampingDriver, board_shown, call, prepare, run_app
from deskui.app import DeskApp, make_app
from deskui.config import Settings
from deskui.screens.emergency import EmergencyBoard


def board_console(url: str) -> DeskApp:
    """The console as a duty lead opens it (the board first), in Chinese, live."""
    settings = Settings(database_url=url, user="lead", lang="zh")
    return make_app(settings, start_mode="board", live=True)


def cpu_seconds() -> float:
    """User and system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_child(url: str, seconds: float, flashing: bool) -> None:
    """Measure in this process; print ``cpu_s wall_s frames rows``.

    ``flashing``: leave the standing alerts unacknowledged (their rows and the banner flash);
    otherwise a duty lead acknowledges them first (written to the record and read back before
    the measurement starts), as on a board someone watches.
    """
    app = board_console(url)
    result: dict[str, Any] = {}

    def measure() -> None:
        while not board_shown(app):
            time.sleep(0.05)
        if not flashing:
            board = app.screen
            assert isinstance(board, EmergencyBoard)
            app.call_from_thread(board.action_acknowledge_all)
            # the acknowledgements are written to the tickets' records and read back first
            while board.alerts.pending() or board.alerts.sending:
                time.sleep(0.1)
        time.sleep(2.0)  # let the first paint and start-up work finish
        driver = app._driver
        frames0 = driver.frames if isinstance(driver, StampingDriver) else 0
        cpu0, wall0 = cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        result.update(
            cpu=cpu_seconds() - cpu0,
            wall=time.monotonic() - wall0,
            frames=(driver.frames if isinstance(driver, StampingDriver) else 0) - frames0,
            rows=len(board.table.rows) if isinstance(board := app.screen, EmergencyBoard) else 0,
        )
        app.call_from_thread(app.exit)

    threading.Thread(target=measure, daemon=True).start()
    run_app(app)
    line = f"{result['cpu']} {result['wall']} {result['frames']} {result['rows']}\n"
    os.write(1, line.encode())  # the app held sys.stdout while it ran


def main(argv: list[str] | None = None) -> None:
    """Build the desk, measure in a fresh process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.child:
        run_child(options.child[0], float(options.child[1]), options.child[2] == "flashing")
        return
    with tempfile.TemporaryDirectory(prefix="deskui-board-") as tmp:
        url = f"sqlite:///{tmp}/desk.db"
        desk = prepare(url, 0)
        op = desk.actor("op")
        for n in range(options.tickets):
            desk.create_ticket(op, call(f"财务系统无法登录 #{n}", impact=2, urgency=2, ago=n * 20))
        desk.db.dispose()
        print(f"emergency board ticking, 140×40, {options.seconds:.0f} s (target ≤ 2 % of a core)")
        for mode in ("acknowledged", "flashing"):
            out = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.board_cpu",
                    "--child",
                    url,
                    str(options.seconds),
                    mode,
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=options.seconds + 120,
            )
            cpu, wall, frames, rows = out.stdout.split()[-4:]
            share = 100 * float(cpu) / float(wall)
            per_second = float(cpu) * 1000 / float(wall)
            label = "alerts acknowledged" if mode == "acknowledged" else "unacknowledged, flashing"
            print(
                f"  {rows} tickets ({int(rows) * 3} clocks), {label:<25} {share:5.2f} % of a core"
                f"  ({per_second:.1f} ms CPU/s, {int(frames) / float(wall):.1f} frames/s)"
            )


if __name__ == "__main__":
    main()
