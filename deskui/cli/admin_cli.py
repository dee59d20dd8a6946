"""The administration on the command line: skills, suggestions, the directory of callers.

``deskui user skills LOGIN --set CATEGORY=LEVEL … --clear CATEGORY …`` (admins),
``deskui ticket suggest NUMBER`` (anyone), and ``deskui directory import|search``. The grammar is
added to the parser by :func:`add_commands`; :func:`run` runs one of them.
"""

from __future__ import annotations

import argparse
from typing import Protocol, TextIO

from deskui.services import skills
from deskui.services.desk import DeskService
from deskui.services.identity import Identity


class Invocation(Protocol):
    """What a command needs of the command line's invocation (:class:`deskui.cli.commands.Cli`)."""

    args: argparse.Namespace
    desk: DeskService
    stdout: TextIO

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


def handles(args: argparse.Namespace) -> bool:
    """The invocation is one of this module's commands."""
    action = getattr(args, "action", None)
    return (args.command, action) in (("user", "skills"), ("ticket", "suggest"))


def run(cli: Invocation) -> int:
    """Run the command; returns the exit code (refusals are raised)."""
    a = cli.args
    if a.command == "ticket":
        return suggest(cli)
    return user_skills(cli)


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
    best = found.best
    cli.stdout.write(f"{a.number}: {found.category} / {found.group or '-'}\n")
    if best is None:
        cli.stdout.write("no skilled agent in the group\n")
    for c in found.candidates:
        mark = "*" if c is best else " "
        cli.stdout.write(f"{mark} {c.login:16} level {c.level}  open {c.open_count}  {c.name}\n")
    return 0
