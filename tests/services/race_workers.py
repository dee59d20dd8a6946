"""Worker processes for the concurrency tests: each opens its own engine, as a console would."""

from __future__ import annotations

import random
from typing import Any

from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.errors import ClaimConflict
from deskui.services.intake import IntakeRequest
from deskui.store.db import Database


def intake_worker(url: str, worker: int, count: int, barrier: Any, results: Any) -> None:
    """Log ``count`` calls as fast as possible and report the numbers received."""
    db = Database(url)
    desk = DeskService(db)
    actor = desk.actor("op")
    _ = desk.rules
    barrier.wait()
    numbers = []
    for i in range(count):
        view = desk.create_ticket(
            actor,
            IntakeRequest(
                type="incident",
                category="network",
                channel="phone",
                impact=2,
                urgency=3,
                summary=f"worker {worker} call {i}",
                description="concurrent intake",
                requester=RequesterInput(name=f"并发{worker}", phone=f"1380000{worker:04d}"),
            ),
        )
        numbers.append(view.number)
    db.dispose()
    results.put((worker, numbers))


def claim_worker(url: str, login: str, numbers: list[str], barrier: Any, results: Any) -> None:
    """Try to claim every ticket, in a shuffled order; report the ones won and the conflicts."""
    db = Database(url)
    desk = DeskService(db)
    actor = desk.actor(login)
    _ = desk.rules
    order = list(numbers)
    random.Random(login).shuffle(order)
    won, lost = [], []
    barrier.wait()
    for number in order:
        try:
            desk.claim(actor, number)
            won.append(number)
        except ClaimConflict as exc:
            lost.append((number, exc.holder))
    db.dispose()
    results.put((login, won, lost))
