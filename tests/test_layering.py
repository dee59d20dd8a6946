"""Dependencies point one way: the rules import nothing of the UI or the database, and the UI
reaches the database only through the services.

The same rules are import-linter contracts in pyproject.toml (``lint-imports``); these tests
check them from the other side, so they hold wherever the suite runs: at run time (what a fresh
interpreter has loaded after importing a layer) and in the source (what each module's import
statements name, including those under ``TYPE_CHECKING``, as import-linter counts them).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import deskui

PACKAGE = Path(deskui.__file__).parent
ROOT = PACKAGE.parent

#: Libraries of the terminal UI and of the database.
UI = ("textual",)
DATABASE = ("sqlalchemy", "sqlmodel", "alembic")
#: The layers without a UI: nothing they load may pull in Textual.
BELOW_THE_UI = ("core", "store", "services", "config", "i18n")
#: The layers that draw the console: they use the services, never the store or SQL directly.
UI_LAYERS = ("screens", "widgets", "console")
#: Everything of deskui the core may import: itself.
OURS = "deskui"


def _modules(part: str) -> list[str]:
    """The dotted names of the modules of ``deskui.<part>`` (a package or a module).

    Alembic's migration scripts are left out: they run inside Alembic, not on import.
    """
    base = PACKAGE / part
    if base.with_suffix(".py").is_file():
        return [f"deskui.{part}"]
    names = []
    for path in sorted(base.rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        names.append(".".join(parts))
    return names


def _loaded_after_importing(modules: list[str]) -> set[str]:
    """What ``sys.modules`` holds after a fresh interpreter imports ``modules``."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return set(json.loads(out.stdout))


def _within(name: str, packages: tuple[str, ...] | list[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """The line and the dotted name of everything the module at ``path`` imports."""
    relative = path.relative_to(ROOT).with_suffix("")
    package = relative.parts[:-1]  # a package's __init__ resolves relative to the package too
    yield from _imports_in(path.read_text(encoding="utf-8"), package)


def _imports_in(source: str, package: tuple[str, ...]) -> Iterator[tuple[int, str]]:
    """The line and the dotted name of each import in ``source``, a module of ``package``.

    Relative imports are resolved; ``from a.b import c`` names both ``a.b`` and ``a.b.c``
    (``c`` may be a module).
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{module}.{alias.name}"


def _offences(parts: tuple[str, ...], forbidden: tuple[str, ...] | list[str]) -> str:
    """One ``path:line imports name`` line per import under ``deskui/<part>`` of a forbidden name.

    Empty when there is none, so ``assert not _offences(...), _offences(...)`` reads well;
    callers keep the text to show it on failure.
    """
    found: dict[str, str] = {}
    for part in parts:
        base = PACKAGE / part
        files = [base.with_suffix(".py")] if base.with_suffix(".py").is_file() else []
        files += sorted(base.rglob("*.py")) if base.is_dir() else []
        for path in files:
            for line, name in _imports(path):
                where = f"{path.relative_to(ROOT)}:{line}"
                if _within(name, forbidden) and where not in found:
                    found[where] = f"{where} imports {name}"
    return "\n".join(found[k] for k in sorted(found))


# at run time ------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", BELOW_THE_UI)
def test_layers_below_the_ui_load_no_textual(layer: str) -> None:
    """Every module of the layer, imported in a fresh interpreter, leaves Textual unloaded."""
    loaded = _loaded_after_importing(_modules(layer))
    assert not [m for m in loaded if _within(m, UI)], f"importing deskui.{layer} loads Textual"


def test_core_loads_nothing_but_itself() -> None:
    loaded = _loaded_after_importing(_modules("core"))
    ours = sorted(m for m in loaded if _within(m, [OURS]) and not _within(m, ["deskui.core"]))
    assert ours == ["deskui"], "the core loads other parts of deskui"
    assert not [m for m in loaded if _within(m, (*UI, *DATABASE, "rich"))]


def test_the_command_line_loads_textual_only_to_run_the_console() -> None:
    """``deskui db upgrade``, ``seed``, ``report``…: the CLI module imports the app lazily."""
    loaded = _loaded_after_importing(["deskui.cli"])
    assert not [m for m in loaded if _within(m, UI)]
    assert not [m for m in loaded if _within(m, ["deskui.screens", "deskui.widgets"])]


# in the source ----------------------------------------------------------------------------------
def test_core_source_imports_nothing_outside_the_core() -> None:
    outside = [
        f"deskui.{p.stem}"
        for p in PACKAGE.iterdir()
        if p.stem not in ("core", "__init__", "__pycache__") and (p.is_dir() or p.suffix == ".py")
    ]
    offences = _offences(("core",), [*outside, *UI, *DATABASE, "rich"])
    assert not offences, offences


def test_no_layer_below_the_ui_names_textual() -> None:
    offences = _offences(BELOW_THE_UI, UI)
    assert not offences, offences


def test_screens_widgets_and_console_reach_the_database_only_through_services() -> None:
    """No module under screens/, widgets/ or console/ imports the store, sqlmodel or sqlalchemy.

    Indirect use through deskui.services is the intended path and is not counted here.
    """
    offences = _offences(UI_LAYERS, ["deskui.store", "sqlmodel", "sqlalchemy"])
    assert not offences, offences


def test_nothing_below_the_app_imports_the_app_or_the_command_line() -> None:
    offences = _offences((*UI_LAYERS, *BELOW_THE_UI), ["deskui.app", "deskui.cli"])
    assert not offences, offences


def test_the_import_reader_resolves_relative_imports() -> None:
    """The source checks above see ``from ..store import db`` for what it is."""
    source = "from ..store import db\nfrom . import queue\nif X:\n    import sqlmodel\n"
    names = {name for _line, name in _imports_in(source, ("deskui", "screens"))}
    assert {"deskui.store", "deskui.store.db", "deskui.screens.queue", "sqlmodel"} <= names
