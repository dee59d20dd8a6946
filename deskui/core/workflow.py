"""The status workflow of SPEC §4: which transitions exist and which roles may make them."""

from __future__ import annotations

from dataclasses import dataclass

from deskui.core.enums import Role, Status
from deskui.core.permissions import Action, Person, TicketFacts, allows, may_claim_now

_ALL = frozenset(Role)
_HANDLERS = frozenset({Role.AGENT, Role.DUTY_LEAD, Role.ADMIN})
_LEADS = frozenset({Role.DUTY_LEAD, Role.ADMIN})
_DESK = frozenset({Role.OPERATOR, Role.DUTY_LEAD, Role.ADMIN})


@dataclass(frozen=True)
class Transition:
    """One allowed move between statuses.

    Attributes:
        source: the status the ticket is in.
        target: the status it moves to.
        action: the desk's word for the move (names the service that makes it).
        roles: who may make it.
        needs_note: the move must carry a reason or note.
    """

    source: Status
    target: Status
    action: str
    roles: frozenset[Role]
    needs_note: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.NEW, Status.TO_ASSIGN, "dispatch", _ALL),
    Transition(Status.NEW, Status.IN_PROGRESS, "claim", _HANDLERS),
    Transition(Status.NEW, Status.RESOLVED, "resolve_at_intake", _ALL),
    Transition(Status.NEW, Status.REJECTED, "reject", _ALL, needs_note=True),
    Transition(Status.TO_ASSIGN, Status.IN_PROGRESS, "claim", _HANDLERS),
    Transition(Status.TO_ASSIGN, Status.PENDING, "pend", _ALL, needs_note=True),
    Transition(Status.TO_ASSIGN, Status.REJECTED, "reject", _ALL, needs_note=True),
    Transition(Status.IN_PROGRESS, Status.TO_ASSIGN, "release", _HANDLERS),
    Transition(Status.IN_PROGRESS, Status.PENDING, "pend", _HANDLERS, needs_note=True),
    Transition(Status.IN_PROGRESS, Status.AWAITING_CONFIRMATION, "solve", _HANDLERS, True),
    Transition(Status.IN_PROGRESS, Status.REJECTED, "reject", _HANDLERS, needs_note=True),
    Transition(Status.PENDING, Status.IN_PROGRESS, "resume", _HANDLERS, needs_note=True),
    Transition(Status.PENDING, Status.TO_ASSIGN, "resume", _ALL, needs_note=True),
    Transition(Status.AWAITING_CONFIRMATION, Status.RESOLVED, "confirm", _ALL),
    Transition(Status.AWAITING_CONFIRMATION, Status.IN_PROGRESS, "refuse", _ALL, True),
    Transition(Status.RESOLVED, Status.CLOSED, "close", _DESK),
    Transition(Status.RESOLVED, Status.IN_PROGRESS, "reopen", _ALL, needs_note=True),
    Transition(Status.REJECTED, Status.TO_ASSIGN, "reopen", _LEADS, needs_note=True),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


class WorkflowError(ValueError):
    """A status change the workflow or the actor's role does not allow."""


def find_transition(source: Status, target: Status) -> Transition | None:
    """The transition between two statuses, if the workflow has one."""
    return _BY_PAIR.get((Status(source), Status(target)))


def check_transition(
    source: Status, target: Status, role: Role, note: str | None = None
) -> Transition:
    """Validate a status change.

    Raises:
        WorkflowError: no such transition, the role may not make it, or a required note is
            missing. The message names the statuses and the role.
    """
    transition = find_transition(source, target)
    if transition is None:
        raise WorkflowError(f"a ticket cannot go from {source} to {target}")
    if Role(role) not in transition.roles:
        raise WorkflowError(f"a {role} may not {transition.action} ({source} → {target})")
    if transition.needs_note and not (note and note.strip()):
        raise WorkflowError(f"{transition.action} ({source} → {target}) needs a note")
    return transition


def allowed_targets(source: Status, role: Role) -> list[Status]:
    """The statuses a role can move a ticket to from ``source``, in workflow order."""
    return [t.target for t in TRANSITIONS if t.source == source and Role(role) in t.roles]


def can_close(*, has_solution: bool, has_confirmation: bool) -> bool:
    """Closing needs a complete record: a solution and the requester's confirmation."""
    return has_solution and has_confirmation


# interim: the transitions name their Action and this moves next to them
_ACTION_OF = {
    "dispatch": "dispatch",
    "claim": "claim",
    "resolve_at_intake": "resolve_at_intake",
    "reject": "reject",
    "pend": "pend",
    "release": "release",
    "solve": "solve",
    "resume": "resume",
    "confirm": "confirm",
    "refuse": "refuse",
    "close": "close",
    "reopen": "reopen",
}


def status_targets(person: Person, ticket: TicketFacts) -> list[Status]:
    """The statuses ``person`` may move ``ticket`` to now (what the status picker offers)."""
    found: list[Status] = []
    for transition in TRANSITIONS:
        if transition.source != ticket.status or Role(person.role) not in transition.roles:
            continue
        action = Action(_ACTION_OF[transition.action])
        if action == Action.CLAIM:
            if may_claim_now(person, ticket):
                found.append(transition.target)
        elif allows(person, action, ticket):
            found.append(transition.target)
    return found
