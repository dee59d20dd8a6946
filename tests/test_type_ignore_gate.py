"""The gate in .ci/check_type_ignores.py: a ``type: ignore`` names its code and gives a reason."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parent.parent / ".ci" / "check_type_ignores.py"


@pytest.fixture(scope="module")
def gate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_type_ignores", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "line",
    [
        "x = f()  # type: ignore[attr-defined]  # the stub lacks the keyword\n",
        "x = f()  # type: ignore[arg-type, misc]  # SQLModel's Field is untyped here\n",
        "x = f()  #type:ignore[assignment] # the descriptor returns the column\n",
        'x = "# type: ignore"  # a string is not a comment\n',
    ],
)
def test_accepted(gate: ModuleType, line: str) -> None:
    assert list(gate.problems_in_source(line)) == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("x = f()  # type: ignore\n", "bare"),
        ("x = f()  # type: ignore  # because\n", "bare"),
        ("x = f()  # type: ignore[arg-type]\n", "without a reason"),
        ("x = f()  # type: ignore[arg-type]  #\n", "without a reason"),
        ("x = f()  # type: ignore[arg-type]  # noqa: E501\n", "without a reason"),
        ("# type: ignore\n", "bare"),
    ],
)
def test_refused(gate: ModuleType, line: str, problem: str) -> None:
    found = list(gate.problems_in_source("import os\n" + line))
    assert len(found) == 1
    assert found[0][0] == 2 and problem in found[0][1]


def test_prints_each_offence_as_file_and_line(
    gate: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ok.py").write_text("x = 1  # type: ignore[misc]  # why\n", encoding="utf-8")
    bad = tmp_path / "pkg" / "bad.py"
    bad.parent.mkdir()
    bad.write_text("a = 1\nb = 2  # type: ignore[misc]\n", encoding="utf-8")
    assert gate.main([str(tmp_path)]) == 1
    assert capsys.readouterr().out.startswith(f"{bad}:2: ")
    bad.unlink()
    assert gate.main([str(tmp_path)]) == 0
