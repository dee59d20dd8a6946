"""What each subcommand does: one invocation's settings, desk service and output.

Request Tracker's ``rt`` is the model: ``deskui ticket create`` reads JSON on standard input (how
an IM or e-mail report is back-filled), every other subcommand takes a ticket number, and
``--json`` prints what a script can parse.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from deskui.cli.intake_json import InputError, intake_from_json, read_json
from deskui.config import Settings
from deskui.core.clock import SystemClock
from deskui.core.enums import ClockKind
from deskui.core.sanitize import sanitize_line
from deskui.services.desk import DeskService, check_schema, prepare_database, upgrade_database
from deskui.services.errors import SchemaNewer
from deskui.services.queries import TicketFilter
from deskui.services.views import TicketView
from deskui.store.db import Database


def _line(value: object) -> str:
    """Stored text as one clean line for the terminal: no escape sequence or control reaches it."""
    return sanitize_line(str(value))


def _describe(view: TicketView, out: TextIO) -> None:
    """One ticket in two lines, for a person reading the terminal.

    Every text field goes through the console's sanitizer: what a caller dictated or somebody
    pasted must not recolour, retitle or rewrite the reader's terminal.
    """
    clocks = "  ".join(
        f"{kind}: {view.clocks[kind].state} {int(view.clocks[kind].remaining_seconds // 60)}m"
        for kind in ClockKind
    )
    out.write(
        f"{_line(view.number)}  {_line(view.priority)}  {_line(view.status)}  "
        f"I{view.impact}×U{view.urgency}  "
        f"{_line(view.group_code or '-')}/{_line(view.assignee or '-')}  "
        f"{_line(view.requester.name)}  {_line(view.summary)}\n    {clocks}\n"
    )


def _is_digest(text: str) -> bool:
    value = text.strip().lower()
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


class Cli:
    """One invocation: settings, the desk service, output."""

    def __init__(self, args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> None:
        self.args = args
        self.stdin, self.stdout = stdin, stdout
        self.settings = Settings.from_env(db=args.db, user=args.user, lang=args.lang)
        self.db = Database(self.settings.database_url, waits=self.settings.waits)
        self.desk = DeskService(self.db, SystemClock())

    def emit(self, payload: Any) -> None:
        """Print JSON (non-ASCII text as itself)."""
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")

    def emit_ticket(self, view: TicketView) -> None:
        """Print a ticket: JSON with ``--json``, else two lines."""
        if self.args.json:
            self.emit(view.to_json(self.desk.rules.tz, self.desk.clock.now()))
        else:
            _describe(view, self.stdout)

    def actor_login(self) -> str:
        """Who acts: ``--as`` or ``DESKUI_USER``.

        Raises:
            InputError: nobody named.
        """
        if not self.settings.user:
            raise InputError("user", "user.missing")
        return self.settings.user

    def run(self) -> int:
        """Run the subcommand; returns the exit code (errors are raised)."""
        args = self.args
        if args.command == "db":
            return self.database()
        prepare_database(self.db)
        if args.command == "seed":
            from deskui.services.seed import seed_demo

            summary = seed_demo(self.desk, callers=args.callers, tickets=args.tickets)
            self.emit(summary) if args.json else self.stdout.write(
                ", ".join(f"{k}: {v}" for k, v in summary.items()) + "\n"
            )
            return 0
        if args.command == "user":
            return self.user()
        if args.command == "audit":
            return self.audit()
        return self.ticket()

    def database(self) -> int:
        """``deskui db upgrade``, ``db current`` and ``db backup``; none migrates unasked."""
        action = self.args.action
        if action == "backup":
            return self.backup()
        if action == "upgrade":
            upgrade_database(self.db)
        try:
            state = check_schema(self.db)
            newer = None
        except SchemaNewer as exc:
            from deskui.store.migrate import schema_state

            state, newer = schema_state(self.db), exc
        if self.args.json:
            self.emit(
                {
                    "database": self.db.display_name,
                    "revision": state.revision,
                    "head": state.head,
                    "standing": str(state.standing),
                }
            )
        else:
            self.stdout.write(
                f"{self.db.display_name}: at revision {state.revision or '-'} "
                f"({state.standing}; this deskui's newest is {state.head})\n"
            )
        if newer is not None:
            # answered, and still refused: a script sees the same exit code as any other command
            raise newer
        return 0

    def backup(self) -> int:
        """``deskui db backup PATH [--force]``: SQLite's online backup, never a file copy."""
        from pathlib import Path

        from deskui.store.backup import backup_sqlite

        if not self.db.is_sqlite:
            raise InputError("path", "backup.postgres")
        if self.db.path is None:
            raise InputError("path", "backup.in_memory")
        target = Path(self.args.path)
        try:
            written = backup_sqlite(
                self.db.path, target, force=self.args.force, lock_wait=self.settings.waits.lock
            )
        except FileExistsError as exc:
            raise InputError("path", "backup.exists", path=str(target)) from exc
        self.stdout.write(f"{self.db.display_name} → {written}\n")
        return 0

    def audit(self) -> int:
        """``deskui audit verify [--expect DIGEST]``: exit 0 when the record holds, else 7."""
        from deskui.cli.audit_report import print_report, report_json
        from deskui.cli.exits import AUDIT_BROKEN
        from deskui.i18n import Catalog, detect_language
        from deskui.services.verify import verify_record

        expect = self.args.expect
        if expect is not None and not _is_digest(expect):
            raise InputError("expect", "audit.expect_malformed", value=expect)
        report = self.desk.read(lambda s: verify_record(s, expect=expect))
        t = Catalog(detect_language(self.settings.lang))
        if self.args.json:
            self.emit(report_json(report, t))
        else:
            print_report(report, t, self.stdout)
        return 0 if report.ok else AUDIT_BROKEN

    def user(self) -> int:
        """``deskui user add`` and ``deskui user list``."""
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
            self.stdout.write(f"added {_line(a.login)} ({_line(a.role)})\n")
            return 0
        users = self.desk.read(lambda s: list(s.exec(select(User).order_by(User.login))))
        if self.args.json:
            self.emit([{"login": u.login, "name": u.name, "role": u.role} for u in users])
        else:
            for u in users:
                self.stdout.write(f"{_line(u.login):16} {_line(u.role):10} {_line(u.name)}\n")
        return 0

    def ticket(self) -> int:
        """``deskui ticket …``: create, show, list and every change."""
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
                text = self.stdin.read()
            except UnicodeDecodeError as exc:
                raise InputError("input", "field.json_unreadable", reason=exc.reason) from exc
            data = read_json(text)
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
