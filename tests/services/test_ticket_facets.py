"""The ticket index's facets on SQLite and PostgreSQL: migration 0012 gives a desk's existing
entries their facets (a desk taken back to 0011 has none: a search within a view finds nothing
there), and the facets follow each change, so a search within a view finds a ticket exactly
while the view holds it."""

from __future__ import annotations

from alembic import command

from deskui.services.desk import DeskService
from deskui.services.queue import QueueQuery, QueueReader, QueueView
from deskui.services.ticket_filters import TicketFilter
from deskui.store.migrate import alembic_config, upgrade
from tests.services.test_intake import call


def found(desk: DeskService, view: QueueView, search: str, who: str = "agent1") -> list[str]:
    reader = QueueReader.of(desk)
    query = QueueQuery.for_actor(desk.actor(who), view, search)
    rows = [r.number for r in reader.after(query, None, 50)]
    assert reader.count(query) == len(rows)
    return rows


def test_the_migration_gives_existing_entries_their_facets(desk: DeskService) -> None:
    op = desk.actor("op")
    number = desk.create_ticket(op, call()).number
    words = desk.ticket(number).summary
    assert found(desk, QueueView.OPEN, words) == [number]
    db = desk.db
    config = alembic_config(db)
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011")
    assert found(desk, QueueView.OPEN, words) == [], "no facets before 0012"
    upgrade(db)
    assert found(desk, QueueView.OPEN, words) == [number]
    assert found(desk, QueueView.OPEN, number[-4:]) == [number], "the number's tail"
    assert desk.tickets(TicketFilter(search=words, status=("new", "to_assign")))


def test_the_facets_follow_the_ticket(desk: DeskService) -> None:
    op, agent = desk.actor("op"), desk.actor("agent1")
    number = desk.create_ticket(op, call()).number
    words = desk.ticket(number).summary
    assert found(desk, QueueView.UNASSIGNED, words) == [number]
    assert found(desk, QueueView.MINE, words) == []
    desk.claim(agent, number)
    assert found(desk, QueueView.UNASSIGNED, words) == []
    assert found(desk, QueueView.MINE, words) == [number]
    desk.set_status(agent, number, "awaiting_confirmation", note="已处理")
    assert found(desk, QueueView.RESOLVED, words) == [number]
    assert found(desk, QueueView.REVIEW, words) == []
    desk.confirm(op, number, 5, channel="phone")
    assert found(desk, QueueView.OPEN, words) == []
    assert found(desk, QueueView.REVIEW, words) == [number]
    assert found(desk, QueueView.ALL, words) == [number]
