"""The status workflow of SPEC §4: which transitions exist, and which action each one is.

Who may make a move is :mod:`deskui.core.permissions`'s to decide: each transition names its
:class:`~deskui.core.permissions.Action` and takes its roles from the matrix. A few moves are
narrower than their action in general (pending a ticket already in progress, or rejecting one,
is for those who work tickets; reopening a rejected ticket is a lead's call), and say so here.

Who holds a ticket follows its status, and the services keep it so:

* ``to_assign``: nobody holds it (every move there releases the holder);
* ``new``: nobody, or the person it was routed to straight away (a complaint to the lead
  responsible), who accepts it by claiming;
* ``in_progress`` and ``awaiting_confirmation``: somebody holds it (a move back to work from
  ``pending`` needs a holder: a ticket transferred while pending is claimed first);
* ``pending``: held, or not (transferred to another group while it waited).
"""

from __future__ import annotations

from dataclasses import dataclass

from deskui.core.enums import Role, Status
from deskui.core.permissions import (
    HANDLERS,
    LEADS,
    ROLES,
    Action,
    Person,
    Refusal,
    TicketFacts,
    may_claim_now,
    refusal,
)


@dataclass(frozen=True)
class Transition:
    """One allowed move between statuses.

    Attributes:
        source: the status the ticket is in.
        target: the status it moves to.
        action: the action the move is (its roles come from the permission matrix).
        needs_note: the move must carry a reason or note.
        only: a narrower set of roles than the action's in general, for this move; None when
            the matrix alone decides.
        needs_holder: somebody must hold the ticket (work resumes with its holder).
    """

    source: Status
    target: Status
    action: Action
    needs_note: bool = False
    only: frozenset[Role] | None = None
    needs_holder: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        """Who may make this move: the action's roles, narrowed where the move says so."""
        roles = ROLES[self.action]
        return roles if self.only is None else roles & self.only


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.NEW, Status.TO_ASSIGN, Action.DISPATCH),
    Transition(Status.NEW, Status.IN_PROGRESS, Action.CLAIM),
    Transition(Status.NEW, Status.RESOLVED, Action.RESOLVE_AT_INTAKE),
    Transition(Status.NEW, Status.REJECTED, Action.REJECT, needs_note=True),
    Transition(Status.TO_ASSIGN, Status.IN_PROGRESS, Action.CLAIM),
    Transition(Status.TO_ASSIGN, Status.PENDING, Action.PEND, needs_note=True),
    Transition(Status.TO_ASSIGN, Status.REJECTED, Action.REJECT, needs_note=True),
    Transition(Status.IN_PROGRESS, Status.TO_ASSIGN, Action.RELEASE),
    # once work has started, only those who work tickets pause or refuse it
    Transition(Status.IN_PROGRESS, Status.PENDING, Action.PEND, needs_note=True, only=HANDLERS),
    Transition(Status.IN_PROGRESS, Status.AWAITING_CONFIRMATION, Action.SOLVE, needs_note=True),
    Transition(Status.IN_PROGRESS, Status.REJECTED, Action.REJECT, needs_note=True, only=HANDLERS),
    Transition(
        Status.PENDING,
        Status.IN_PROGRESS,
        Action.RESUME,
        needs_note=True,
        only=HANDLERS,
        needs_holder=True,
    ),
    Transition(Status.PENDING, Status.TO_ASSIGN, Action.RESUME, needs_note=True),
    Transition(Status.AWAITING_CONFIRMATION, Status.RESOLVED, Action.CONFIRM),
    Transition(Status.AWAITING_CONFIRMATION, Status.IN_PROGRESS, Action.REFUSE, needs_note=True),
    Transition(Status.RESOLVED, Status.CLOSED, Action.CLOSE),
    Transition(Status.RESOLVED, Status.IN_PROGRESS, Action.REOPEN, needs_note=True),
    # a rejection was a judgement about the desk's scope: undoing it is a lead's call
    Transition(Status.REJECTED, Status.TO_ASSIGN, Action.REOPEN, needs_note=True, only=LEADS),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}
#: Moves that are a claim: offered only to someone who may claim the ticket now.
_CLAIMS = frozenset({Action.CLAIM})


class WorkflowError(ValueError):
    """A status change the workflow or the actor's role does not allow.

    Attributes:
        code: ``ticket.no_transition``, ``permission.role`` or ``note.required``.
        source: the status the ticket is in.
        target: the status asked for.
        transition: the move, when the workflow has one.
    """

    def __init__(
        self, code: str, source: Status, target: Status, transition: Transition | None = None
    ) -> None:
        self.code = code
        self.source, self.target = source, target
        self.transition = transition
        doing = transition.action if transition else "move"
        super().__init__(f"{code}: {doing} ({source} → {target})")


def find_transition(source: Status, target: Status) -> Transition | None:
    """The transition between two statuses, if the workflow has one."""
    return _BY_PAIR.get((Status(source), Status(target)))


def target_of(source: Status, action: Action) -> Status | None:
    """Where ``action`` takes a ticket that is ``source`` (reopening a resolved ticket puts it
    back in progress, a rejected one back to be assigned); None when it cannot from there."""
    for transition in TRANSITIONS:
        if transition.source == source and transition.action == action:
            return transition.target
    return None


def check_transition(
    source: Status, target: Status, role: Role, note: str | None = None
) -> Transition:
    """Validate a status change as far as the workflow and the role go.

    Raises:
        WorkflowError: no such transition (``ticket.no_transition``), the role may not make it
            (``permission.role``), or a required note is missing (``note.required``).
    """
    source, target = Status(source), Status(target)
    transition = find_transition(source, target)
    if transition is None:
        raise WorkflowError("ticket.no_transition", source, target)
    if Role(role) not in transition.roles:
        raise WorkflowError(str(Refusal.ROLE), source, target, transition)
    if transition.needs_note and not (note and note.strip()):
        raise WorkflowError("note.required", source, target, transition)
    return transition


def allowed_targets(source: Status, role: Role) -> list[Status]:
    """The statuses a role can move a ticket to from ``source``, in workflow order."""
    return [t.target for t in TRANSITIONS if t.source == source and Role(role) in t.roles]


def move_refusal(person: Person, ticket: TicketFacts, transition: Transition) -> Refusal | None:
    """Why ``person`` may not make ``transition`` on ``ticket`` now, or None when they may.

    The rules' refusal for the move's action first, then the move's own narrower roles and its
    need for a holder. (A required note is :func:`check_transition`'s.)
    """
    why = refusal(person, transition.action, ticket)
    if why is not None:
        return why
    if Role(person.role) not in transition.roles:
        return Refusal.ROLE
    if transition.needs_holder and ticket.holder is None:
        return Refusal.UNHELD
    return None


def status_targets(person: Person, ticket: TicketFacts) -> list[Status]:
    """The statuses the change-status picker may offer ``person`` for ``ticket`` now.

    The workflow's moves from the ticket's status that the person's role may make and the
    permission rules allow on this ticket (the holder rule, an open ticket); a move to
    in-progress that is a claim is offered only if the person may claim the ticket now.
    """
    targets: list[Status] = []
    for transition in TRANSITIONS:
        if transition.source != ticket.status:
            continue
        if transition.action in _CLAIMS:
            allowed = may_claim_now(person, ticket)
        else:
            allowed = move_refusal(person, ticket, transition) is None
        if allowed:
            targets.append(transition.target)
    return targets


def can_close(*, has_solution: bool, has_confirmation: bool) -> bool:
    """Closing needs a complete record: a solution and the requester's confirmation."""
    return has_solution and has_confirmation
