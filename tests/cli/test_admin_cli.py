"""The skill matrix and the suggestion on the command line: ``deskui user skills`` (admins) and
``deskui ticket suggest``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskui.services.directory_file import read_file
from tests.cli.test_cli import CALL, db, run

__all__ = ["db"]  # the fixture, shared with the other command-line tests


def test_skills_then_a_suggestion(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    skills = ["user", "skills", "agent1", "--db", db, "--json"]
    code, out, err = run(capsys, monkeypatch, [*skills, "--set", "network=4", "--set", "data=2"])
    assert code == 0, err
    assert json.loads(out) == {"login": "agent1", "skills": {"data": 2, "network": 4}}
    code, out, err = run(capsys, monkeypatch, [*skills, "--clear", "data"])
    assert json.loads(out)["skills"] == {"network": 4}
    code, out, err = run(capsys, monkeypatch, [*skills, "--set", "network=7"])
    assert code == 2 and "network=7" not in out and "7" in err
    code, out, err = run(capsys, monkeypatch, [*skills, "--set", "printers=1"])
    assert code == 2 and "printers" in err
    code, out, err = run(capsys, monkeypatch, [*skills, "--set", "network=1", "--as", "op"])
    assert code == 5, err
    code, out, err = run(capsys, monkeypatch, ["user", "skills", "agent1", "--db", db])
    assert out == "agent1: network=4\n"

    code, out, err = run(
        capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(CALL)
    )
    assert code == 0, err
    number = json.loads(out)["number"]
    code, out, err = run(capsys, monkeypatch, ["ticket", "suggest", number, "--db", db, "--json"])
    assert code == 0, err
    assert json.loads(out) == {
        "category": "network",
        "group": "network",
        "suggested": {"login": "agent1", "name": "张伟", "level": 4, "open": 0},
        "candidates": [{"login": "agent1", "name": "张伟", "level": 4, "open": 0}],
    }
    code, out, err = run(
        capsys, monkeypatch, ["ticket", "suggest", number, "--db", db, "--lang", "en"]
    )
    assert "* agent1 (张伟) level 4, 0 open tickets held" in out
    code, out, err = run(capsys, monkeypatch, ["ticket", "suggest", "IT20990101001", "--db", db])
    assert code != 0 and "IT20990101001" in err


HR_CSV = """姓名,部门,电话,工号,办公地点,VIP,备注
李雷,财务部,138 0013 8001,E30001,总部 A 座,是,
韩梅梅,人事部,(010) 6555-1234,E30002,总部 B 座,,
王五,,,,,否,没有电话也没有工号
赵六,研发部,138-0013-8003,E30001,,,工号重复
钱七,研发部,138-0013-8004,E30004,,也许,
"""


def import_file(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: str,
    path: object,
    *extra: str,
) -> tuple[int, str, str]:
    return run(capsys, monkeypatch, ["directory", "import", str(path), "--db", db, *extra])


def test_a_csv_export_in_chinese_imports_its_good_rows_and_names_the_bad_ones(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(HR_CSV, encoding="utf-8")
    code, out, err = import_file(capsys, monkeypatch, db, path, "--dry-run", "--lang", "en")
    assert code == 2, err
    assert out.splitlines()[0] == (
        "Dry run, nothing written. 5 rows (utf-8): 2 would be new, 0 changed, 0 unchanged, 3 bad"
    )
    assert "audit trail" not in out, "a dry run is not on the record"
    code, out, err = run(capsys, monkeypatch, ["directory", "search", "李雷", "--db", db])
    assert out == "", "a dry run writes nothing"
    code, out, err = import_file(capsys, monkeypatch, db, path, "--json")
    assert code == 2
    summary = json.loads(out)
    assert (summary["new"], summary["changed"], summary["bad"]) == (2, 0, 3)
    assert [(p["line"], p["code"]) for p in summary["problems"]] == [
        (4, "directory.no_key"),
        (5, "directory.twice"),
        (6, "directory.yes_no"),
    ]
    assert "first on line 2" in summary["problems"][1]["message"]
    # the earlier line of the clash was imported: it is named too, pointing at the later one
    assert [(p["line"], p["code"]) for p in summary["clashes"]] == [(2, "directory.clash_kept")]
    assert "line 5" in summary["clashes"][0]["message"]
    assert summary["digest"] == read_file(path).digest() and isinstance(summary["event"], int)
    # found the way intake finds a caller: pinyin, initials, the phone in another format
    for text in ("lilei", "ll", "13800138001", "138-0013-8001", "E30001"):
        code, out, err = run(
            capsys, monkeypatch, ["directory", "search", text, "--db", db, "--json"]
        )
        found = json.loads(out)
        assert [r["name"] for r in found][:1] == ["李雷"], text
    assert found[0]["vip"] is True and found[0]["site"] == "总部 A 座"
    # a second import of the same file changes nothing; a changed row updates its caller
    code, out, err = import_file(capsys, monkeypatch, db, path, "--json")
    assert (json.loads(out)["new"], json.loads(out)["unchanged"]) == (0, 2)
    path.write_text(HR_CSV.replace("总部 B 座", "分部"), encoding="utf-8")
    code, out, err = import_file(capsys, monkeypatch, db, path, "--lang", "zh")
    assert out.splitlines()[0].startswith("已导入 5 行（utf-8）：新增 0，更新 1，无变化 1")
    assert out.splitlines()[1] == f"本次导入已记入设置审计链，事件 {summary['event'] + 2}"
    assert "第 4 行" in out
    code, out, err = run(
        capsys, monkeypatch, ["directory", "search", "韩梅梅", "--db", db, "--json"]
    )
    assert json.loads(out)[0]["site"] == "分部"


def test_gbk_and_xlsx_exports_are_read(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    gbk = tmp_path / "hr-gbk.csv"
    gbk.write_bytes("Name,Phone,Employee ID\n孙八,13900139000,E40001\n".encode("gbk"))
    code, out, err = import_file(capsys, monkeypatch, db, gbk, "--json")
    assert code == 0, err
    assert (json.loads(out)["encoding"], json.loads(out)["new"]) == ("gbk", 1)

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工号", "姓名", "手机", "分机", "部门", "VIP"])
    sheet.append(["E40001", "孙八", 13900139000, 8123, "采购部", "yes"])
    sheet.append(["E40002", "周九", 13900139001, None, "采购部", None])
    path = tmp_path / "hr.xlsx"
    book.save(path)
    code, out, err = import_file(capsys, monkeypatch, db, path, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert isinstance(summary["event"], int)
    assert summary | {"problems": [], "event": 0} == {
        "rows": 2,
        "new": 1,
        "changed": 1,
        "unchanged": 0,
        "bad": 0,
        "problems": [],
        "clashes": [],
        "encoding": "xlsx",
        "dry_run": False,
        "digest": read_file(path).digest(),
        "event": 0,
    }
    code, out, err = import_file(capsys, monkeypatch, db, path, "--lang", "en")
    assert out == (
        "2 rows imported (xlsx): 0 new, 0 changed, 2 unchanged, 0 bad rows left out\n"
        f"recorded on the settings audit trail as event {summary['event'] + 1}\n"
    )
    code, out, err = run(capsys, monkeypatch, ["directory", "search", "8123", "--db", db, "--json"])
    found = json.loads(out)
    assert (found[0]["name"], found[0]["department"], found[0]["vip"]) == ("孙八", "采购部", True)


def test_one_bad_row_and_a_clash_are_worded_in_both_languages(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(
        "姓名,电话,工号,VIP\n"
        "孙八,13900139000,E9001,\n"
        "周九,13900139001,E9002,\n"
        "吴十,13900139002,E9003,也许\n"
        "郑一,13900139003,E9002,\n",
        encoding="utf-8",
    )
    code, out, err = import_file(capsys, monkeypatch, db, path, "--lang", "en")
    assert code == 2, err
    lines = out.splitlines()
    assert lines[0] == "4 rows imported (utf-8): 2 new, 0 changed, 0 unchanged, 2 bad rows left out"
    assert lines[2:] == [
        "line 3 (Employee ID): E9002 is listed again on line 5; this row was imported, line 5 "
        "left out: check which one is right",
        "line 4 (VIP): “也许”: answer yes or no",
        "line 5 (Employee ID): E9002 is listed twice in the file, first on line 3; this row is "
        "left out",
    ]
    path.write_text("姓名,电话,工号,VIP\n孙八,13900139000,E9001,\n吴十,,,\n", encoding="utf-8")
    code, out, err = import_file(capsys, monkeypatch, db, path, "--lang", "en")
    assert out.splitlines()[0].endswith("1 unchanged, 1 bad row left out")
    path.write_text(
        "姓名,电话,工号,VIP\n周九,13900139001,E9002,\n郑一,13900139003,E9002,否\n吴十,,,也许\n",
        encoding="utf-8",
    )
    code, out, err = import_file(capsys, monkeypatch, db, path, "--lang", "zh")
    assert out.splitlines()[2:] == [
        "第 2 行（工号）：E9002 在第 3 行再次出现；本行已导入，第 3 行未导入，请核对哪一行正确",
        "第 3 行（工号）：E9002 在文件中重复出现，首次在第 2 行；本行未导入",
        "第 4 行（VIP）：“也许” 请填“是”或“否”",
    ]


def test_files_that_cannot_be_a_directory_import_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-name.csv"
    missing.write_text("部门,电话\n财务部,13800138000\n", encoding="utf-8")
    code, out, err = import_file(capsys, monkeypatch, db, missing, "--lang", "en")
    assert code == 2 and "lacks the columns name" in err and "Traceback" not in err
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"name,phone\n\xff\xfe\xff,1\n")
    code, out, err = import_file(capsys, monkeypatch, db, latin1, "--lang", "en")
    assert code == 2 and "neither UTF-8 nor GBK" in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    code, out, err = import_file(capsys, monkeypatch, db, broken, "--lang", "en")
    assert code == 2 and "cannot be read" in err
    code, out, err = import_file(capsys, monkeypatch, db, tmp_path / "absent.csv", "--lang", "en")
    assert code == 2 and "cannot be read" in err
    good = tmp_path / "good.csv"
    good.write_text("name,phone\n孙八,13900139000\n", encoding="utf-8")
    code, out, err = import_file(capsys, monkeypatch, db, good, "--as", "op")
    assert code == 5, "an operator imports no directory"
    code, out, err = run(capsys, monkeypatch, ["directory", "search", "孙八", "--db", db])
    assert out == ""
