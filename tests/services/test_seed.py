"""The demo seed is one unit: a whole desk, or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from deskui.cli import main
from deskui.core.clock import FrozenClock
from deskui.services import skills, workflow
from deskui.services.desk import DeskService
from deskui.services.seed import seed_demo
from deskui.store.db import Database
from deskui.store.models import DeskSetting, Requester, Ticket, User
from tests.services.test_audit import verify


def _counts(desk: DeskService) -> tuple[int, ...]:
    def run(session: Session) -> tuple[int, ...]:
        return tuple(
            session.exec(select(func.count()).select_from(table)).one()
            for table in (User, Requester, Ticket, DeskSetting)
        )

    return desk.read(run)


def test_a_seed_that_fails_midway_leaves_nothing_and_a_rerun_seeds_fully(
    database: Database, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = DeskService(database, clock)
    before = _counts(desk)
    claimed = 0
    claim = workflow.claim_ticket

    def claim_then_fail(**kw: Any) -> None:
        nonlocal claimed
        claimed += 1
        if claimed == 5:
            raise RuntimeError("the disk filled up")
        claim(**kw)

    monkeypatch.setattr("deskui.services.seed.claim_ticket", claim_then_fail)
    with pytest.raises(RuntimeError, match="disk filled"):
        seed_demo(desk, callers=30, tickets=20)
    assert claimed == 5  # it failed after tickets had been logged and walked
    assert _counts(desk) == before  # no users, callers, tickets or demo mark left behind

    monkeypatch.setattr("deskui.services.seed.claim_ticket", claim)
    assert seed_demo(desk, callers=30, tickets=20) == {
        "users": 9,
        "callers": 30,
        "tickets": 20,
        "articles": 32,
    }
    users, callers, tickets, _ = _counts(desk)
    assert (users, callers, tickets) == (9, 30, 20)
    report = verify(desk)
    assert report.ok, report.findings


@pytest.mark.parametrize("tickets", [1, 5, 40, 100])
def test_every_size_of_demo_seeds_and_verifies(tmp_path: Path, tickets: int) -> None:
    """Any number of tickets: a first-contact resolution is only drawn for a type that can have
    one (a consultation or an incident); ``audit verify`` holds on the result."""
    path = str(tmp_path / "demo.db")
    assert main(["seed", "--demo", "--tickets", str(tickets), "--db", path]) == 0
    assert main(["audit", "verify", "--db", path]) == 0
    db = Database(f"sqlite:///{path}")
    try:
        assert _counts(DeskService(db))[2] == tickets
    finally:
        db.dispose()


def test_the_demo_desk_has_a_skill_matrix_that_suggests_an_agent(
    database: Database, clock: FrozenClock
) -> None:
    """The demo's agents carry skills (recorded on the settings trail like an admin's change),
    so a network call is suggested to the network group's specialist, and a software call to
    whichever skilled software handler holds the least open work."""
    desk = DeskService(database, clock)
    seed_demo(desk, callers=30, tickets=20)
    matrix = skills.matrix(desk)
    assert matrix["chenjie"] == {"network": 5, "hardware": 3}
    assert matrix["zhangwei"] == {"hardware": 5, "network": 2}
    assert desk.read(skills.recorded_skills) == matrix
    network = skills.suggest_for(desk, category="network", group="network")
    assert network.best is not None and network.best.login == "chenjie"
    software = skills.suggest_for(desk, category="software", group="software")
    assert {c.login for c in software.candidates} == {"lina", "sunli"}
    best = min(software.candidates, key=lambda c: (c.open_count, -c.level, c.login))
    assert software.best == best
    assert verify(desk).ok
