"""The administration on the command line: skills, suggestions, the directory of callers.

``deskui user skills LOGIN --set CATEGORY=LEVEL … --clear CATEGORY …`` (admins),
``deskui ticket suggest NUMBER`` (anyone), and ``deskui directory import|search``. The grammar is
added to the parser by :func:`add_commands`; :func:`run` runs one of them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TextIO

from deskui.cli import exits
from deskui.config import Settings
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog, detect_language
from deskui.services import directory_file, skills
from deskui.services import directory_import as directory_import_service
from deskui.services.desk import DeskService
from deskui.services.identity import Identity


class Invocation(Protocol):
    """What a command needs of the command line's invocation (:class:`deskui.cli.commands.Cli`)."""

    args: argparse.Namespace
    desk: DeskService
    stdout: TextIO
    settings: Settings

    def who(self) -> Identity:
        """Who is at the console."""
        ...

    def emit(self, payload: object) -> None:
        """Print JSON."""
        ...


def add_user_commands(
    user_sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``deskui user skills``."""
    skill = user_sub.add_parser(
        "skills", parents=[common], help="an agent's skills: category=level 1-5 (admins change)"
    )
    skill.add_argument("login")
    skill.add_argument(
        "--set", action="append", default=[], metavar="CATEGORY=LEVEL", help="add or change"
    )
    skill.add_argument("--clear", action="append", default=[], metavar="CATEGORY")


def add_ticket_commands(
    t_sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``deskui ticket suggest``."""
    suggest = t_sub.add_parser(
        "suggest", parents=[common], help="the skilled agent with the least open work, and why"
    )
    suggest.add_argument("number")


def add_directory_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """``deskui directory import|search``."""
    directory = sub.add_parser("directory", parents=[common], help="the directory of callers")
    d_sub = directory.add_subparsers(dest="action", required=True)
    imported = d_sub.add_parser(
        "import", parents=[common], help="an HR export, CSV (UTF-8 or GBK) or XLSX (admins)"
    )
    imported.add_argument("file")
    imported.add_argument(
        "--dry-run", action="store_true", help="report what would change, write nothing"
    )
    search = d_sub.add_parser("search", parents=[common], help="find callers as intake does")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=20)


def handles(args: argparse.Namespace) -> bool:
    """The invocation is one of this module's commands."""
    action = getattr(args, "action", None)
    pairs = (("user", "skills"), ("ticket", "suggest"))
    return args.command == "directory" or (args.command, action) in pairs


def run(cli: Invocation) -> int:
    """Run the command; returns the exit code (refusals are raised)."""
    a = cli.args
    if a.command == "directory":
        return directory_import(cli) if a.action == "import" else directory_search(cli)
    if a.command == "ticket":
        return suggest(cli)
    return user_skills(cli)


def directory_import(cli: Invocation) -> int:
    """Import an HR export: the summary first, the settings-trail event that records it, then
    each bad row by line; exit 2 when rows were left out (the good ones are in), 0 when every
    row was used."""
    a = cli.args
    sheet = directory_file.read_file(Path(a.file))
    progress = _progress(len(sheet.rows)) if sys.stderr.isatty() and not a.json else None
    summary = directory_import_service.import_directory(
        cli.desk, cli.who(), sheet, dry_run=a.dry_run, progress=progress
    )
    if progress is not None:
        sys.stderr.write("\n")
    if a.json:
        cli.emit(summary.to_json())
    else:
        t = Catalog(detect_language(cli.settings.lang))
        cli.stdout.write(summary.words(t) + "\n")
        recorded = summary.record_words(t)
        if recorded is not None:
            cli.stdout.write(recorded + "\n")
        for row in summary.reported():
            cli.stdout.write(sanitize_line(row.line_words(t)) + "\n")
    return exits.INPUT if summary.problems else exits.OK


def _progress(total: int) -> Callable[[int], None]:
    def show(done: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    return show


def directory_search(cli: Invocation) -> int:
    """Callers matching the text: name, pinyin, phone in any format, extension, employee id.

    Every phone is masked, whoever asks, admins included. This is the intake's caller lookup,
    whose list the console masks for everyone; no screen lists the directory with whole numbers
    (the administration imports it but has no list of callers), and a caller's number is shown
    whole only on a ticket, to its holder or once revealed on the record (``ticket show
    --reveal-phone``). Typing a whole number still finds its caller.
    """
    a = cli.args
    found = cli.desk.search_requesters(a.text, limit=max(1, min(a.limit, 200)))
    if a.json:
        cli.emit([r.to_json() for r in found])
        return 0
    for r in found:
        parts = [
            r.name,
            r.shown_phone() or "-",
            r.extension or "",
            r.employee_id or "",
            r.department or "",
        ]
        vip = "  VIP" if r.vip else ""
        cli.stdout.write(sanitize_line("  ".join(p for p in parts if p)) + vip + "\n")
    return 0


def user_skills(cli: Invocation) -> int:
    """Show a user's skills, or change them (``--set``/``--clear``, admins)."""
    a = cli.args
    if a.set or a.clear:
        changes = skills.parse_assignments(a.set)
        result = skills.change_skills(
            cli.desk,
            cli.who(),
            a.login,
            changes=changes,
            clear=[c.strip().casefold() for c in a.clear],
        )
    else:
        result = skills.matrix(cli.desk).get(a.login.strip().casefold(), {})
    if a.json:
        cli.emit({"login": a.login.strip().casefold(), "skills": result})
    else:
        text = " ".join(f"{c}={lv}" for c, lv in result.items()) or "-"
        cli.stdout.write(f"{a.login.strip().casefold()}: {text}\n")
    return 0


def suggest(cli: Invocation) -> int:
    """Whom to give the ticket to, and why."""
    a = cli.args
    found = skills.suggest(cli.desk, a.number)
    if a.json:
        cli.emit(found.to_json())
        return 0
    t = Catalog(detect_language(cli.settings.lang))
    best = found.best
    group = found.group or "-"
    cli.stdout.write(t("suggest.heading", number=a.number, category=found.category, group=group))
    cli.stdout.write("\n")
    if best is None:
        cli.stdout.write(t("suggest.none") + "\n")
    for c in found.candidates:
        mark = "*" if c is best else " "
        line = t("suggest.line", login=c.login, name=c.name, level=c.level, count=c.open_count)
        cli.stdout.write(sanitize_line(f"{mark} {line}") + "\n")
    return 0
