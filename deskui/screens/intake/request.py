"""The intake form as a request to the desk: what the operator typed becomes an
:class:`~deskui.services.intake.IntakeRequest`, a repeat call becomes a worklog note, and what the
form itself cannot read is named by a code, as the desk names what it refuses.

No Textual here: these are tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from zoneinfo import ZoneInfo

from deskui.core.phone import PhoneError, parse_phone
from deskui.core.when import read_deadline
from deskui.i18n import Catalog
from deskui.screens.intake.drafts import IntakeDraft
from deskui.services.directory import RequesterInput
from deskui.services.errors import ValidationFailed
from deskui.services.intake import IntakeRequest


@dataclass(frozen=True)
class FieldProblem:
    """One field at fault, as the desk's validation names it (or the form's own reading).

    Attributes:
        field: the request's field (``summary``, ``requester.phone`` …).
        code: why, an error code (``field.required``, ``phone.too_long``, ``date`` …).
        params: the values its wording needs.
    """

    field: str
    code: str
    params: Mapping[str, object] = dataclass_field(default_factory=dict)


def refused_fields(error: ValidationFailed) -> list[FieldProblem]:
    """Every field the desk refused, by code."""
    return [FieldProblem(p.field, p.code, dict(p.params)) for p in error.problems]


def parse_expected_by(text: str, tz: ZoneInfo, now: datetime) -> datetime | FieldProblem | None:
    """What the caller said (``明天下午``, ``周五上午``, ``tomorrow 3pm``, ``2026-11-05 15:00``;
    :mod:`deskui.core.when`) as a time in the desk's zone.

    Returns:
        The time; None when nothing was typed; a problem (``date``, ``past``) when the text is
        not a time the desk can read or lies in the past.
    """
    deadline = read_deadline(text, now.astimezone(tz))
    if deadline is None:
        return None
    if deadline.problem is not None or deadline.at is None:
        return FieldProblem("expected_by", deadline.problem or "date")
    return deadline.at.replace(tzinfo=tz)


def phone_problem(text: str, field_name: str = "requester.phone") -> FieldProblem | None:
    """Why ``text`` cannot be a phone number (the parser's code), or None when it can be."""
    if not text.strip():
        return None
    try:
        parse_phone(text)
    except PhoneError as exc:
        return FieldProblem(field_name, f"phone.{exc.code}")
    return None


def _optional(value: str) -> str | None:
    return value if value.strip() else None


def intake_request(
    draft: IntakeDraft, tz: ZoneInfo, now: datetime
) -> tuple[IntakeRequest, list[FieldProblem]]:
    """The intake request of a filled-in form, and the fields the form itself cannot read.

    A field that cannot be read is left out of the request, so the desk's validation still
    reports every other fault at the same time.
    """
    requester = None
    requester_id = None
    problems: list[FieldProblem] = []
    picked = draft.requester.get("id") if draft.requester is not None else None
    if isinstance(picked, int) and not draft.new_caller:
        requester_id = picked
    elif draft.new_caller:
        requester = RequesterInput(
            name=draft.caller_name,
            phone=draft.caller_phone or None,
            department=draft.caller_department or None,
        )
        if (phone := phone_problem(draft.caller_phone)) is not None:
            problems.append(phone)
    expected_by = parse_expected_by(draft.expected_by, tz, now)
    if isinstance(expected_by, FieldProblem):
        problems.append(expected_by)
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
        started_when=_optional(draft.started_when),
        frequency=draft.frequency,
        impact_scope=_optional(draft.impact_scope),
        error_message=_optional(draft.error_message),
        tried=_optional(draft.tried),
        device=_optional(draft.device),
        location=_optional(draft.location),
        attachments=_optional(draft.attachments),
        expected_by=expected_by,
        resolve_now=draft.resolve_now,
        solution=_optional(draft.solution) if draft.resolve_now else None,
    )
    return request, problems


def note_text(draft: IntakeDraft, caller: str, t: Catalog) -> str:
    """The worklog note a repeat call becomes: who called, and what they said."""
    lines = [t("intake.note.header", name=caller)]
    lines += [part.strip() for part in (draft.summary, draft.description) if part.strip()]
    return "\n".join(lines)
