"""How long ``deskui directory import`` takes on a large HR export, and a second run of it.

A CSV of N callers (Chinese names, departments, sites, phone numbers written several ways,
employee ids, a VIP flag on one in fifty) is generated, then imported into a fresh SQLite desk
(or an empty PostgreSQL database named with ``--postgres``, migrated first) through the same
service the command line uses: read and parse the file, clean each row as intake does, match by
employee id or phone, write in batches and record the import on the settings trail, in one
transaction. Then the same file is imported again (every row matched, nothing to change), then
once more with one row in ten changed. Each line ends with the size of the import's setting event
(its old and new values).

    python -m benchmarks.directory_import --rows 100000
    python -m benchmarks.directory_import --rows 100000 --postgres postgresql://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from deskui.core.clock import FrozenClock
from deskui.services.admin import console_identity
from deskui.services.desk import DeskService, prepare_database, upgrade_database
from deskui.services.directory_file import read_file
from deskui.services.directory_import import import_directory
from deskui.services.users import add_user
from deskui.store.db import Database
from deskui.store.models import SettingEvent

#: The desk's time during the benchmark.
FROZEN_AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩然思雨子涵"
DEPARTMENTS = ["财务部", "人事部", "研发部", "市场部", "采购部", "法务部", "行政部", "客服部"]
SITES = ["总部 A 座", "总部 B 座", "上海分部", "深圳分部", "成都研发中心"]


def export(path: Path, rows: int, seed: int, changed_every: int = 0) -> None:
    """Write an HR export of ``rows`` callers (one in ``changed_every`` moved to another
    department, when given)."""
    rng = random.Random(seed)
    lines = ["姓名,部门,电话,工号,办公地点,VIP"]
    for i in range(rows):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        digits = f"139{i:08d}"
        phone = rng.choice(
            [
                digits,
                f"{digits[:3]}-{digits[3:7]}-{digits[7:]}",
                f"{digits[:3]} {digits[3:7]} {digits[7:]}",
            ]
        )
        department = rng.choice(DEPARTMENTS)
        if changed_every and i % changed_every == 0:
            department = "新部门"
        vip = "是" if rng.random() < 0.02 else ""
        lines.append(f"{name},{department},{phone},E{i:07d},{rng.choice(SITES)},{vip}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def desk_for(url: str) -> DeskService:
    """A new desk with its admin (an empty PostgreSQL database is migrated first)."""
    db = Database(url)
    if db.is_sqlite:
        prepare_database(db, FrozenClock(FROZEN_AT))
    else:
        upgrade_database(db, FrozenClock(FROZEN_AT))
    desk = DeskService(db, FrozenClock(FROZEN_AT))
    desk.write(
        lambda s: add_user(
            session=s, login="admin", name="admin", role="admin", groups=[], now=FROZEN_AT
        )
    )
    return desk


def record_size(session: Session, event_id: int | None) -> int:
    """Bytes of the import's setting event: its old and new values."""
    event = session.get(SettingEvent, event_id)
    assert event is not None, "a real import is on the settings trail"
    return len((event.old_value or "").encode()) + len(event.new_value.encode())


def run(desk: DeskService, path: Path, label: str) -> None:
    who = console_identity(desk.actor("admin"), sqlite=desk.db.is_sqlite)
    start = time.perf_counter()
    sheet = read_file(path)
    read = time.perf_counter() - start
    summary = import_directory(desk, who, sheet)
    total = time.perf_counter() - start
    record = desk.read(lambda s: record_size(s, summary.event))
    print(
        f"{label:28} {summary.rows:>8,} rows  read {read:6.2f} s  total {total:6.2f} s  "
        f"{summary.rows / total:>8,.0f} rows/s  new {summary.new:,} changed {summary.changed:,} "
        f"unchanged {summary.unchanged:,} bad {len(summary.problems)}  "
        f"record {record / 1024:,.0f} KiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", help="an empty PostgreSQL database's URL (migrated first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        first, moved = base / "hr.csv", base / "hr-moved.csv"
        export(first, args.rows, seed=1)
        export(moved, args.rows, seed=1, changed_every=10)
        url = args.postgres or f"sqlite:///{base / 'desk.db'}"
        desk = desk_for(url)
        print(f"database: {desk.database_name}")
        run(desk, first, "first import (all new)")
        run(desk, first, "same file again")
        run(desk, moved, "one row in ten changed")
        desk.db.dispose()


if __name__ == "__main__":
    main()
