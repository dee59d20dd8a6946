"""The status workflow of SPEC §4: transitions and who may make them."""

from __future__ import annotations

import pytest

from deskui.core.enums import Role, Status
from deskui.core.permissions import ROLES, Action
from deskui.core.workflow import (
    TRANSITIONS,
    Transition,
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
    with pytest.raises(WorkflowError) as info:
        check_transition(Status.AWAITING_CONFIRMATION, Status.IN_PROGRESS, Role.OPERATOR)
    assert info.value.code == "note.required"


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
    with pytest.raises(WorkflowError) as info:
        check_transition(source, target, Role.ADMIN, "note")
    assert info.value.code == "ticket.no_transition" and info.value.transition is None


def test_roles() -> None:
    refused = [
        (Status.TO_ASSIGN, Status.IN_PROGRESS, Role.OPERATOR, None, Action.CLAIM),
        (Status.RESOLVED, Status.CLOSED, Role.AGENT, None, Action.CLOSE),
        (Status.REJECTED, Status.TO_ASSIGN, Role.AGENT, "mistake", Action.REOPEN),
        (Status.IN_PROGRESS, Status.PENDING, Role.OPERATOR, "vendor", Action.PEND),
        (Status.IN_PROGRESS, Status.REJECTED, Role.OPERATOR, "spam", Action.REJECT),
        (Status.PENDING, Status.IN_PROGRESS, Role.OPERATOR, "back", Action.RESUME),
    ]
    for source, target, role, note, action in refused:
        with pytest.raises(WorkflowError) as info:
            check_transition(source, target, role, note)
        assert info.value.code == "permission.role"
        assert info.value.transition is not None and info.value.transition.action == action
    check_transition(Status.REJECTED, Status.TO_ASSIGN, Role.DUTY_LEAD, "mistake")
    # the same actions elsewhere in the workflow are the matrix's: the operator may do them
    check_transition(Status.TO_ASSIGN, Status.PENDING, Role.OPERATOR, "vendor")
    check_transition(Status.NEW, Status.REJECTED, Role.OPERATOR, "spam")
    check_transition(Status.PENDING, Status.TO_ASSIGN, Role.OPERATOR, "back")


def test_transitions_take_their_roles_from_the_matrix() -> None:
    for transition in TRANSITIONS:
        assert transition.roles <= ROLES[transition.action]
        if transition.only is None:
            assert transition.roles == ROLES[transition.action]


@pytest.mark.parametrize("transition", [t for t in TRANSITIONS if t.needs_note])
def test_every_noted_move_needs_a_note(transition: Transition) -> None:
    t = transition
    role = next(iter(t.roles))
    with pytest.raises(WorkflowError) as info:
        check_transition(t.source, t.target, role, "  ")
    assert info.value.code == "note.required"


def test_allowed_targets_and_close_rule() -> None:
    assert Status.PENDING in allowed_targets(Status.IN_PROGRESS, Role.AGENT)
    assert allowed_targets(Status.CLOSED, Role.ADMIN) == []
    assert not can_close(has_solution=True, has_confirmation=False)
    assert not can_close(has_solution=False, has_confirmation=True)
    assert can_close(has_solution=True, has_confirmation=True)


def test_no_terminal_status_is_open() -> None:
    assert {s for s in Status if not s.is_open} == {Status.RESOLVED, Status.CLOSED, Status.REJECTED}


def test_where_an_action_leads_comes_from_the_transitions() -> None:
    from deskui.core.permissions import Action
    from deskui.core.workflow import target_of

    assert target_of(Status.RESOLVED, Action.REOPEN) == Status.IN_PROGRESS
    assert target_of(Status.REJECTED, Action.REOPEN) == Status.TO_ASSIGN
    assert target_of(Status.IN_PROGRESS, Action.SOLVE) == Status.AWAITING_CONFIRMATION
    assert target_of(Status.CLOSED, Action.REOPEN) is None
