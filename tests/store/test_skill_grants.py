"""The skill matrix on a shared desk: every role reads it, only an admin changes it (0009)."""

from __future__ import annotations

import pytest

from deskui.core.enums import Category
from deskui.services import admin, skills
from deskui.services.desk import DeskService
from deskui.services.directory_file import read_csv
from deskui.services.directory_import import import_directory
from deskui.services.errors import PermissionDenied
from tests.store.test_pg_roles import as_role, connected, desk_as, login_roles, owner_desk, refused

__all__ = ["desk_as", "login_roles", "owner_desk"]  # fixtures shared with the role tests

INSERT = (
    "INSERT INTO agent_skill (user_id, category, level) "
    "SELECT id, 'network', 3 FROM desk_user WHERE login = 'agent1'"
)


def test_an_admin_keeps_the_skills_and_everyone_reads_them(
    desk_as: dict[str, DeskService], login_roles: dict[str, str], postgres_url: str
) -> None:
    admin_desk = desk_as["admin"]
    who = admin.console_identity(admin_desk.actor("admin"), sqlite=False)
    skills.change_skills(admin_desk, who, "agent1", changes={str(Category.HARDWARE): 3})
    agent_desk = desk_as["agent1"]
    assert skills.matrix(agent_desk) == {"agent1": {"hardware": 3}}
    agent = admin.console_identity(agent_desk.actor("agent1"), sqlite=False)
    with pytest.raises(PermissionDenied):
        skills.change_skills(agent_desk, agent, "agent1", changes={"hardware": 5})
    with connected(as_role(postgres_url, login_roles["agent1"])) as conn:
        assert refused(conn, "SELECT * FROM agent_skill") is None
        assert refused(conn, INSERT) == "42501"
        assert refused(conn, "DELETE FROM agent_skill") == "42501"


def test_an_admin_updates_callers_from_an_export(desk_as: dict[str, DeskService]) -> None:
    admin_desk = desk_as["admin"]
    who = admin.console_identity(admin_desk.actor("admin"), sqlite=False)
    first = read_csv("姓名,电话,工号\n李雷,13800138001,E1\n".encode())
    assert import_directory(admin_desk, who, first).new == 1
    moved = read_csv("姓名,电话,工号,部门\n李雷,13900139001,E1,财务部\n".encode())
    summary = import_directory(admin_desk, who, moved)
    # the admin's own login role writes the import's record on the settings chain
    assert summary.changed == 1 and summary.event is not None
    assert admin_desk.search_requesters("E1")[0].department == "财务部"
