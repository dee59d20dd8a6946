"""``deskui report`` carries the time worked per agent and per group, the knowledge base's
figures and the outages: in JSON by column name, in CSV under their titles, and in the
spreadsheet as sheets of typed numbers with the headers in the reader's language."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.cli.test_cli import CALL, db, run
from tests.cli.test_report_cli import month

__all__ = ["db"]


@pytest.fixture
def outage(db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """This month: a network outage's parent with two calls under it; the operator logs 25 and
    20 minutes on the parent."""
    numbers = []
    for summary in ("整层断网", "五楼断网", "五楼也断网"):
        code, out, err = run(
            capsys,
            monkeypatch,
            ["ticket", "create", "--db", db, "--as", "op"],
            json.dumps({**CALL, "summary": summary}),
        )
        assert code == 0, err
        numbers.append(json.loads(out)["number"])
    parent = numbers[0]
    for child in numbers[1:]:
        code, _, err = run(
            capsys,
            monkeypatch,
            ["ticket", "link", child, "--parent", parent, "--db", db, "--as", "boss"],
        )
        assert code == 0, err
    for minutes in ("25", "20"):
        code, _, err = run(
            capsys,
            monkeypatch,
            ["ticket", "worklog", parent, "--text", "排查", "--minutes", minutes, "--db", db]
            + ["--as", "op"],
        )
        assert code == 0, err
    return parent


def test_json_and_csv(
    db: str, outage: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch, ["report", "--period", month(), "--db", db])
    assert code == 0, err
    tables = json.loads(out)["tables"]
    assert [(r["key"], r["minutes"]) for r in tables["workload"]["rows"]] == [("op", 45)]
    [network] = tables["workload_group"]["rows"]
    assert (network["key"], network["tickets"], network["minutes"]) == ("network", 3, 45)
    assert network["minutes_per_ticket"] == 15.0
    [parent] = tables["outages"]["rows"]
    assert (parent["key"], parent["calls"], parent["open_calls"]) == (outage, 2, 2)
    assert parent["summary"] == "整层断网"
    knowledge = {r["key"]: r["count"] for r in tables["knowledge"]["rows"]}
    assert knowledge == dict.fromkeys(
        ("articles_created", "articles_published", "tickets_linked", "tickets_solved"), 0
    )
    args = ["report", "--period", month(), "--format", "csv", "--lang", "en", "--db", db]
    code, out, err = run(capsys, monkeypatch, args)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    at = rows.index(["Outages"])
    assert rows[at + 1] == ["Ticket", "Priority", "Status", "Calls", "Calls open", "Summary"]
    assert rows[at + 2] == [outage, "P1", "to_assign", "2", "2", "整层断网"]
    at = rows.index(["Time per group"])
    assert rows[at + 1][:3] == ["Group", "Tickets", "Minutes"]


def test_xlsx_sheets_in_chinese(
    db: str,
    outage: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "report.xlsx"
    args = ["report", "--period", month(), "--format", "xlsx", "--out", str(path), "--db", db]
    code, _, err = run(capsys, monkeypatch, [*args, "--lang", "zh"])
    assert code == 0, err
    book = load_workbook(path)
    assert {"各组用时", "知识库", "解决来电最多的文章", "大面积故障"} <= set(book.sheetnames)
    groups = book["各组用时"]
    header = [c.value for c in groups[2]]
    assert header == ["处理组", "工单数", "用时（分钟）", "每单分钟", "当前未结"]
    minutes = groups["C3"]
    assert minutes.value == 45 and isinstance(minutes.value, int)
    outages = book["大面积故障"]
    assert [c.value for c in outages[3]][:5] == [outage, "P1", "to_assign", 2, 2]
