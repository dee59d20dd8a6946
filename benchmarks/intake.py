"""Intake throughput and latency on a desk that already holds many tickets.

Each intake is the whole use case — validate, sanitize, look up the caller, number, apply the
matrix, route, write the ticket and its events, recompute the clocks — committed on its own.
One process measures per-call latency; several processes measure commits per second under
contention for the write lock and the day's counter.

    python -m benchmarks.intake                 # 1,000 and 1,000,000 existing tickets
    python -m benchmarks.intake --existing 1000000 --calls 2000 --processes 4
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bulk_desk import cached_copy
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.intake import IntakeRequest
from deskui.store.db import Database


def _request(worker: int, i: int) -> IntakeRequest:
    return IntakeRequest(
        type="incident",
        category=("hardware", "network", "software")[i % 3],
        channel="phone",
        impact=1 + i % 3,
        urgency=1 + i % 4,
        summary=f"打印机卡纸 {worker}-{i}",
        description="三楼财务部打印机每次打印都卡纸，已经关机重启过，问题依旧。",
        requester=RequesterInput(
            name=f"压测{worker}号", phone=f"1390000{worker:04d}", department="财务部"
        ),
    )


def _worker(url: str, worker: int, calls: int, barrier: Any, out: Any) -> None:
    db = Database(url)
    desk = DeskService(db)
    actor = desk.actor("op")
    desk.create_ticket(actor, _request(worker, -1))  # warm caches and connections
    barrier.wait()
    latencies = []
    started = time.perf_counter()
    for i in range(calls):
        t0 = time.perf_counter()
        desk.create_ticket(actor, _request(worker, i))
        latencies.append((time.perf_counter() - t0) * 1000)
    out.put((time.perf_counter() - started, latencies))
    db.dispose()


def measure(url: str, calls: int, processes: int) -> dict[str, float]:
    """Run ``processes`` writers of ``calls`` intakes each; figures in ms and commits/s."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(url, w, calls, barrier, out)) for w in range(processes)
    ]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    wall = max(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[1])
    return {
        "commits_per_s": len(latencies) / wall,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "max_ms": latencies[-1],
    }


def main() -> None:
    """Print the figures for each desk size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--existing", type=int, nargs="*", default=[1_000, 1_000_000])
    parser.add_argument("--calls", type=int, default=1_000)
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for existing in args.existing:
            path = cached_copy(existing, Path(tmp))
            for processes in args.processes:
                figures = measure(f"sqlite:///{path}", args.calls, processes)
                print(
                    f"SQLite, {existing:>9,} existing, {processes} process(es) × {args.calls}: "
                    f"{figures['commits_per_s']:7.1f} commits/s  p50 {figures['p50_ms']:6.2f} ms  "
                    f"p99 {figures['p99_ms']:6.2f} ms  max {figures['max_ms']:6.1f} ms"
                )


if __name__ == "__main__":
    main()
