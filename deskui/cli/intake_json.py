"""``deskui ticket create``: the JSON object on standard input, read into an intake request.

Everything a script can get wrong in the JSON is refused here, naming the field, before the desk
sees it; what the desk's rules refuse is the intake service's to say.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from deskui.services.directory import RequesterInput
from deskui.services.errors import ServiceError
from deskui.services.intake import IntakeRequest

REQUESTER_FIELDS = {
    "name",
    "phone",
    "department",
    "company",
    "extension",
    "employee_id",
    "email",
    "vip",
    "external",
}
TEXT_FIELDS = (
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
    "solution",
)
CREATE_FIELDS = {
    "requester",
    "requester_id",
    "type",
    "category",
    "channel",
    "impact",
    "urgency",
    "received_at",
    "expected_by",
    "resolve_now",
    *TEXT_FIELDS,
}


#: The largest row id the desk's tables hold: their ids are ``INTEGER`` columns, 32-bit on
#: PostgreSQL (a larger value is refused by the server, a value past 64 bits by the driver);
#: ids start at 1.
MAX_ID = 2**31 - 1


class InputError(ServiceError):
    """Input that cannot be read, before the desk sees it; it names the field.

    Args:
        field: the field at fault (``requester.vip``, ``input`` for the whole of it).
        code: why (an error code).
        **params: the values its wording needs.
    """

    def __init__(self, field: str, code: str, **params: object) -> None:
        self._start(code, field, params)


def parse_time(name: str, value: Any) -> datetime | None:
    """An ISO 8601 time with its offset (``2026-12-01T18:00+08:00``), None for none.

    Raises:
        InputError: not such a time, naming ``name``.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(name, "field.time_offset")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(name, "field.time", value=value) from exc
    if parsed.tzinfo is None:
        raise InputError(name, "field.time_offset")
    return parsed


def read_json(text: str) -> Any:
    """The one JSON value of ``text``.

    Raises:
        InputError: on ``input`` for anything that cannot be read as JSON: bad syntax, nesting
            too deep for the parser, a number too long to convert.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("input", "field.not_json", reason=exc.msg, line=exc.lineno) from exc
    except RecursionError:
        # raised past the parser's depth limit; the chain would only repeat the nesting
        raise InputError("input", "field.json_nesting") from None
    except ValueError as exc:
        raise InputError(
            "input", "field.json_unreadable", reason=str(exc).split(";")[0][:200]
        ) from exc


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(name, "field.whole_number", value=repr(value))
    return value


def _id(name: str, value: Any) -> int:
    # past the id columns' range the database refuses the query itself, with a traceback
    number = _int(name, value)
    if not 1 <= number <= MAX_ID:
        raise InputError(name, "field.whole_range", value=number, low=1, high=MAX_ID)
    return number


def _text(raw: dict[str, Any], key: str) -> str | None:
    # a number given for a phone or an employee id is read as its digits
    value = raw.get(key)
    return None if value is None else str(value)


def intake_from_json(data: Any) -> IntakeRequest:
    """Turn the JSON of ``ticket create`` into an intake request.

    Raises:
        InputError: not an object, an unknown field, or a value of the wrong kind.
    """
    if not isinstance(data, dict):
        raise InputError("input", "field.json_object")
    unknown = sorted(set(data) - CREATE_FIELDS)
    if unknown:
        raise InputError(unknown[0], "field.unknown")
    for name in ("type", "category", "channel", "summary", "description"):
        if name not in data:
            raise InputError(name, "field.required")
    for name in ("impact", "urgency"):
        if name not in data:
            raise InputError(name, "field.required")
    requester = None
    raw = data.get("requester")
    if raw is not None:
        if not isinstance(raw, dict):
            raise InputError("requester", "field.json_object")
        extra = sorted(set(raw) - REQUESTER_FIELDS)
        if extra:
            raise InputError(f"requester.{extra[0]}", "field.unknown")
        for key, value in raw.items():
            if key in ("vip", "external"):
                if not isinstance(value, bool):
                    raise InputError(f"requester.{key}", "field.boolean")
            elif value is not None and not isinstance(value, str | int):
                raise InputError(f"requester.{key}", "field.text")
        requester = RequesterInput(
            name=str(raw.get("name") or ""),
            phone=_text(raw, "phone"),
            department=_text(raw, "department"),
            company=_text(raw, "company"),
            extension=_text(raw, "extension"),
            employee_id=_text(raw, "employee_id"),
            email=_text(raw, "email"),
            vip=bool(raw.get("vip", False)),
            vip_claim=raw.get("vip"),
            external=bool(raw.get("external", False)),
        )
    for name in TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise InputError(name, "field.text")
    for name in ("type", "category", "channel"):
        if not isinstance(data[name], str):
            raise InputError(name, "field.text")
    resolve_now = data.get("resolve_now", False)
    if not isinstance(resolve_now, bool):
        raise InputError("resolve_now", "field.boolean")
    requester_id = data.get("requester_id")
    return IntakeRequest(
        type=data["type"],
        category=data["category"],
        channel=data["channel"],
        impact=_int("impact", data["impact"]),
        urgency=_int("urgency", data["urgency"]),
        summary=data["summary"],
        description=data["description"],
        requester=requester,
        requester_id=_id("requester_id", requester_id) if requester_id is not None else None,
        received_at=parse_time("received_at", data.get("received_at")),
        expected_by=parse_time("expected_by", data.get("expected_by")),
        resolve_now=resolve_now,
        started_when=data.get("started_when"),
        frequency=data.get("frequency"),
        impact_scope=data.get("impact_scope"),
        error_message=data.get("error_message"),
        tried=data.get("tried"),
        device=data.get("device"),
        location=data.get("location"),
        attachments=data.get("attachments"),
        solution=data.get("solution"),
    )
