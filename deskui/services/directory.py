"""The caller directory: finding a requester as the operator types, and adding one inline."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import or_
from sqlalchemy import text as sql
from sqlmodel import Session, col, select

from deskui.core.masking import mask_phone
from deskui.core.phone import (
    PhoneError,
    PhoneNumber,
    normalize_extension,
    parse_phone,
    phone_lookup_key,
    phone_search_key,
)
from deskui.core.sanitize import sanitize_line
from deskui.services.errors import Problem, ValidationFailed, problem
from deskui.store.models import Requester, column_length

#: The first half of the advisory locks that serialize adding a new caller on PostgreSQL
#: (``call`` in ASCII; the second half hashes the employee id or the phone digits): a key space
#: apart from the settings chain's and the migrations' locks.
CALLER_LOCK = 0x63616C6C


def pinyin_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name, lower case, no spaces (``张三`` → ``zhangsan``, ``zs``).

    Latin letters in the name pass through, so ``Li Lei`` gives ``lilei``, ``ll``.
    """
    # imported here: its dictionaries are ~55 MB that a console only needs when adding a caller
    from pypinyin import Style, lazy_pinyin

    # a character without pinyin stays as itself, one syllable per character
    syllables = [
        s.lower()
        for s in lazy_pinyin(name, errors=lambda text: list(text))  # type: ignore[arg-type,return-value]  # pypinyin accepts a list, its stub says str
    ]
    full = "".join(ch for ch in "".join(syllables) if ch.isalnum())
    words = [
        s
        for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda t: t.split())  # type: ignore[arg-type,return-value]  # as above
    ]
    initials = "".join(w[0].lower() for w in words if w and w[0].isalnum())
    return full, initials


@dataclass(frozen=True)
class RequesterView:
    """A caller as the screens and the command line show them."""

    id: int
    name: str
    department: str | None
    company: str | None
    phone: str | None
    extension: str | None
    employee_id: str | None
    email: str | None
    vip: bool
    external: bool
    site: str | None = None
    """Where the caller works (from the HR export)."""

    @classmethod
    def of(cls, row: Requester) -> RequesterView:
        """The read model of a stored requester."""
        assert row.id is not None
        return cls(
            row.id,
            row.name,
            row.department,
            row.company,
            row.phone,
            row.extension,
            row.employee_id,
            row.email,
            row.vip,
            row.external,
            row.site,
        )

    def shown_phone(self, *, whole: bool = False) -> str | None:
        """The phone as it is shown: whole, or masked (:func:`~deskui.core.masking.mask_phone`)
        as lists show it and as the detail shows it to anyone who does not hold the ticket;
        None when the caller left none."""
        return self.phone if whole or not self.phone else mask_phone(self.phone)

    def phone_json(self, *, whole: bool = False) -> dict[str, Any]:
        """``phone`` as shown and ``phone_masked``: whether that is less than the stored number
        (an internal extension or a service number is not personal, and is shown whole)."""
        shown = self.shown_phone(whole=whole)
        return {"phone": shown, "phone_masked": shown != self.phone}

    def to_json(self, *, whole_phone: bool = False) -> dict[str, Any]:
        """The caller for ``--json``: every field, the phone as :meth:`phone_json` gives it."""
        return asdict(self) | self.phone_json(whole=whole_phone)


@dataclass
class RequesterInput:
    """A caller to add or to match, as typed at intake or given in JSON."""

    name: str
    phone: str | None = None
    department: str | None = None
    company: str | None = None
    extension: str | None = None
    employee_id: str | None = None
    email: str | None = None
    vip: bool = False
    external: bool = False
    site: str | None = None
    """Where the caller works, as the directory import reads it (intake does not ask)."""
    vip_claim: bool | None = None
    """The VIP flag the source stated (JSON ``vip``), None when it said nothing. A caller the
    directory already knows keeps the directory's flag; a contradicting claim is recorded on
    the ticket (``vip_claim``) for a lead to look at."""

    def cleaned(self, prefix: str = "requester") -> tuple[RequesterInput, list[str]]:
        """Sanitized copy and the phone warnings.

        Raises:
            ValidationFailed: naming each field at fault (``requester.phone`` …).
        """
        errors: list[Problem] = []
        warnings: list[str] = []

        def line(value: str | None, name: str) -> str | None:
            if value is None:
                return None
            text = sanitize_line(str(value))
            limit = column_length(Requester, name)
            if len(text) > limit:
                errors.append(
                    problem(f"{prefix}.{name}", "text.too_long", length=len(text), limit=limit)
                )
            return text or None

        name = line(self.name, "name") or ""
        if not name:
            errors.append(problem(f"{prefix}.name", "field.required"))
        phone = line(self.phone, "phone")
        extension = line(self.extension, "extension")
        department = line(self.department, "department")
        company = line(self.company, "company")
        employee_id = line(self.employee_id, "employee_id")
        site = line(self.site, "site")
        if phone:
            try:
                parsed = parsed_phone(phone)
                warnings.extend(parsed.warnings)
                if parsed.extension and not extension:
                    extension = parsed.extension
            except PhoneError as exc:
                errors.append(problem(f"{prefix}.phone", f"phone.{exc.code}"))
        if extension:
            digits = normalize_extension(extension)
            if digits is None:
                errors.append(problem(f"{prefix}.extension", "field.digits"))
            extension = digits
        email = line(self.email, "email")
        if email and ("@" not in email or " " in email):
            errors.append(problem(f"{prefix}.email", "field.email"))
        if errors:
            raise ValidationFailed(errors)
        return (
            RequesterInput(
                name=name,
                phone=phone,
                department=department,
                company=company,
                extension=extension,
                employee_id=employee_id,
                email=email,
                vip=bool(self.vip),
                external=bool(self.external),
                site=site,
                vip_claim=self.vip_claim,
            ),
            warnings,
        )


@lru_cache(maxsize=256)
def parsed_phone(text: str) -> PhoneNumber:
    """:func:`~deskui.core.phone.parse_phone`, remembered for the last numbers read: cleaning a
    caller and keying them read the same number one after the other (an import, 100,000 times).

    Raises:
        PhoneError: as ``parse_phone`` does (a refusal is not remembered).
    """
    return parse_phone(text)


def _phone_digits(phone: str | None) -> str:
    if not phone:
        return ""
    try:
        parsed = parsed_phone(phone)
    except PhoneError:
        return phone_search_key(phone)
    return parsed.digits


def add_requester(*, session: Session, data: RequesterInput, now: datetime) -> Requester:
    """Add a caller to the directory (the input must already be cleaned)."""
    full, initials = pinyin_keys(data.name)
    row = Requester(
        name=data.name,
        name_pinyin=full,
        name_initials=initials,
        department=data.department,
        company=data.company,
        phone=data.phone,
        phone_digits=_phone_digits(data.phone),
        extension=data.extension,
        employee_id=data.employee_id,
        email=data.email,
        vip=data.vip,
        external=data.external,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _hold_new_caller(session: Session, data: RequesterInput) -> None:
    """On PostgreSQL, hold this caller's employee id and phone digits until the transaction
    ends (transaction-scoped advisory locks), so consoles logging the same new caller at once
    look them up one after another: the second finds the row the first added, instead of adding
    a second caller (or colliding on the employee id). Always in the same order (employee id,
    then phone), so two of them never wait on each other. SQLite's write transaction already
    excludes every other writer."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = []
    if data.employee_id:
        keys.append(f"employee:{data.employee_id}")
    digits = _phone_digits(data.phone)
    if digits:
        keys.append(f"phone:{digits}")
    for key in keys:
        session.execute(
            sql("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
            {"space": CALLER_LOCK, "key": key},
        )


def find_or_add_requester(*, session: Session, data: RequesterInput, now: datetime) -> Requester:
    """The directory entry matching by employee id, else by name and phone; added if none.

    Consoles logging the same new caller at once add it once (see :func:`_hold_new_caller`).
    """
    _hold_new_caller(session, data)
    if data.employee_id:
        found = session.exec(
            select(Requester).where(Requester.employee_id == data.employee_id)
        ).first()
        if found is not None:
            return found
    if data.phone:
        digits = _phone_digits(data.phone)
        found = session.exec(
            select(Requester).where(Requester.name == data.name, Requester.phone_digits == digits)
        ).first()
        if found is not None:
            return found
    return add_requester(session=session, data=data, now=now)


def search_requesters(*, session: Session, query: str, limit: int = 8) -> list[RequesterView]:
    """Callers matching what the operator has typed so far.

    Matches a name in characters, full pinyin or initials (prefix), a phone number in any
    spelling (any part of the digits; see :func:`phone_lookup_key`), an extension, or an
    employee id. ``%`` and ``_`` are matched as themselves. Exact matches come first.
    """
    text = sanitize_line(query)
    if not text:
        return []
    lowered = text.lower().replace(" ", "")
    digits = phone_lookup_key(text)
    conditions = [
        col(Requester.name).contains(text, autoescape=True),
        col(Requester.name_pinyin).startswith(lowered, autoescape=True),
        col(Requester.name_initials).startswith(lowered, autoescape=True),
        col(Requester.employee_id).startswith(text, autoescape=True),
    ]
    if digits:
        conditions.append(col(Requester.extension) == digits)
        if len(digits) >= 3:
            conditions.append(col(Requester.phone_digits).contains(digits, autoescape=True))
    rows = session.exec(select(Requester).where(or_(*conditions)).limit(limit * 4)).all()

    def rank(r: Requester) -> tuple[int, int, str]:
        exact = r.name == text or r.extension == digits or r.employee_id == text
        exact = exact or r.name_pinyin == lowered or r.name_initials == lowered
        return (0 if exact else 1, 0 if r.vip else 1, r.name_pinyin)

    return [RequesterView.of(r) for r in sorted(rows, key=rank)[:limit]]
