"""Dependencies point one way: the rules import nothing of the UI or the database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import deskui

PACKAGE = Path(deskui.__file__).parent


def _imports_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


def test_core_is_pure() -> None:
    modules = _imports_after(
        "deskui.core.sla, deskui.core.priority, deskui.core.workflow, "
        "deskui.core.calendar, deskui.core.phone, deskui.core.sanitize, "
        "deskui.core.masking, deskui.core.numbering"
    )
    for forbidden in ("textual", "sqlalchemy", "sqlmodel", "deskui.services", "deskui.store"):
        assert not any(m == forbidden or m.startswith(forbidden + ".") for m in modules), forbidden


def test_services_do_not_import_the_ui() -> None:
    modules = _imports_after("deskui.services.desk, deskui.services.seed, deskui.cli")
    assert "textual" not in modules
    assert not any(
        m.startswith("deskui.screens") or m.startswith("deskui.widgets") for m in modules
    )


def test_core_source_names_no_outer_layer() -> None:
    for path in (PACKAGE / "core").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for layer in (
            "deskui.store",
            "deskui.services",
            "deskui.screens",
            "deskui.widgets",
            "textual",
        ):
            assert f"import {layer}" not in source and f"from {layer}" not in source, (path, layer)
