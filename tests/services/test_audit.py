"""The audit record: every write path leaves valid chains, and each kind of tampering (done
with raw SQL, as someone holding the database would) is named by ``verify_record``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from deskui.core.chain import ticket_event_hash
from deskui.core.clock import FrozenClock
from deskui.services.audit import append_setting_event
from deskui.services.desk import DeskService
from deskui.services.seed import seed_demo
from deskui.services.users import edit_user
from deskui.services.verify import AuditReport, Finding, Problem, verify_record
from deskui.store.db import Database
from tests.services.test_intake import call


def verify(desk: DeskService, expect: str | None = None) -> AuditReport:
    return desk.read(lambda s: verify_record(s, expect=expect, chunk=2))


def tamper(db: Database, *statements: str, **params: Any) -> None:
    """Run raw SQL as the database's owner (PostgreSQL: in maintenance, or it is refused)."""
    with db.engine.begin() as conn:
        if not db.is_sqlite:
            conn.execute(text("SET LOCAL deskui.maintenance = 'on'"))
        for sql in statements:
            conn.execute(text(sql), params)


def event_ids(db: Database, number: str) -> list[int]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.id FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id "
                "WHERE t.number = :n ORDER BY e.id"
            ),
            {"n": number},
        )
        return [int(r[0]) for r in rows]


def found(report: AuditReport) -> set[tuple[str, str | None, int | None]]:
    return {(str(f.problem), f.ticket, f.event) for f in report.findings}


@pytest.fixture
def worked(desk: DeskService) -> list[str]:
    """Three tickets with a history each: triaged and pending, transferred, confirmed."""
    op, agent, lead = desk.actor("op"), desk.actor("agent1"), desk.actor("lead")
    a = desk.create_ticket(op, call()).number
    b = desk.create_ticket(op, call(summary="显示器不亮")).number
    c = desk.create_ticket(op, call(summary="键盘失灵")).number
    desk.claim(agent, a)
    desk.worklog(agent, a, "已远程查看")
    desk.triage(lead, a, 2, 2)
    desk.set_status(agent, a, "pending", note="等待备件")
    desk.transfer(lead, b, "software", note="软件问题")
    desk.claim(agent, c)
    desk.set_status(agent, c, "awaiting_confirmation", note="更换了键盘")
    desk.set_status(op, c, "resolved", satisfaction=5, channel="phone")
    return [a, b, c]


def test_every_write_path_leaves_valid_chains(desk: DeskService, worked: list[str]) -> None:
    admin = desk.actor("admin")
    matrix = dict(desk.rules.raw["matrix"])
    desk.save_rules(admin, "matrix", matrix, "same matrix, saved again")
    report = verify(desk)
    assert report.ok, report.findings
    assert report.tickets == 3
    assert report.ticket_events == sum(len(event_ids(desk.db, n)) for n in worked)
    assert report.setting_events >= 2
    assert len(report.digest) == 64
    assert verify(desk, expect=report.digest).ok


def test_events_carry_versions_states_and_their_predecessor(
    desk: DeskService, worked: list[str]
) -> None:
    with desk.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.version, e.prev_hash, e.hash, e.state_hash, t.version "
                "FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id "
                "WHERE t.number = :n ORDER BY e.id"
            ),
            {"n": worked[0]},
        ).all()
    versions = [r[0] for r in rows]
    assert versions == sorted(versions) and versions[0] == 1 and versions[-1] == rows[0][4]
    assert rows[0][1] is None
    assert all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows)))
    assert all(len(r[2]) == 64 for r in rows)
    # a change's last event carries the ticket's state: the chain's last does
    assert len(rows[-1][3]) == 64
    ends = [i for i, r in enumerate(rows) if r[3] is not None]
    assert all(rows[i][0] != rows[i + 1][0] for i in ends if i + 1 < len(rows))


def test_a_rewritten_event_is_named(desk: DeskService, worked: list[str]) -> None:
    target = event_ids(desk.db, worked[0])[2]
    tamper(desk.db, "UPDATE ticket_event SET note = 'nothing happened' WHERE id = :id", id=target)
    assert found(verify(desk)) == {("rewritten", worked[0], target)}


def test_a_backdated_event_is_a_rewrite(desk: DeskService, worked: list[str]) -> None:
    target = event_ids(desk.db, worked[0])[-1]
    earlier = "2026-11-01 00:00:00.000000"
    tamper(
        desk.db,
        "UPDATE ticket_event SET at = :at WHERE id = :id",
        id=target,
        at=earlier if desk.db.is_sqlite else f"{earlier}+00",
    )
    assert found(verify(desk)) == {("rewritten", worked[0], target)}


def test_a_deleted_event_is_named_by_the_event_after_it(
    desk: DeskService, worked: list[str]
) -> None:
    ids = event_ids(desk.db, worked[0])
    # created, routed to tier L2, routed to the group, to be assigned, …: the group's is taken
    tamper(desk.db, "DELETE FROM ticket_event WHERE id = :id", id=ids[2])
    assert found(verify(desk)) == {("deleted", worked[0], ids[3])}


def test_deleting_the_last_event_is_found(desk: DeskService, worked: list[str]) -> None:
    """The confirmation's change wrote several events: without its last, the chain ends inside
    a change; without the whole change, the version is behind."""
    ids = event_ids(desk.db, worked[2])
    tamper(desk.db, "DELETE FROM ticket_event WHERE id = :id", id=ids[-1])
    assert found(verify(desk)) == {("tail", worked[2], ids[-2])}
    tamper(
        desk.db,
        "DELETE FROM ticket_event WHERE ticket_id = (SELECT id FROM ticket WHERE number = :n) "
        "AND version = (SELECT version FROM ticket WHERE number = :n)",
        n=worked[2],
    )
    report = verify(desk)
    assert Problem.VERSION in {f.problem for f in report.findings}
    assert {f.ticket for f in report.findings} == {worked[2]}


def test_deleting_a_whole_history_is_found(desk: DeskService, worked: list[str]) -> None:
    tamper(
        desk.db,
        "DELETE FROM ticket_event WHERE ticket_id = (SELECT id FROM ticket WHERE number = :n)",
        n=worked[1],
    )
    assert found(verify(desk)) == {("no_history", worked[1], None)}


def test_an_inserted_event_and_a_deleted_ticket(desk: DeskService, worked: list[str]) -> None:
    """Ticket b is deleted with its history (its number goes missing); into the gap its events
    leave in a's ids, an event is inserted with a hash computed as deskui would."""
    a_ids, b_ids = event_ids(desk.db, worked[0]), event_ids(desk.db, worked[1])
    # a's creation wrote four events (created, its tier, its group, to be assigned)
    assert b_ids[0] > a_ids[3], "b's first events come after a's creation"
    gap = next(i for i in b_ids if a_ids[3] < i < a_ids[4])
    tamper(
        desk.db,
        "DELETE FROM ticket_event WHERE ticket_id = (SELECT id FROM ticket WHERE number = :n)",
        "DELETE FROM ticket_report_fact"
        " WHERE ticket_id = (SELECT id FROM ticket WHERE number = :n)",
        "DELETE FROM ticket WHERE number = :n",
        n=worked[1],
    )
    with desk.db.engine.connect() as conn:
        ticket_id, version, state, prev = conn.execute(
            text("SELECT ticket_id, version, state_hash, hash FROM ticket_event WHERE id = :id"),
            {"id": a_ids[3]},
        ).one()
    at = "2026-11-02 02:00:00.000000"
    values = (gap, ticket_id, at, None, None, "worklog", None, None, None, "forged", version, state)
    tamper(
        desk.db,
        "INSERT INTO ticket_event (id, ticket_id, at, kind, note, version, state_hash, prev_hash, "
        "hash) VALUES (:id, :t, :at, 'worklog', 'forged', :v, :s, :p, :h)",
        id=gap,
        t=ticket_id,
        at=at if desk.db.is_sqlite else f"{at}+00",
        v=version,
        s=state,
        p=prev,
        h=ticket_event_hash(values, prev),
    )
    assert found(verify(desk)) == {
        ("inserted", worked[0], gap),
        ("missing_number", worked[1], None),
    }


def test_a_bare_event_put_after_the_end_of_a_chain_is_inserted(
    desk: DeskService, worked: list[str]
) -> None:
    """An event typed in by hand, without hash or link, after a ticket's last one: named
    inserted, and the ticket is otherwise held against the history it was written with (no
    "rewritten", no "events after it deleted")."""
    tamper(
        desk.db,
        "INSERT INTO ticket_event (id, ticket_id, at, kind, version) "
        "SELECT (SELECT max(id) + 1 FROM ticket_event), id, received_at, 'progress', version "
        "FROM ticket WHERE number = :n",
        n=worked[1],
    )
    inserted = event_ids(desk.db, worked[1])[-1]
    assert found(verify(desk)) == {("inserted", worked[1], inserted)}


def facts_of(db: Database, number: str) -> tuple[str, str]:
    with db.engine.connect() as conn:
        response, resolution = conn.execute(
            text(
                "SELECT f.response, f.resolution FROM ticket_report_fact f "
                "JOIN ticket t ON t.id = f.ticket_id WHERE t.number = :n"
            ),
            {"n": number},
        ).one()
    return str(response), str(resolution)


def test_forged_report_facts_are_named(desk: DeskService, worked: list[str]) -> None:
    """Facts rewritten without a change (a report turned to 100 % met) break what the ticket's
    last change sealed; verify names the ticket and that change's last event."""
    assert facts_of(desk.db, worked[0]) == ("met", "paused")
    tamper(
        desk.db,
        "UPDATE ticket_report_fact SET resolution = 'met', resolution_late = 0 "
        "WHERE ticket_id = (SELECT id FROM ticket WHERE number = :n)",
        n=worked[0],
    )
    last = event_ids(desk.db, worked[0])[-1]
    assert found(verify(desk)) == {("facts", worked[0], last)}
    # deleted facts are as forged as rewritten ones
    tamper(
        desk.db,
        "DELETE FROM ticket_report_fact"
        " WHERE ticket_id = (SELECT id FROM ticket WHERE number = :n)",
        n=worked[2],
    )
    assert ("facts", worked[2], event_ids(desk.db, worked[2])[-1]) in found(verify(desk))


def test_facts_sealed_by_a_change_survive_a_later_reading(
    desk: DeskService, worked: list[str]
) -> None:
    """A reading (the whole phone revealed) seals no facts; the change's seal still holds."""
    desk.reveal_phone(desk.actor("lead"), worked[0])
    assert verify(desk).ok
    tamper(desk.db, "UPDATE ticket_report_fact SET reopened = 3")
    assert {f.problem for f in verify(desk).findings} == {Problem.FACTS}


def test_a_counter_lowered_by_hand_is_named_and_refuses_intake_plainly(
    desk: DeskService, worked: list[str]
) -> None:
    """The day's counter set back under the numbers issued: verify names the day, and an intake
    is refused as what it is (not a race to try again), every time."""
    from deskui.services.errors import NumberTaken

    tamper(desk.db, "UPDATE ticket_sequence SET last = 0")
    (finding,) = verify(desk).findings
    assert finding.problem is Problem.COUNTER and finding.chain == "desk"
    assert finding.detail == {"day": "20261102", "counter": "0", "issued": worked[2]}
    for _ in range(2):
        with pytest.raises(NumberTaken) as refused:
            desk.create_ticket(desk.actor("op"), call(summary="新来电"))
        assert refused.value.params["number"] == worked[0]
    tamper(desk.db, "DELETE FROM ticket_sequence")
    assert {f.problem for f in verify(desk).findings} == {Problem.COUNTER}


def test_reordered_events_are_named(desk: DeskService, worked: list[str]) -> None:
    ids = event_ids(desk.db, worked[0])
    first, second = ids[3], ids[4]
    tamper(
        desk.db,
        "UPDATE ticket_event SET id = -1 WHERE id = :a",
        "UPDATE ticket_event SET id = :a WHERE id = :b",
        "UPDATE ticket_event SET id = :b WHERE id = -1",
        a=first,
        b=second,
    )
    assert found(verify(desk)) == {
        ("reordered", worked[0], first),
        ("reordered", worked[0], second),
    }


def test_a_ticket_changed_without_an_event_is_named_with_its_fields(
    desk: DeskService, worked: list[str]
) -> None:
    tamper(desk.db, "UPDATE ticket SET priority = 'P4' WHERE number = :n", n=worked[0])
    tamper(desk.db, "UPDATE ticket SET summary = 'nothing' WHERE number = :n", n=worked[1])
    report = verify(desk)
    fields = {f.ticket: f.fields for f in report.findings if f.problem is Problem.FIELDS}
    assert fields == {worked[0]: ("priority",), worked[1]: ()}
    assert {f.problem for f in report.findings} == {Problem.FIELDS}


def test_the_fields_the_history_records_are_named(desk: DeskService, worked: list[str]) -> None:
    """Status, openness and assignee are replayed from the events and compared one by one."""
    tamper(
        desk.db,
        "UPDATE ticket SET status = 'closed', is_open = :no, assignee_id = NULL WHERE number = :n",
        n=worked[0],
        no=False,
    )
    (finding,) = verify(desk).findings
    assert finding.problem is Problem.FIELDS
    assert finding.fields == ("status", "is_open", "assignee")


def test_settings_tampering_is_named(desk: DeskService, worked: list[str]) -> None:
    tamper(desk.db, "UPDATE desk_setting SET value = '{}' WHERE key = 'sla'")
    with desk.db.engine.connect() as conn:
        first = conn.execute(text("SELECT min(id) FROM setting_event")).scalar_one()
    tamper(desk.db, "UPDATE setting_event SET note = 'quiet' WHERE id = :id", id=first)
    report = verify(desk)
    assert sorted((f.problem, f.event == first, f.key == "sla") for f in report.findings) == [
        (Problem.REWRITTEN, True, False),
        (Problem.SETTING_VALUE, False, True),
    ]
    assert {f.chain for f in report.findings} == {"settings"}


def test_a_digest_that_no_longer_matches(desk: DeskService, worked: list[str]) -> None:
    before = verify(desk).digest
    desk.worklog(desk.actor("agent1"), worked[0], "继续处理")
    report = verify(desk, expect=before)
    assert [f.problem for f in report.findings] == [Problem.DIGEST]
    assert report.findings[0].detail == {"expected": before}


def test_append_setting_event_chains_any_key(desk: DeskService) -> None:
    admin = desk.actor("admin")

    def add(session: Any) -> None:
        append_setting_event(
            session,
            key="user",
            old=None,
            new='{"login": "wang"}',
            actor_id=admin.id,
            proxy_id=None,
            note="new agent",
            now=desk.clock.now(),
        )

    desk.write(add)
    assert verify(desk).ok
    with pytest.raises(ValueError, match="1 to 32"):
        desk.write(
            lambda s: append_setting_event(
                s, key="x" * 33, old=None, new="{}", actor_id=None, now=desk.clock.now()
            )
        )


def test_findings_name_their_chain() -> None:
    assert Finding(Problem.FIELDS, ticket="IT20261102001").chain == "ticket"
    assert Finding(Problem.SETTING_VALUE, key="sla").chain == "settings"
    assert Finding(Problem.DIGEST).chain == "desk"


def test_a_seeded_demo_desk_verifies(database: Database, clock: FrozenClock) -> None:
    """The demo walks tickets through every journey (in one transaction, the whole seed)."""
    demo = DeskService(database, clock)
    assert seed_demo(demo)["tickets"] == 120
    report = verify(demo)
    assert report.ok, report.findings
    assert report.tickets == 120


def test_a_change_the_chain_would_not_record_stops_the_commit(
    desk: DeskService, worked: list[str]
) -> None:
    from deskui.core.enums import EventKind
    from deskui.services.ledger import UnsealedChange, commit_change, lock_ticket, record

    agent = desk.actor("agent1")
    now = desk.clock.now()

    def after_the_change(session: Any) -> None:
        ticket = lock_ticket(session, worked[0])
        record(session, ticket, agent, EventKind.WORKLOG, now, note="seen")
        commit_change(session, ticket, desk.rules, now)
        ticket.summary = "changed afterwards"

    def without_an_event(session: Any) -> None:
        commit_change(session, lock_ticket(session, worked[0]), desk.rules, now)

    def never_sealed(session: Any) -> None:
        record(session, lock_ticket(session, worked[0]), agent, EventKind.WORKLOG, now, note="x")

    before = desk.ticket(worked[0])
    for change in (after_the_change, without_an_event, never_sealed):
        with pytest.raises(UnsealedChange):
            desk.write(change)
    assert desk.ticket(worked[0]) == before
    assert verify(desk).ok


def test_a_user_changed_without_an_event_is_named(desk: DeskService) -> None:
    """Raising oneself to admin by hand, or slipping into a group, is found; a change made
    through the desk is not."""
    now = desk.clock.now()
    desk.write(
        lambda s: edit_user(
            session=s, login="agent1", now=now, actor=desk.actor("admin"), groups=["network"]
        )
    )
    assert verify(desk).ok
    tamper(desk.db, "UPDATE desk_user SET role = 'admin' WHERE login = 'agent1'")
    tamper(
        desk.db,
        "INSERT INTO user_group (user_id, group_id) SELECT u.id, g.id FROM desk_user u, "
        "support_group g WHERE u.login = 'op' AND g.code = 'hardware'",
    )
    report = verify(desk)
    named = sorted((f.problem, f.key, f.fields) for f in report.findings)
    assert named == [
        (Problem.USER, "agent1", ("role",)),
        (Problem.USER, "op", ("groups",)),
    ]
    assert {f.chain for f in report.findings} == {"settings"}
