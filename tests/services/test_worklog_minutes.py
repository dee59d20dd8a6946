"""Worklog minutes on SQLite and PostgreSQL: stored with the entry, hashed into its chain only
when given (the events written before the column existed still verify), summed on the ticket
and among its report facts, refused outside 1–1440."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from deskui.services.desk import DeskService
from deskui.services.errors import ServiceError
from deskui.services.verify import verify_record
from deskui.store.migrate import alembic_config, upgrade
from tests.services.test_intake import call


def test_minutes_are_kept_summed_and_verified(desk: DeskService) -> None:
    op, agent = desk.actor("op"), desk.actor("agent1")
    number = desk.create_ticket(op, call()).number
    desk.claim(agent, number)
    desk.worklog(agent, number, "查看了打印机", minutes=20)
    desk.worklog(agent, number, "等用户回电")
    view = desk.worklog(agent, number, "告知处理进展", progress=True, minutes=5)
    assert [(e.kind, e.minutes) for e in view.events if e.kind in ("worklog", "progress")] == [
        ("worklog", 20),
        ("worklog", None),
        ("progress", 5),
    ]
    assert view.worked_minutes == 25
    data = view.to_json(desk.rules.tz, desk.clock.now())
    assert data["worked_minutes"] == 25
    assert [e["minutes"] for e in data["events"] if e["kind"] == "worklog"] == [20, None]
    facts = desk.read(
        lambda s: s.execute(text("SELECT worked_minutes FROM ticket_report_fact")).scalar_one()
    )
    assert facts == 25
    assert desk.read(lambda s: verify_record(s)).ok


@pytest.mark.parametrize("minutes", [0, -5, 1441])
def test_minutes_out_of_bounds_are_refused_and_nothing_is_written(
    desk: DeskService, minutes: int
) -> None:
    op = desk.actor("op")
    view = desk.create_ticket(op, call())
    with pytest.raises(ServiceError) as info:
        desk.worklog(op, view.number, "回拨", minutes=minutes)
    assert info.value.code == "worklog.minutes" and info.value.field == "minutes"
    assert info.value.params == {"value": str(minutes), "low": 1, "high": 1440}
    assert desk.ticket(view.number).version == view.version


def test_rewriting_the_minutes_breaks_the_chain(desk: DeskService) -> None:
    op = desk.actor("op")
    number = desk.create_ticket(op, call()).number
    desk.worklog(op, number, "回拨两次", minutes=10)
    with desk.db.engine.begin() as conn:
        if not desk.db.is_sqlite:
            conn.execute(text("SET LOCAL deskui.maintenance = 'on'"))
        conn.execute(text("UPDATE ticket_event SET minutes = 100 WHERE minutes = 10"))
    report = desk.read(lambda s: verify_record(s))
    assert {(str(f.problem), f.ticket) for f in report.findings} == {("rewritten", number)}


def test_events_from_before_the_minutes_still_verify(desk: DeskService) -> None:
    """A desk whose events were sealed before migration 0011 (its schema taken back to 0010,
    the column gone), upgraded: the old events verify, and new ones with minutes chain on."""
    op, agent = desk.actor("op"), desk.actor("agent1")
    number = desk.create_ticket(op, call()).number
    desk.claim(agent, number)
    desk.worklog(agent, number, "远程查看")
    db = desk.db
    config = alembic_config(db)
    # back before 0016 first: its downgrade re-chains the events it sealed facts into
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0014")
    upgrade(db)
    before = desk.read(lambda s: verify_record(s)).digest
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")
    with db.engine.connect() as conn:
        columns = conn.execute(text("SELECT * FROM ticket_event LIMIT 1")).keys()
    assert "minutes" not in columns
    upgrade(db)
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings
    assert report.digest == before
    desk.worklog(agent, number, "换了硒鼓", minutes=30)
    assert desk.read(lambda s: verify_record(s)).ok
    assert desk.ticket(number).worked_minutes == 30
