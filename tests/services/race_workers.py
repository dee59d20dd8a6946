"""Worker processes for the concurrency tests: each opens its own engine, as a console would."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from deskui.config import DatabaseWaits
from deskui.core.clock import Clock, FrozenClock, SystemClock
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.errors import ClaimConflict, ServiceError
from deskui.services.intake import IntakeRequest, create_ticket
from deskui.store.db import Database
from tests.services.test_intake import call


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


def stalled_intake(
    url: str,
    idle_in_transaction: float | None,
    at: datetime | None,
    opened: Any,
    release: Any,
    results: Any,
) -> None:
    """Log a call inside a write transaction, say so, and stay inside it until released.

    Holds what a console stopped mid-save holds: on SQLite the writer turn and the write lock,
    on PostgreSQL the day's ``ticket_sequence`` row (and the new rows). Reports what became of
    its commit: ``("committed", number)`` or ``("failed", code or type of the error)``.

    Args:
        url: the desk's database.
        idle_in_transaction: on PostgreSQL, the idle-in-transaction timeout set for the rest of
            the transaction once the call is written (set there, not when connecting, so that
            the first call's imports in a cold process never count as idleness); None keeps
            one long enough that only the test ends the transaction.
        at: the desk's frozen time (the day's counter it locks), or None for the real clock.
        opened: the sending end of a pipe; told once the call is written and the transaction
            is still open.
        release: waited for inside the transaction.
        results: where the outcome goes.
    """
    db = Database(url, waits=DatabaseWaits(idle_in_transaction=600.0))
    clock: Clock = FrozenClock(at) if at is not None else SystemClock()
    request = IntakeRequest(
        type="incident",
        category="network",
        channel="phone",
        impact=2,
        urgency=2,
        summary="stalled console",
        description="logged by a console that stops before it commits",
        requester=RequesterInput(name="停顿", phone="13900009999"),
    )

    def log_and_hold(session: Session) -> str:
        ticket = create_ticket(
            session=session, data=request, actor=actor, rules=rules, now=clock.now()
        )
        session.flush()
        if idle_in_transaction is not None and not db.is_sqlite:
            limit = round(idle_in_transaction * 1000)
            session.execute(text(f"SET LOCAL idle_in_transaction_session_timeout = {limit}"))
        opened.send("opened")
        release.wait()
        return ticket.number

    try:
        desk = DeskService(db, clock)
        actor = desk.actor("op")
        rules = desk.rules
        number = desk.write(log_and_hold)
    except ServiceError as exc:
        results.put(("failed", exc.code))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which names it
        results.put(("failed", f"{type(exc).__name__}: {exc}"))
    else:
        results.put(("committed", number))
    finally:
        db.dispose()


def same_caller_worker(
    url: str, worker: int, employee_id: str | None, barrier: Any, results: Any
) -> None:
    """Log one call from the same new caller as every other worker, at the same moment; report
    the number received, or the error's code, or the type of anything unexpected."""
    db = Database(url)
    desk = DeskService(db)
    actor = desk.actor("op")
    _ = desk.rules
    request = call(
        summary=f"console {worker}: the same caller",
        requester=RequesterInput(name="同时来电", phone="139 1234 5678", employee_id=employee_id),
    )
    barrier.wait()
    try:
        results.put((worker, desk.create_ticket(actor, request).number, None))
    except ServiceError as exc:
        results.put((worker, None, exc.code))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        results.put((worker, None, f"{type(exc).__name__}: {exc}"))
    finally:
        db.dispose()
