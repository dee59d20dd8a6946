"""Notes on a ticket: the worklog, a progress update, a new estimate, and the cleaning every
note, solution and reason goes through.

:func:`clean_note` lives here because every other part of the workflow cleans its text with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from deskui.core.enums import EventKind
from deskui.core.local_time import local_minute
from deskui.core.masking import mask_secrets
from deskui.core.permissions import Action
from deskui.core.sanitize import sanitize_text
from deskui.core.worked import MAX_MINUTES, MIN_MINUTES, MinutesError, check_minutes
from deskui.services.access import require, ticket_facts
from deskui.services.errors import ServiceError
from deskui.services.ledger import commit_change, lock_ticket, record
from deskui.services.rules import DeskRules
from deskui.services.users import Actor
from deskui.store.models import Ticket

MAX_NOTE = 20_000


def clean_note(text: str | None, *, field: str = "note", required: bool = True) -> str | None:
    """Sanitize and mask a note, solution or reason.

    Raises:
        ServiceError: required but empty, or absurdly long.
    """
    cleaned = mask_secrets(sanitize_text(text or "").strip())
    if required and not cleaned:
        raise ServiceError("field.required", field=field)
    if len(cleaned) > MAX_NOTE:
        raise ServiceError("text.too_long", field=field, length=len(cleaned), limit=MAX_NOTE)
    return cleaned or None


def add_worklog(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    text: str,
    progress: bool = False,
    minutes: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """A worklog entry (处理过程记录), or a progress update sent to the requester, with the
    whole minutes spent if given (summed on the detail and in the reports).

    A progress update restarts the update clock and counts as contact (stops the response clock).

    Raises:
        ServiceError: ``worklog.minutes`` — not whole minutes from 1 to 1440.
        PermissionDenied: the ticket is closed (a worklog) or no longer open (a progress update).
    """
    body = clean_note(text, field="text")
    try:
        spent = check_minutes(minutes)
    except MinutesError as exc:
        raise ServiceError(
            "worklog.minutes", field="minutes", value=exc.value, low=MIN_MINUTES, high=MAX_MINUTES
        ) from exc
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.PROGRESS if progress else Action.WORKLOG, ticket_facts(session, ticket))
    kind = EventKind.PROGRESS if progress else EventKind.WORKLOG
    record(session, ticket, actor, kind, now, note=body, minutes=spent)
    commit_change(session, ticket, rules, now)
    return ticket


def record_estimate(
    *,
    session: Session,
    number: str,
    actor: Actor,
    rules: DeskRules,
    now: datetime,
    reason: str,
    new_estimate: datetime,
    expected_version: int | None = None,
) -> Ticket:
    """A target cannot be met: the reason and the new estimate given to the requester.

    Raises:
        PermissionDenied: not someone who works tickets, the ticket is no longer open, or an
            agent estimates a ticket someone else holds.
        ServiceError: ``estimate.past`` — the new estimate is not after now (nor, then, after
            the ticket was received): a promise to the requester lies ahead.
    """
    require(actor, Action.ESTIMATE)
    body = clean_note(reason, field="reason")
    ticket = lock_ticket(session, number, expected_version)
    require(actor, Action.ESTIMATE, ticket_facts(session, ticket))
    if new_estimate <= max(now, ticket.received_at):
        raise ServiceError("estimate.past", field="until", at=local_minute(new_estimate, rules.tz))
    record(
        session,
        ticket,
        actor,
        EventKind.ESTIMATE,
        now,
        field="expected_by",
        # both in the desk's zone, as the timeline reads them
        old=ticket.expected_by.astimezone(rules.tz).isoformat() if ticket.expected_by else None,
        new=new_estimate.astimezone(rules.tz).isoformat(),
        note=body,
    )
    ticket.expected_by = new_estimate
    commit_change(session, ticket, rules, now)
    return ticket
