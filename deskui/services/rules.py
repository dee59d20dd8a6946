"""The desk's rules as configured: matrix, SLA targets, calendar, routing, time zone.

The rule files of data/ are copied into the database on first run (``desk_setting``), so every
console of a shared desk reads the same rules, and a change to them is audited.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from deskui.config import RULE_FILES, load_rule_files
from deskui.core.calendar import BusinessCalendar
from deskui.core.priority import PriorityMatrix
from deskui.core.sla import SlaPolicy
from deskui.services.audit import append_setting_event
from deskui.services.rule_check import check_rule_set
from deskui.store.models import DeskSetting, Group


@dataclass(frozen=True)
class DeskRules:
    """Everything the rules read, parsed and validated.

    Attributes:
        tz: the desk's time zone (ticket numbers use its local date).
        matrix: impact × urgency → priority.
        vip_raise: VIP requesters are raised one level.
        sla: targets per priority and clock.
        calendar: the business calendar.
        category_groups: category → group code.
        type_groups: ticket type → group code (complaints).
        escalation_groups: tier → group code ('' keeps the current group).
        raw: the rule files as stored.
    """

    tz: ZoneInfo
    matrix: PriorityMatrix
    vip_raise: bool
    sla: SlaPolicy
    calendar: BusinessCalendar
    category_groups: Mapping[str, str]
    type_groups: Mapping[str, str]
    escalation_groups: Mapping[int, str]
    raw: Mapping[str, Mapping[str, Any]]

    @classmethod
    def from_files(cls, files: Mapping[str, Mapping[str, Any]]) -> DeskRules:
        """Parse the rule files (as dicts).

        Raises:
            ValueError: naming the file and key at fault.
        """
        tz_name = os.environ.get("DESKUI_TZ") or str(files["desk"].get("timezone", "Asia/Shanghai"))
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"desk.timezone: unknown time zone {tz_name!r}") from exc
        calendar = BusinessCalendar.from_config(files["calendar"], tz=tz_name)
        matrix_file = files["matrix"]
        routing = files["routing"]
        return cls(
            tz=tz,
            matrix=PriorityMatrix.from_config(matrix_file.get("matrix", {})),
            vip_raise=bool(matrix_file.get("vip_raise", True)),
            sla=SlaPolicy.from_config(
                files["sla"], working_day_seconds=calendar.hours.seconds_per_day
            ),
            calendar=calendar,
            category_groups=dict(routing.get("categories", {})),
            type_groups=dict(routing.get("types", {})),
            escalation_groups={int(k): str(v) for k, v in routing.get("escalation", {}).items()},
            raw=files,
        )


#: The note of the setting event that records a rule file copied from data/.
COPIED_NOTE = "copied from the rule files of data/"


def ensure_rule_settings(session: Session, now: datetime) -> None:
    """Copy any rule file not yet kept in the database from data/, each with its setting event."""
    present = set(session.exec(select(DeskSetting.key)).all())
    missing = [name for name in RULE_FILES if name not in present]
    if not missing:
        return
    files = load_rule_files()
    for name in missing:
        encoded = json.dumps(files[name])
        session.add(DeskSetting(key=name, value=encoded, updated_at=now))
        append_setting_event(
            session, key=name, old=None, new=encoded, actor_id=None, now=now, note=COPIED_NOTE
        )


def stored_rule_text(session: Session) -> dict[str, str]:
    """The rule files as the database keeps them: JSON text by key (cheap to compare)."""
    rows = session.exec(select(DeskSetting.key, DeskSetting.value))
    return {key: value for key, value in rows}


def load_rules(session: Session, stored_text: Mapping[str, str] | None = None) -> DeskRules:
    """The rules kept in the database, falling back to data/ for any not stored yet.

    ``stored_text``: what :func:`stored_rule_text` already read in this session.
    """
    text = stored_rule_text(session) if stored_text is None else stored_text
    stored = {key: json.loads(value) for key, value in text.items()}
    files = load_rule_files() if set(RULE_FILES) - set(stored) else {}
    return DeskRules.from_files({name: stored.get(name) or files[name] for name in RULE_FILES})


def save_rule_setting(
    session: Session,
    *,
    key: str,
    value: Mapping[str, Any],
    actor_id: int | None,
    note: str | None,
    now: datetime,
    proxy_id: int | None = None,
) -> None:
    """Replace one rule file, validated first, with an audit event (see
    :func:`save_rule_settings`)."""
    save_rule_settings(
        session,
        values={key: value},
        actor_id=actor_id,
        note=note,
        now=now,
        proxy_id=proxy_id,
    )


def save_rule_settings(
    session: Session,
    *,
    values: Mapping[str, Mapping[str, Any]],
    actor_id: int | None,
    note: str | None,
    now: datetime,
    proxy_id: int | None = None,
) -> None:
    """Replace rule files together, each with an audit event; the rule set they make with the
    files kept is checked first (:func:`deskui.services.rule_check.check_rule_set`), whoever
    changes it: a console's editor, ``rules import``, the calendar commands.

    Raises:
        ValidationFailed: the check refuses the set (every problem); nothing is written.
        ValueError: the new rules do not parse otherwise; nothing is written.
    """
    unknown = sorted(set(values) - set(RULE_FILES))
    if unknown:
        raise ValueError(f"unknown rule file {unknown[0]!r}")
    files = {**load_rules(session).raw, **values}
    groups = set(session.exec(select(Group.code)).all())
    check_rule_set(files, changed=set(values), groups=groups)
    DeskRules.from_files(files)
    for key, value in values.items():
        _store(session, key, value, actor_id=actor_id, proxy_id=proxy_id, note=note, now=now)


def _store(
    session: Session,
    key: str,
    value: Mapping[str, Any],
    *,
    actor_id: int | None,
    proxy_id: int | None,
    note: str | None,
    now: datetime,
) -> None:
    row = session.get(DeskSetting, key)
    old = row.value if row else None
    encoded = json.dumps(value)
    if row is None:
        session.add(DeskSetting(key=key, value=encoded, updated_at=now, updated_by_id=actor_id))
    else:
        row.value, row.updated_at, row.updated_by_id = encoded, now, actor_id
        session.add(row)
    append_setting_event(
        session,
        key=key,
        old=old,
        new=encoded,
        actor_id=actor_id,
        proxy_id=proxy_id,
        note=note,
        now=now,
    )
