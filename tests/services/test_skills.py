"""The skill matrix and the suggestion of whom to assign, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from deskui.services import admin, skills
from deskui.services.desk import DeskService
from deskui.services.errors import PermissionDenied, ValidationFailed
from deskui.services.verify import Problem, verify_record
from tests.services.test_audit import tamper
from tests.services.test_intake import call


def who(desk: DeskService, login: str = "admin") -> admin.Identity:
    return admin.console_identity(desk.actor(login), sqlite=desk.db.is_sqlite)


def test_skills_are_set_cleared_and_audited(desk: DeskService) -> None:
    result = skills.change_skills(desk, who(desk), "agent1", changes={"hardware": 4, "network": 2})
    assert result == {"hardware": 4, "network": 2}
    result = skills.change_skills(
        desk, who(desk), "agent1", changes={"network": 3}, clear=["hardware"]
    )
    assert result == {"network": 3}
    assert skills.matrix(desk) == {"agent1": {"network": 3}}
    assert desk.read(skills.recorded_skills) == {"agent1": {"network": 3}}
    assert desk.read(lambda s: verify_record(s)).ok


def test_bad_skills_and_non_admins_are_refused(desk: DeskService) -> None:
    with pytest.raises(ValidationFailed) as refused:
        skills.parse_skills("hardware=9 printers=2")
    assert [p.code for p in refused.value.problems] == ["field.whole_range", "skill.category"]
    with pytest.raises(ValidationFailed):
        skills.change_skills(desk, who(desk), "agent1", clear=["printers"])
    with pytest.raises(PermissionDenied):
        skills.change_skills(desk, who(desk, "lead"), "agent1", changes={"hardware": 2})
    assert skills.matrix(desk) == {}


def test_skills_changed_by_hand_are_named_by_verify(desk: DeskService) -> None:
    skills.change_skills(desk, who(desk), "agent2", changes={"software": 2})
    tamper(desk.db, "UPDATE agent_skill SET level = 5")
    tamper(
        desk.db,
        "INSERT INTO agent_skill (user_id, category, level) "
        "SELECT id, 'network', 3 FROM desk_user WHERE login = 'agent1'",
    )
    report = desk.read(lambda s: verify_record(s))
    named = sorted((f.problem, f.key, f.fields) for f in report.findings)
    assert named == [
        (Problem.SKILLS, "agent1", ("network",)),
        (Problem.SKILLS, "agent2", ("software",)),
    ]


def test_the_skilled_agent_with_the_least_open_work_is_suggested(desk: DeskService) -> None:
    skills.change_skills(desk, who(desk), "agent1", changes={"hardware": 2})
    skills.change_skills(desk, who(desk), "agent2", changes={"hardware": 5, "software": 3})
    skills.change_skills(desk, who(desk), "op", changes={"hardware": 5})  # operators work none
    op, lead = desk.actor("op"), desk.actor("lead")
    numbers = [desk.create_ticket(op, call(summary=f"printer {i}")).number for i in range(4)]
    desk.assign(lead, numbers[0], "agent2")
    desk.assign(lead, numbers[1], "agent2")
    desk.assign(lead, numbers[2], "agent1")
    found = skills.suggest(desk, numbers[3])
    assert (found.category, found.group) == ("hardware", "hardware")
    assert [(c.login, c.level, c.open_count) for c in found.candidates] == [
        ("agent1", 2, 1),
        ("agent2", 5, 2),
    ]
    assert found.best is not None and found.best.login == "agent1"
    desk.assign(lead, numbers[3], "agent1")
    found = skills.suggest_for(desk, category="hardware", group="hardware")
    assert found.best is not None and found.best.login == "agent2", "equal work: higher level"
    assert skills.suggest_for(desk, category="software", group="hardware").best is not None
    assert skills.suggest_for(desk, category="network", group="hardware").best is None
    assert found.to_json()["suggested"] == {
        "login": "agent2",
        "name": "李娜",
        "level": 5,
        "open": 2,
    }
