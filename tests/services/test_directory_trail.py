"""The directory import on the settings' audit trail, on SQLite and PostgreSQL: a real import
appends one ``directory`` event (who, when, the counts, the rows' digest, the callers added and
changed) in its own transaction; a dry run, a refused import and a failed one append nothing;
the chain still verifies, and a rewritten record is named."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session, col, select

from deskui.services import admin, directory_import
from deskui.services.desk import DeskService
from deskui.services.directory_file import SheetRows, read_csv
from deskui.services.directory_import import import_directory
from deskui.services.directory_trail import DIRECTORY_KEY
from deskui.services.errors import PermissionDenied
from deskui.services.identity import Basis, Identity
from deskui.services.users import add_user
from deskui.services.verify import Problem, verify_record
from deskui.store.models import SettingEvent
from tests.services.test_audit import tamper
from tests.services.test_directory_import import sheet

FIRST = (
    ("李雷", "13800138001", "E1", "财务部", "是"),
    ("韩梅梅", "138-0013-8002", "", "人事部", ""),
)
MOVED = (
    ("李雷", "13900139001", "E1", "财务部", "是"),  # a new phone, matched by employee id
    ("韩梅梅", "138 0013 8002", "E2", "行政部", ""),  # matched by phone, gets an id
    ("王五", "13800138005", "E5", "研发部", "否"),  # new
)


def who(desk: DeskService, login: str = "admin") -> Identity:
    return admin.console_identity(desk.actor(login), sqlite=desk.db.is_sqlite)


def trail(desk: DeskService) -> list[dict[str, Any]]:
    """The directory's events on the settings chain, oldest first."""

    def read(session: Session) -> list[dict[str, Any]]:
        events = session.exec(
            select(SettingEvent)
            .where(SettingEvent.key == DIRECTORY_KEY)
            .order_by(col(SettingEvent.id))
        )
        return [e.model_dump() for e in events]

    return desk.read(read)


def setting_events(desk: DeskService) -> int:
    return len(desk.read(lambda s: s.exec(select(SettingEvent.id)).all()))


def compact(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def test_an_import_records_who_when_and_what_it_did(desk: DeskService) -> None:
    first = sheet(*FIRST)
    summary = import_directory(desk, who(desk), first)
    (event,) = trail(desk)
    admin_id = desk.actor("admin").id
    assert summary.event == event["id"] and summary.digest == first.digest()
    assert (event["actor_id"], event["proxy_id"], event["note"]) == (admin_id, None, "import")
    assert event["at"] == desk.clock.now()
    assert json.loads(event["old_value"]) == {"changed": {"employee_id": {}, "phone": {}}}
    assert json.loads(event["new_value"]) == {
        "changed": {"employee_id": {}, "phone": {}},
        "counts": {"rows": 2, "new": 2, "changed": 0, "unchanged": 0, "bad": 0},
        "digest": first.digest(),
        "new": {"employee_id": ["E1"], "phone": ["13800138002"]},
    }

    moved = sheet(*MOVED)
    import_directory(desk, who(desk), moved)
    event = trail(desk)[-1]
    assert json.loads(event["old_value"]) == {
        "changed": {
            "employee_id": {"E1": {"phone": "13800138001"}},
            "phone": {
                "13800138002": {
                    "department": "人事部",
                    "employee_id": None,
                    "phone": "138-0013-8002",
                }
            },
        }
    }
    assert json.loads(event["new_value"]) == {
        "changed": {
            "employee_id": {"E1": {"phone": "13900139001"}},
            # the phone as the file writes it: the import rewrote it, so it is on the record
            "phone": {
                "13800138002": {
                    "department": "行政部",
                    "employee_id": "E2",
                    "phone": "138 0013 8002",
                }
            },
        },
        "counts": {"rows": 3, "new": 1, "changed": 2, "unchanged": 0, "bad": 0},
        "digest": moved.digest(),
        "new": {"employee_id": ["E5"], "phone": []},
    }
    # compact, keys in a stable (sorted) order: the same import always reads the same
    for text in (event["old_value"], event["new_value"]):
        assert text == compact(text)
    report = desk.read(lambda s: verify_record(s, chunk=2))
    assert report.ok, report.findings


def test_a_re_import_that_changes_nothing_is_recorded_with_its_bad_rows(
    desk: DeskService,
) -> None:
    first = sheet(*FIRST, ("赵六", "", "", "", "也许"))
    import_directory(desk, who(desk), first)
    again = import_directory(desk, who(desk), first)
    assert (again.new, again.changed, again.unchanged, len(again.problems)) == (0, 0, 2, 1)
    events = trail(desk)
    assert len(events) == 2 and again.event == events[1]["id"]
    assert json.loads(events[1]["new_value"]) == {
        "changed": {"employee_id": {}, "phone": {}},
        "counts": {"rows": 3, "new": 0, "changed": 0, "unchanged": 2, "bad": 1},
        "digest": json.loads(events[0]["new_value"])["digest"],
        "new": {"employee_id": [], "phone": []},
    }


def test_the_admin_acting_for_another_is_recorded_beside_them(desk: DeskService) -> None:
    desk.write(
        lambda s: add_user(
            session=s,
            login="admin2",
            name="第二管理员",
            role="admin",
            groups=[],
            now=desk.clock.now(),
        )
    )
    boss, deputy = desk.actor("admin"), desk.actor("admin2")
    acting = Identity(
        replace(deputy, proxy_id=boss.id, proxy_login=boss.login), Basis.ADMIN_FOR, "acct"
    )
    import_directory(desk, acting, sheet(*FIRST))
    (event,) = trail(desk)
    assert (event["actor_id"], event["proxy_id"]) == (deputy.id, boss.id)


def test_a_dry_run_a_refused_and_a_failed_import_record_nothing(
    desk: DeskService, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = read_csv("姓名,电话,工号\n李雷,13800138001,E1\n".encode())
    before = setting_events(desk)
    dry = import_directory(desk, who(desk), data, dry_run=True)
    assert (dry.new, dry.event, dry.digest) == (1, None, data.digest())
    with pytest.raises(PermissionDenied):
        import_directory(desk, who(desk, "lead"), data)

    recorded = directory_import.record_import

    def record_then_fail(session: Session, **kwargs: Any) -> SettingEvent:
        recorded(session, **kwargs)
        raise RuntimeError("the connection dropped before commit")

    monkeypatch.setattr(directory_import, "record_import", record_then_fail)
    with pytest.raises(RuntimeError):
        import_directory(desk, who(desk), data)
    assert setting_events(desk) == before and trail(desk) == []
    assert desk.search_requesters("李雷") == [], "the import and its record go together"


def test_a_rewritten_import_record_is_named_by_the_verification(desk: DeskService) -> None:
    import_directory(desk, who(desk), sheet(*FIRST))
    (event,) = trail(desk)
    forged = event["new_value"].replace('"new":2', '"new":1')
    tamper(
        desk.db, "UPDATE setting_event SET new_value = :v WHERE id = :i", v=forged, i=event["id"]
    )
    report = desk.read(lambda s: verify_record(s))
    assert [(f.problem, f.chain, f.event, f.key) for f in report.findings] == [
        (Problem.REWRITTEN, "settings", event["id"], DIRECTORY_KEY)
    ]


def test_the_digest_is_of_the_rows_not_of_how_the_file_was_saved() -> None:
    utf8 = read_csv("姓名,电话,工号\n李雷,13800138001,E1\n\n韩梅梅,13800138002,\n".encode())
    gbk = read_csv(
        "工号,电话,姓名,备注\nE1,13800138001,李雷,x\n,13800138002,韩梅梅,y\n".encode("gbk")
    )
    assert utf8.digest() == gbk.digest()
    changed = read_csv("姓名,电话,工号\n李雷,13800138001,E9\n韩梅梅,13800138002,\n".encode())
    assert changed.digest() != utf8.digest()
    assert SheetRows(("name", "phone"), "utf-8", []).digest() != utf8.digest()
