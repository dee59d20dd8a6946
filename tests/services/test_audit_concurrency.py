"""Admins changing the rules at once still leave one settings chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from deskui.services.desk import DeskService
from deskui.services.verify import verify_record
from tests.services.audit_workers import rules_worker
from tests.services.test_concurrency import _run

PROCESSES = 4
CHANGES = 25

pytestmark = pytest.mark.slow


def test_concurrent_rule_changes_keep_one_valid_chain(desk: DeskService) -> None:
    with desk.db.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM setting_event")).scalar_one()
    done = _run(rules_worker, [(desk.db.url, w, CHANGES) for w in range(PROCESSES)])
    assert sorted(done) == list(range(PROCESSES))
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings
    assert report.setting_events == before + PROCESSES * CHANGES
    with desk.db.engine.connect() as conn:
        rows = conn.execute(text("SELECT prev_hash, hash FROM setting_event ORDER BY id")).all()
    # one line: every event's predecessor is the event before it, none shared
    assert [r[0] for r in rows[1:]] == [r[1] for r in rows[:-1]]
    assert len({r[0] for r in rows}) == len(rows)
