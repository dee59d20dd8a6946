"""How the live queue feels at 1,000 and at 1,000,000 tickets (SQLite).

Builds (once, cached in the temp directory) a desk database of each size by bulk insert, then
opens the queue in a real Textual app whose driver timestamps every frame it writes, and
measures:

* time to first paint: from starting the app to the first frame that shows queue rows;
* per key, from the key's arrival at the app (the driver hands it over, as a terminal's input
  thread would) to the next frame written: ``down`` (p50, p99), ``pagedown``, ``pageup``;
* memory: resident set size after the run, and its peak.

Each size is measured in a fresh process so the memory figures are its own. Run::

    .venv/bin/python benchmarks/queue_scroll.py            # both sizes
    .venv/bin/python benchmarks/queue_scroll.py --sizes 1000 --rebuild
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.driver import Driver
from textual.geometry import Size

from deskui.console.gc_policy import CollectorPolicy
from deskui.core.clock import SystemClock
from deskui.core.enums import ClockKind, Priority, Status
from deskui.core.numbering import format_number
from deskui.core.sla import ClockEvent, compute_clocks, nearest_due
from deskui.i18n import Catalog
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import pinyin_keys
from deskui.services.users import add_user
from deskui.store.db import Database

SIZE = (140, 40)
CACHE = Path(tempfile.gettempdir()) / "deskui-bench"
SCHEMA_TAG = "v2"
OPEN_SHARE = 0.6
REQUESTERS = 20_000
BATCH = 50_000

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏宇浩凯俊晨欣怡婷雪梅琳"
SUMMARIES = (
    "打印机卡纸，无法打印",
    "VPN 连接后频繁掉线",
    "Outlook 无法接收邮件",
    "ERP 登录提示密码错误",
    "会议室投影仪无信号",
    "申请开通共享盘权限",
    "电脑蓝屏重启",
    "财务系统导出报表失败",
    "无线网络信号弱",
    "新员工账号开通",
    "显示器闪烁",
    "OA 审批流程卡住",
)
CATEGORIES = ("hardware", "software", "network", "account", "data", "other")
GROUP_OF = {
    "hardware": "hardware",
    "software": "software",
    "network": "network",
    "account": "account",
    "data": "software",
    "other": "desk",
}
PRIORITY_OF = {
    (1, 1): "P1",
    (1, 2): "P1",
    (1, 3): "P2",
    (1, 4): "P3",
    (2, 1): "P1",
    (2, 2): "P2",
    (2, 3): "P3",
    (2, 4): "P4",
    (3, 1): "P2",
    (3, 2): "P3",
    (3, 3): "P4",
    (3, 4): "P4",
}


def ts(moment: datetime) -> str:
    """A UTC instant as SQLAlchemy stores it in SQLite (naive, with microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# building -------------------------------------------------------------------------------------
def database_path(total: int) -> Path:
    """Where the desk of ``total`` tickets is cached."""
    return CACHE / f"queue-{total}-{SCHEMA_TAG}.db"


def build(total: int, path: Path) -> float:
    """Build a desk of ``total`` tickets at ``path``; returns the seconds it took."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    prepare_database(db)
    desk = DeskService(db)
    now = datetime.now(UTC).replace(microsecond=0)

    def staff(session: Any) -> None:
        for login, name, role, groups in (
            ("op", "王芳", "operator", ["desk"]),
            ("agent1", "张伟", "agent", ["hardware"]),
            ("agent2", "李娜", "agent", ["hardware", "software"]),
            ("lead", "赵敏", "duty_lead", ["desk", "hardware", "software", "network"]),
        ):
            add_user(session=session, login=login, name=name, role=role, groups=groups, now=now)

    desk.write(staff)
    rules = desk.rules
    db.dispose()

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    users = dict(conn.execute("SELECT login, id FROM desk_user"))
    groups = dict(conn.execute("SELECT code, id FROM support_group"))
    rng = random.Random(total)
    _insert_requesters(conn, rng, now)
    day_sequence: dict[str, int] = {}
    tickets: list[tuple[Any, ...]] = []
    events_rows: list[tuple[Any, ...]] = []
    # receipt times ascending, so numbers follow receipt day by day
    received = sorted(_receipts(rng, total, now))
    for ticket_id, (when, is_open) in enumerate(received, start=1):
        row, evs = _ticket(ticket_id, when, is_open, rng, now, users, groups, rules, day_sequence)
        tickets.append(row)
        events_rows.extend(evs)
        if len(tickets) >= BATCH:
            _flush(conn, tickets, events_rows)
    _flush(conn, tickets, events_rows)
    conn.executemany(
        "INSERT INTO ticket_sequence (day, last) VALUES (?, ?)", list(day_sequence.items())
    )
    conn.commit()
    # no ANALYZE: a console's own database has no statistics either
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - started


def _receipts(rng: random.Random, total: int, now: datetime) -> Iterator[tuple[datetime, bool]]:
    """Closed tickets over the past year, open ones over the past month."""
    for _ in range(total):
        is_open = rng.random() < OPEN_SHARE
        span = 30 * 86_400 if is_open else 365 * 86_400
        yield now - timedelta(seconds=rng.randrange(600, span)), is_open


def _insert_requesters(conn: sqlite3.Connection, rng: random.Random, now: datetime) -> None:
    rows = []
    for n in range(REQUESTERS):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        full, initials = pinyin_keys(name)
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        rows.append(
            (
                name,
                full,
                initials,
                "信息部",
                "总部",
                phone,
                phone,
                f"{8000 + n}",
                f"E{100001 + n}",
                f"e{100001 + n}@example.com",
                n % 40 == 0,
                False,
                ts(now),
            )
        )
    conn.executemany(
        "INSERT INTO requester (name, name_pinyin, name_initials, department, company, phone, "
        "phone_digits, extension, employee_id, email, vip, external, created_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )


def _ticket(
    ticket_id: int,
    received: datetime,
    is_open: bool,
    rng: random.Random,
    now: datetime,
    users: dict[str, int],
    groups: dict[str, int],
    rules: Any,
    day_sequence: dict[str, int],
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """One ticket row and its events, with the clock caches computed from those events."""
    category = rng.choice(CATEGORIES)
    impact, urgency = rng.randint(1, 3), rng.randint(1, 4)
    priority = PRIORITY_OF[(impact, urgency)]
    day = received.astimezone(rules.tz).date()
    key = day.strftime("%Y%m%d")
    day_sequence[key] = day_sequence.get(key, 0) + 1
    number = format_number(day, day_sequence[key])
    if is_open:
        status = rng.choices(
            ("to_assign", "in_progress", "pending", "awaiting_confirmation"), (40, 40, 10, 10)
        )[0]
    else:
        status = rng.choices(("closed", "resolved", "rejected"), (70, 20, 10))[0]
    agent = users[rng.choice(("agent1", "agent2", "lead"))]
    op = users["op"]
    group_id = groups[GROUP_OF[category]]
    step = timedelta(minutes=rng.randint(2, 50))
    at = received
    evs: list[tuple[Any, ...]] = []
    clock_events: list[ClockEvent] = []

    def event(
        kind: str,
        actor: int,
        field: str | None = None,
        old: str | None = None,
        new: str | None = None,
        note: str | None = None,
    ) -> None:
        evs.append((ticket_id, ts(at), actor, kind, field, old, new, note))
        clock_events.append(
            ClockEvent(
                at=at,
                status=Status(new) if field == "status" and new else None,
                acknowledges=kind in ("claimed", "takeover", "progress", "first_contact"),
                progress=kind == "progress",
                note=note,
            )
        )

    event("created", op, "priority", None, priority, f"I{impact} × U{urgency} → {priority}")
    event("routed", op, "group", None, GROUP_OF[category], f"category {category}")
    event("status", op, "status", "new", "to_assign")
    assignee = None
    if status == "rejected":
        at += step
        event("status", op, "status", "to_assign", "rejected", "重复工单，请在原工单跟进")
        event("rejected", op, note="重复工单，请在原工单跟进")
    elif status != "to_assign":
        at += step
        assignee = agent
        event("claimed", agent, "assignee", None, "agent")
        event("status", agent, "status", "to_assign", "in_progress")
        if status == "pending":
            at += step
            event("status", agent, "status", "in_progress", "pending", "等待用户提供截图")
            event("pending", agent, note="等待用户提供截图")
        elif status != "in_progress":
            at += step
            event("status", agent, "status", "in_progress", "awaiting_confirmation", "已处理")
            event("solution", agent, "solution", None, "已处理")
            if status in ("resolved", "closed"):
                at += step
                event("status", op, "status", "awaiting_confirmation", "resolved")
                event("confirmed", op, "satisfaction", None, "5")
            if status == "closed":
                at += timedelta(seconds=30)
                event("status", op, "status", "resolved", "closed")
                event("closed", op)
    at = min(at, now)
    dues: dict[ClockKind, datetime | None] = dict.fromkeys(ClockKind)
    next_due = None
    if is_open:
        clocks = compute_clocks(
            priority=Priority(priority),
            received_at=received,
            events=clock_events,
            now=now,
            policy=rules.sla,
            calendar=rules.calendar,
        )
        dues = {k: c.due for k, c in clocks.items()}
        next_due = nearest_due(clocks)
    summary = rng.choice(SUMMARIES)
    row = (
        ticket_id,
        number,
        "incident",
        category,
        "phone",
        status,
        is_open,
        impact,
        urgency,
        priority,
        priority,
        f"I{impact} × U{urgency} → {priority}",
        False,
        rng.randint(1, REQUESTERS),
        summary,
        f"{summary}。用户反映问题持续出现，已重启无效。",
        ts(received),
        ts(received),
        ts(at),
        op,
        group_id,
        f"category {category}",
        assignee,
        ts(received + step) if assignee else None,
        1,
        *(
            ts(d) if d else None
            for d in (
                dues[ClockKind.RESPONSE],
                dues[ClockKind.UPDATE],
                dues[ClockKind.RESOLUTION],
                next_due,
            )
        ),
        len(evs),
    )
    return row, evs


def _flush(conn: sqlite3.Connection, tickets: list[Any], events_rows: list[Any]) -> None:
    conn.executemany(
        "INSERT INTO ticket (id, number, type, category, channel, status, is_open, impact, "
        "urgency, priority, matrix_priority, priority_reason, vip, requester_id, summary, "
        "description, received_at, created_at, updated_at, created_by_id, group_id, "
        "routing_reason, assignee_id, accepted_at, tier, response_due, update_due, "
        "resolution_due, next_due, version) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        tickets,
    )
    conn.executemany(
        "INSERT INTO ticket_event (ticket_id, at, actor_id, kind, field, old_value, new_value, "
        "note) VALUES (?,?,?,?,?,?,?,?)",
        events_rows,
    )
    tickets.clear()
    events_rows.clear()


# measuring ------------------------------------------------------------------------------------
class FrameDriver(Driver):
    """A driver that writes nowhere but notes when each frame was written."""

    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.frames: list[float] = []
        self.frame_written = asyncio.Event()

    @property
    def is_headless(self) -> bool:
        """Not headless: Textual renders and writes frames as it would to a terminal."""
        return False

    def write(self, data: str) -> None:
        """A frame (or part of one) leaves the app."""
        if data:
            self.frames.append(time.perf_counter())
            self.frame_written.set()

    def flush(self) -> None:
        """Nothing buffered."""

    def start_application_mode(self) -> None:
        """Announce the terminal size, as a terminal would."""
        size = Size(*SIZE)
        loop = asyncio.get_running_loop()
        asyncio.run_coroutine_threadsafe(
            self._app._post_message(events.Resize(size, size)), loop=loop
        )

    def disable_input(self) -> None:
        """No input thread to stop."""

    def stop_application_mode(self) -> None:
        """Nothing to restore."""


class BenchApp(App[None]):
    """The queue alone, with the attributes screens read from the console."""

    def __init__(self, desk: DeskService, login: str) -> None:
        super().__init__(driver_class=FrameDriver)
        self.desk = desk
        self.actor = desk.actor(login)
        desk.rules  # noqa: B018 - read before the app starts, as the console does
        self.t = Catalog("zh")
        self.clock = desk.clock

    def on_mount(self) -> None:
        """The queue."""
        from deskui.screens.queue import QueueScreen

        self.push_screen(QueueScreen())


def rss_mb() -> tuple[float, float]:
    """Resident set size now and at its peak, in MB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


async def _settle(app: BenchApp, quiet: float = 0.03) -> None:
    """Wait until no worker runs and no frame was written for ``quiet`` seconds."""
    driver: FrameDriver = app._driver  # type: ignore[assignment]
    while True:
        await asyncio.sleep(quiet)
        busy = any(w.is_running for w in app.workers)
        if not busy and (not driver.frames or time.perf_counter() - driver.frames[-1] >= quiet):
            return


async def _press(app: BenchApp, key: str) -> float | None:
    """Hand one key to the app as a terminal would; milliseconds until the next frame."""
    driver: FrameDriver = app._driver  # type: ignore[assignment]
    driver.frame_written.clear()
    started = time.perf_counter()
    driver.process_message(events.Key(key, None))
    try:
        await asyncio.wait_for(driver.frame_written.wait(), timeout=1.0)
    except TimeoutError:
        return None
    written = next(f for f in driver.frames if f >= started)
    return (written - started) * 1000


async def measure(path: Path, *, console_gc: bool = False) -> dict[str, Any]:
    """Open the queue on ``path``, scroll it, and return the figures.

    Args:
        console_gc: follow the console's garbage-collection policy
            (:class:`deskui.console.gc_policy.CollectorPolicy`: start-up frozen, and what the first
            paint built, full passes only in quiet moments); without it Python's own schedule
            runs full passes over every object of the loaded libraries (~150 ms here).
    """
    from deskui.widgets.queue_table import TicketTable

    db = Database(f"sqlite:///{path}")
    desk = DeskService(db, SystemClock())
    app = BenchApp(desk, "agent2")
    policy = CollectorPolicy() if console_gc else None
    if policy is not None:
        policy.install()
    started = time.perf_counter()
    result: dict[str, Any] = {}

    async def drive() -> None:
        while not app.is_running or not app.screen.query(TicketTable):
            await asyncio.sleep(0.005)
        table = app.screen.query_one(TicketTable)
        while table.first_rows_at is None or table.total is None:
            await asyncio.sleep(0.005)
        driver: FrameDriver = app._driver  # type: ignore[assignment]
        while not any(f >= table.first_rows_at for f in driver.frames):
            await asyncio.sleep(0.002)
        first = next(f for f in driver.frames if f >= table.first_rows_at)
        result["first_paint_ms"] = (first - started) * 1000
        await _settle(app, 0.2)
        if policy is not None:
            policy.settle()  # as the console does once its first screen is drawn
        result["rows_in_view"] = table.total
        plan = ["down"] * 300 + (["pagedown"] * 12 + ["home"]) * 5 + ["end"] + ["pageup"] * 30
        timings: dict[str, list[float]] = {}
        misses = 0
        for key in plan:
            ms = await _press(app, key)
            if ms is not None:
                timings.setdefault(key, []).append(ms)
            top = round(table.scroll_y)
            if any(
                table.row_at(i) is None
                for i in range(top, min(table.total or 0, top + table.body_height))
            ):
                misses += 1
            if os.environ.get("BENCH_TRACE"):
                with open(os.environ["BENCH_TRACE"], "a") as trace:
                    print(
                        key,
                        ms,
                        top,
                        table.block_start,
                        len(table.loaded_rows),
                        table.cursor,
                        file=trace,
                    )
            await _settle(app)
        result["keys"] = {k: _percentiles(v) for k, v in timings.items()}
        result["frames_with_missing_rows"] = misses
        result["rss_mb"], result["peak_rss_mb"] = rss_mb()

    async def drive_then_exit() -> None:
        try:
            await drive()
        finally:
            app.exit()

    driver_task = asyncio.create_task(drive_then_exit())
    await app.run_async()
    await driver_task
    db.dispose()
    return result


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(ordered), "p50": statistics.median(ordered), "p99": p99, "max": ordered[-1]}


# the program ----------------------------------------------------------------------------------
def main() -> None:
    """Build what is missing, measure each size in its own process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 1_000_000])
    parser.add_argument("--rebuild", action="store_true", help="build the databases afresh")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--console-gc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, console_gc=args.console_gc))))
        return
    results: dict[str, dict[str, Any]] = {}
    for total in args.sizes:
        path = database_path(total)
        if args.rebuild or not path.exists():
            print(f"building {total:,} tickets at {path} …", flush=True)
            print(f"  built in {build(total, path):.1f} s", flush=True)
        for console_gc in (False, True):
            command = [sys.executable, __file__, "--measure", str(path)]
            out = subprocess.run(
                command + (["--console-gc"] if console_gc else []),
                check=True,
                capture_output=True,
                text=True,
            )
            label = f"{total:,}" + (" console gc" if console_gc else "")
            results[label] = json.loads(out.stdout.strip().splitlines()[-1])
    _report(results)


def _report(results: dict[str, dict[str, Any]]) -> None:
    print()
    print(
        f"{'tickets':>20} {'open rows':>10} {'first paint':>12} {'↓ p50':>7} {'↓ p99':>7} "
        f"{'PgDn p50':>9} {'PgDn p99':>9} {'PgUp p99':>9} {'gaps':>5} {'RSS':>7} {'peak':>7}"
    )
    for label, r in results.items():
        keys = r["keys"]
        print(
            f"{label:>20} {r['rows_in_view']:>10,} {r['first_paint_ms']:>10.0f}ms "
            f"{keys['down']['p50']:>5.1f}ms {keys['down']['p99']:>5.1f}ms "
            f"{keys['pagedown']['p50']:>7.1f}ms {keys['pagedown']['p99']:>7.1f}ms "
            f"{keys['pageup']['p99']:>7.1f}ms {r['frames_with_missing_rows']:>5} "
            f"{r['rss_mb']:>5.0f}MB {r['peak_rss_mb']:>5.0f}MB"
        )
    print(f"\nload average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(
        "targets: ↓ p50 ≤ 16 ms, ↓ p99 ≤ 33 ms, PgDn p99 ≤ 50 ms, memory ≤ 200 MB;"
        " gaps = keys whose frame showed rows still being read"
    )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
