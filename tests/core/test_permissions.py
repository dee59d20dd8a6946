"""The role × action matrix, the holder rules and the change-status picker, as pure tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from deskui.core.enums import Role, Status
from deskui.core.permissions import (
    DESK_NOTES,
    GROUP_WHEN_UNHELD,
    HOLDER_ONLY,
    NEEDS_HOLDER,
    NEEDS_OPEN,
    NOT_AWAITING,
    ROLES,
    Action,
    Refusal,
    TicketFacts,
    allows,
    may_claim_now,
    refusal,
    role_may,
)
from deskui.core.workflow import TRANSITIONS, status_targets


@dataclass(frozen=True)
class Person:
    login: str
    role: Role
    group_codes: frozenset[str] = field(default_factory=frozenset)


OP, AGENT, LEAD, ADMIN = Role.OPERATOR, Role.AGENT, Role.DUTY_LEAD, Role.ADMIN
A = Action

#: Who may take each action at all: the desk's rules written out once more, by hand.
EXPECTED: dict[Action, set[Role]] = {
    A.LOG_CALL: {OP, AGENT, LEAD, ADMIN},
    A.DISPATCH: {OP, AGENT, LEAD, ADMIN},
    A.RESOLVE_AT_INTAKE: {OP, AGENT, LEAD, ADMIN},
    A.CLAIM: {AGENT, LEAD, ADMIN},
    A.TAKE_OVER: {LEAD, ADMIN},
    A.ASSIGN: {LEAD, ADMIN},
    A.TRIAGE: {OP, AGENT, LEAD, ADMIN},
    A.OVERRIDE_PRIORITY: {LEAD, ADMIN},
    A.TRANSFER: {OP, AGENT, LEAD, ADMIN},
    A.ESCALATE: {OP, AGENT, LEAD, ADMIN},
    A.WORKLOG: {OP, AGENT, LEAD, ADMIN},
    A.PROGRESS: {AGENT, LEAD, ADMIN},
    A.ESTIMATE: {AGENT, LEAD, ADMIN},
    A.PEND: {OP, AGENT, LEAD, ADMIN},
    A.RESUME: {OP, AGENT, LEAD, ADMIN},
    A.RELEASE: {AGENT, LEAD, ADMIN},
    A.SOLVE: {AGENT, LEAD, ADMIN},
    A.CONFIRM: {OP, LEAD, ADMIN},
    A.REFUSE: {OP, LEAD, ADMIN},
    A.REJECT: {OP, AGENT, LEAD, ADMIN},
    A.REOPEN: {OP, AGENT, LEAD, ADMIN},
    A.CLOSE: {OP, LEAD, ADMIN},
    A.LINK: {OP, AGENT, LEAD, ADMIN},
    A.ACKNOWLEDGE_ALERT: {LEAD, ADMIN},
    A.CHANGE_RULES: {ADMIN},
    A.MANAGE_USERS: {ADMIN},
    A.EXPORT_DESK: {ADMIN},
    A.IMPORT_DESK: {ADMIN},
    A.BACKUP_DESK: {ADMIN},
    # announcements: narrowed by the owning group (tests/core/test_announcements.py)
    A.ANNOUNCE_DRAFT: {OP, AGENT, LEAD, ADMIN},
    A.ANNOUNCE_EDIT: {OP, AGENT, LEAD, ADMIN},
    A.ANNOUNCE_SUBMIT: {OP, AGENT, LEAD, ADMIN},
    A.ANNOUNCE_APPROVE: {OP, AGENT, LEAD, ADMIN},
    A.ANNOUNCE_RETURN: {OP, AGENT, LEAD, ADMIN},
    A.ANNOUNCE_PUBLISH: {OP, LEAD, ADMIN},
    A.ANNOUNCE_WITHDRAW: {OP, AGENT, LEAD, ADMIN},
    A.VIEW_SETTINGS: {LEAD, ADMIN},
    # the knowledge base: who reviews a given article is the article rules' (test_article_rules)
    A.KB_DRAFT: {OP, AGENT, LEAD, ADMIN},
    A.KB_SUBMIT: {OP, AGENT, LEAD, ADMIN},
    A.KB_REVIEW: {OP, AGENT, LEAD, ADMIN},
    A.KB_PUBLISH: {OP, AGENT, LEAD, ADMIN},
    A.KB_RETIRE: {OP, AGENT, LEAD, ADMIN},
    A.READ_REPORTS: {LEAD, ADMIN},
    A.READ_OWN_REPORT: {AGENT, LEAD, ADMIN},
    A.REVEAL_PHONE: {OP, AGENT, LEAD, ADMIN},
}


def test_the_matrix_covers_every_action() -> None:
    assert set(ROLES) == set(Action) == set(EXPECTED)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_by_action(role: Role, action: Action) -> None:
    person = Person("someone", role)
    expected = role in EXPECTED[action]
    assert allows(person, action) is expected
    assert refusal(person, action) == (None if expected else Refusal.ROLE)


@pytest.mark.parametrize("action", sorted(HOLDER_ONLY))
def test_on_a_held_ticket_only_the_holder_or_a_lead_acts(action: Action) -> None:
    held = TicketFacts(Status.IN_PROGRESS, holder="agent1")
    free = TicketFacts(Status.IN_PROGRESS)
    assert refusal(Person("agent2", AGENT), action, held) == Refusal.HOLDER
    assert refusal(Person("agent1", AGENT), action, held) is None
    needs_holder = action in NEEDS_HOLDER
    assert refusal(Person("agent2", AGENT), action, free) == (
        Refusal.UNHELD if needs_holder else None
    )
    # leads act on any ticket
    assert refusal(Person("lead", LEAD), action, held) is None
    assert refusal(Person("admin", ADMIN), action, held) is None
    # an operator is held to the holder rule too, but notes a repeat call on any ticket
    if role_may(OP, action):
        expected = None if action in DESK_NOTES else Refusal.HOLDER
        assert refusal(Person("op", OP), action, held) == expected


def test_a_progress_update_needs_someone_to_hold_the_ticket() -> None:
    for status in (Status.TO_ASSIGN, Status.PENDING, Status.IN_PROGRESS):
        for person in (Person("agent1", AGENT), Person("lead", LEAD)):
            assert refusal(person, A.PROGRESS, TicketFacts(status)) == Refusal.UNHELD
    # whoever was routed the ticket (a complaint to its lead) may update before accepting it
    assert refusal(Person("lead", LEAD), A.PROGRESS, TicketFacts(Status.NEW, "lead")) is None


def test_the_solver_does_not_record_the_requesters_answer() -> None:
    awaiting = TicketFacts(Status.AWAITING_CONFIRMATION, holder="lead", solver="lead")
    assert refusal(Person("lead", LEAD), A.CONFIRM, awaiting) == Refusal.SOLVER
    assert refusal(Person("admin", ADMIN), A.CONFIRM, awaiting) is None
    assert refusal(Person("op", OP), A.CONFIRM, awaiting) is None
    assert refusal(Person("agent1", AGENT), A.CONFIRM, awaiting) == Refusal.ROLE
    # a refusal goes against the solver's interest: the desk records it whoever solved it
    assert refusal(Person("lead", LEAD), A.REFUSE, awaiting) is None


@pytest.mark.parametrize("action", sorted(NOT_AWAITING))
def test_nothing_moves_while_a_solution_awaits_the_answer(action: Action) -> None:
    awaiting = TicketFacts(Status.AWAITING_CONFIRMATION, holder="agent1", tier=2)
    assert refusal(Person("lead", LEAD), action, awaiting) == Refusal.AWAITING


#: Pure rules, role × action × the person's relation to the ticket, by hand: (role, relation)
#: → (person, facts); then per action the answers for operator, agent, lead, admin, each as
#: "holder other unassigned foreign" ("-": an operator holds no ticket): held by the person,
#: held by someone else (both with another group), nobody holds it and it is with the person's
#: own group, nobody holds it and it is with a group the person is not in.
_HELD = Status.IN_PROGRESS
_RELATIONS = ("holder", "other", "unassigned", "foreign")
#: The person's own group in the tables (every person below is in it), and one nobody is in.
_OWN, _FOREIGN = "hardware", "network"


def _facts(relation: str, login: str, status: Status) -> TicketFacts:
    holder = {"holder": login, "other": "agent1"}.get(relation)
    group = _OWN if relation == "unassigned" else _FOREIGN
    return TicketFacts(status, holder=holder, tier=2, group=group)


PURE: dict[Action, tuple[Status, tuple[str, str, str, str]]] = {
    A.CLAIM: (_HELD, ("- role role role", "ok held ok ok", "ok held ok ok", "ok held ok ok")),
    A.TAKE_OVER: (
        _HELD,
        (
            "- role role role",
            "role role role role",
            "yours ok nobody_holds nobody_holds",
            "yours ok nobody_holds nobody_holds",
        ),
    ),
    A.ASSIGN: (_HELD, ("- role role role", "role role role role", "ok ok ok ok", "ok ok ok ok")),
    A.TRIAGE: (_HELD, ("- holder ok ok", "ok holder ok group", "ok ok ok ok", "ok ok ok ok")),
    A.OVERRIDE_PRIORITY: (
        _HELD,
        ("- role role role", "role role role role", "ok ok ok ok", "ok ok ok ok"),
    ),
    A.TRANSFER: (_HELD, ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.ESCALATE: (_HELD, ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.WORKLOG: (_HELD, ("- ok ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.PROGRESS: (
        _HELD,
        (
            "- role role role",
            "ok holder unheld unheld",
            "ok ok unheld unheld",
            "ok ok unheld unheld",
        ),
    ),
    A.ESTIMATE: (_HELD, ("- role role role", "ok holder ok group", "ok ok ok ok", "ok ok ok ok")),
    A.PEND: (_HELD, ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.RESUME: (Status.PENDING, ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.RELEASE: (_HELD, ("- role role role", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.SOLVE: (_HELD, ("- role role role", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.REJECT: (_HELD, ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.REOPEN: (Status.RESOLVED, ("- ok ok ok", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.CLOSE: (Status.RESOLVED, ("- ok ok ok", "role role role role", "ok ok ok ok", "ok ok ok ok")),
    A.CONFIRM: (
        Status.AWAITING_CONFIRMATION,
        ("- ok ok ok", "role role role role", "ok ok ok ok", "ok ok ok ok"),
    ),
    A.REFUSE: (
        Status.AWAITING_CONFIRMATION,
        ("- ok ok ok", "role role role role", "ok ok ok ok", "ok ok ok ok"),
    ),
    A.DISPATCH: (Status.NEW, ("- ok ok ok", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.LINK: (_HELD, ("- ok ok ok", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok")),
    # the board's alerts: a lead's, whoever holds the ticket
    A.ACKNOWLEDGE_ALERT: (
        _HELD,
        ("- role role role", "role role role role", "ok ok ok ok", "ok ok ok ok"),
    ),
    A.LOG_CALL: (Status.NEW, ("- ok ok ok", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.RESOLVE_AT_INTAKE: (Status.NEW, ("- ok ok ok", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok")),
    A.CHANGE_RULES: (
        _HELD,
        ("- role role role", "role role role role", "role role role role", "ok ok ok ok"),
    ),
    A.MANAGE_USERS: (
        _HELD,
        ("- role role role", "role role role role", "role role role role", "ok ok ok ok"),
    ),
    A.EXPORT_DESK: (
        _HELD,
        ("- role role role", "role role role role", "role role role role", "ok ok ok ok"),
    ),
    A.IMPORT_DESK: (
        _HELD,
        ("- role role role", "role role role role", "role role role role", "ok ok ok ok"),
    ),
    A.BACKUP_DESK: (
        _HELD,
        ("- role role role", "role role role role", "role role role role", "ok ok ok ok"),
    ),
    # announcements ignore a ticket's facts: only the role decides here
    **{
        a: (_HELD, ("- ok ok ok", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok"))
        for a in (
            A.ANNOUNCE_DRAFT,
            A.ANNOUNCE_EDIT,
            A.ANNOUNCE_SUBMIT,
            A.ANNOUNCE_APPROVE,
            A.ANNOUNCE_RETURN,
            A.ANNOUNCE_WITHDRAW,
        )
    },
    A.ANNOUNCE_PUBLISH: (
        _HELD,
        ("- ok ok ok", "role role role role", "ok ok ok ok", "ok ok ok ok"),
    ),
    A.VIEW_SETTINGS: (
        _HELD,
        ("- role role role", "role role role role", "ok ok ok ok", "ok ok ok ok"),
    ),
    **{
        a: (_HELD, ("- ok ok ok", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok"))
        for a in (A.KB_DRAFT, A.KB_SUBMIT, A.KB_REVIEW, A.KB_PUBLISH, A.KB_RETIRE)
    },
    A.READ_REPORTS: (
        _HELD,
        ("- role role role", "role role role role", "ok ok ok ok", "ok ok ok ok"),
    ),
    A.READ_OWN_REPORT: (_HELD, ("- role role role", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok")),
    # anyone at the desk may reveal a requester's phone (the reading is recorded)
    A.REVEAL_PHONE: (_HELD, ("- ok ok ok", "ok ok ok ok", "ok ok ok ok", "ok ok ok ok")),
}
_LOGINS = {OP: "op", AGENT: "agent2", LEAD: "lead", ADMIN: "admin"}
_PURE_CASES = [
    (action, role, relation, answer)
    for action, (_status, row) in PURE.items()
    for role, cell in zip((OP, AGENT, LEAD, ADMIN), row, strict=True)
    for relation, answer in zip(_RELATIONS, cell.split(), strict=True)
    if answer != "-"
]


def test_the_pure_table_covers_every_action() -> None:
    assert set(PURE) == set(Action)


@pytest.mark.parametrize(("action", "role", "relation", "answer"), _PURE_CASES)
def test_role_action_relation(action: Action, role: Role, relation: str, answer: str) -> None:
    status = PURE[action][0]
    person = Person(_LOGINS[role], role, frozenset({"desk", _OWN}))
    expected = None if answer == "ok" else Refusal(f"permission.{answer}")
    assert refusal(person, action, _facts(relation, person.login, status)) == expected


@pytest.mark.parametrize("action", sorted(NEEDS_OPEN))
@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED, Status.REJECTED])
def test_actions_on_a_finished_ticket(action: Action, status: Status) -> None:
    assert refusal(Person("admin", ADMIN), action, TicketFacts(status)) == Refusal.CLOSED


def test_worklog_is_refused_only_once_closed() -> None:
    admin = Person("admin", ADMIN)
    assert refusal(admin, A.WORKLOG, TicketFacts(Status.RESOLVED)) is None
    assert refusal(admin, A.WORKLOG, TicketFacts(Status.CLOSED)) == Refusal.CLOSED


def test_claims_and_takeovers() -> None:
    agent, lead = Person("agent2", AGENT), Person("lead", LEAD)
    held = TicketFacts(Status.IN_PROGRESS, holder="agent1")
    assert refusal(agent, A.CLAIM, held) == Refusal.HELD
    assert refusal(lead, A.TAKE_OVER, held) is None
    assert refusal(lead, A.TAKE_OVER, TicketFacts(Status.TO_ASSIGN)) == Refusal.NOBODY_HOLDS
    assert refusal(lead, A.TAKE_OVER, TicketFacts(Status.PENDING, "lead")) == Refusal.YOURS
    resolved = TicketFacts(Status.RESOLVED)
    assert refusal(agent, A.CLAIM, resolved) == Refusal.NOT_CLAIMABLE
    assert refusal(lead, A.ESCALATE, TicketFacts(Status.IN_PROGRESS, tier=3)) == Refusal.TOP_TIER
    # routed straight to a lead, a new ticket still waits for them to accept it
    assert may_claim_now(lead, TicketFacts(Status.NEW, holder="lead"))
    assert not may_claim_now(lead, TicketFacts(Status.IN_PROGRESS, holder="lead"))


def test_status_targets_follow_workflow_roles_and_holder() -> None:
    agent1, agent2 = Person("agent1", AGENT), Person("agent2", AGENT)
    op, lead = Person("op", OP), Person("lead", LEAD)
    new = TicketFacts(Status.NEW)
    # an unclaimed ticket offers in progress only to whoever may claim it
    assert Status.IN_PROGRESS in status_targets(agent1, new)
    assert Status.IN_PROGRESS not in status_targets(op, new)
    assert status_targets(op, new) == [Status.TO_ASSIGN, Status.RESOLVED, Status.REJECTED]
    held = TicketFacts(Status.IN_PROGRESS, holder="agent1")
    mine = [Status.TO_ASSIGN, Status.PENDING, Status.AWAITING_CONFIRMATION, Status.REJECTED]
    assert status_targets(agent1, held) == mine
    assert status_targets(agent2, held) == []
    assert status_targets(op, held) == []  # only those who work tickets pend or reject it
    assert status_targets(lead, held) == mine
    assert status_targets(lead, TicketFacts(Status.TO_ASSIGN, holder="agent1")) == [
        Status.PENDING,
        Status.REJECTED,
    ]
    rejected = TicketFacts(Status.REJECTED)
    assert status_targets(lead, rejected) == [Status.TO_ASSIGN]
    assert status_targets(agent1, rejected) == []
    assert status_targets(op, TicketFacts(Status.RESOLVED)) == [Status.CLOSED, Status.IN_PROGRESS]
    assert status_targets(agent1, TicketFacts(Status.RESOLVED)) == [Status.IN_PROGRESS]
    assert status_targets(lead, TicketFacts(Status.CLOSED)) == []


def test_status_targets_never_offer_what_the_workflow_lacks() -> None:
    for status in Status:
        for role in Role:
            offered = status_targets(Person("x", role), TicketFacts(status))
            assert {(status, t) for t in offered} <= {(t.source, t.target) for t in TRANSITIONS}


def test_reading_a_report_is_ones_own_or_a_leads() -> None:
    from deskui.core.permissions import report_action

    agent = Person("agent2", AGENT)
    assert report_action(agent, "agent2") == A.READ_OWN_REPORT
    assert report_action(agent, "agent1") == A.READ_REPORTS
    assert report_action(agent, None) == A.READ_REPORTS
    assert refusal(agent, report_action(agent, "agent1")) == Refusal.ROLE
    assert refusal(Person("lead", LEAD), report_action(Person("lead", LEAD), "agent1")) is None


def test_the_holder_sees_the_phone_unasked() -> None:
    from deskui.core.permissions import sees_phone

    held = TicketFacts(Status.IN_PROGRESS, "agent2", 1)
    assert sees_phone(Person("agent2", AGENT), held)
    assert not sees_phone(Person("lead", LEAD), held)
    assert not sees_phone(Person("agent2", AGENT), TicketFacts(Status.TO_ASSIGN, None, 1))


def test_who_reads_only_their_own_report() -> None:
    from deskui.core.permissions import reports_only_own

    assert [role for role in Role if reports_only_own(Person("x", role))] == [AGENT]


def test_whose_queue_opens_on_their_groups() -> None:
    from deskui.core.permissions import works_own_groups_first

    assert [role for role in Role if works_own_groups_first(Person("x", role))] == [AGENT]


def test_who_is_warned_of_a_missing_holiday_schedule() -> None:
    from deskui.core.permissions import sees_calendar_warning

    warned = {role for role in Role if sees_calendar_warning(Person("x", role))}
    assert warned == {LEAD, ADMIN}


@pytest.mark.parametrize("action", sorted(GROUP_WHEN_UNHELD))
def test_an_unheld_ticket_is_decided_by_its_group_the_desk_or_a_lead(action: Action) -> None:
    unheld = TicketFacts(Status.TO_ASSIGN, tier=2, group="network")
    vendor = Person("vendor", AGENT, frozenset({"vendor"}))
    assert refusal(vendor, action, unheld) == Refusal.GROUP
    assert refusal(Person("chenjie", AGENT, frozenset({"network"})), action, unheld) is None
    assert refusal(Person("lead", LEAD), action, unheld) is None
    assert refusal(Person("admin", ADMIN), action, unheld) is None
    # a ticket with no group is nobody's in particular; a held one follows the holder rule
    assert refusal(vendor, action, TicketFacts(Status.TO_ASSIGN)) is None
    mine = TicketFacts(Status.IN_PROGRESS, holder="vendor", tier=2, group="network")
    assert refusal(vendor, action, mine) is None
    if role_may(OP, action):
        assert refusal(Person("op", OP, frozenset({"desk"})), action, unheld) is None
