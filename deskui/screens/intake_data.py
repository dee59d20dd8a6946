"""What the intake form needs besides widgets: turning the form into an intake request, reading
a caller's open tickets, and saying a refused field in the operator's language.

No Textual here: these are tested without a terminal.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from deskui.core.phone import PhoneError, parse_phone
from deskui.drafts import IntakeDraft
from deskui.services.directory import RequesterInput
from deskui.services.intake import IntakeRequest
from deskui.store.models import Ticket
from deskui.widgets.open_tickets import OpenTicket

#: Fields the form can point at, in the order they appear (the first fault gets the focus).
FORM_FIELDS = (
    "requester",
    "requester.name",
    "requester.phone",
    "requester.department",
    "type",
    "category",
    "channel",
    "impact",
    "urgency",
    "summary",
    "description",
    "started_when",
    "frequency",
    "impact_scope",
    "error_message",
    "tried",
    "device",
    "location",
    "attachments",
    "expected_by",
    "solution",
)
#: A date alone means the close of that working day.
END_OF_DAY = time(18, 0)
OPEN_TICKETS_SHOWN = 8


class FormProblems(ValueError):
    """Input the form itself refuses before asking the desk (a date it cannot read)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


def parse_expected_by(text: str, tz: ZoneInfo, now: datetime) -> datetime | None:
    """``2026-11-05 15:00`` or ``2026-11-05`` (18:00) in the desk's time zone.

    Raises:
        FormProblems: not a date, or in the past.
    """
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if pattern == "%Y-%m-%d":
            parsed = datetime.combine(parsed.date(), END_OF_DAY)
        value = parsed.replace(tzinfo=tz)
        if value < now:
            raise FormProblems([("expected_by", "is in the past")])
        return value
    raise FormProblems([("expected_by", "is not a date")])


def intake_request(
    draft: IntakeDraft, tz: ZoneInfo, now: datetime
) -> tuple[IntakeRequest, list[tuple[str, str]]]:
    """The intake request of a filled-in form, and the fields the form itself cannot read.

    A field that cannot be read is left out of the request, so the desk's validation still
    reports every other fault at the same time.
    """
    requester = None
    requester_id = None
    if draft.requester is not None and not draft.new_caller:
        requester_id = int(draft.requester["id"])
    elif draft.new_caller:
        requester = RequesterInput(
            name=draft.caller_name,
            phone=draft.caller_phone or None,
            department=draft.caller_department or None,
        )

    def optional(value: str) -> str | None:
        return value if value.strip() else None

    problems: list[tuple[str, str]] = []
    try:
        expected_by = parse_expected_by(draft.expected_by, tz, now)
    except FormProblems as exc:
        problems.extend(exc.errors)
        expected_by = None
    request = IntakeRequest(
        type=draft.type,
        category=draft.category or "",
        channel=draft.channel,
        impact=draft.impact,
        urgency=draft.urgency,
        summary=draft.summary,
        description=draft.description,
        requester=requester,
        requester_id=requester_id,
        started_when=optional(draft.started_when),
        frequency=draft.frequency,
        impact_scope=optional(draft.impact_scope),
        error_message=optional(draft.error_message),
        tried=optional(draft.tried),
        device=optional(draft.device),
        location=optional(draft.location),
        attachments=optional(draft.attachments),
        expected_by=expected_by,
        resolve_now=draft.resolve_now,
        solution=optional(draft.solution) if draft.resolve_now else None,
    )
    return request, problems


def note_text(draft: IntakeDraft, caller: str, t: Any) -> str:
    """The worklog note a repeat call becomes: who called, and what they said."""
    lines = [t("intake.note.header", name=caller)]
    lines += [part.strip() for part in (draft.summary, draft.description) if part.strip()]
    return "\n".join(lines)


def open_tickets_of(session: Session, requester_id: int) -> list[OpenTicket]:
    """The caller's open tickets, newest first."""
    rows = session.exec(
        select(Ticket)
        .where(Ticket.requester_id == requester_id, col(Ticket.is_open).is_(True))
        .order_by(col(Ticket.received_at).desc(), col(Ticket.id).desc())
        .limit(OPEN_TICKETS_SHOWN)
    ).all()
    return [OpenTicket(r.number, r.status, r.priority, r.summary, r.received_at) for r in rows]


_TOO_LONG = re.compile(r"is (\d+) characters long; at most (\d+)")
_LONGER_THAN = re.compile(r"is longer than (\d+) characters")
_FIXED = {
    "is required": "intake.error.required",
    "must be digits": "intake.error.digits",
    "is not an e-mail address": "intake.error.email",
    "is in the past": "intake.error.past",
    "is not a date": "intake.error.date",
    "a call resolved at intake needs its answer": "intake.error.solution",
    "only a consultation or an incident is resolved at intake": "intake.error.fcr_type",
}


def explain(field: str, message: str, t: Any, value: str = "") -> str:
    """A refusal of the desk in the operator's language; the desk's own words otherwise.

    Args:
        field: the field at fault (``summary``, ``requester.phone`` …).
        message: the service's message.
        t: the catalog.
        value: what was typed in the field (a phone is parsed again to name its fault).
    """
    if message in _FIXED:
        return str(t(_FIXED[message]))
    if match := _TOO_LONG.fullmatch(message):
        return str(t("intake.error.too_long", length=match[1], limit=match[2]))
    if match := _LONGER_THAN.fullmatch(message):
        return str(t("intake.error.too_long", length="", limit=match[1]))
    if message.startswith("must be one of") or (
        field in ("impact", "urgency") and "must be" in message
    ):
        return str(t("intake.error.choose"))
    if field == "requester.phone" and value:
        try:
            parse_phone(value)
        except PhoneError as exc:
            key = f"intake.phone.{getattr(exc, 'code', '')}"
            if t.has(key):
                return str(t(key))
        return str(t("intake.error.phone"))
    return message
