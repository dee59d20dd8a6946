"""What the screens read through the desk service instead of querying: open tickets of a caller,
the board, the groups, the database's name, the change feed, and a database that went away."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskui.core.clock import FrozenClock
from deskui.services.changes import ALL_TABLES, ChangeFeed
from deskui.services.desk import DeskService, database_name
from deskui.services.errors import DatabaseUnavailable, ServiceError
from deskui.services.views import OpenTicketView
from deskui.store.db import Database
from tests.services.test_intake import call


def test_open_tickets_of_a_caller_newest_first(desk: DeskService, clock: FrozenClock) -> None:
    op = desk.actor("op")
    first = desk.create_ticket(op, call(summary="打印机卡纸"))
    clock.advance(minutes=5)
    second = desk.create_ticket(op, call(summary="打印机又卡纸"))
    clock.advance(minutes=5)
    third = desk.create_ticket(op, call(summary="显示器黑屏"))
    desk.set_status(op, first.number, "rejected", note="重复")
    requester = second.requester.id
    assert requester is not None
    views = desk.open_tickets(requester)
    assert [v.number for v in views] == [third.number, second.number]
    assert views[0] == OpenTicketView(
        third.number, "to_assign", "P4", "显示器黑屏", third.received_at
    )
    assert [v.number for v in desk.open_tickets(requester, limit=1)] == [third.number]
    assert desk.open_tickets(requester + 1000) == []


def test_board_and_groups(desk: DeskService) -> None:
    urgent = desk.create_ticket(desk.actor("op"), call(impact=1, urgency=1))
    desk.create_ticket(desk.actor("op"), call())
    board = desk.board()
    assert [r.number for r in board.rows] == [urgent.number]
    codes = [g.code for g in desk.groups()]
    assert {"desk", "hardware", "software", "network", "vendor"} <= set(codes)
    assert codes.index("vendor") > codes.index("hardware")  # by tier


def test_database_names() -> None:
    assert database_name("sqlite:////srv/desk/desk.db") == "desk.db"
    assert database_name("sqlite://") == ":memory:"
    assert database_name("postgresql+psycopg://desk:s3cret@db.example/desk") == (
        "postgresql+psycopg://desk:***@db.example/desk"
    )
    # a URL that does not even parse still gives a name, and never its password
    assert "s3cret" not in database_name("postgresql://desk:s3cret@@bad:port/")


def test_the_desk_names_its_database_and_opens_its_feed(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/front.db")
    desk = DeskService(db)
    assert desk.database_name == "front.db"
    feed = desk.open_feed()
    assert isinstance(feed, ChangeFeed) and feed.kind
    assert "ticket" in ALL_TABLES
    db.dispose()


def test_a_database_that_went_away(tmp_path: Path, clock: FrozenClock) -> None:
    from deskui.services.desk import prepare_database

    path = tmp_path / "gone.db"
    db = Database(f"sqlite:///{path}")
    prepare_database(db)
    desk = DeskService(db, clock)
    path.unlink()
    with pytest.raises(DatabaseUnavailable) as info:
        desk.counts()
    error = info.value
    assert isinstance(error, ServiceError)
    assert (error.code, error.params["database"]) == ("database.unavailable", "gone.db")
    assert "gone" in str(error.params["reason"])
    db.dispose()


def test_a_server_that_does_not_answer() -> None:
    desk = DeskService(Database("postgresql+psycopg://nobody:pw@127.0.0.1:1/none"))
    with pytest.raises(DatabaseUnavailable) as info:
        desk.counts()
    assert info.value.params["database"] == "postgresql+psycopg://nobody:***@127.0.0.1:1/none"
