"""A desk exported from SQLite and restored into an empty SQLite or PostgreSQL desk is the same
record: every number, event and hash, and the audit digest. A desk in use, or an altered archive,
is refused and left as it was."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from deskui.core.clock import FrozenClock
from deskui.services.archive import (
    ArchiveBroken,
    ArchiveRefused,
    backup_desk,
    export_desk,
    import_desk,
)
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import RequesterInput
from deskui.services.errors import PermissionDenied
from deskui.services.identity import Basis, Identity
from deskui.services.seed import seed_demo
from deskui.services.verify import verify_record
from deskui.store.db import Database
from tests.conftest import FROZEN_AT, add_staff
from tests.services.test_intake import call

INSTALLER = Identity(None, Basis.INSTALLATION, "installer")
NEW_DESK = Identity(None, Basis.NEW_DESK, "someone")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A seeded SQLite desk with some work on it, exported: the archive and the desk's digest."""
    folder = tmp_path_factory.mktemp("source")
    db = Database(f"sqlite:///{folder}/source.db")
    prepare_database(db)
    source = DeskService(db, FrozenClock(FROZEN_AT))
    seed_demo(source, callers=40, tickets=25)
    op = source.actor("op")
    ticket = source.create_ticket(
        op,
        call(
            description="密码：abc123",
            requester=RequesterInput(name="张三", phone="13800138000", vip_claim=True),
        ),
    )
    source.worklog(op, ticket.number, "回拨两次未接通")
    source.worklog(op, ticket.number, "上门检查了网线", minutes=35)
    admin = Identity(source.actor("admin"), Basis.OS_ACCOUNT, "admin")
    out = io.StringIO()
    summary = source.read(lambda s: export_desk(session=s, who=admin, out=out, now=FROZEN_AT))
    digest = source.read(lambda s: verify_record(s)).digest
    assert summary.digest == digest
    db.dispose()
    return out.getvalue(), digest


def _restore(desk: DeskService, archive: str, who: Identity = INSTALLER) -> None:
    desk.write(lambda s: import_desk(session=s, who=who, source=io.StringIO(archive)))


def _count(desk: DeskService, table: str) -> int:
    return int(desk.read(lambda s: s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()))


def test_a_restored_desk_is_the_same_record(database: Database, exported: tuple[str, str]) -> None:
    archive, digest = exported
    desk = DeskService(database, FrozenClock(FROZEN_AT))
    who = NEW_DESK if database.is_sqlite else INSTALLER
    _restore(desk, archive, who)
    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings
    assert report.digest == digest
    header = json.loads(archive.splitlines()[0])
    for table, rows in header["tables"].items():
        assert _count(desk, table) == rows, table
    numbers = {
        json.loads(line)["row"]["number"]
        for line in archive.splitlines()
        if '"ticket", "row"' in line
    }
    restored = desk.read(
        lambda s: {str(n) for (n,) in s.execute(text("SELECT number FROM ticket"))}
    )
    assert restored == numbers
    # the minutes a worklog entry carries, and the ticket's sum among its report facts
    minutes = desk.read(
        lambda s: s.execute(
            text(
                "SELECT e.minutes, f.worked_minutes FROM ticket_event e "
                "JOIN ticket_report_fact f ON f.ticket_id = e.ticket_id "
                "WHERE e.minutes IS NOT NULL"
            )
        ).all()
    )
    assert [tuple(row) for row in minutes] == [(35, 35)]
    # the desk works on: new ids and the day's next number follow the restored ones
    view = desk.create_ticket(desk.actor("op"), call(summary="导入后的第一张"))
    assert view.number not in numbers
    assert desk.read(lambda s: verify_record(s)).ok


def test_a_desk_in_use_is_refused(desk: DeskService, exported: tuple[str, str]) -> None:
    desk.create_ticket(desk.actor("op"), call())
    before = desk.read(lambda s: verify_record(s)).digest
    admin = Identity(desk.actor("admin"), Basis.OS_ACCOUNT, "admin")
    with pytest.raises(ArchiveRefused) as caught:
        _restore(desk, exported[0], admin)
    assert caught.value.code == "archive.not_empty"
    assert desk.read(lambda s: verify_record(s)).digest == before
    assert _count(desk, "ticket") == 1


def _altered(archive: str, old: str, new: str, *, reseal: bool) -> str:
    """``archive`` with the first row line holding ``old`` changed; resealed: its trailer
    recomputed, as someone altering it on purpose would."""
    lines = archive.splitlines()
    index = next(i for i, line in enumerate(lines) if old in line and i > 0)
    lines[index] = lines[index].replace(old, new, 1)
    if reseal:
        body = "".join(line + "\n" for line in lines[1:-1])
        trailer = json.loads(lines[-1])
        trailer["sha256"] = hashlib.sha256(body.encode()).hexdigest()
        lines[-1] = json.dumps(trailer)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"note": "回拨两次未接通"', '"note": "已回拨，客户满意"'),  # an event rewritten
        ('"priority": "P4"', '"priority": "P1"'),  # a ticket's field without an event
        ('"login": "lina"', '"login": "lin_a"'),  # a user renamed behind the settings trail
        ('"minutes": 35', '"minutes": 53'),  # the time a worklog entry says was spent
    ],
)
def test_an_altered_archive_is_refused_by_the_verification(
    database: Database, exported: tuple[str, str], old: str, new: str
) -> None:
    desk = DeskService(database, FrozenClock(FROZEN_AT))
    archive = _altered(exported[0], old, new, reseal=True)
    with pytest.raises(ArchiveBroken) as caught:
        _restore(desk, archive)
    assert caught.value.report.findings or caught.value.report.digest != exported[1]
    for table in ("desk_user", "requester", "ticket", "ticket_event"):
        assert _count(desk, table) == 0
    # the new desk's own defaults are still there: nothing of the import was kept
    assert desk.read(lambda s: verify_record(s)).ok
    assert _count(desk, "support_group") > 0


def test_a_damaged_or_cut_archive_is_refused(database: Database, exported: tuple[str, str]) -> None:
    desk = DeskService(database, FrozenClock(FROZEN_AT))
    archive = exported[0]
    cases = {
        "archive.damaged": _altered(archive, '"name": "张三"', '"name": "李四"', reseal=False),
        "archive.truncated": "\n".join(archive.splitlines()[:-1]) + "\n",
        "archive.not_archive": '{"hello": 1}\n',
    }
    lines = archive.splitlines()
    cases["archive.schema"] = "\n".join(
        [json.dumps(json.loads(lines[0]) | {"schema": "9999"}), *lines[1:]]
    )
    for code, text_ in cases.items():
        with pytest.raises(ArchiveRefused) as caught:
            _restore(desk, text_)
        assert caught.value.code == code
    assert _count(desk, "ticket") == 0


def test_only_an_admin_exports(desk: DeskService) -> None:
    who = Identity(desk.actor("op"), Basis.OS_ACCOUNT, "op")
    with pytest.raises(PermissionDenied):
        desk.read(lambda s: export_desk(session=s, who=who, out=io.StringIO(), now=FROZEN_AT))


def test_only_an_admin_or_a_desk_without_users_backs_up(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/d.db")
    prepare_database(db)
    assert db.path is not None

    def copy(who: Identity) -> Path:
        target = tmp_path / f"{who.account}.db"
        return backup_desk(who=who, source=db.path, target=target, force=False, lock_wait=1)

    assert copy(NEW_DESK).exists()
    desk = add_staff(DeskService(db, FrozenClock(FROZEN_AT)))
    for login in ("op", "agent1", "lead"):
        with pytest.raises(PermissionDenied) as refused:
            copy(Identity(desk.actor(login), Basis.OS_ACCOUNT, login))
        assert refused.value.params["action"] == "backup_desk"
        assert not (tmp_path / f"{login}.db").exists()
    assert copy(Identity(desk.actor("admin"), Basis.OS_ACCOUNT, "admin")).exists()
    db.dispose()


def test_an_agent_cannot_import(tmp_path: Path, exported: tuple[str, str]) -> None:
    db = Database(f"sqlite:///{tmp_path}/d.db")
    prepare_database(db)
    desk = add_staff(DeskService(db, FrozenClock(FROZEN_AT)))
    with pytest.raises(PermissionDenied):
        _restore(desk, exported[0], Identity(desk.actor("agent1"), Basis.OS_ACCOUNT, "agent1"))
