"""``deskui report`` in each format: the figures, the spreadsheet's typed cells and formats, the
refusals."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from deskui.cli.exits import INPUT, NOT_ALLOWED
from tests.cli.test_cli import CALL, db, run  # noqa: F401 - db is a fixture

__all__ = ["db"]


def month() -> str:
    return f"{datetime.now(ZoneInfo('Asia/Shanghai')):%Y-%m}"


@pytest.fixture
def desk(db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """Two calls this month: a P1 on the network, claimed at once (its response met), and a P4
    printer call."""
    printer = {**CALL, "category": "hardware", "impact": 3, "urgency": 3, "summary": "打印机卡纸"}
    numbers = []
    for call in (CALL, printer):
        code, out, err = run(
            capsys, monkeypatch, ["ticket", "create", "--db", db, "--as", "op"], json.dumps(call)
        )
        assert code == 0, err
        numbers.append(json.loads(out)["number"])
    code, _, err = run(
        capsys, monkeypatch, ["ticket", "claim", numbers[0], "--db", db, "--as", "agent1"]
    )
    assert code == 0, err
    return db


def test_json_holds_every_table(
    desk: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, monkeypatch, ["report", "--period", month(), "--db", desk])
    assert code == 0, err
    report = json.loads(out)
    assert report["period"] == month() and report["scope"] == {"group": None, "agent": None}
    categories = {r["key"]: r["count"] for r in report["tables"]["volume_category"]["rows"]}
    assert categories == {"network": 1, "hardware": 1}
    priorities = {r["key"]: r["count"] for r in report["tables"]["volume_priority"]["rows"]}
    assert priorities == {"P1": 1, "P4": 1}
    summary = {r["key"]: r["value"] for r in report["tables"]["summary"]["rows"]}
    assert summary["received"] == 2
    assert report["tables"]["sla"]["columns"]["response_rate"] == "percent"
    p1 = report["tables"]["sla"]["rows"][0]
    assert (p1["key"], p1["response_met"], p1["response_rate"]) == ("P1", 1, 1.0)


def test_csv_in_english(
    desk: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["report", "--period", month(), "--format", "csv", "--lang", "en", "--db", desk]
    code, out, err = run(capsys, monkeypatch, args)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    at = rows.index(["By priority"])
    assert rows[at + 1] == ["Priority", "This period", "Previous", "Change"]
    assert rows[at + 2][:2] == ["P1 Critical", "1"]


def test_xlsx_has_typed_cells_formats_and_charts(
    desk: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.xlsx"
    args = ["report", "--period", month(), "--format", "xlsx", "--out", str(out), "--db", desk]
    code, _, err = run(capsys, monkeypatch, [*args, "--lang", "zh"])
    assert code == 0, err
    book = load_workbook(out)
    assert book.sheetnames[:3] == ["概览", "按工单类型", "按问题类型"]
    summary = book["概览"]
    assert [c.value for c in summary[2]] == ["指标", "数值"]
    received = summary["B3"]
    assert received.value == 2 and isinstance(received.value, int)
    sla = book["服务时限达标"]
    header = [c.value for c in sla[2]]
    rate = sla.cell(row=3, column=header.index("响应达标率") + 1)
    assert rate.value == 1 and rate.number_format == "0.0%"
    hours = sla.cell(row=3, column=header.index("响应平均超时（小时）") + 1)
    assert hours.value is None or hours.number_format == "0.00"
    # the charts are in the file (openpyxl does not read them back)
    import zipfile

    names = zipfile.ZipFile(out).namelist()
    assert sum(n.startswith("xl/charts/chart") for n in names) == 2


def test_refusals(
    desk: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, ["report", "--period", "2026-13", "--db", desk])
    assert code == INPUT and "2026-13" in err
    code, _, err = run(
        capsys, monkeypatch, ["report", "--period", month(), "--format", "xlsx", "--db", desk]
    )
    assert code == INPUT and "--out" in err
    code, _, err = run(
        capsys, monkeypatch, ["report", "--period", month(), "--db", desk, "--as", "op"]
    )
    assert code == NOT_ALLOWED
    code, _, err = run(
        capsys, monkeypatch, ["report", "--period", month(), "--db", desk, "--as", "agent1"]
    )
    assert code == NOT_ALLOWED
    code, out, err = run(
        capsys,
        monkeypatch,
        ["report", "--period", month(), "--agent", "agent1", "--db", desk, "--as", "agent1"],
    )
    assert code == 0, err and json.loads(out)["scope"]["agent"] == "agent1"
    missing = tmp_path / "no" / "such" / "dir" / "r.json"
    code, _, err = run(
        capsys,
        monkeypatch,
        ["report", "--period", month(), "--out", str(missing), "--db", desk],
    )
    assert code == INPUT and str(missing) in err
    assert not missing.exists()
