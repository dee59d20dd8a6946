"""The role × action matrix as the services enforce it, on SQLite and PostgreSQL.

Every action of SPEC §1–§7 that a use case takes on a ticket, by each of the four roles, on a
ticket the person holds, one somebody else holds, and one nobody holds (of the person's group or
another's) — really calling the use
case, and asserting exactly that it went through or was refused with the expected code. The
expected answers are written out by hand below (not read from the rules under test).

An operator never holds a ticket (operators do not claim), so that cell is ``-``; so is a ticket
nobody holds where the action needs a held one (a solution awaiting an answer always has a
holder). Each ticket is new for its case; the desk is shared by the module's cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from deskui.core.clock import FrozenClock
from deskui.core.enums import Role
from deskui.core.permissions import Action
from deskui.core.report_periods import parse_period
from deskui.services.desk import DeskService
from deskui.services.errors import ServiceError
from deskui.services.reports import ReportScope
from deskui.services.users import Actor, add_user
from deskui.store.models import User
from tests.conftest import DATABASES, FROZEN_AT, add_staff, empty_database
from tests.services.test_intake import call

ROLES = (Role.OPERATOR, Role.AGENT, Role.DUTY_LEAD, Role.ADMIN)
RELATIONS = ("holder", "other", "unassigned", "foreign")
#: Who acts in each role: the holder when the person holds the ticket, else someone else.
HOLDER_LOGIN = {Role.AGENT: "agent1", Role.DUTY_LEAD: "lead", Role.ADMIN: "admin"}
ACTING = {Role.OPERATOR: "op", Role.AGENT: "agent2", Role.DUTY_LEAD: "lead", Role.ADMIN: "admin"}
#: Who holds a ticket "somebody else" holds.
OTHER_HOLDER = "agent1"

#: What each cell expects: ``ok``, a refusal's code, or ``-`` (no such case).
CODES = {
    "ok": None,
    "role": "permission.role",
    "holder": "permission.holder",
    "unheld": "permission.unheld",
    "group": "permission.group",
    "solver": "permission.solver",
    "nobody": "permission.nobody_holds",
    "yours": "permission.yours",
    "conflict": "ticket.held",
    "none": "ticket.no_transition",
}

#: action → expected per role (operator, agent, duty lead, admin), each "holder other unassigned
#: foreign": a ticket nobody holds is a hardware call (the acting agent's group) or, foreign, a
#: network call (a group the acting agent is not in).
EXPECTED: dict[Action, tuple[str, str, str, str]] = {
    Action.CLAIM: (
        "- role role role",
        "ok conflict ok ok",
        "ok conflict ok ok",
        "ok conflict ok ok",
    ),
    Action.TAKE_OVER: (
        "- role role role",
        "role role role role",
        "yours ok nobody nobody",
        "yours ok nobody nobody",
    ),
    Action.ASSIGN: ("- role role role", "role role role role", "ok ok ok ok", "ok ok ok ok"),
    Action.TRIAGE: ("- holder ok ok", "ok holder ok group", "ok ok ok ok", "ok ok ok ok"),
    Action.OVERRIDE_PRIORITY: (
        "- role role role",
        "role role role role",
        "ok ok ok ok",
        "ok ok ok ok",
    ),
    Action.TRANSFER: ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok"),
    Action.ESCALATE: ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok"),
    Action.WORKLOG: ("- ok ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok"),
    Action.PROGRESS: (
        "- role role role",
        "ok holder unheld unheld",
        "ok ok unheld unheld",
        "ok ok unheld unheld",
    ),
    Action.ESTIMATE: ("- role role role", "ok holder ok group", "ok ok ok ok", "ok ok ok ok"),
    Action.PEND: ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok"),
    Action.RESUME: ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok"),
    Action.RELEASE: (
        "- role none none",
        "ok holder none none",
        "ok ok none none",
        "ok ok none none",
    ),
    Action.SOLVE: ("- role none none", "ok holder none none", "ok ok none none", "ok ok none none"),
    Action.CONFIRM: ("- ok - -", "role role - -", "solver ok - -", "solver ok - -"),
    Action.REFUSE: ("- ok - -", "role role - -", "ok ok - -", "ok ok - -"),
    Action.REJECT: ("- holder ok ok", "ok holder ok ok", "ok ok ok ok", "ok ok ok ok"),
    Action.REOPEN: ("- ok role role", "ok ok role role", "ok ok ok ok", "ok ok ok ok"),
    Action.CLOSE: ("- ok - -", "role role - -", "ok ok - -", "ok ok - -"),
}
#: Actions with no ticket to hold: one answer per role.
DESK_WIDE: dict[Action, tuple[str, str, str, str]] = {
    Action.LOG_CALL: ("ok", "ok", "ok", "ok"),
    Action.RESOLVE_AT_INTAKE: ("ok", "ok", "ok", "ok"),
    Action.CHANGE_RULES: ("role", "role", "role", "ok"),
    Action.READ_REPORTS: ("role", "role", "ok", "ok"),
    Action.READ_OWN_REPORT: ("role", "ok", "ok", "ok"),
}


@dataclass(frozen=True)
class Case:
    """One cell: the action, the role, and the person's relation to the ticket."""

    action: Action
    role: Role
    relation: str
    expected: str

    @property
    def id(self) -> str:
        return f"{self.action}-{self.role}-{self.relation}"


def cases() -> Iterator[Case]:
    for action, row in EXPECTED.items():
        for role, cell in zip(ROLES, row, strict=True):
            for relation, expected in zip(RELATIONS, cell.split(), strict=True):
                if expected != "-":
                    yield Case(action, role, relation, expected)


CASES = list(cases())


@pytest.fixture(scope="module", params=DATABASES)
def shared_desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeskService]:
    """One desk with staff for all the module's cases, on each database."""
    db = empty_database(request, tmp_path_factory.mktemp("matrix"))
    yield add_staff(DeskService(db, FrozenClock(FROZEN_AT)))
    db.dispose()


class Scene:
    """Builds the ticket a case needs and takes the action on it."""

    def __init__(self, desk: DeskService, case: Case) -> None:
        self.desk = desk
        self.case = case
        self.actor_login = (
            HOLDER_LOGIN[case.role] if case.relation == "holder" else ACTING[case.role]
        )
        self.holder = {"holder": self.actor_login, "other": OTHER_HOLDER}.get(case.relation)
        #: a group the ticket is not with, to transfer it to
        self.elsewhere = "software" if case.relation == "foreign" else "network"

    def new(self) -> str:
        """A hardware call (L2), to be assigned, or claimed by the holder of the case; a network
        call for a ticket of a group the person is not in."""
        category = "network" if self.case.relation == "foreign" else "hardware"
        number = self.desk.create_ticket(self.desk.actor("op"), call(category=category)).number
        if self.holder is not None:
            self.desk.claim(self.desk.actor(self.holder), number)
        return number

    def assignee(self) -> str:
        """Someone of the ticket's group to assign it to (a network agent for a network call)."""
        if self.case.relation != "foreign":
            return "agent2"
        now = self.desk.clock.now()

        def seat(session: Session) -> None:
            if session.exec(select(User).where(User.login == "netagent")).first() is None:
                add_user(
                    session=session,
                    login="netagent",
                    name="网络工程师",
                    role="agent",
                    groups=["network"],
                    now=now,
                )

        self.desk.write(seat)
        return "netagent"

    def pending(self) -> str:
        number = self.new()
        by = self.holder or "lead"
        self.desk.set_status(self.desk.actor(by), number, "pending", note="等备件")
        return number

    def awaiting(self) -> str:
        number = self.new()
        assert self.holder is not None
        self.desk.set_status(
            self.desk.actor(self.holder), number, "awaiting_confirmation", note="ok"
        )
        return number

    def resolved(self) -> str:
        number = self.awaiting()
        self.desk.confirm(self.desk.actor("op"), number, 5, channel="phone")
        return number

    def rejected(self) -> str:
        number = self.new()
        self.desk.set_status(self.desk.actor("op"), number, "rejected", note="重复")
        return number

    def run(self) -> object:
        desk, action = self.desk, self.case.action
        actor = desk.actor(self.actor_login)
        due = desk.clock.now() + timedelta(days=1)
        steps: dict[Action, Callable[[], object]] = {
            Action.CLAIM: lambda: desk.claim(actor, self.new()),
            Action.TAKE_OVER: lambda: desk.claim(actor, self.new(), takeover=True),
            Action.ASSIGN: lambda: desk.assign(actor, self.new(), self.assignee()),
            Action.TRIAGE: lambda: desk.triage(actor, self.new(), 1, 1),
            Action.OVERRIDE_PRIORITY: lambda: desk.override_priority(
                actor, self.new(), "P1", "board meeting"
            ),
            Action.TRANSFER: lambda: desk.transfer(actor, self.new(), self.elsewhere),
            Action.ESCALATE: lambda: desk.escalate(actor, self.new(), "reseated; no POST"),
            Action.WORKLOG: lambda: desk.worklog(actor, self.new(), "called back"),
            Action.PROGRESS: lambda: desk.worklog(actor, self.new(), "on it", progress=True),
            Action.ESTIMATE: lambda: desk.estimate(actor, self.new(), "parts on Friday", due),
            Action.PEND: lambda: desk.set_status(actor, self.new(), "pending", note="vendor"),
            Action.RESUME: lambda: self.resume(actor),
            Action.RELEASE: lambda: desk.set_status(actor, self.new(), "to_assign"),
            Action.SOLVE: lambda: desk.set_status(
                actor, self.new(), "awaiting_confirmation", note="fixed"
            ),
            Action.CONFIRM: lambda: desk.confirm(actor, self.awaiting(), 4, channel="im"),
            Action.REFUSE: lambda: desk.refuse(actor, self.awaiting(), "still broken", "phone"),
            Action.REJECT: lambda: desk.set_status(actor, self.new(), "rejected", note="spam"),
            Action.REOPEN: lambda: self.reopen(actor),
            Action.CLOSE: lambda: desk.set_status(actor, self.resolved(), "closed"),
        }
        return steps[action]()

    def resume(self, actor: Actor) -> object:
        # a held ticket resumes work with its holder; one nobody holds goes back to the queue
        target = "in_progress" if self.holder else "to_assign"
        return self.desk.set_status(actor, self.pending(), target, note="part came")

    def reopen(self, actor: Actor) -> object:
        number = self.resolved() if self.holder else self.rejected()
        target = "in_progress" if self.holder else "to_assign"
        return self.desk.set_status(actor, number, target, note="again")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_role_action_and_holder(shared_desk: DeskService, case: Case) -> None:
    scene = Scene(shared_desk, case)
    code = CODES[case.expected]
    if code is None:
        scene.run()
        return
    with pytest.raises(ServiceError) as info:
        scene.run()
    assert info.value.code == code
    if code.startswith("permission."):
        assert info.value.params["action"] == str(case.action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(DESK_WIDE))
def test_desk_wide_actions(shared_desk: DeskService, action: Action, role: Role) -> None:
    desk = shared_desk
    actor = desk.actor(ACTING[role] if role != Role.AGENT else "agent1")
    month = parse_period("2026-11", desk.rules.tz)
    runs: dict[Action, Callable[[], object]] = {
        Action.LOG_CALL: lambda: desk.create_ticket(actor, call()),
        Action.RESOLVE_AT_INTAKE: lambda: desk.create_ticket(
            actor, call(type="consultation", resolve_now=True, solution="已指导")
        ),
        Action.CHANGE_RULES: lambda: desk.save_rules(
            actor, "routing", dict(desk.rules.raw["routing"]), "same rules"
        ),
        Action.READ_REPORTS: lambda: desk.report(actor, month, ReportScope()),
        Action.READ_OWN_REPORT: lambda: desk.report(actor, month, ReportScope(agent=actor.login)),
    }
    code = CODES[DESK_WIDE[action][ROLES.index(role)]]
    if code is None:
        runs[action]()
        return
    with pytest.raises(ServiceError) as info:
        runs[action]()
    assert (info.value.code, info.value.params["action"]) == (code, str(action))


def test_every_ticket_action_of_the_matrix_is_in_the_table() -> None:
    desk_only = {Action.DISPATCH, Action.MANAGE_USERS}  # see test_permissions and the users'
    # announcements: tests/services/test_announcements.py
    desk_only |= {a for a in Action if a.startswith("announce_")}
    # the knowledge base's, per article: tests/services/test_knowledge.py
    desk_only |= {a for a in Action if a.startswith("kb_")}
    # the whole desk out and in: tests/services/test_archive.py; the administration:
    # tests/services/test_admin.py; outages: tests/services/test_outage.py
    desk_only |= {Action.EXPORT_DESK, Action.IMPORT_DESK, Action.VIEW_SETTINGS, Action.LINK}
    # a copy of the SQLite file: tests/services/test_archive.py
    desk_only |= {Action.BACKUP_DESK}
    # revealing a requester's phone, open to everyone at the desk and recorded:
    # tests/services/test_reveal_phone.py
    desk_only |= {Action.REVEAL_PHONE}
    # the emergency board's acknowledgement: tests/services/test_board.py
    desk_only |= {Action.ACKNOWLEDGE_ALERT}
    assert set(EXPECTED) | set(DESK_WIDE) | desk_only == set(Action)
