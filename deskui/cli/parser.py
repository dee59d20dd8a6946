"""The command line's grammar: the shared options and every subcommand.

The shared options (``--db``, ``--as``, ``--lang``, ``--json``) are accepted before and after a
subcommand.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from deskui.cli import admin_cli
from deskui.cli.intake_json import InputError
from deskui.cli.kb import add_kb_parser, add_ticket_search_parser
from deskui.core.enums import Role
from deskui.core.worked import MAX_MINUTES, MIN_MINUTES
from deskui.i18n import Catalog
from deskui.services.views import CONFIRMATION_CHANNELS

#: The most rows one ``--limit`` asks for.
MAX_LIMIT = 10_000


def whole_number(low: int, high: int, t: Catalog) -> Callable[[str], int]:
    """An argparse ``type`` taking a whole number from ``low`` to ``high``.

    Anything else is refused by argparse (exit 2, the usage line) in the catalog's words.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                InputError("", "field.whole_number", value=text).words(t)
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                InputError("", "field.whole_range", value=text, low=low, high=high).words(t)
            )
        return value

    return parse


def language_asked(argv: list[str]) -> str | None:
    """The ``--lang`` given on the command line, read before the whole of it is parsed."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", choices=("zh", "en"))
    known, _ = early.parse_known_args(argv)
    lang: str | None = known.lang
    return lang


def build_parser(t: Catalog | None = None) -> argparse.ArgumentParser:
    """The whole command line, refusals of a malformed value worded by ``t`` (English if none)."""
    t = t or Catalog("en")
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

    db = sub.add_parser("db", parents=[common], help="database schema and backup")
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("upgrade", parents=[common], help="migrate the schema to this deskui's")
    db_sub.add_parser("current", parents=[common], help="the schema's revision and standing")
    backup = db_sub.add_parser(
        "backup",
        parents=[common],
        help="a consistent copy of a SQLite desk (pg_dump for PostgreSQL)",
    )
    backup.add_argument("path", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace an existing file")

    audit = sub.add_parser("audit", parents=[common], help="the audit record")
    audit_sub = audit.add_subparsers(dest="action", required=True)
    verify = audit_sub.add_parser(
        "verify", parents=[common], help="recompute every chain and replay every ticket"
    )
    verify.add_argument(
        "--expect", metavar="DIGEST", help="the record digest an earlier verify printed"
    )

    seed = sub.add_parser("seed", parents=[common], help="fill a desk")
    seed.add_argument("--demo", action="store_true", required=True, help="a demo desk")
    seed.add_argument("--callers", type=int, default=300)
    seed.add_argument("--tickets", type=int, default=120)

    report = sub.add_parser(
        "report", parents=[common], help="a period's figures: volume, SLA, times, satisfaction"
    )
    report.add_argument(
        "--period", required=True, help="2026-11, 2026-W48 or 2026-11-01..2026-11-30"
    )
    report.add_argument("--group", help="one group's tickets (its code)")
    report.add_argument("--agent", metavar="LOGIN", help="one agent's tickets")
    report.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    report.add_argument("--out", metavar="FILE", help="where to write (default: standard output)")

    sub.add_parser(
        "whoami", parents=[common], help="who you are at this desk, and how that was established"
    )

    user = sub.add_parser("user", parents=[common], help="desk users (admins)")
    user_sub = user.add_subparsers(dest="action", required=True)
    add = user_sub.add_parser("add", parents=[common], help="add a user")
    add.add_argument("login")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=[str(r) for r in Role])
    add.add_argument("--group", action="append", default=[], help="group code (repeatable)")
    add.add_argument(
        "--os-login",
        help="one machine: the OS account the user works from (default: the same login)",
    )
    add.add_argument(
        "--db-role",
        help="shared desk: the PostgreSQL login role (default: DESKUI_PG_ROLE_PREFIX + login)",
    )
    edit = user_sub.add_parser("edit", parents=[common], help="change a user")
    edit.add_argument("login")
    edit.add_argument("--name")
    edit.add_argument("--role", choices=[str(r) for r in Role])
    edit.add_argument(
        "--group", action="append", default=None, help="group code (repeatable; replaces them)"
    )
    edit.add_argument("--os-login", help="one machine: bind the user to this OS account")
    for verb, text in (("disable", "the user can no longer act"), ("enable", "undo a disable")):
        toggle = user_sub.add_parser(verb, parents=[common], help=text)
        toggle.add_argument("login")
    passwd = user_sub.add_parser(
        "passwd", parents=[common], help="shared desk: set a password (asked for, never an option)"
    )
    passwd.add_argument("login")
    user_sub.add_parser("list", parents=[common])

    group = sub.add_parser("group", parents=[common], help="support groups (admins change them)")
    group_sub = group.add_subparsers(dest="action", required=True)
    group_sub.add_parser("list", parents=[common])
    group_add = group_sub.add_parser("add", parents=[common], help="a new group")
    group_add.add_argument("code")
    group_add.add_argument("--name-zh", required=True)
    group_add.add_argument("--name-en", required=True)
    group_add.add_argument(
        "--tier", type=whole_number(1, 3, t), required=True, help="1 desk, 2 specialists, 3 vendor"
    )
    group_edit = group_sub.add_parser("edit", parents=[common], help="change a group")
    group_edit.add_argument("code")
    group_edit.add_argument("--name-zh")
    group_edit.add_argument("--name-en")
    group_edit.add_argument("--tier", type=whole_number(1, 3, t))
    group_edit.add_argument("--lead", help="a member's login, or - for none")

    rules = sub.add_parser("rules", parents=[common], help="the desk's rules as one TOML document")
    rules_sub = rules.add_subparsers(dest="action", required=True)
    rules_sub.add_parser("show", parents=[common], help="print the rules")
    export = rules_sub.add_parser("export", parents=[common], help="write the rules to a file")
    export.add_argument("--out", required=True, help="the TOML file to write")
    export.add_argument("--force", action="store_true", help="replace an existing file")
    rules_import = rules_sub.add_parser(
        "import", parents=[common], help="bring changed rules to this desk (admins)"
    )
    rules_import.add_argument("file")
    rules_import.add_argument(
        "--yes", action="store_true", help="apply without asking (scripts); the diff is shown"
    )

    calendar = sub.add_parser("calendar", parents=[common], help="the business calendar")
    cal_sub = calendar.add_subparsers(dest="action", required=True)
    show_year = cal_sub.add_parser("show", parents=[common], help="a year's days off and workdays")
    show_year.add_argument("year", type=whole_number(2000, 2200, t))
    for verb, text in (
        ("add-holiday", "a day off on top of the statutory ones (admins)"),
        ("add-workday", "a make-up workday, or a statutory holiday the desk works (admins)"),
    ):
        day = cal_sub.add_parser(verb, parents=[common], help=text)
        day.add_argument("date", help="YYYY-MM-DD")
        day.add_argument("--name", help="元旦, 春节调休 …")
    remove = cal_sub.add_parser("remove", parents=[common], help="remove the desk's entry (admins)")
    remove.add_argument("date", help="YYYY-MM-DD")
    imported = cal_sub.add_parser(
        "import", parents=[common], help="a year's official schedule from a TOML file (admins)"
    )
    imported.add_argument("file")
    confirm = cal_sub.add_parser(
        "confirm",
        parents=[common],
        help="the desk's entries are the year's whole schedule (admins)",
    )
    confirm.add_argument("year", type=whole_number(2000, 2200, t))

    ticket = sub.add_parser("ticket", parents=[common], help="tickets")
    t_sub = ticket.add_subparsers(dest="action", required=True)
    t_sub.add_parser("create", parents=[common], help="create from a JSON object on stdin")
    show = t_sub.add_parser("show", parents=[common])
    show.add_argument("number")
    show.add_argument(
        "--reveal-phone",
        action="store_true",
        help="the requester's whole phone number, which only the ticket's holder sees unasked: "
        "recorded on the ticket (phone_revealed), as the console's v is",
    )
    lst = t_sub.add_parser("list", parents=[common])
    lst.add_argument(
        "--status",
        action="append",
        default=[],
        help="repeatable or comma-separated (resolved,closed); all: every status",
    )
    lst.add_argument("--priority", action="append", default=[])
    lst.add_argument("--group")
    lst.add_argument("--assignee", help="a login, or - for unassigned")
    lst.add_argument(
        "--limit",
        type=whole_number(1, MAX_LIMIT, t),
        default=100,
        help=f"at most this many tickets (1 to {MAX_LIMIT})",
    )
    lst.add_argument("--from", dest="date_from", help="received on or after: a day or a time")
    lst.add_argument("--to", dest="date_to", help="received by this day, or before a time")
    lst.add_argument("--type", action="append", default=[], help="incident, service_request, …")
    lst.add_argument("--category", action="append", default=[], help="hardware, network, …")
    lst.add_argument("--channel", action="append", default=[], help="phone, portal, email, …")
    lst.add_argument(
        "--search",
        help="number, words (Chinese too), requester's name or pinyin, phone; every status "
        "unless --status is given",
    )
    claim = t_sub.add_parser("claim", parents=[common])
    claim.add_argument("number")
    claim.add_argument("--takeover", action="store_true", help="a duty lead takes it over")
    worklog = t_sub.add_parser("worklog", parents=[common])
    worklog.add_argument("number")
    worklog.add_argument("--text", required=True)
    worklog.add_argument(
        "--progress", action="store_true", help="a progress update sent to the requester"
    )
    worklog.add_argument(
        "--minutes",
        type=whole_number(MIN_MINUTES, MAX_MINUTES, t),
        help=f"whole minutes spent, {MIN_MINUTES}–{MAX_MINUTES}",
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
    triage.add_argument("--note", help="why (required when the priority goes down)")
    triage.add_argument(
        "--keep-override",
        action="store_true",
        help="keep a duty lead's priority override (otherwise re-triage clears it)",
    )
    confirm = t_sub.add_parser(
        "confirm",
        parents=[common],
        help="record the requester's answer to the solution (the desk, never the solver)",
    )
    confirm.add_argument("number")
    answer = confirm.add_mutually_exclusive_group(required=True)
    answer.add_argument("--satisfaction", type=whole_number(1, 5, t), help="1 to 5 stars")
    answer.add_argument(
        "--refuse", action="store_true", help="the requester says it is not solved: reopen"
    )
    confirm.add_argument(
        "--aspect",
        action="append",
        default=[],
        metavar="NAME=N",
        help="stars for speed, professionalism, effect or attitude (repeatable)",
    )
    confirm.add_argument(
        "--channel", required=True, choices=CONFIRMATION_CHANNELS, help="how the answer came"
    )
    confirm.add_argument("--remark", help="the requester's remark on the stars")
    confirm.add_argument("--reason", help="the requester's reason, with --refuse")
    acknowledge = t_sub.add_parser(
        "acknowledge",
        parents=[common],
        help="a lead acknowledges the ticket's emergency-board alerts, for every console",
    )
    acknowledge.add_argument("number")
    acknowledge.add_argument(
        "--alert",
        action="append",
        choices=["p1", "response", "update", "resolution"],
        help="only this alert: the P1 itself or a clock in breach (repeatable; default: all)",
    )
    escalate = t_sub.add_parser("escalate", parents=[common])
    escalate.add_argument("number")
    escalate.add_argument("--note", required=True)
    escalate.add_argument("--group")
    transfer = t_sub.add_parser("transfer", parents=[common])
    transfer.add_argument("number")
    transfer.add_argument("--group", required=True)
    transfer.add_argument("--note")
    close = t_sub.add_parser(
        "close", parents=[common], help="close a resolved ticket after review (the desk)"
    )
    close.add_argument("number")
    close.add_argument("--note")
    override = t_sub.add_parser(
        "override", parents=[common], help="a lead sets the priority by hand, or clears it"
    )
    override.add_argument("number")
    which = override.add_mutually_exclusive_group(required=True)
    which.add_argument("--priority", choices=["P1", "P2", "P3", "P4"])
    which.add_argument("--clear", action="store_true", help="the matrix's priority again")
    override.add_argument("--reason", required=True)
    assign = t_sub.add_parser("assign", parents=[common], help="a lead assigns to an agent")
    assign.add_argument("number")
    assign.add_argument("--to", required=True, dest="to", help="the agent's login")
    estimate = t_sub.add_parser(
        "estimate", parents=[common], help="the target cannot be met: reason and new estimate"
    )
    estimate.add_argument("number")
    estimate.add_argument(
        "--until",
        required=True,
        help="the new estimate, ISO 8601 (2026-12-01T18:00: the desk's local time; or +08:00 …)",
    )
    estimate.add_argument("--reason", required=True)
    whole = sub.add_parser(
        "export", parents=[common], help="the whole desk as one portable file (admins)"
    )
    whole.add_argument("--out", required=True, help="the archive to write")
    whole.add_argument("--force", action="store_true", help="replace an existing file")
    restore = sub.add_parser(
        "import", parents=[common], help="restore an export into an empty desk (its installer)"
    )
    restore.add_argument("file", help="an archive written by deskui export")

    from deskui.cli.announce import add_announce_parser  # its own module: announcements

    add_announce_parser(sub, common, lambda low, high: whole_number(low, high, t))
    admin_cli.add_user_commands(user_sub, common)
    admin_cli.add_ticket_commands(t_sub, common)
    admin_cli.add_directory_commands(sub, common)
    link = t_sub.add_parser("link", parents=[common], help="put a call under its outage's parent")
    link.add_argument("number")
    joined = link.add_mutually_exclusive_group(required=True)
    joined.add_argument("--parent", help="the outage's parent ticket")
    joined.add_argument("--unlink", action="store_true", help="take the call out of its outage")
    link.add_argument("--note")
    add_ticket_search_parser(t_sub, common)
    add_kb_parser(sub, common)
    return parser
