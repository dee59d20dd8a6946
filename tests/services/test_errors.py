"""Every error code is worded in both languages, and every raise site uses a registered code."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from deskui.core.permissions import Action, Refusal
from deskui.core.phone import PHONE_ERROR_CODES
from deskui.i18n import Catalog, _entries
from deskui.services.errors import (
    CODES,
    ClaimConflict,
    DatabaseUnavailable,
    DeskBusy,
    PermissionDenied,
    ServiceError,
    StaleEdit,
    ValidationFailed,
    problem,
)
from deskui.store.db import DatabaseBusy as StoreDatabaseBusy
from deskui.store.db import DatabaseUnavailable as StoreDatabaseUnavailable

PACKAGE = Path(__file__).resolve().parents[2] / "deskui"
#: Calls whose first string argument (or, for a Problem, second) is an error code.
RAISERS = {
    "ServiceError": 0,
    "NotFound": 0,
    "PermissionDenied": 0,
    "IdentityRefused": 0,
    "InputError": 1,
    "problem": 1,
    "Problem": 1,
}
#: Technical tokens a Chinese sentence may contain: formats, options, identifiers.
TECHNICAL = {"JSON", "ISO", "true", "false", "DESKUI_USER", "deskui", "user", "add", "name"}
TECHNICAL |= {"role", "agent", "as", "e", "g", "T"}
TECHNICAL |= {"db", "upgrade", "force", "pg_dump"}  # commands and options, typed as they are
# `user edit X --os-login --group G`, `--yes`, a product's name
TECHNICAL |= {"edit", "os", "login", "admin", "PostgreSQL", "pg_", "group", "yes"}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_worded_in_both_languages(code: str) -> None:
    entry = _entries().get(f"error.{code}")
    assert entry is not None, f"error.{code} is not in the catalog"
    assert set(entry) == {"zh", "en"}
    for lang in ("zh", "en"):
        # every placeholder is a parameter the code is raised with
        assert _placeholders(entry[lang]) <= CODES[code], (code, lang)
    zh = re.sub(r"\{\w+\}", "", entry["zh"])
    assert re.search(r"[\u4e00-\u9fff]", zh), f"{code}: no Chinese in {entry['zh']!r}"
    words = set(re.findall(r"[A-Za-z_]+", zh)) - TECHNICAL
    assert not {w for w in words if len(w) > 2 and not w.isupper()}, (code, words)


def test_every_action_and_refusal_is_worded() -> None:
    for action in Action:
        assert Catalog("zh").has(f"error.action.{action}")
    assert {str(r) for r in Refusal} <= set(CODES)
    assert {f"phone.{c}" for c in PHONE_ERROR_CODES} <= set(CODES)


def test_phone_codes_are_all_listed() -> None:
    source = (PACKAGE / "core" / "phone.py").read_text(encoding="utf-8")
    raised = set(re.findall(r'PhoneError\(\s*"(\w+)"', source))
    assert raised and raised <= set(PHONE_ERROR_CODES)


def _codes_raised() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in [
        *PACKAGE.joinpath("services").rglob("*.py"),
        *PACKAGE.joinpath("cli").rglob("*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            index = RAISERS.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add((path.name, arg.value))
            elif isinstance(arg, ast.JoinedStr):
                # a built code: its fixed prefix must belong to a family of registered codes
                head = arg.values[0]
                assert isinstance(head, ast.Constant), f"{path.name}: unreadable code"
                found.add((path.name, f"{head.value}*"))
    return found


def test_every_code_raised_is_registered() -> None:
    raised = _codes_raised()
    assert len(raised) > 30
    for where, code in raised:
        if code.endswith("*"):
            assert any(c.startswith(code[:-1]) for c in CODES), (where, code)
        else:
            assert code in CODES, (where, code)


def test_messages_in_each_language() -> None:
    error = ClaimConflict("agent1", number="IT20261102001")
    assert (error.code, error.params) == (
        "ticket.held",
        {"number": "IT20261102001", "holder": "agent1"},
    )
    assert error.message == "IT20261102001 is already held by agent1"
    assert error.words(Catalog("zh")) == "IT20261102001 已由 agent1 接单"
    denied = PermissionDenied("permission.role", action=Action.CLOSE, role="agent")
    assert denied.action == Action.CLOSE and denied.params["action"] == "close"
    assert denied.words(Catalog("zh")) == "技术支持工程师无权关闭"
    stale = StaleEdit(4, number="IT20261102001")
    assert stale.current_version == 4 and "changed by someone else" in str(stale)
    moved = ServiceError(
        "ticket.no_transition", field="status", number="IT1", source="new", target="closed"
    )
    assert str(moved) == "status: IT1: a ticket cannot go from New to Closed"
    assert moved.explain(Catalog("zh")).endswith("IT1 不能从“新建”改为“已关闭”")


def test_validation_keeps_every_problem_and_the_older_pairs() -> None:
    failed = ValidationFailed(
        [problem("summary", "field.required"), problem("text", "text.too_long", length=9, limit=5)]
    )
    assert (failed.code, failed.field) == ("field.required", "summary")
    assert failed.errors == [
        ("summary", "is required"),
        ("text", "is 9 characters long; at most 5"),
    ]
    assert failed.problems[1].words(Catalog("zh")) == "共 9 个字符，最多 5 个"
    assert str(failed) == "summary: is required; text: is 9 characters long; at most 5"


def test_a_code_must_be_registered_with_its_parameters() -> None:
    with pytest.raises(ValueError, match="unknown error code"):
        ServiceError("ticket.gone_fishing")
    with pytest.raises(ValueError, match="takes"):
        ServiceError("text.too_long", length=3)
    with pytest.raises(ValueError, match="takes"):
        problem("summary", "field.required", value=1)


def test_database_unavailable_is_both_kinds() -> None:
    error = DatabaseUnavailable(database="desk.db", reason="disk I/O error")
    assert isinstance(error, ServiceError) and isinstance(error, StoreDatabaseUnavailable)
    assert str(error) == "database desk.db unavailable: disk I/O error"
    assert error.words(Catalog("zh")) == "数据库 desk.db 无法访问：disk I/O error"


def test_busy_is_its_own_kind_and_says_nothing_was_saved() -> None:
    busy = DeskBusy(database="desk.db", seconds=10.0)
    assert isinstance(busy, StoreDatabaseBusy) and not isinstance(busy, StoreDatabaseUnavailable)
    assert (busy.code, busy.params) == ("database.busy", {"database": "desk.db", "seconds": "10"})
    assert busy.words(Catalog("zh")) == (
        "服务台数据库正忙（有其他终端未完成的操作），已等候 10 秒，未保存任何内容，请重试"
    )
    assert "nothing was saved" in busy.message
