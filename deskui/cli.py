"""The `deskui` command line: the console by default, and subcommands for scripts.

Request Tracker's ``rt`` is the model: ``deskui ticket create`` reads JSON on standard input (how
an IM or e-mail report is back-filled), every other subcommand takes a ticket number, and
``--json`` prints what a script can parse. Bad input names the field on standard error and
exits non-zero with nothing written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NoReturn, TextIO

from deskui.config import Settings
from deskui.core.clock import SystemClock
from deskui.core.enums import ClockKind, Role
from deskui.services.desk import DeskService, prepare_database
from deskui.services.directory import RequesterInput
from deskui.services.errors import (
    ClaimConflict,
    NotFound,
    PermissionDenied,
    ServiceError,
    StaleEdit,
    ValidationFailed,
)
from deskui.services.intake import IntakeRequest
from deskui.services.queries import TicketFilter
from deskui.services.views import TicketView
from deskui.store.db import Database, DatabaseUnavailable

EXIT_INPUT, EXIT_NOT_FOUND, EXIT_CONFLICT, EXIT_DENIED, EXIT_DATABASE = 2, 3, 4, 5, 6

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


class InputError(Exception):
    """Input that cannot be read; the message names the field."""


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    # the shared options are accepted before and after a subcommand; SUPPRESS keeps a
    # subcommand's own copy from overwriting a value given before it
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        help="SQLite path or PostgreSQL URL (DESKUI_DATABASE_URL)",
    )
    common.add_argument(
        "--as", dest="user", default=argparse.SUPPRESS, help="who acts (DESKUI_USER)"
    )
    common.add_argument(
        "--lang",
        choices=("zh", "en"),
        default=argparse.SUPPRESS,
        help="interface language (DESKUI_LANG)",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")

    parser = argparse.ArgumentParser(
        prog="deskui", parents=[common], description="A keyboard-first IT service desk console."
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", parents=[common], help="open the console (the default)")

    db = sub.add_parser("db", parents=[common], help="database schema")
    db.add_argument("action", choices=("upgrade", "current"))

    seed = sub.add_parser("seed", parents=[common], help="fill a desk")
    seed.add_argument("--demo", action="store_true", required=True, help="a demo desk")
    seed.add_argument("--callers", type=int, default=300)
    seed.add_argument("--tickets", type=int, default=120)

    user = sub.add_parser("user", parents=[common], help="desk users")
    user_sub = user.add_subparsers(dest="action", required=True)
    add = user_sub.add_parser("add", parents=[common])
    add.add_argument("login")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=[str(r) for r in Role])
    add.add_argument("--group", action="append", default=[], help="group code (repeatable)")
    user_sub.add_parser("list", parents=[common])

    ticket = sub.add_parser("ticket", parents=[common], help="tickets")
    t_sub = ticket.add_subparsers(dest="action", required=True)
    t_sub.add_parser("create", parents=[common], help="create from a JSON object on stdin")
    show = t_sub.add_parser("show", parents=[common])
    show.add_argument("number")
    lst = t_sub.add_parser("list", parents=[common])
    lst.add_argument("--status", action="append", default=[])
    lst.add_argument("--priority", action="append", default=[])
    lst.add_argument("--group")
    lst.add_argument("--assignee", help="a login, or - for unassigned")
    lst.add_argument("--limit", type=int, default=100)
    claim = t_sub.add_parser("claim", parents=[common])
    claim.add_argument("number")
    claim.add_argument("--takeover", action="store_true", help="a duty lead takes it over")
    worklog = t_sub.add_parser("worklog", parents=[common])
    worklog.add_argument("number")
    worklog.add_argument("--text", required=True)
    worklog.add_argument(
        "--progress", action="store_true", help="a progress update sent to the requester"
    )
    status = t_sub.add_parser("status", parents=[common])
    status.add_argument("number")
    status.add_argument("status")
    status.add_argument("--note")
    status.add_argument("--satisfaction", type=int)
    triage = t_sub.add_parser("triage", parents=[common])
    triage.add_argument("number")
    triage.add_argument("--impact", type=int, required=True)
    triage.add_argument("--urgency", type=int, required=True)
    escalate = t_sub.add_parser("escalate", parents=[common])
    escalate.add_argument("number")
    escalate.add_argument("--note", required=True)
    escalate.add_argument("--group")
    transfer = t_sub.add_parser("transfer", parents=[common])
    transfer.add_argument("number")
    transfer.add_argument("--group", required=True)
    transfer.add_argument("--note")
    return parser


def _parse_time(name: str, value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{name}: must be an ISO 8601 time with offset")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"{name}: {value!r} is not an ISO 8601 time") from exc
    if parsed.tzinfo is None:
        raise InputError(f"{name}: needs a UTC offset, e.g. 2026-09-30T10:00:00+08:00")
    return parsed


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name}: must be a whole number, not {value!r}")
    return value


def intake_from_json(data: Any) -> IntakeRequest:
    """Turn the JSON of ``ticket create`` into an intake request.

    Raises:
        InputError: not an object, an unknown field, or a value of the wrong kind.
    """
    if not isinstance(data, dict):
        raise InputError("input: must be one JSON object")
    unknown = sorted(set(data) - CREATE_FIELDS)
    if unknown:
        raise InputError(f"{unknown[0]}: unknown field")
    for name in ("type", "category", "channel", "summary", "description"):
        if name not in data:
            raise InputError(f"{name}: is required")
    for name in ("impact", "urgency"):
        if name not in data:
            raise InputError(f"{name}: is required")
    requester = None
    raw = data.get("requester")
    if raw is not None:
        if not isinstance(raw, dict):
            raise InputError("requester: must be an object")
        extra = sorted(set(raw) - REQUESTER_FIELDS)
        if extra:
            raise InputError(f"requester.{extra[0]}: unknown field")
        for key, value in raw.items():
            if key in ("vip", "external"):
                if not isinstance(value, bool):
                    raise InputError(f"requester.{key}: must be true or false")
            elif value is not None and not isinstance(value, str | int):
                raise InputError(f"requester.{key}: must be text")
        requester = RequesterInput(
            name=str(raw.get("name") or ""),
            **{
                k: (str(v) if v is not None and not isinstance(v, bool) else v)
                for k, v in raw.items()
                if k != "name"
            },
        )
    for name in TEXT_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], str):
            raise InputError(f"{name}: must be text")
    for name in ("type", "category", "channel"):
        if not isinstance(data[name], str):
            raise InputError(f"{name}: must be text")
    resolve_now = data.get("resolve_now", False)
    if not isinstance(resolve_now, bool):
        raise InputError("resolve_now: must be true or false")
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
        requester_id=_int("requester_id", requester_id) if requester_id is not None else None,
        received_at=_parse_time("received_at", data.get("received_at")),
        expected_by=_parse_time("expected_by", data.get("expected_by")),
        resolve_now=resolve_now,
        **{name: data.get(name) for name in TEXT_FIELDS if name not in ("summary", "description")},
    )


def _describe(view: TicketView, out: TextIO) -> None:
    clocks = "  ".join(
        f"{kind}: {view.clocks[kind].state} {int(view.clocks[kind].remaining_seconds // 60)}m"
        for kind in ClockKind
    )
    out.write(
        f"{view.number}  {view.priority}  {view.status}  I{view.impact}×U{view.urgency}  "
        f"{view.group_code or '-'}/{view.assignee or '-'}  {view.requester.name}  "
        f"{view.summary}\n    {clocks}\n"
    )


class Cli:
    """One invocation: settings, the desk service, output."""

    def __init__(self, args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> None:
        self.args = args
        self.stdin, self.stdout = stdin, stdout
        self.settings = Settings.from_env(db=args.db, user=args.user, lang=args.lang)
        self.db = Database(self.settings.database_url)
        self.desk = DeskService(self.db, SystemClock())

    def emit(self, payload: Any) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")

    def emit_ticket(self, view: TicketView) -> None:
        if self.args.json:
            self.emit(view.to_json(self.desk.rules.tz, self.desk.clock.now()))
        else:
            _describe(view, self.stdout)

    def actor_login(self) -> str:
        if not self.settings.user:
            raise InputError("user: say who acts with --as LOGIN or DESKUI_USER")
        return self.settings.user

    def run(self) -> int:
        args = self.args
        prepare_database(self.db)
        if args.command == "db":
            from deskui.store.migrate import current_revision

            self.stdout.write(f"{self.db.display_name}: at revision {current_revision(self.db)}\n")
            return 0
        if args.command == "seed":
            from deskui.services.seed import seed_demo

            summary = seed_demo(self.desk, callers=args.callers, tickets=args.tickets)
            self.emit(summary) if args.json else self.stdout.write(
                ", ".join(f"{k}: {v}" for k, v in summary.items()) + "\n"
            )
            return 0
        if args.command == "user":
            return self.user()
        return self.ticket()

    def user(self) -> int:
        from sqlmodel import select

        from deskui.services.users import add_user
        from deskui.store.models import User

        if self.args.action == "add":
            a = self.args
            self.desk.write(
                lambda s: add_user(
                    session=s,
                    login=a.login,
                    name=a.name,
                    role=a.role,
                    groups=a.group,
                    now=self.desk.clock.now(),
                )
            )
            self.stdout.write(f"added {a.login} ({a.role})\n")
            return 0
        users = self.desk.read(lambda s: list(s.exec(select(User).order_by(User.login))))
        if self.args.json:
            self.emit([{"login": u.login, "name": u.name, "role": u.role} for u in users])
        else:
            for u in users:
                self.stdout.write(f"{u.login:16} {u.role:10} {u.name}\n")
        return 0

    def ticket(self) -> int:
        a = self.args
        action = a.action
        if action == "show":
            self.emit_ticket(self.desk.ticket(a.number))
            return 0
        if action == "list":
            views = self.desk.tickets(
                TicketFilter(a.status, a.priority, a.group, a.assignee, a.limit)
            )
            if a.json:
                now = self.desk.clock.now()
                self.emit([v.to_json(self.desk.rules.tz, now) for v in views])
            else:
                for view in views:
                    _describe(view, self.stdout)
            return 0
        actor = self.desk.actor(self.actor_login())
        if action == "create":
            try:
                data = json.loads(self.stdin.read())
            except json.JSONDecodeError as exc:
                raise InputError(f"input: not JSON ({exc.msg} at line {exc.lineno})") from exc
            view = self.desk.create_ticket(actor, intake_from_json(data))
            self.emit(view.to_json(self.desk.rules.tz, self.desk.clock.now()))
            return 0
        if action == "claim":
            view = self.desk.claim(actor, a.number, takeover=a.takeover)
        elif action == "worklog":
            view = self.desk.worklog(actor, a.number, a.text, progress=a.progress)
        elif action == "status":
            view = self.desk.set_status(
                actor, a.number, a.status, note=a.note, satisfaction=a.satisfaction
            )
        elif action == "triage":
            view = self.desk.triage(actor, a.number, a.impact, a.urgency)
        elif action == "escalate":
            view = self.desk.escalate(actor, a.number, a.note, group=a.group)
        else:
            view = self.desk.transfer(actor, a.number, a.group, note=a.note)
        self.emit_ticket(view)
        return 0


def fail(message: str, code: int) -> int:
    """Report on standard error and give the exit code."""
    sys.stderr.write(f"deskui: {message}\n")
    return code


def main(argv: Sequence[str] | None = None) -> int | NoReturn:
    """Entry point of the ``deskui`` console script."""
    args = build_parser().parse_args(argv)
    # the shared options' actions are shared by every subparser, so their defaults are set
    # here rather than with set_defaults (which would change them for the subparsers too)
    for name, default in (("db", None), ("user", None), ("lang", None), ("json", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    if args.command in (None, "run"):
        from deskui.app import run_console

        return run_console(args)
    try:
        return Cli(args, sys.stdin, sys.stdout).run()
    except InputError as exc:
        return fail(str(exc), EXIT_INPUT)
    except ValidationFailed as exc:
        return fail("; ".join(f"{f}: {m}" for f, m in exc.errors), EXIT_INPUT)
    except NotFound as exc:
        return fail(str(exc), EXIT_NOT_FOUND)
    except (ClaimConflict, StaleEdit) as exc:
        return fail(str(exc), EXIT_CONFLICT)
    except PermissionDenied as exc:
        return fail(str(exc), EXIT_DENIED)
    except ServiceError as exc:
        return fail(str(exc), EXIT_INPUT)
    except DatabaseUnavailable as exc:
        return fail(str(exc), EXIT_DATABASE)
