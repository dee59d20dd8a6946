"""A change waiting on the desk (another console holds the write lock) that its sender cancels:
it ends at once with nothing written, and the same change goes through once the lock is free.

The holder is another console of the same desk in a thread, inside its write transaction: on
SQLite it holds the writers' turn, on PostgreSQL the ticket's row. Nothing sleeps to decide an
order: the cancel is sent once the waiting change is seen waiting (its turn's helper thread, or
its backend waiting for a lock), and :data:`~tests.services.stalled.DEADLINE` only turns a hang
into a failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from deskui.config import DatabaseWaits
from deskui.services.desk import DeskService
from deskui.services.errors import ChangeCancelled
from deskui.services.sending import CancelToken, cancellable
from deskui.services.views import TicketView
from deskui.store.db import Database
from deskui.store.models import Ticket, TicketEvent
from tests.services.stalled import DEADLINE, finishes
from tests.services.test_queue import log_call


def _until(condition: Callable[[], bool]) -> None:
    """Return once ``condition`` holds (a hang guard bounds it, not a measure)."""
    give_up = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < give_up, "the change never started waiting"
        time.sleep(0.01)


@contextmanager
def holding(desk: DeskService, number: str) -> Iterator[None]:
    """Another console inside its write transaction, holding the ticket's row (and, on SQLite,
    the writers' turn) until the block ends."""
    inside, release = threading.Event(), threading.Event()

    def hold(session: Session) -> None:
        session.exec(select(Ticket).where(Ticket.number == number).with_for_update()).one()
        inside.set()
        release.wait(DEADLINE)

    holder = threading.Thread(target=lambda: desk.write(hold), daemon=True)
    holder.start()
    assert inside.wait(DEADLINE)
    try:
        yield
    finally:
        release.set()
        holder.join(DEADLINE)


def _helpers() -> int:
    return sum(t.name == "deskui-writer-turn" for t in threading.enumerate())


def _waiting(desk: DeskService) -> Callable[[], bool]:
    """Whether a change of this desk is now waiting for the lock the holder has (on SQLite:
    one more writer-turn helper than before is blocked on it)."""
    if desk.db.is_sqlite:
        before = _helpers()
        return lambda: _helpers() > before
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )
    return lambda: bool(desk.read(lambda s: s.execute(query).scalar_one()))


def _notes(desk: DeskService, note: str) -> int:
    query = select(func.count(col(TicketEvent.id))).where(TicketEvent.note == note)
    return desk.read(lambda s: s.exec(query).one())


def test_a_cancelled_wait_ends_at_once_with_nothing_written(desk: DeskService) -> None:
    number = log_call(desk, "打印机卡纸", minutes_ago=30).number
    # a console that would wait far longer than the hang guard for the lock
    patient = DeskService(Database(desk.db.url, waits=DatabaseWaits(lock=3 * DEADLINE)), desk.clock)
    agent = patient.actor("agent2")
    _ = patient.rules
    token = CancelToken()
    asked: list[bool] = []

    def send() -> TicketView:
        with cancellable(token):
            return patient.worklog(agent, number, "换了硒鼓")

    with holding(desk, number):
        waiting = _waiting(desk)

        def cancel_once_waiting() -> None:
            _until(waiting)
            asked.append(token.cancel())

        threading.Thread(target=cancel_once_waiting, daemon=True).start()
        outcome = finishes(send)
        assert isinstance(outcome, ChangeCancelled), outcome
        assert asked == [True], "the cancel came before the point of no return"
        assert outcome.code == "database.cancelled"
        assert "nothing was saved" in outcome.message
        assert _notes(desk, "换了硒鼓") == 0
    # the lock is free: the same change, sent again, goes through once
    view = finishes(lambda: patient.worklog(agent, number, "换了硒鼓"))
    assert isinstance(view, TicketView), view
    assert _notes(desk, "换了硒鼓") == 1
    patient.db.dispose()


def test_a_change_past_its_commit_is_not_cancelled(desk: DeskService) -> None:
    """A cancel that comes once the commit has started is refused: the change is saved."""
    number = log_call(desk, "打印机卡纸", minutes_ago=30).number
    token = CancelToken()
    with cancellable(token):
        desk.worklog(desk.actor("agent2"), number, "已更换")
    assert token.committing and not token.cancel()
    assert _notes(desk, "已更换") == 1
