"""What each subcommand does: one invocation's settings, desk service and output.

Request Tracker's ``rt`` is the model: ``deskui ticket create`` reads JSON on standard input (how
an IM or e-mail report is back-filled), every other subcommand takes a ticket number, and
``--json`` prints what a script can parse.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from deskui.cli import admin_cli
from deskui.cli.files import unwritable
from deskui.cli.filters import ticket_filter, time_argument
from deskui.cli.intake_json import InputError, intake_from_json, read_json
from deskui.cli.kb import run_kb, run_ticket_search
from deskui.config import Settings
from deskui.core.clock import SystemClock
from deskui.core.enums import ClockKind, EventKind
from deskui.core.permissions import Person
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog, detect_language, minutes_text
from deskui.services import skills
from deskui.services.desk import DeskService, check_schema, prepare_database, upgrade_database
from deskui.services.errors import IdentityRefused, NotFound, SchemaMismatch
from deskui.services.identity import Identity
from deskui.services.seed import DEMO_OPERATOR
from deskui.services.users import Actor
from deskui.services.views import SATISFACTION_ASPECTS, TicketView
from deskui.store.db import Database


def _line(value: object) -> str:
    """Stored text as one clean line for the terminal: no escape sequence or control reaches it."""
    return sanitize_line(str(value))


def _describe(view: TicketView, out: TextIO, t: Catalog, *, whole_phone: bool = False) -> None:
    """One ticket in two lines, for a person reading the terminal: the status, group and
    clocks in the catalog's words of ``t``'s language, the requester by name and phone, as the
    queue shows them (the phone masked unless ``whole_phone``).

    Every text field goes through the console's sanitizer: what a caller dictated or somebody
    pasted must not recolour, retitle or rewrite the reader's terminal.
    """

    def clock(kind: ClockKind) -> str:
        shown = view.clocks[kind]
        minutes = int(shown.remaining_seconds // 60)
        left = ("-" if minutes < 0 else "") + minutes_text(abs(minutes), t)
        return f"{t(f'clock.{kind}')}: {t(f'clock_state.{shown.state}')} {left}"

    clocks = "  ".join(clock(kind) for kind in ClockKind)
    group = (view.group_name_zh if t.lang == "zh" else view.group_name_en) or "-"
    caller = f"{view.requester.name} {view.requester.shown_phone(whole=whole_phone) or ''}"
    out.write(
        f"{_line(view.number)}  {_line(view.priority)}  {t(f'status.{view.status}')}  "
        f"I{view.impact}×U{view.urgency}  "
        f"{_line(group)}/{_line(view.assignee or '-')}  "
        f"{_line(caller.strip())}  {_line(view.summary)}\n    {clocks}\n"
    )


def _is_digest(text: str) -> bool:
    value = text.strip().lower()
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _intake_notices(view: TicketView, t: Catalog) -> list[dict[str, str]]:
    """What the desk did not take from the JSON as given: a caller's VIP flag the directory
    contradicts (kept on the ticket as a ``vip_claim`` event for a lead to look at)."""
    return [
        {
            "code": "vip_claim",
            "message": t(
                "hardening.vip_claim.notice",
                name=_line(view.requester.name),
                claimed=t(f"hardening.vip_claim.{event.new_value}"),
                directory=t(f"hardening.vip_claim.{event.old_value}"),
            ),
        }
        for event in view.events
        if event.kind == EventKind.VIP_CLAIM
    ]


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

    def ticket_json(self, view: TicketView, *, whole_phone: bool = False) -> dict[str, Any]:
        """A ticket's JSON (the requester's phone masked unless ``whole_phone``)."""
        return view.to_json(self.desk.rules.tz, self.desk.clock.now(), whole_phone=whole_phone)

    def emit_ticket(
        self, view: TicketView, reader: Person | None, *, revealed: bool = False
    ) -> None:
        """Print one ticket as the console's detail shows it to ``reader``: JSON with
        ``--json``, else two lines. The requester's phone is whole for the ticket's holder and
        once ``revealed`` (an audited reading), masked for anyone else."""
        whole = revealed or view.shows_phone_to(reader)
        if self.args.json:
            self.emit(self.ticket_json(view, whole_phone=whole))
        else:
            _describe(view, self.stdout, self.catalog, whole_phone=whole)

    def emit_assigned(self, view: TicketView, actor: Actor) -> int:
        """The assigned ticket with the skill hint the console's ``n`` shows: the assignee's
        level in the ticket's category and whom ``ticket suggest`` names, when someone else."""
        found = skills.suggest(self.desk, view.number)
        mine = next((c for c in found.candidates if c.login == view.assignee), None)
        best = found.best
        other = best if best is not None and best.login != view.assignee else None
        t = self.catalog
        hint = (
            t("assign.hint.level", login=view.assignee or "-", level=mine.level)
            if mine
            else (
                t(
                    "assign.hint.unskilled",
                    login=view.assignee or "-",
                    category=t(f"category.{view.category}"),
                )
            )
        )
        if other is not None:
            hint += t("assign.hint.suggested", login=other.login, level=other.level)
        if self.args.json:
            data = self.ticket_json(view, whole_phone=view.shows_phone_to(actor))
            data["skill"] = {
                "level": mine.level if mine else None,
                "suggested": best.to_json() if best else None,
            }
            self.emit(data)
        else:
            _describe(view, self.stdout, t, whole_phone=view.shows_phone_to(actor))
            self.stdout.write(_line(hint) + "\n")
        return 0

    @property
    def catalog(self) -> Catalog:
        """The catalog in the language of ``--lang`` / ``DESKUI_LANG`` / the locale."""
        return Catalog(detect_language(self.settings.lang))

    def who(self) -> Identity:
        """Who is at the console (:mod:`deskui.services.identity`): the OS account or the
        database role, and ``--as`` only where the rules accept it."""
        return self.desk.identify(self.settings.user, demo_login=DEMO_OPERATOR)

    def reader(self) -> Actor | None:
        """Who reads, for what the rules show only to some (a requester's whole phone): the
        person at the console, or None when the desk cannot establish anyone. Reading a
        ticket has never needed an identity, so nobody established is not refused: they are
        shown what anyone who does not hold the ticket is."""
        try:
            return self.who().actor
        except (IdentityRefused, NotFound):
            return None

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
        if admin_cli.handles(args):
            return admin_cli.run(self)
        if args.command == "whoami":
            return self.whoami()
        if args.command == "calendar":
            return self.calendar()
        if args.command == "rules":
            return self.rules()
        if args.command == "group":
            return self.group()
        if args.command == "user":
            return self.user()
        if args.command == "audit":
            return self.audit()
        if args.command in ("export", "import"):
            from deskui.cli.archive import export_command, import_command

            return export_command(self) if args.command == "export" else import_command(self)
        if args.command == "announce":
            from deskui.cli.announce import run_announce

            return run_announce(self)
        if args.command == "kb":
            return run_kb(self)
        if args.command == "report":
            from deskui.cli.report import run_report

            t = Catalog(detect_language(self.settings.lang))
            return run_report(self.desk, self.who().person(), args, t, self.stdout)
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
        except SchemaMismatch as exc:
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

        from deskui.services.archive import backup_desk

        if not self.db.is_sqlite:
            raise InputError("path", "backup.postgres")
        if self.db.path is None:
            raise InputError("path", "backup.in_memory")
        target = Path(self.args.path)
        try:
            written = backup_desk(
                who=self.who(),
                source=self.db.path,
                target=target,
                force=self.args.force,
                lock_wait=self.settings.waits.lock,
            )
        except FileExistsError as exc:
            raise InputError("path", "backup.exists", path=str(target)) from exc
        except OSError as exc:
            raise unwritable("path", target, exc) from exc
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

    def whoami(self) -> int:
        """``deskui whoami``: login, name, role, groups, and how the identity was established."""
        who = self.who()
        if self.args.json:
            self.emit(who.to_json())
            return 0
        t = Catalog(detect_language(self.settings.lang))
        actor = who.actor
        if actor is None:
            self.stdout.write(t(f"shell.whoami.{who.basis}", account=_line(who.account)) + "\n")
            return 0
        groups = ", ".join(sorted(actor.group_codes)) or "-"
        role = t(f"role.{actor.role}")
        self.stdout.write(f"{_line(actor.login)}  {_line(actor.name)}  {role}  {_line(groups)}\n")
        how = t(f"shell.whoami.{who.basis}", account=_line(who.account))
        if actor.proxy_login:
            how = f"{how} ({t('shell.whoami.by', login=_line(actor.proxy_login))})"
        if who.demo:
            how = f"{how} · {t('shell.status.demo')}"
        self.stdout.write(how + "\n")
        return 0

    def user(self) -> int:
        """``deskui user add|edit|disable|enable|passwd|list``."""
        a = self.args
        if a.action == "list":
            users = self.desk.users()
            if a.json:
                self.emit([u.to_json() for u in users])
            else:
                for u in users:
                    state = "" if u.active else "  (disabled)"
                    self.stdout.write(
                        f"{_line(u.login):16} {_line(u.role):10} {_line(u.name)}"
                        f"  {_line(','.join(u.groups) or '-')}{state}\n"
                    )
            return 0
        who = self.who()
        if a.action == "add":
            view = self.desk.add_user(
                who,
                login=a.login,
                name=a.name,
                role=a.role,
                groups=a.group,
                os_login=a.os_login,
                db_role=a.db_role,
            )
        elif a.action == "edit":
            view = self.desk.edit_user(
                who, a.login, name=a.name, role=a.role, groups=a.group, os_login=a.os_login
            )
        elif a.action in ("disable", "enable"):
            view = self.desk.set_user_enabled(who, a.login, enabled=a.action == "enable")
        else:
            view = self.desk.set_password(who, a.login, self.read_password())
        if a.json:
            self.emit(view.to_json())
        else:
            self.stdout.write(
                f"{a.action}: {_line(view.login)} ({_line(view.role)})"
                f"{'' if view.active else ' disabled'}\n"
            )
        return 0

    def group(self) -> int:
        """``deskui group list|add|edit``."""
        a = self.args
        if a.action == "list":
            groups = self.desk.group_views()
            if a.json:
                self.emit([g.to_json() for g in groups])
            else:
                for g in groups:
                    members = ", ".join(g.members) or "-"
                    self.stdout.write(
                        f"{_line(g.code):10} L{g.tier}  {_line(g.name_zh)} / {_line(g.name_en)}"
                        f"  lead: {_line(g.lead or '-')}  members: {_line(members)}\n"
                    )
            return 0
        who = self.who()
        if a.action == "add":
            view = self.desk.add_group(
                who, code=a.code, name_zh=a.name_zh, name_en=a.name_en, tier=a.tier
            )
        else:
            view = self.desk.edit_group(
                who, a.code, name_zh=a.name_zh, name_en=a.name_en, tier=a.tier, lead=a.lead
            )
        if a.json:
            self.emit(view.to_json())
        else:
            self.stdout.write(f"{a.action}: {_line(view.code)} L{view.tier}\n")
        return 0

    def rules(self) -> int:
        """``deskui rules show|export --out FILE|import FILE [--yes]``."""
        from deskui.services import rule_files

        a = self.args
        if a.action in ("show", "export"):
            text = rule_files.export_text(self.desk.rules)
            if a.action == "show":
                self.stdout.write(text)
                return 0
            target = Path(a.out)
            if target.exists() and not a.force:
                raise InputError("out", "backup.exists", path=str(target))
            try:
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise unwritable("out", target, exc) from exc
            self.stdout.write(f"{target}\n")
            return 0
        actor = self.who().person()
        try:
            text = Path(a.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError("file", "rules.invalid", reason=str(exc)) from exc
        incoming = rule_files.parse_document(text)
        current = self.desk.rules.raw
        keys = rule_files.changed(current, incoming)
        t = Catalog(detect_language(self.settings.lang))
        if not keys:
            self.stdout.write(t("shell.rules.same") + "\n")
            return 0
        self.stdout.write(rule_files.diff_text(current, incoming))
        if not a.yes:
            if not self.stdin.isatty():
                raise InputError("yes", "rules.confirm")
            answer = input(t("shell.rules.ask") + " ")
            if answer.strip().lower() not in ("y", "yes", "是"):
                self.stdout.write(t("shell.rules.kept") + "\n")
                return 0
        self.desk.save_rule_files(
            actor, {k: incoming[k] for k in keys}, f"rules import {Path(a.file).name}"
        )
        self.stdout.write(t("shell.rules.saved", files=", ".join(keys)) + "\n")
        return 0

    def calendar(self) -> int:
        """``deskui calendar show|add-holiday|add-workday|remove|import|confirm``."""
        from functools import partial

        from deskui.services import calendar as cal

        a = self.args
        if a.action == "show":
            return self.show_year(a.year)
        actor = self.who().person()
        if a.action == "import":
            try:
                text = Path(a.file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError("file", "calendar.file", reason=str(exc)) from exc
            years: list[int] = []

            def imported(raw: dict[str, Any]) -> dict[str, Any]:
                new, year = cal.import_year(raw, text)
                years.append(year)
                return new

            self.desk.change_calendar(actor, imported, f"calendar import {Path(a.file).name}")
            return self.show_year(years[-1])
        if a.action == "confirm":
            change = partial(cal.confirm_year, year=a.year)
            self.desk.change_calendar(actor, change, f"calendar confirm {a.year}")
            return self.show_year(a.year)
        day = cal.parse_day(a.date)
        if a.action == "remove":
            self.desk.change_calendar(
                actor, partial(cal.remove_day, day=day), f"calendar remove {day}"
            )
        else:
            workday = a.action == "add-workday"
            self.desk.change_calendar(
                actor,
                partial(cal.add_day, day=day, workday=workday, name=a.name),
                f"calendar {a.action} {day} {a.name or ''}".strip(),
            )
        return self.show_year(day.year)

    def show_year(self, year: int) -> int:
        """Print ``year`` as the desk's calendar knows it."""
        from deskui.services.calendar import year_of

        shown = year_of(self.desk.rules.calendar, year)
        if self.args.json:
            self.emit(shown.to_json())
            return 0
        t = Catalog(detect_language(self.settings.lang))
        self.stdout.write(f"{year}: {t(f'calendar.coverage.{shown.coverage}')}\n")
        for d in shown.days:
            kind = t("calendar.day.work" if d.workday else "calendar.day.off")
            mark = f"  ({t('calendar.day.desk')})" if d.desk else ""
            self.stdout.write(f"  {d.day.isoformat()}  {kind:4}  {_line(d.name_words(t))}{mark}\n")
        return 0

    def read_password(self) -> str:
        """The new password: asked twice on a terminal (not echoed), else one line of standard
        input (a script's ``deskui user passwd LOGIN < file``); never from the command line.

        Raises:
            InputError: the two entries differ, or nothing was given.
        """
        if self.stdin.isatty():
            import getpass

            first = getpass.getpass("Password: ")
            if getpass.getpass("Again: ") != first:
                raise InputError("password", "field.password_mismatch")
            password = first
        else:
            password = self.stdin.readline().rstrip("\r\n")
        if not password:
            raise InputError("password", "field.required")
        return password

    def confirm(self, actor: Actor, a: argparse.Namespace) -> TicketView:
        """``deskui ticket confirm``: the requester's answer as the desk records it — confirmed
        with ``--satisfaction`` (and ``--aspect NAME=N``), or ``--refuse`` with ``--reason``.

        Raises:
            InputError: an ``--aspect`` that is not NAME=N, or a refusal with no reason.
        """
        if a.refuse:
            if not (a.reason and a.reason.strip()):
                raise InputError("reason", "field.required")
            return self.desk.refuse(actor, a.number, a.reason, a.channel)
        aspects: dict[str, int] = {}
        for given in a.aspect:
            name, _, stars = given.partition("=")
            if name.strip() not in SATISFACTION_ASPECTS:
                raise InputError("aspect", "field.choice", choices=", ".join(SATISFACTION_ASPECTS))
            if not stars.strip().isdigit() or not 1 <= int(stars) <= 5:
                raise InputError(
                    f"satisfaction_{name.strip()}", "field.whole_range", value=stars, low=1, high=5
                )
            if name.strip() in aspects:
                # two answers for one aspect: which the requester gave is not for us to pick
                raise InputError("aspect", "field.repeated", name=name.strip())
            aspects[name.strip()] = int(stars)
        return self.desk.confirm(
            actor,
            a.number,
            a.satisfaction,
            channel=a.channel,
            aspects=aspects,
            remark=a.remark,
        )

    def ticket(self) -> int:
        """``deskui ticket …``: create, show, list and every change."""
        a = self.args
        action = a.action
        if action == "show":
            return self.show(a)
        if action == "search":
            return run_ticket_search(self)
        if action == "list":
            # a list shows every phone masked, the holder's own tickets' too, as the queue does:
            # the whole number is read one ticket at a time (ticket show)
            views = self.desk.tickets(ticket_filter(a, self.desk.rules.tz))
            if a.json:
                self.emit([self.ticket_json(v) for v in views])
            else:
                for view in views:
                    _describe(view, self.stdout, self.catalog)
            return 0
        actor = self.who().person()
        if action == "create":
            try:
                text = self.stdin.read()
            except UnicodeDecodeError as exc:
                raise InputError("input", "field.json_unreadable", reason=exc.reason) from exc
            data = read_json(text)
            view = self.desk.create_ticket(actor, intake_from_json(data))
            created = self.ticket_json(view, whole_phone=view.shows_phone_to(actor))
            notices = _intake_notices(view, Catalog(detect_language(self.settings.lang)))
            if notices:
                created["notices"] = notices
            self.emit(created)
            return 0
        if action == "claim":
            view = self.desk.claim(actor, a.number, takeover=a.takeover)
        elif action == "worklog":
            view = self.desk.worklog(
                actor, a.number, a.text, progress=a.progress, minutes=a.minutes
            )
        elif action == "status":
            view = self.desk.set_status(
                actor, a.number, a.status, note=a.note, satisfaction=a.satisfaction
            )
        elif action == "triage":
            view = self.desk.triage(
                actor, a.number, a.impact, a.urgency, note=a.note, keep_override=a.keep_override
            )
        elif action == "confirm":
            view = self.confirm(actor, a)
        elif action == "escalate":
            view = self.desk.escalate(actor, a.number, a.note, group=a.group)
        elif action == "acknowledge":
            view = self.desk.acknowledge(actor, a.number, alerts=a.alert)
        elif action == "close":
            view = self.desk.set_status(actor, a.number, "closed", note=a.note)
        elif action == "override":
            view = self.desk.override_priority(actor, a.number, a.priority, a.reason)
        elif action == "assign":
            view = self.desk.assign(actor, a.number, a.to)
            return self.emit_assigned(view, actor)
        elif action == "estimate":
            until = time_argument("until", a.until, self.desk.rules.tz)
            view = self.desk.estimate(actor, a.number, a.reason, until)
        elif action == "link" and a.unlink:
            view = self.desk.unlink(actor, a.number, note=a.note)
        elif action == "link":
            view = self.desk.link(actor, a.number, a.parent, note=a.note)
        else:
            view = self.desk.transfer(actor, a.number, a.group, note=a.note)
        self.emit_ticket(view, actor)
        return 0

    def show(self, a: argparse.Namespace) -> int:
        """``deskui ticket show NUMBER [--reveal-phone]``: the ticket as the console's detail
        shows it to the person running the command; ``--reveal-phone`` is the detail's ``v``, an
        audited reading of the requester's whole phone (refused, exit 5, to nobody at the desk)."""
        if a.reveal_phone:
            actor = self.who().person()
            self.emit_ticket(self.desk.reveal_phone(actor, a.number), actor, revealed=True)
        else:
            self.emit_ticket(self.desk.ticket(a.number), self.reader())
        return 0
