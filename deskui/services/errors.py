"""What a use case refuses, as a code and its parameters that the catalog words.

A raise site never writes a sentence: it names a code (``ticket.held``) and gives the values the
sentence needs (``holder``). The catalog (``deskui/locales/errors.toml``, keys ``error.<code>``)
words it in either language, so a screen shows it in the console's language and the command line
in the user's; ``message`` is the English wording, for logs and for callers that have no catalog.

:data:`CODES` is the registry of every code and the parameters its wording uses; a raise with an
unknown code, or with parameters that do not match, fails at once (while ``__debug__``), so a
missing translation or a placeholder left empty is a test failure, not a sentence with a hole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from deskui.core.announcements import ANNOUNCEMENT_ERROR_CODES
from deskui.core.permissions import Action, Refusal
from deskui.core.phone import PHONE_ERROR_CODES
from deskui.core.sla_words import target_words
from deskui.i18n import Catalog
from deskui.store.cancel import WriteCancelled
from deskui.store.db import DatabaseBusy as StoreDatabaseBusy
from deskui.store.db import DatabaseUnavailable as StoreDatabaseUnavailable

_NUMBER = frozenset({"number"})
_PERMISSION = frozenset({"action"})

#: Every error code → the names of the parameters its wording takes.
CODES: dict[str, frozenset[str]] = {
    # input
    "field.required": frozenset(),
    "field.text": frozenset(),
    "field.choice": frozenset({"choices"}),
    "field.boolean": frozenset(),
    "field.whole_number": frozenset({"value"}),
    "field.unknown": frozenset(),
    "field.json_object": frozenset(),
    "field.not_json": frozenset({"reason", "line"}),
    "field.json_nesting": frozenset(),
    "field.json_unreadable": frozenset({"reason"}),
    "field.whole_range": frozenset({"value", "low", "high"}),
    "field.time": frozenset({"value"}),
    "field.day_or_time": frozenset({"value"}),
    "field.time_offset": frozenset(),
    "field.future": frozenset(),
    "field.too_old": frozenset(),
    "field.digits": frozenset(),
    "field.email": frozenset(),
    "field.login": frozenset(),
    "field.stars": frozenset(),
    "field.repeated": frozenset({"name"}),
    "text.too_long": frozenset({"length", "limit"}),
    "worklog.minutes": frozenset({"value", "low", "high"}),
    "reveal.no_phone": frozenset({"number"}),
    "ticket.number_taken": _NUMBER,
    "note.required": frozenset(),
    "estimate.past": frozenset({"at"}),
    "impact.range": frozenset({"value"}),
    "urgency.range": frozenset({"value"}),
    "priority.unknown": frozenset({"value"}),
    "search.no_words": frozenset({"text"}),
    "status.unknown": frozenset({"value"}),
    "date.order": frozenset(),
    "outage.self": _NUMBER,
    "outage.already": frozenset({"number", "parent"}),
    "outage.nested": _NUMBER,
    "outage.has_children": _NUMBER,
    "outage.none": _NUMBER,
    "user.taken": frozenset({"login"}),
    "user.missing": frozenset(),
    "user.confusable": frozenset({"login", "existing"}),
    "user.account_taken": frozenset({"account", "login"}),
    "user.first_admin": frozenset(),
    "user.os_login_shared": frozenset(),
    "user.disable_self": frozenset(),
    "user.last_admin": frozenset(),
    "user.no_db_role": frozenset({"login"}),
    "field.account": frozenset(),
    "group.code": frozenset(),
    "group.taken": frozenset({"group"}),
    "group.lead_not_member": frozenset({"login"}),
    "field.db_role": frozenset({"role"}),
    "user.role_taken": frozenset({"role"}),
    "user.role_refused": frozenset({"role"}),
    "field.password_mismatch": frozenset(),
    # who is at the console
    "identity.nobody": frozenset({"account"}),
    "identity.demo_who": frozenset({"account"}),
    "identity.not_you": frozenset({"login", "account"}),
    "identity.unbound": frozenset({"account"}),
    "identity.disabled": frozenset({"login"}),
    "identity.installation": frozenset({"account"}),
    "identity.installation_as": frozenset({"login", "account"}),
    "identity.unknown_role": frozenset({"account"}),
    "identity.shared_as": frozenset({"login", "account"}),
    "intake.resolve_type": frozenset(),
    "intake.solution_required": frozenset(),
    "intake.outage_resolved": frozenset({"number"}),
    "rules.invalid": frozenset({"reason"}),
    "rules.confirm": frozenset(),
    "rules.route_category": frozenset({"category", "group"}),
    "rules.route_type": frozenset({"type", "group"}),
    "rules.route_tier": frozenset({"tier", "group"}),
    "calendar.date": frozenset({"value"}),
    "calendar.listed": frozenset({"day", "kind"}),
    "calendar.not_listed": frozenset({"day"}),
    "calendar.file": frozenset({"reason"}),
    "calendar.other_year": frozenset({"day", "year"}),
    "calendar.workday_not_off": frozenset({"day"}),
    "calendar.already_off": frozenset({"day"}),
    "setting.seconds": frozenset({"value"}),
    "setting.whole": frozenset({"value"}),
    # things that do not exist
    "ticket.unknown": _NUMBER,
    "user.unknown": frozenset({"login"}),
    "group.unknown": frozenset({"group"}),
    "requester.unknown": frozenset({"id"}),
    "article.unknown": frozenset({"id"}),
    # the ticket's state
    "ticket.held": frozenset({"number", "holder"}),
    "ticket.stale": frozenset({"number", "current_version"}),
    "ticket.no_transition": frozenset({"number", "source", "target"}),
    "ticket.incomplete": _NUMBER,
    "ticket.claim_first": _NUMBER,
    "ticket.same_group": frozenset({"number", "group"}),
    "alert.none": _NUMBER,
    "alert.acknowledged": frozenset({"number", "by", "at"}),
    "triage.lower_reason": frozenset({"number", "old", "new"}),
    "escalate.group_needed": frozenset({"number", "tier", "choices"}),
    "assign.not_handler": frozenset({"login"}),
    "assign.outside_group": frozenset({"login", "group"}),
    # the database
    "database.unavailable": frozenset({"database", "reason"}),
    "database.busy": frozenset({"database", "seconds"}),
    "database.cancelled": frozenset({"database"}),
    "database.conflict": frozenset({"database"}),
    "database.password_needed": frozenset({"database", "role"}),
    "database.password_wrong": frozenset({"database", "role"}),
    "database.schema_newer": frozenset({"database", "revision"}),
    "database.schema_behind": frozenset({"database", "revision", "head"}),
    "database.schema_unknown": frozenset({"database", "revision"}),
    "database.schema_missing": frozenset({"database"}),
    "backup.exists": frozenset({"path"}),
    "seed.in_use": frozenset({"users", "tickets"}),
    "backup.postgres": frozenset(),
    "backup.in_memory": frozenset(),
    # a file a command was asked to write (deskui/cli/files.py)
    "file.no_folder": frozenset({"path"}),
    "file.denied": frozenset({"path"}),
    "file.write": frozenset({"path", "reason"}),
    "audit.expect_malformed": frozenset({"value"}),
    # a new SQLite desk shared through an operating-system group (DESKUI_DB_GROUP)
    **{
        f"desk_group.{reason}": frozenset({"group", "folder"})
        for reason in ("unknown", "not_member", "folder", "unsupported")
    },
    # export and import of a whole desk (services/archive.py)
    "archive.exists": frozenset({"path"}),
    "archive.unreadable": frozenset({"path", "reason"}),
    "archive.not_archive": frozenset(),
    "archive.version": frozenset({"version"}),
    "archive.schema": frozenset({"revision", "current"}),
    "archive.not_empty": frozenset(),
    "archive.damaged": frozenset({"line"}),
    "archive.truncated": frozenset(),
    "archive.broken": frozenset({"findings"}),
    # reports
    "report.period": frozenset({"value"}),
    "report.out": frozenset(),
    # the permission module's refusals: each names the action refused
    **{str(r): _PERMISSION for r in Refusal if r != Refusal.ROLE},
    str(Refusal.ROLE): frozenset({"action", "role"}),
    # the administration (services/admin.py)
    "admin.matrix_row": frozenset({"impact"}),
    "admin.priority": frozenset({"value"}),
    "admin.sla_target": frozenset({"value"}),
    "admin.sla_order": frozenset({"resolution", "response"}),
    "admin.time": frozenset({"value"}),
    "admin.lunch": frozenset({"value"}),
    "admin.weekdays": frozenset({"value"}),
    "admin.hours_order": frozenset({"start", "end"}),
    "admin.no_members": frozenset({"group"}),
    "admin.unknown_user": frozenset({"login"}),
    "admin.yes_no": frozenset({"value"}),
    "admin.warning": frozenset({"value"}),
    "skill.category": frozenset({"value", "choices"}),
    "directory.columns": frozenset({"missing"}),
    "directory.column_twice": frozenset({"column"}),
    "directory.encoding": frozenset({"position"}),
    "directory.unreadable": frozenset({"reason"}),
    "directory.no_file": frozenset(),
    "directory.no_key": frozenset(),
    "directory.two_callers": frozenset(),
    "directory.twice": frozenset({"value", "first"}),
    "directory.clash_kept": frozenset({"value", "later"}),
    "directory.yes_no": frozenset({"value"}),
    # a phone number that cannot be one (core/phone's codes)
    **{f"phone.{code}": frozenset() for code in PHONE_ERROR_CODES},
    # announcements (core/announcements' codes)
    **ANNOUNCEMENT_ERROR_CODES,
}

#: Parameters whose values are identifiers the catalog also words (an action, a status, a role).
_WORDED = {
    "action": "error.action.{}",
    "role": "error.role.{}",  # "an operator", "an agent": the role as a refusal names it
    "source": "status.{}",
    "target": "status.{}",
    "status": "status.{}",
    "kind": "calendar.kind.{}",
    "category": "category.{}",
    "type": "type.{}",
}
#: Parameters of a code that are SLA targets as stored (``1 hours``): worded in the language.
_TARGETS = {"admin.sla_order": frozenset({"resolution", "response"})}
_ENGLISH: Catalog | None = None


def _english() -> Catalog:
    global _ENGLISH  # one catalog for every English message; it never changes
    if _ENGLISH is None:
        _ENGLISH = Catalog("en")
    return _ENGLISH


def word_target(stored: str, t: Catalog) -> str:
    """A stored SLA target in the words of ``t``'s language (``3 个工作日``, ``1 hour``)."""
    return target_words(stored, lambda unit, amount: t(f"admin.unit.{unit}", count=amount))


def check_params(code: str, params: Mapping[str, object]) -> None:
    """Refuse an unknown code or parameters that do not match its wording.

    Raises:
        ValueError: naming the code and what is wrong.
    """
    expected = CODES.get(code)
    if expected is None:
        raise ValueError(f"unknown error code {code!r}: add it to CODES and errors.toml")
    if set(params) != expected:
        raise ValueError(f"error {code!r} takes {sorted(expected)}, was given {sorted(params)}")


def word(code: str, params: Mapping[str, object], t: Catalog) -> str:
    """The sentence of ``code`` in the catalog's language, identifiers among the values worded."""
    values: dict[str, object] = {}
    targets = _TARGETS.get(code, frozenset())
    for name, value in params.items():
        if name in targets:
            values[name] = word_target(str(value), t)
            continue
        pattern = _WORDED.get(name)
        key = pattern.format(value) if pattern else ""
        values[name] = t(key) if pattern and t.has(key) else value
    return t(f"error.{code}", **values)


class ServiceError(Exception):
    """A refused use case. Nothing was written.

    Args:
        code: what was refused, dotted (``ticket.held``); the catalog key is ``error.<code>``.
        field: the input field at fault, when one is.
        **params: the values the wording needs (see :data:`CODES`).

    Attributes:
        code: as given.
        field: as given.
        params: as given.
    """

    def __init__(self, code: str, *, field: str | None = None, **params: object) -> None:
        self._start(code, field, params)

    def _start(self, code: str, field: str | None, params: Mapping[str, object]) -> None:
        # subclasses that add parameters of their own start here (their keywords are typed)
        if __debug__:
            check_params(code, params)
        super().__init__(code)
        self.code = code
        self.field = field
        self.params: dict[str, object] = dict(params)

    @property
    def message(self) -> str:
        """The English wording, placeholders filled."""
        return self.words(_english())

    def words(self, t: Catalog) -> str:
        """The wording in the catalog's language, without the field."""
        return word(self.code, self.params, t)

    def explain(self, t: Catalog) -> str:
        """The wording in the catalog's language, led by the field's name when there is one."""
        text = self.words(t)
        if not self.field:
            return text
        label = f"field.{self.field}"
        return f"{t(label) if t.has(label) else self.field}: {text}"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class Problem:
    """One field at fault in refused input.

    Attributes:
        field: the field (``summary``, ``requester.phone`` …).
        code: why (an error code).
        params: the values the wording needs.
    """

    field: str
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def __post_init__(self) -> None:
        if __debug__:
            check_params(self.code, self.params)

    @property
    def message(self) -> str:
        """The English wording."""
        return word(self.code, self.params, _english())

    def words(self, t: Catalog) -> str:
        """The wording in the catalog's language."""
        return word(self.code, self.params, t)


def problem(field_name: str, code: str, **params: object) -> Problem:
    """A :class:`Problem`, the parameters given as keywords."""
    return Problem(field_name, code, dict(params))


class ValidationFailed(ServiceError):
    """Input that the rules refuse; ``problems`` lists every field at fault.

    ``code``, ``field`` and ``params`` are the first problem's.
    """

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("a refusal of input names at least one problem")
        self.problems = list(problems)
        first = self.problems[0]
        self._start(first.code, first.field, first.params)

    @property
    def errors(self) -> list[tuple[str, str]]:
        """``(field, English message)`` of every problem (the older form of ``problems``)."""
        return [(p.field, p.message) for p in self.problems]

    def __str__(self) -> str:
        return "; ".join(f"{f}: {m}" for f, m in self.errors)


class NotFound(ServiceError):
    """No such ticket, user, requester or group."""


class PermissionDenied(ServiceError):
    """The rules refuse this person this action (the code is a :class:`Refusal` value).

    Attributes:
        action: the action refused.
    """

    def __init__(self, code: str, *, action: Action, **params: object) -> None:
        self._start(code, None, {"action": str(action), **params})
        self.action = action


class CloseRefused(ServiceError):
    """The desk's close is refused by the ticket itself: it is not resolved
    (``ticket.no_transition``), or its record lacks the solution or the confirmation
    (``ticket.incomplete``). A refusal of the rules, like a role's: the command line exits 5."""

    def __init__(self, code: str, **params: object) -> None:
        self._start(code, "status", params)


class IdentityRefused(ServiceError):
    """Who is at the console could not be established as this person, or is nobody at the desk
    (see :mod:`deskui.services.identity`); nothing was done."""

    def __init__(self, code: str, **params: object) -> None:
        self._start(code, "user", params)


class StaleEdit(ServiceError):
    """The ticket changed since the edit was started; nothing was overwritten.

    Attributes:
        current_version: the version now in the database.
    """

    def __init__(self, current_version: int, *, number: str) -> None:
        self._start("ticket.stale", None, {"number": number, "current_version": current_version})
        self.current_version = current_version


class ClaimConflict(ServiceError):
    """Someone else holds the ticket.

    Attributes:
        holder: the login of whoever has it.
    """

    def __init__(self, holder: str, *, number: str) -> None:
        self._start("ticket.held", None, {"number": number, "holder": holder})
        self.holder = holder


class AlreadyAcknowledged(ServiceError):
    """Every alert to acknowledge was acknowledged already, by someone at another console (or
    at this one a moment ago): nothing was written. ``by`` names who, ``at`` the desk's time."""

    def __init__(self, *, number: str, by: str, at: str) -> None:
        self._start("alert.acknowledged", None, {"number": number, "by": by, "at": at})


class SaveConflict(ServiceError):
    """Another console saved the same thing (a caller with this employee id, …) at the same
    moment, and the database refused the second copy; nothing was saved, and saving again finds
    what the other console saved.

    Attributes:
        database: the database's name, without a password.
    """

    def __init__(self, *, database: str) -> None:
        self._start("database.conflict", None, {"database": database})
        self.database = database


class DatabaseUnavailable(ServiceError, StoreDatabaseUnavailable):
    """The database cannot be reached or opened.

    Also a :class:`deskui.store.db.DatabaseUnavailable`, so code that still catches the store's
    error catches this one.

    Attributes:
        database: the database's name, without a password.
        reason: the driver's or the file system's reason.
    """

    def __init__(self, *, database: str, reason: str) -> None:
        self._start("database.unavailable", None, {"database": database, "reason": reason})
        self.database = database
        self.reason = reason


class PasswordRequired(ServiceError):
    """The shared desk's server asks for a password that was not given, or refused the one
    given (``wrong``); the console asks for it on its login screen.

    Attributes:
        database: the database's name, without a password.
        role: the role logging in.
        wrong: a password was given and refused.
    """

    def __init__(self, *, database: str, role: str, wrong: bool) -> None:
        code = "database.password_wrong" if wrong else "database.password_needed"
        self._start(code, None, {"database": database, "role": role})
        self.database = database
        self.role = role
        self.wrong = wrong


class NumberTaken(ServiceError):
    """The desk day's number counter gave a number a ticket already holds: the counter was
    lowered outside deskui. Not a race: trying again takes the next number, which exists too,
    until an admin puts the counter back (``deskui audit verify`` names the day); nothing was
    saved."""

    def __init__(self, *, number: str) -> None:
        self._start("ticket.number_taken", "number", {"number": number})


class DeskBusy(ServiceError, StoreDatabaseBusy):
    """Another console's unfinished write held the database longer than this one may wait;
    nothing was written, and the same change may simply be tried again.

    Not a :class:`DatabaseUnavailable`: the database answers, and nothing is wrong with the
    connection; another writer (usually one stopped inside its transaction) is in the way, and
    on PostgreSQL the server ends such a transaction after the idle-in-transaction timeout.
    Also a :class:`deskui.store.db.DatabaseBusy`.

    Attributes:
        database: the database's name, without a password.
        seconds: how long the change waited (the configured lock wait).
    """

    def __init__(self, *, database: str, seconds: float) -> None:
        self._start("database.busy", None, {"database": database, "seconds": f"{seconds:g}"})
        self.database = database
        self.seconds = seconds


class ChangeCancelled(ServiceError, WriteCancelled):
    """The person who sent the change cancelled it while it waited on the desk (another
    console held the write lock); nothing was written, and the same change may be sent again.

    Also a :class:`deskui.store.cancel.WriteCancelled`.

    Attributes:
        database: the database's name, without a password.
    """

    def __init__(self, *, database: str) -> None:
        self._start("database.cancelled", None, {"database": database})
        self.database = database


class SchemaMismatch(ServiceError):
    """The database's schema is not the one this deskui works with, and this command may not
    change that; nothing was read or written.

    Attributes:
        database: the database's name, without a password.
        revision: the revision the database is at (``None`` for an empty one).
    """

    database: str
    revision: str | None


class SchemaNewer(SchemaMismatch):
    """A newer deskui migrated this desk: its revision is unknown here; upgrade deskui."""

    def __init__(self, *, database: str, revision: str) -> None:
        self._start("database.schema_newer", None, {"database": database, "revision": revision})
        self.database = database
        self.revision = revision


class SchemaUnknown(SchemaMismatch):
    """The desk records a revision no deskui writes: not a deskui schema; nothing is changed."""

    def __init__(self, *, database: str, revision: str) -> None:
        self._start("database.schema_unknown", None, {"database": database, "revision": revision})
        self.database = database
        self.revision = revision


class SchemaMissing(SchemaMismatch):
    """The desk's tables are there but its schema version is not: nothing tells what schema it
    has, so nothing is migrated (that would create tables over the desk's own)."""

    def __init__(self, *, database: str) -> None:
        self._start("database.schema_missing", None, {"database": database})
        self.database = database
        self.revision = None


class SchemaBehind(SchemaMismatch):
    """A shared desk's schema is older than this deskui; a console does not migrate a shared
    database by itself: the installation's owner runs ``deskui db upgrade``."""

    def __init__(self, *, database: str, revision: str | None, head: str | None) -> None:
        params = {"database": database, "revision": revision or "-", "head": head or "-"}
        self._start("database.schema_behind", None, params)
        self.database = database
        self.revision = revision


__all__ = [
    "CODES",
    "ChangeCancelled",
    "ClaimConflict",
    "DatabaseUnavailable",
    "DeskBusy",
    "NotFound",
    "NumberTaken",
    "PermissionDenied",
    "Problem",
    "SchemaBehind",
    "SchemaMismatch",
    "SchemaMissing",
    "SchemaNewer",
    "SchemaUnknown",
    "ServiceError",
    "StaleEdit",
    "ValidationFailed",
    "check_params",
    "problem",
    "word",
]
