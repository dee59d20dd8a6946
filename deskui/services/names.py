"""The names the desk shows for its codes: people by login, groups by code in both languages.

The record keeps logins and group codes (stable, language-neutral); the console shows the
person's name and the group's name in its own language. Few rows (the desk's staff and groups),
read whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session, col

from deskui.store.models import Group, User


@dataclass(frozen=True)
class DeskNames:
    """Login → name, and group code → (Chinese name, English name)."""

    people: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def person(self, login: str) -> str:
        """The person's name, or the login itself for someone the desk does not know."""
        return self.people.get(login) or login

    def group(self, code: str, lang: str) -> str:
        """The group's name in ``lang`` (``zh`` or ``en``), or the code for an unknown group."""
        names = self.groups.get(code)
        if names is None:
            return code
        return (names[0] if lang == "zh" else names[1]) or code


def desk_names(session: Session) -> DeskNames:
    """Every user's and group's name."""
    people = {r.login: r.name for r in session.execute(select(col(User.login), col(User.name)))}
    groups = {
        r.code: (r.name_zh, r.name_en)
        for r in session.execute(select(col(Group.code), col(Group.name_zh), col(Group.name_en)))
    }
    return DeskNames(people, groups)
