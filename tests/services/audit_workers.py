"""Worker processes for the settings chain's concurrency test: each opens its own engine, as
an admin's console would."""

from __future__ import annotations

from typing import Any

from deskui.services.desk import DeskService
from deskui.store.db import Database


def rules_worker(url: str, worker: int, count: int, barrier: Any, results: Any) -> None:
    """Save the matrix ``count`` times (each a setting event) as fast as possible."""
    db = Database(url)
    desk = DeskService(db)
    admin = desk.actor("admin")
    matrix = dict(desk.rules.raw["matrix"])
    barrier.wait()
    for i in range(count):
        desk.save_rules(admin, "matrix", {**matrix, "vip_raise": bool(i % 2)}, f"w{worker} #{i}")
    db.dispose()
    results.put(worker)
