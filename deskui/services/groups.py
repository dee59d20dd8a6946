"""The desk's support groups (支持组): names in both languages, tier, lead; kept by its admins.

A group's record — code, names, tier, lead — is on the settings' audit trail (key
:data:`GROUPS_KEY`) from its creation, with every change after it, so ``deskui audit verify``
names a group changed without one. Members are the users' side (``deskui user edit --group``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from deskui.core.sanitize import sanitize_line
from deskui.services.errors import NotFound, Problem, ValidationFailed, problem
from deskui.services.users import Actor, group_by_code, record_change
from deskui.store.models import Group, User, UserGroup

#: The settings-trail key of group additions and changes.
GROUPS_KEY = "group"
_CODE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
TIERS = (1, 2, 3)


@dataclass(frozen=True)
class GroupView:
    """A group as ``deskui group list`` shows it."""

    code: str
    name_zh: str
    name_en: str
    tier: int
    lead: str | None
    members: tuple[str, ...]

    def record(self) -> dict[str, Any]:
        """What the audit trail keeps of the group (members are the users' records)."""
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "tier": self.tier,
            "lead": self.lead,
        }

    def to_json(self) -> dict[str, Any]:
        """The group for ``--json``."""
        return {**self.record(), "members": list(self.members)}


def view_of(session: Session, group: Group) -> GroupView:
    """The group as shown."""
    lead = session.get(User, group.lead_id) if group.lead_id is not None else None
    members = session.exec(
        select(User.login)
        .join(UserGroup, col(UserGroup.user_id) == col(User.id))
        .where(UserGroup.group_id == group.id)
        .order_by(col(User.login))
    )
    return GroupView(
        group.code,
        group.name_zh,
        group.name_en,
        group.tier,
        lead.login if lead else None,
        tuple(members),
    )


def list_groups(session: Session) -> list[GroupView]:
    """Every group, by tier and code."""
    groups = session.exec(select(Group).order_by(col(Group.tier), col(Group.code)))
    return [view_of(session, g) for g in groups]


def _record(
    session: Session,
    *,
    before: GroupView | None,
    after: GroupView,
    actor: Actor | None,
    now: datetime,
    note: str,
) -> None:
    record_change(
        session,
        key=GROUPS_KEY,
        before=before.record() if before else None,
        after=after.record(),
        actor=actor,
        now=now,
        note=note,
    )


def _name(raw: str | None, field: str, problems: list[Problem]) -> str:
    name = sanitize_line(raw or "").strip()
    if not name:
        problems.append(problem(field, "field.required"))
    elif len(name) > 80:
        problems.append(problem(field, "text.too_long", length=len(name), limit=80))
    return name


def _lead(session: Session, group: Group, login: str | None, problems: list[Problem]) -> int | None:
    """The lead's id: an active member of the group, or none (``-``)."""
    if login is None or login == "-":
        return None
    user = session.exec(select(User).where(User.login == login.strip().casefold())).first()
    if user is None or not user.active:
        raise NotFound("user.unknown", field="lead", login=login)
    member = session.exec(
        select(UserGroup).where(UserGroup.user_id == user.id, UserGroup.group_id == group.id)
    ).first()
    if member is None:
        problems.append(problem("lead", "group.lead_not_member", login=user.login))
    return user.id


def add_group(
    *,
    session: Session,
    code: str,
    name_zh: str,
    name_en: str,
    tier: int,
    now: datetime,
    actor: Actor | None,
) -> GroupView:
    """A new group (its lead is named once it has members).

    Raises:
        ValidationFailed: a bad or taken code, a missing name, a tier outside 1–3.
    """
    problems: list[Problem] = []
    code = sanitize_line(code).strip().casefold()
    if not _CODE.fullmatch(code):
        problems.append(problem("code", "group.code"))
    elif session.exec(select(Group).where(Group.code == code)).first() is not None:
        problems.append(problem("code", "group.taken", group=code))
    zh, en = _name(name_zh, "name_zh", problems), _name(name_en, "name_en", problems)
    if tier not in TIERS:
        problems.append(problem("tier", "field.whole_range", value=tier, low=1, high=3))
    if problems:
        raise ValidationFailed(problems)
    group = Group(code=code, name_zh=zh, name_en=en, tier=tier)
    session.add(group)
    session.flush()
    after = view_of(session, group)
    _record(session, before=None, after=after, actor=actor, now=now, note="add")
    return after


def edit_group(
    *,
    session: Session,
    code: str,
    now: datetime,
    actor: Actor | None,
    name_zh: str | None = None,
    name_en: str | None = None,
    tier: int | None = None,
    lead: str | None = None,
) -> GroupView:
    """Change a group's names, tier or lead (``-`` for none); the lead must be a member.

    Raises:
        NotFound: no such group, or no such lead.
        ValidationFailed: an empty name, a tier outside 1–3, a lead who is not a member.
    """
    group = group_by_code(session, code)
    before = view_of(session, group)
    problems: list[Problem] = []
    if name_zh is not None:
        group.name_zh = _name(name_zh, "name_zh", problems)
    if name_en is not None:
        group.name_en = _name(name_en, "name_en", problems)
    if tier is not None:
        if tier not in TIERS:
            problems.append(problem("tier", "field.whole_range", value=tier, low=1, high=3))
        group.tier = tier
    if lead is not None:
        group.lead_id = _lead(session, group, lead, problems)
    if problems:
        raise ValidationFailed(problems)
    session.add(group)
    session.flush()
    after = view_of(session, group)
    _record(session, before=before, after=after, actor=actor, now=now, note="edit")
    return after


def ensure_groups(session: Session, groups: list[dict[str, Any]], now: datetime) -> None:
    """Create the configured groups that do not exist yet (a new desk's), on the record."""
    existing = set(session.exec(select(Group.code)).all())
    for spec in groups:
        if spec["code"] not in existing:
            group = Group(
                code=spec["code"],
                name_zh=spec["name_zh"],
                name_en=spec["name_en"],
                tier=int(spec.get("tier", 2)),
            )
            session.add(group)
            session.flush()
            _record(
                session, before=None, after=view_of(session, group), actor=None, now=now, note="add"
            )
