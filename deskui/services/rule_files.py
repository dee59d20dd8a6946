"""The desk's rules as one TOML document: shown, exported, and imported by an admin.

``data/*.toml`` are the defaults of a *new* desk only: they are copied into the database on its
first run, and from then on every console reads the rules from there. ``deskui rules import
FILE`` is how a changed file reaches an existing desk: the document is parsed and validated as a
whole, the differences are shown, and the changed rule files are saved together in one
transaction, each on the settings' audit trail with the admin's name — or nothing is saved.

The groups are not part of the document: they are people and a table of their own.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from typing import Any

import tomli_w

from deskui.services.errors import ServiceError
from deskui.services.rules import DeskRules

#: The rule files the document holds, in its order.
EDITABLE = ("desk", "matrix", "sla", "calendar", "routing")
HEADER = (
    "# deskui rules: the desk's time zone, priority matrix, SLA targets, business calendar and\n"
    "# routing. Change what you need and bring it back with `deskui rules import FILE`.\n\n"
)


def export_text(rules: DeskRules) -> str:
    """The desk's rules as one TOML document, a table per rule file."""
    return HEADER + tomli_w.dumps({key: dict(rules.raw[key]) for key in EDITABLE})


def parse_document(text: str) -> dict[str, dict[str, Any]]:
    """The rule files of a TOML document (the ones it holds; the others stay as they are).

    Raises:
        ServiceError: not TOML, a table that is no rule file, or a rule file that is no table.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ServiceError("rules.invalid", field="file", reason=str(exc)) from exc
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise ServiceError(
            "rules.invalid",
            field="file",
            reason=f"[{', '.join(unknown)}]: not a rule file ({', '.join(EDITABLE)})",
        )
    files: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if not isinstance(value, dict):
            raise ServiceError("rules.invalid", field=key, reason=f"{key} must be a table")
        files[key] = value
    return files


def changed(current: Mapping[str, Mapping[str, Any]], incoming: Mapping[str, Any]) -> list[str]:
    """The rule files whose incoming content differs from the desk's, in the document's order."""
    return [k for k in EDITABLE if k in incoming and _text(incoming[k]) != _text(current[k])]


def diff_text(current: Mapping[str, Mapping[str, Any]], incoming: Mapping[str, Any]) -> str:
    """What an import would change, as a unified diff of each changed rule file."""
    parts: list[str] = []
    for key in changed(current, incoming):
        parts.extend(
            difflib.unified_diff(
                _text(current[key]).splitlines(keepends=True),
                _text(incoming[key]).splitlines(keepends=True),
                fromfile=f"desk/{key}",
                tofile=f"import/{key}",
            )
        )
    return "".join(parts)


def _text(value: Mapping[str, Any]) -> str:
    return tomli_w.dumps(dict(value))
