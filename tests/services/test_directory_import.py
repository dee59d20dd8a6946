"""The directory import on SQLite and PostgreSQL: added, updated by employee id or phone, nothing
changed on a second run, one transaction."""

from __future__ import annotations

import pytest

from deskui.i18n import Catalog
from deskui.services import admin
from deskui.services.desk import DeskService
from deskui.services.directory import pinyin_keys
from deskui.services.directory_file import SheetRows, read_csv
from deskui.services.directory_import import PinyinKeys, import_directory
from deskui.services.errors import PermissionDenied

FIELDS = ("name", "phone", "employee_id", "department", "vip")


def sheet(*rows: tuple[str, ...]) -> SheetRows:
    return SheetRows(
        FIELDS, "utf-8", [(n, dict(zip(FIELDS, r, strict=True))) for n, r in enumerate(rows, 2)]
    )


def test_import_adds_updates_and_is_idempotent(desk: DeskService) -> None:
    who = admin.console_identity(desk.actor("admin"), sqlite=desk.db.is_sqlite)
    first = sheet(
        ("李雷", "13800138001", "E1", "财务部", "是"),
        ("韩梅梅", "13800138002", "", "人事部", ""),
    )
    summary = import_directory(desk, who, first)
    assert (summary.new, summary.changed, summary.problems) == (2, 0, [])
    again = import_directory(desk, who, first)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    moved = sheet(
        ("李雷", "13900139001", "E1", "财务部", "是"),  # new phone, same employee id
        ("韩梅梅", "138 0013 8002", "E2", "行政部", ""),  # matched by phone, gets an id
    )
    summary = import_directory(desk, who, moved)
    assert (summary.new, summary.changed) == (0, 2)
    found = desk.search_requesters("13900139001")
    assert [(r.name, r.employee_id) for r in found] == [("李雷", "E1")]
    assert [(r.department, r.employee_id) for r in desk.search_requesters("hmm")] == [
        ("行政部", "E2")
    ]


def test_a_dry_run_and_a_non_admin_write_nothing(desk: DeskService) -> None:
    data = read_csv("姓名,电话\n李雷,13800138001\n".encode())
    who = admin.console_identity(desk.actor("admin"), sqlite=desk.db.is_sqlite)
    assert import_directory(desk, who, data, dry_run=True).new == 1
    with pytest.raises(PermissionDenied):
        import_directory(desk, admin.console_identity(desk.actor("lead"), sqlite=True), data)
    assert desk.search_requesters("李雷") == []


def test_both_lines_of_a_clash_are_named_and_one_bad_row_is_one(desk: DeskService) -> None:
    who = admin.console_identity(desk.actor("admin"), sqlite=desk.db.is_sqlite)
    summary = import_directory(
        desk,
        who,
        sheet(
            ("李雷", "13800138001", "E1", "财务部", ""),
            ("韩梅梅", "13800138002", "E1", "人事部", ""),
            ("王五", "13800138003", "E3", "人事部", "也许"),
        ),
    )
    assert summary.new == 1 and [r.name for r in desk.search_requesters("E1")] == ["李雷"]
    assert [(p.line, p.error.code) for p in summary.reported()] == [
        (2, "directory.clash_kept"),
        (3, "directory.twice"),
        (4, "directory.yes_no"),
    ]
    en, zh = Catalog("en"), Catalog("zh")
    assert summary.clashes[0].words(en) == (
        "E1 is listed again on line 3; this row was imported, line 3 left out: check which one "
        "is right"
    )
    assert "nothing was saved" not in summary.problems[1].words(en)
    assert "未保存" not in summary.problems[1].words(zh)
    assert summary.words(en).endswith("2 bad rows left out")
    one = import_directory(desk, who, sheet(("王五", "13800138003", "E3", "人事部", "也许")))
    assert one.words(en).endswith("0 unchanged, 1 bad row left out")
    assert one.words(zh).endswith("有误未导入 1")


@pytest.mark.parametrize(
    "name", ["曾伟", "单雄信", "李雷", "欧阳娜娜", "长孙无忌", "Li Lei", "王𠀋", "覃", "解放", ""]
)
def test_the_import_keys_a_name_as_intake_does(name: str) -> None:
    assert PinyinKeys()(name) == pinyin_keys(name)


def test_a_row_with_a_value_longer_than_its_column_is_left_out(desk: DeskService) -> None:
    who = admin.console_identity(desk.actor("admin"), sqlite=desk.db.is_sqlite)
    data = read_csv(
        (
            "姓名,电话,工号,部门,公司,办公地点\n"
            f"李雷,13800138001,E1,{'名' * 121},公司,A座\n"
            f"韩梅梅,13800138002,{'9' * 33},人事部,{'名' * 121},{'名' * 121}\n"
            "王五,13800138003,E3,人事部,公司,A座\n"
        ).encode()
    )
    summary = import_directory(desk, who, data)
    assert summary.new == 1
    assert [(p.line, p.field, p.error.code) for p in summary.problems] == [
        (2, "department", "text.too_long"),
        (3, "company", "text.too_long"),
        (3, "employee_id", "text.too_long"),
        (3, "site", "text.too_long"),
    ]
    assert [r.name for r in desk.search_requesters("1380013800")] == ["王五"]
