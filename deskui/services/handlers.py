"""Who a lead may hand a ticket to: the active people of a group who work tickets."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from deskui.core.enums import Role
from deskui.core.permissions import Action, role_may
from deskui.store.models import Group, User, UserGroup


@dataclass(frozen=True)
class HandlerChoice:
    """Someone a ticket can be assigned to.

    Attributes:
        login: their login.
        name: their name.
        role: their role at the desk.
    """

    login: str
    name: str
    role: Role


def group_handlers(session: Session, group_code: str | None) -> list[HandlerChoice]:
    """The active members of ``group_code`` who may hold a ticket (agents, leads, admins), by
    name; with no group, every such person at the desk."""
    statement = select(User).where(col(User.active).is_(True))
    if group_code is not None:
        members = (
            select(col(UserGroup.user_id))
            .join(Group, col(Group.id) == col(UserGroup.group_id))
            .where(Group.code == group_code)
        )
        statement = statement.where(col(User.id).in_(members))
    people = session.exec(statement.order_by(col(User.name), col(User.login))).all()
    return [
        HandlerChoice(u.login, u.name, Role(u.role))
        for u in people
        if role_may(Role(u.role), Action.CLAIM)
    ]
