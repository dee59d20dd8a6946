"""Running changes to tickets from a screen, and saying how they went in the agent's language.

The queue and the detail both send changes the same way: a list of calls, one per ticket, run
in a thread worker; each refusal is kept with its ticket number and reason, so a claim race or
a stale edit is reported as exactly that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from deskui.core.enums import Role, Status
from deskui.core.sanitize import sanitize_line
from deskui.core.workflow import allowed_targets
from deskui.i18n import Catalog
from deskui.services.errors import (
    ClaimConflict,
    NotFound,
    PermissionDenied,
    ServiceError,
    StaleEdit,
)
from deskui.services.users import Actor
from deskui.store.db import DatabaseUnavailable

#: Statuses in which a ticket can be claimed.
CLAIMABLE = frozenset({Status.NEW, Status.TO_ASSIGN, Status.IN_PROGRESS, Status.PENDING})
HANDLERS = frozenset({Role.AGENT, Role.DUTY_LEAD, Role.ADMIN})


@dataclass(frozen=True)
class Refusal:
    """One ticket the change did not go through for.

    Attributes:
        number: the ticket.
        reason: ``conflict``, ``stale``, ``denied``, ``missing``, ``refused`` or ``database``.
        detail: who holds it (conflict) or the service's message.
    """

    number: str
    reason: str
    detail: str = ""


@dataclass
class Outcome:
    """What happened to a batch of changes."""

    kind: str
    done: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    result: Any = None
    """The last successful call's return value (the ticket as it is now)."""


class ChangesFinished(Message):
    """A batch of changes finished (posted by the worker that ran it)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome


def apply_changes(kind: str, calls: Sequence[tuple[str, Callable[[], Any]]]) -> Outcome:
    """Run each call (in a worker thread), keeping every refusal with its ticket number."""
    outcome = Outcome(kind)
    for number, call in calls:
        try:
            outcome.result = call()
        except ClaimConflict as exc:
            outcome.refused.append(Refusal(number, "conflict", exc.holder))
        except StaleEdit as exc:
            outcome.refused.append(Refusal(number, "stale", str(exc.current_version)))
        except PermissionDenied as exc:
            outcome.refused.append(Refusal(number, "denied", exc.message))
        except NotFound as exc:
            outcome.refused.append(Refusal(number, "missing", exc.message))
        except ServiceError as exc:
            outcome.refused.append(Refusal(number, "refused", str(exc)))
        except DatabaseUnavailable as exc:
            outcome.refused.append(Refusal(number, "database", str(exc)))
            break
        else:
            outcome.done.append(number)
    return outcome


def refusal_text(refusal: Refusal, t: Catalog) -> str:
    """Why one ticket was refused, as a sentence."""
    detail = sanitize_line(refusal.detail)
    return t(f"detail.error.{refusal.reason}", number=refusal.number, detail=detail)


def outcome_text(outcome: Outcome, t: Catalog) -> str:
    """One line for the notice: what went through, then each refusal."""
    parts = []
    if outcome.done:
        parts.append(t(f"detail.done.{outcome.kind}", numbers=", ".join(outcome.done)))
    parts.extend(refusal_text(r, t) for r in outcome.refused)
    return "  ".join(parts)


def may_handle(actor: Actor, holder: str | None) -> bool:
    """Leads and the desk act on any ticket; an agent only on one they hold or nobody holds.

    Args:
        holder: the login of whoever holds the ticket, None if nobody does.
    """
    return actor.role != Role.AGENT or holder in (None, actor.login)


def may_claim(actor: Actor, status: Status, holder: str | None) -> bool:
    """The actor can claim it now: a handler, a claimable status, and nobody else holds it
    (a lead is told who holds it and may take it over from the detail)."""
    if actor.role not in HANDLERS or status not in CLAIMABLE or holder == actor.login:
        return False
    return holder is None or actor.role != Role.AGENT


def may_take_over(actor: Actor, status: Status, holder: str | None) -> bool:
    """A lead may take over a ticket someone else holds (audited)."""
    return actor.is_lead and status in CLAIMABLE and holder not in (None, actor.login)


def may_move(actor: Actor, status: Status, holder: str | None, target: Status) -> bool:
    """The workflow lets the actor's role move the ticket to ``target``, and they may handle it."""
    if target not in allowed_targets(status, actor.role):
        return False
    handler_only = {Status.PENDING, Status.AWAITING_CONFIRMATION, Status.REJECTED, Status.TO_ASSIGN}
    return target not in handler_only or may_handle(actor, holder)
