"""Many processes writing at once: numbering and claiming stay correct (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlmodel import Session, col, select

from deskui.cli.exits import CONFLICT, exit_code
from deskui.core.enums import EventKind
from deskui.i18n import Catalog
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput, add_requester
from deskui.services.errors import SaveConflict
from deskui.services.users import add_user
from deskui.store.models import Requester, Ticket, TicketEvent, User
from tests.services.race_workers import claim_worker, intake_worker, same_caller_worker
from tests.services.test_intake import call

PROCESSES = 8
INTAKES = 200
CONTESTED = 40

pytestmark = pytest.mark.slow


def _run(target: Callable[..., None], arg_sets: Sequence[tuple[object, ...]]) -> list[Any]:
    """Start one process per argument set and gather what each put on the queue (unpickled,
    so untyped: the caller says what its worker reports)."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(len(arg_sets))
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for args in arg_sets]
    for p in procs:
        p.start()
    out = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return out


@pytest.mark.parametrize(
    ("consoles", "employee_id"), [(4, None), (6, "E77001")], ids=["same phone", "same employee id"]
)
def test_the_same_new_caller_from_several_consoles_is_one_caller(
    desk: DeskService, consoles: int, employee_id: str | None
) -> None:
    """Consoles logging the same new caller at once: one requester row, every ticket saved
    (on PostgreSQL the lookup-then-add is serialized per phone and employee id)."""
    out: list[tuple[int, str | None, str | None]] = _run(
        same_caller_worker, [(desk.db.url, w, employee_id) for w in range(consoles)]
    )
    assert [error for _, _, error in out if error is not None] == []
    numbers = [number for _, number, _ in out]
    assert len(set(numbers)) == consoles

    def stored(session: Session) -> tuple[list[int | None], list[int]]:
        callers = session.exec(
            select(Requester.id).where(Requester.phone_digits == "13912345678")
        ).all()
        owners = session.exec(
            select(Ticket.requester_id).where(col(Ticket.number).in_(numbers))
        ).all()
        return list(callers), list(owners)

    callers, owners = desk.read(stored)
    assert len(callers) == 1, "the same caller was added more than once"
    assert owners == [callers[0]] * consoles


def test_concurrent_intake_leaves_no_duplicate_gap_or_loss(desk: DeskService) -> None:
    url = desk.db.url
    out: list[tuple[int, list[str]]] = _run(
        intake_worker, [(url, w, INTAKES) for w in range(PROCESSES)]
    )
    numbers = [n for _, nums in out for n in nums]
    assert len(numbers) == PROCESSES * INTAKES
    assert len(set(numbers)) == len(numbers), "duplicate numbers"
    stored = desk.read(lambda s: list(s.exec(select(Ticket.number))))
    assert sorted(stored) == sorted(numbers), "a ticket was lost or invented"
    days = Counter(n[2:10] for n in numbers)
    for day, count in days.items():
        seqs = sorted(int(n[10:]) for n in numbers if n[2:10] == day)
        assert seqs == list(range(seqs[0], seqs[0] + count)), f"gap in {day}"
    assert sum(days.values()) == PROCESSES * INTAKES
    # each process saw its own numbers rising
    for _, nums in out:
        assert nums == sorted(nums, key=lambda n: (n[2:10], int(n[10:])))


def test_racing_claims_leave_exactly_one_owner(desk: DeskService) -> None:
    logins = [f"racer{i}" for i in range(PROCESSES)]

    def racers(session: Session) -> None:
        for login in logins:
            add_user(
                session=session,
                login=login,
                name=login,
                role="agent",
                groups=["hardware"],
                now=desk.clock.now(),
            )

    desk.write(racers)
    op = desk.actor("op")
    numbers = [desk.create_ticket(op, call(summary=f"race {i}")).number for i in range(CONTESTED)]
    out: list[tuple[str, list[str], list[tuple[str, str]]]] = _run(
        claim_worker, [(desk.db.url, login, numbers) for login in logins]
    )
    winners: dict[str, list[str]] = {}
    for login, won, lost in out:
        for number in won:
            winners.setdefault(number, []).append(login)
        for _number, holder in lost:
            assert holder != login
    assert sorted(winners) == sorted(numbers)
    assert all(len(w) == 1 for w in winners.values()), winners

    def stored(session: Session) -> dict[str, str]:
        rows = session.exec(
            select(Ticket.number, User.login).join(User, col(Ticket.assignee_id) == User.id)
        )
        return dict(rows.all())

    assert desk.read(stored) == {n: w[0] for n, w in winners.items()}
    claims = desk.read(
        lambda s: Counter(
            s.exec(select(TicketEvent.ticket_id).where(TicketEvent.kind == EventKind.CLAIMED)).all()
        )
    )
    assert len(claims) == CONTESTED and set(claims.values()) == {1}


def test_a_duplicate_the_database_refuses_is_a_conflict_not_a_traceback(
    desk: DeskService,
) -> None:
    """Whatever still reaches a unique index (a caller added by hand with an employee id already
    taken) is the services' conflict: exit 4, nothing saved, no driver error."""
    now = desk.clock.now()
    caller = RequesterInput(name="先到", employee_id="E88001")
    desk.write(lambda s: add_requester(session=s, data=caller, now=now))
    second = RequesterInput(name="后到", employee_id="E88001")
    with pytest.raises(SaveConflict) as raised:
        desk.write(lambda s: add_requester(session=s, data=second, now=now))
    assert exit_code(raised.value) == CONFLICT
    assert "工号" in raised.value.words(Catalog("zh"))
    names = desk.read(
        lambda s: list(s.exec(select(Requester.name).where(Requester.employee_id == "E88001")))
    )
    assert names == ["先到"]
