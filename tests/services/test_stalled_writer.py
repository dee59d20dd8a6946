"""A console stopped inside its write transaction: the others are told the desk is busy after
the lock wait, nothing half-written, and the desk writes again once the stalled one is gone."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select

from deskui.config import DatabaseWaits
from deskui.services.desk import DeskService
from deskui.services.errors import DatabaseUnavailable, DeskBusy
from deskui.services.views import TicketView
from deskui.store.db import Database
from deskui.store.models import Requester, Ticket, TicketEvent
from tests.conftest import FROZEN_AT
from tests.services.stalled import faults, finishes, needs_sigstop, stalled_writer
from tests.services.test_intake import call

#: The second writer's lock wait: short, so the test is quick; the answer comes after it.
LOCK_WAIT = 1.0

pytestmark = [pytest.mark.slow, needs_sigstop, faults]


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.exec(select(func.count(col(Ticket.id)))).one(),
        session.exec(select(func.count(col(Requester.id)))).one(),
        session.exec(select(func.count(col(TicketEvent.id)))).one(),
    )


def test_a_stopped_writer_makes_the_next_one_busy_not_stuck(desk: DeskService) -> None:
    """A second writer gives up after its lock wait with ``database.busy`` and leaves nothing;
    once the stalled writer goes on, both calls are on record and numbered without a gap."""
    second = DeskService(Database(desk.db.url, waits=DatabaseWaits(lock=LOCK_WAIT)), desk.clock)
    op = second.actor("op")
    _ = second.rules
    before = desk.read(_counts)
    with stalled_writer(desk.db.url, at=FROZEN_AT) as stalled:
        outcome = finishes(lambda: second.create_ticket(op, call(summary="second caller")))
        assert isinstance(outcome, DeskBusy), outcome
        assert not isinstance(outcome, DatabaseUnavailable)
        assert outcome.code == "database.busy"
        assert outcome.params == {"database": desk.db.display_name, "seconds": "1"}
        assert "nothing was saved" in outcome.message
        # reads go on meanwhile, and the refused call left nothing
        assert desk.read(_counts) == before
        assert stalled.release() == ("committed", "IT20261102001")
    view = finishes(lambda: second.create_ticket(op, call(summary="second caller")))
    assert isinstance(view, TicketView), view
    assert view.number == "IT20261102002"
    tickets, requesters, events = desk.read(_counts)
    assert tickets == before[0] + 2 and requesters == before[1] + 2 and events > before[2]
    second.db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_postgres_ends_a_stalled_transaction_and_frees_its_locks(desk: DeskService) -> None:
    """The server ends a transaction idle past its timeout: the writer waiting behind it gets
    through (its lock wait is far longer than the stalled session's timeout), and the stalled
    console's call, never committed, is not on record."""
    patient = DeskService(Database(desk.db.url, waits=DatabaseWaits(lock=60.0)), desk.clock)
    op = patient.actor("op")
    _ = patient.rules
    with stalled_writer(desk.db.url, at=FROZEN_AT, idle_in_transaction=0.5) as stalled:
        view = finishes(lambda: patient.create_ticket(op, call(summary="after the stall")))
        assert isinstance(view, TicketView), view
        assert view.number == "IT20261102001"  # the stalled call's number was never taken
        status, why = stalled.release()
    assert (status, why) == ("failed", "database.unavailable")
    numbers = desk.read(lambda s: list(s.exec(select(Ticket.number, Ticket.summary))))
    assert [tuple(n) for n in numbers] == [("IT20261102001", "after the stall")]
    patient.db.dispose()
