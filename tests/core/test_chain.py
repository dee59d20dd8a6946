"""The chains' arithmetic: canonical instants, stable hashes, and how a broken chain reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from deskui.core.chain import (
    Break,
    Link,
    canonical_time,
    read_chain,
    setting_event_hash,
    ticket_event_hash,
)
from deskui.core.replay import EventFacts, differing, replay

SHANGHAI = timezone(timedelta(hours=8))


def test_an_instant_reads_the_same_from_every_database() -> None:
    aware = datetime(2026, 11, 2, 10, 0, 0, 5, tzinfo=SHANGHAI)
    expected = "2026-11-02T02:00:00.000005Z"
    assert canonical_time(aware) == expected
    assert canonical_time(aware.astimezone(UTC).replace(tzinfo=None)) == expected  # SQLite, naive
    assert canonical_time("2026-11-02 02:00:00.000005") == expected  # SQLite's own text
    assert canonical_time("2026-11-02 02:00:00.000005+00:00") == expected
    assert canonical_time(None) is None


def test_hashes_cover_every_field_and_the_predecessor() -> None:
    values = (
        1,
        7,
        "2026-11-02 02:00:00.000000",
        3,
        None,
        "worklog",
        None,
        None,
        None,
        "n",
        2,
        None,
    )
    digest = ticket_event_hash(values, None)
    assert len(digest) == 64 and digest == ticket_event_hash(values, None)
    other: list[object] = [2, 8, "2026-11-02 02:00:00.000001", 4, 5, "progress", "f", "o", "v"]
    other += ["m", 3, "0" * 64]
    for i in range(len(values)):
        changed = list(values)
        changed[i] = other[i]
        assert ticket_event_hash(tuple(changed), None) != digest, i
    assert ticket_event_hash(values, "0" * 64) != digest
    setting = (1, "matrix", "2026-11-02 02:00:00.000000", None, None, None, "{}", None)
    assert setting_event_hash(setting, None) != digest


def chain(*links: tuple[int, str, str | None, bool]) -> list[Link]:
    return [Link(i, h, p, ok) for i, h, p, ok in links]


def test_an_intact_chain_has_no_break() -> None:
    assert read_chain(chain((1, "a", None, True), (2, "b", "a", True), (3, "c", "b", True))) == {}


def test_each_kind_of_break_reads_as_itself() -> None:
    rewritten = chain((1, "a", None, True), (2, "b", "a", False), (3, "c", "b", True))
    assert read_chain(rewritten) == {2: Break.REWRITTEN}
    deleted = chain((1, "a", None, True), (3, "c", "b", True))
    assert read_chain(deleted) == {3: Break.DELETED}
    inserted = chain((1, "a", None, True), (2, "x", "a", True), (3, "b", "a", True))
    assert read_chain(inserted) == {2: Break.INSERTED}
    unhashed = chain((1, "a", None, True), (2, None, None, False), (3, "b", "a", True))
    assert read_chain(unhashed) == {2: Break.INSERTED}
    # a bare event put after the chain's end: no event after it to link past it
    appended = chain((1, "a", None, True), (2, "b", "a", True), (3, None, None, False))
    assert read_chain(appended) == {3: Break.INSERTED}
    misplaced = chain((1, "a", None, True), (2, "b", "a", True), (3, "c", "a", False))
    assert read_chain(misplaced) == {3: Break.INSERTED}
    rewritten_last = chain((1, "a", None, True), (2, "b", "a", True), (3, "c", "b", False))
    assert read_chain(rewritten_last) == {3: Break.REWRITTEN}
    reordered = chain((1, "a", None, True), (2, "c", "b", True), (3, "b", "a", True))
    assert read_chain(reordered)[2] == Break.REORDERED
    moved = [Link(1, "a", None, True), Link(2, "c", "b", False, moved=True)]
    assert read_chain(moved) == {2: Break.REORDERED}


def test_replay_follows_the_events_and_leaves_the_unrecorded_alone() -> None:
    events = [
        EventFacts("created", "priority", None, "P3", "op"),
        EventFacts("status", "status", "new", "to_assign", "op"),
        EventFacts("claimed", "assignee", None, "agent1", "agent1"),
        EventFacts("status", "status", "to_assign", "in_progress", "agent1"),
        EventFacts("triaged", "priority", "I3 U3 P3", "I1 U1 P1", "lead"),
        EventFacts("escalated", "tier", "L1", "L2", "agent1"),
    ]
    state = replay(events)
    assert state == {
        "status": "in_progress",
        "is_open": True,
        "tier": 2,
        "solution": None,
        "priority": "P1",
        "impact": 1,
        "urgency": 1,
        "assignee": "agent1",
    }
    stored = {**state, "group": "anything", "assignee": "agent2", "expected_by": None}
    assert differing(state, stored) == ["assignee"]


def test_a_later_column_changes_the_state_hash_only_when_set() -> None:
    from deskui.core.chain import LATER_STATE_FIELDS, STATE_FIELDS, ticket_state_hash

    fields: dict[str, object] = {name: None for name, _ in STATE_FIELDS}
    fields.update(id=7, number="IT20261102001")
    sealed = ticket_state_hash(fields)  # a ticket sealed before the column existed
    assert ticket_state_hash({**fields, "parent_id": None}) == sealed
    assert [name for name, _ in LATER_STATE_FIELDS] == ["parent_id"]
    assert ticket_state_hash({**fields, "parent_id": 3}) not in (
        sealed,
        ticket_state_hash({**fields, "parent_id": 4}),
    )


def test_an_event_without_minutes_hashes_as_before_minutes_existed() -> None:
    """The form events were sealed with before migration 0011, computed here by hand: an event
    whose minutes are None (or not given) keeps that hash; minutes, once set, are covered."""
    import hashlib
    import json

    values = (5, 2, "2026-11-02 02:00:00.000000", 3, None, "worklog", None, None, None, "n", 4)
    values += (None,)
    prev = "a" * 64
    body = [5, 2, "2026-11-02T02:00:00.000000Z", 3, None, "worklog", None, None, None, "n", 4]
    form = json.dumps(
        ["ticket_event", 1, *body, None, prev], ensure_ascii=False, separators=(",", ":")
    )
    before = hashlib.sha256(form.encode()).hexdigest()
    assert ticket_event_hash(values, prev) == before
    assert ticket_event_hash((*values, None), prev) == before
    with_minutes = ticket_event_hash((*values, 45), prev)
    assert with_minutes != before
    assert with_minutes != ticket_event_hash((*values, 46), prev)
    with pytest.raises(ValueError):
        ticket_event_hash(values[:-1], prev)
    with pytest.raises(ValueError):
        ticket_event_hash((*values, 45, "f" * 64, 1), prev)


def test_an_event_without_facts_hash_hashes_as_before_facts_were_sealed() -> None:
    """``facts_hash`` (migration 0016) is hashed only when set: an event sealed before keeps its
    hash; once set, the facts' hash is covered, so facts written without a change break the
    chain."""
    values = (5, 2, "2026-11-02 02:00:00.000000", 3, None, "status", None, None, None, None, 4)
    values += ("s" * 64, None)
    prev = "a" * 64
    before = ticket_event_hash(values, prev)
    assert ticket_event_hash((*values, None), prev) == before
    sealed = ticket_event_hash((*values, "f" * 64), prev)
    assert sealed not in (before, ticket_event_hash((*values, "e" * 64), prev))


def test_report_facts_hash_covers_every_fact() -> None:
    """Each fact changes the hash; SQLite's 0/1 for a boolean hashes as the boolean."""
    from deskui.core.chain import REPORT_FACT_FIELDS, report_facts_hash

    names = [name for name, _ in REPORT_FACT_FIELDS]
    values: list[object] = ["missed", 60, "met", 0, 0, 0, False, None, 0]
    facts = dict(zip(names, values, strict=True))
    base = report_facts_hash(list(facts.values()))
    assert report_facts_hash(list({**facts, "first_contact": 0}.values())) == base
    for name, other in (("response", "met"), ("response_late", 0), ("to_confirmation", 5)):
        assert report_facts_hash(list({**facts, name: other}.values())) != base
    with pytest.raises(ValueError):
        report_facts_hash(list(facts.values())[:-1])
