"""The status workflow of SPEC §4: transitions and who may make them."""

from __future__ import annotations

import pytest

from deskui.core.enums import Role, Status
from deskui.core.workflow import (
    TRANSITIONS,
    WorkflowError,
    allowed_targets,
    can_close,
    check_transition,
    find_transition,
)


def test_main_line_exists() -> None:
    line = [
        Status.NEW,
        Status.TO_ASSIGN,
        Status.IN_PROGRESS,
        Status.AWAITING_CONFIRMATION,
        Status.RESOLVED,
        Status.CLOSED,
    ]
    roles = [Role.OPERATOR, Role.AGENT, Role.AGENT, Role.OPERATOR, Role.OPERATOR]
    notes = [None, None, "fixed it", None, None]
    for (source, target), role, note in zip(
        zip(line, line[1:], strict=False), roles, notes, strict=True
    ):
        check_transition(source, target, role, note)


def test_refusal_reopens() -> None:
    assert find_transition(Status.AWAITING_CONFIRMATION, Status.IN_PROGRESS) is not None
    with pytest.raises(WorkflowError, match="needs a note"):
        check_transition(Status.AWAITING_CONFIRMATION, Status.IN_PROGRESS, Role.OPERATOR)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (Status.CLOSED, Status.IN_PROGRESS),
        (Status.NEW, Status.CLOSED),
        (Status.PENDING, Status.RESOLVED),
        (Status.TO_ASSIGN, Status.AWAITING_CONFIRMATION),
        (Status.REJECTED, Status.RESOLVED),
        (Status.CLOSED, Status.REJECTED),
    ],
)
def test_impossible_moves(source: Status, target: Status) -> None:
    with pytest.raises(WorkflowError, match="cannot go"):
        check_transition(source, target, Role.ADMIN, "note")


def test_roles() -> None:
    with pytest.raises(WorkflowError, match="operator may not claim"):
        check_transition(Status.TO_ASSIGN, Status.IN_PROGRESS, Role.OPERATOR)
    with pytest.raises(WorkflowError, match="agent may not close"):
        check_transition(Status.RESOLVED, Status.CLOSED, Role.AGENT)
    with pytest.raises(WorkflowError, match="agent may not reopen"):
        check_transition(Status.REJECTED, Status.TO_ASSIGN, Role.AGENT, "mistake")
    check_transition(Status.REJECTED, Status.TO_ASSIGN, Role.DUTY_LEAD, "mistake")


@pytest.mark.parametrize("transition", [t for t in TRANSITIONS if t.needs_note])
def test_every_noted_move_needs_a_note(transition: object) -> None:
    t = transition
    role = next(iter(t.roles))  # type: ignore[attr-defined]
    with pytest.raises(WorkflowError, match="needs a note"):
        check_transition(t.source, t.target, role, "  ")  # type: ignore[attr-defined]


def test_allowed_targets_and_close_rule() -> None:
    assert Status.PENDING in allowed_targets(Status.IN_PROGRESS, Role.AGENT)
    assert allowed_targets(Status.CLOSED, Role.ADMIN) == []
    assert not can_close(has_solution=True, has_confirmation=False)
    assert not can_close(has_solution=False, has_confirmation=True)
    assert can_close(has_solution=True, has_confirmation=True)


def test_no_terminal_status_is_open() -> None:
    assert {s for s in Status if not s.is_open} == {Status.RESOLVED, Status.CLOSED, Status.REJECTED}
