"""The directory import on the settings' audit trail: each import (not a dry run) appends one
setting event of key :data:`DIRECTORY_KEY`, in the import's own transaction.

Its values are compact JSON with sorted keys, enough to trace what the import did::

    old: {"changed": {"employee_id": {"E1": {"phone": "13800138001"}},
                      "phone": {"13800138002": {"department": "人事部", "employee_id": null}}}}
    new: {"changed": {"employee_id": {"E1": {"phone": "13900139001"}},
                      "phone": {"13800138002": {"department": "行政部", "employee_id": "E2"}}},
          "counts": {"bad": 0, "changed": 2, "new": 1, "rows": 3, "unchanged": 0},
          "digest": "<SHA-256 of the file's rows>",
          "new": {"employee_id": ["E3"], "phone": []}}

A caller the import changed is keyed by what it was matched by — its employee id, else its
phone's digits — with only the fields that differ, before (``old``) and after (``new``). A new
caller is listed by its employee id, else its phone's digits. The digest is
:meth:`~deskui.services.directory_file.SheetRows.digest`, every row read (the bad ones too), so
the file can be recognised later. Unchanged callers are counted, not listed.

``deskui audit verify`` checks the event as history (its hash and place in the chain): the
directory itself changes without the trail too (intake adds callers), so its rows are not
replayed against it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session

from deskui.services.audit import append_setting_event
from deskui.services.users import Actor
from deskui.store.models import SettingEvent

#: The settings-trail key of directory imports.
DIRECTORY_KEY = "directory"
#: The note of every import's event.
IMPORT_NOTE = "import"

#: What a caller was matched (or, when new, is known) by.
MatchedBy = Literal["employee_id", "phone"]


@dataclass(frozen=True)
class CallerChange:
    """A caller an import changed: the key it was matched by, and the fields that differ."""

    by: MatchedBy
    key: str
    before: dict[str, Any]
    after: dict[str, Any]


def _keyed(changed: Sequence[CallerChange], side: str) -> dict[str, dict[str, Any]]:
    by: dict[str, dict[str, Any]] = {"employee_id": {}, "phone": {}}
    for change in changed:
        by[change.by][change.key] = getattr(change, side)
    return by


def _new_keys(added: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {"employee_id": [], "phone": []}
    for record in added:
        if record["employee_id"]:
            keys["employee_id"].append(record["employee_id"])
        else:
            keys["phone"].append(record["phone_digits"])
    return {by: sorted(found) for by, found in keys.items()}


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def import_values(
    *,
    counts: Mapping[str, int],
    digest: str,
    added: Sequence[Mapping[str, Any]],
    changed: Sequence[CallerChange],
) -> tuple[str, str]:
    """The event's ``old`` and ``new`` (see the module docstring).

    Args:
        counts: rows read, new, changed, unchanged and bad.
        digest: the rows' digest.
        added: the callers added, as written (``employee_id`` and ``phone_digits`` are read).
        changed: the callers changed.
    """
    old = {"changed": _keyed(changed, "before")}
    new = {
        "changed": _keyed(changed, "after"),
        "counts": dict(counts),
        "digest": digest,
        "new": _new_keys(added),
    }
    return _compact(old), _compact(new)


def record_import(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    counts: Mapping[str, int],
    digest: str,
    added: Sequence[Mapping[str, Any]],
    changed: Sequence[CallerChange],
) -> SettingEvent:
    """Append the import's event to the settings chain, in the import's transaction: who
    imported (and the admin acting for them), when, and what (:func:`import_values`)."""
    old, new = import_values(counts=counts, digest=digest, added=added, changed=changed)
    return append_setting_event(
        session,
        key=DIRECTORY_KEY,
        old=old,
        new=new,
        actor_id=actor.id,
        proxy_id=actor.proxy_id,
        now=now,
        note=IMPORT_NOTE,
    )
