"""The ``deskui`` entry point: parse, run, and report a refusal in the user's language.

Bad input names the field on standard error and exits non-zero with nothing written; the exit
code says what kind of failure it was (:mod:`deskui.cli.exits`).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from deskui.cli import exits
from deskui.cli.commands import Cli
from deskui.cli.intake_json import InputError
from deskui.cli.parser import build_parser, language_asked
from deskui.config import DeskGroupRefused, SettingInvalid
from deskui.core.calendar import CalendarCoverageWarning
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog, detect_language
from deskui.services.errors import ServiceError, ValidationFailed


def explain(error: ServiceError, t: Catalog) -> str:
    """The refusal in the catalog's language, naming each field at fault.

    A field is named as the command line and the JSON spell it (``requester.phone``), so a
    script's author finds it in what they sent, in either language.
    """
    if isinstance(error, ValidationFailed):
        return "; ".join(f"{p.field}: {p.words(t)}" for p in error.problems)
    text = error.words(t)
    return f"{error.field}: {text}" if error.field else text


def fail(error: ServiceError, t: Catalog, stderr: TextIO | None = None) -> int:
    """Report ``error`` on standard error and give its exit code."""
    # the wording may quote what was sent (a time, a login); it reaches the terminal clean
    (stderr or sys.stderr).write(f"deskui: {sanitize_line(explain(error, t))}\n")
    return exits.exit_code(error)


def setting_error(error: SettingInvalid) -> InputError:
    """A setting that cannot be used, as bad input naming its environment variable."""
    if error.whole:
        return InputError(error.name, "setting.whole", value=error.value)
    return InputError(error.name, "setting.seconds", value=error.value)


def group_error(error: DeskGroupRefused) -> InputError:
    """``DESKUI_DB_GROUP`` refused, as the command line says it."""
    return InputError(
        "DESKUI_DB_GROUP", f"desk_group.{error.reason}", group=error.group, folder=error.folder
    )


def _defaults(args: argparse.Namespace) -> None:
    # the shared options' actions are shared by every subparser, so their defaults are set
    # here rather than with set_defaults (which would change them for the subparsers too)
    for name, default in (("db", None), ("user", None), ("lang", None), ("json", False)):
        if not hasattr(args, name):
            setattr(args, name, default)


def output_closed() -> int:
    """Stop quietly when the reader of standard output has gone (``deskui user list | head``).

    As a Unix tool killed by ``SIGPIPE``: nothing on standard error, and the exit code a shell
    gives such a tool (:data:`deskui.cli.exits.PIPE_CLOSED`). Standard output is pointed at the
    null device so the interpreter's last flush of what is still buffered does not fail again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError):
        # no file descriptor behind this standard output (an in-memory stream): nothing to flush
        pass
    return exits.PIPE_CLOSED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``deskui`` console script."""
    # a year without an official holiday schedule is said where it matters (calendar show, the
    # status line of admins and duty leads), not as a warning across the terminal or the console
    warnings.filterwarnings("ignore", category=CalendarCoverageWarning)
    words = list(sys.argv[1:] if argv is None else argv)
    t = Catalog(detect_language(language_asked(words)))
    args = build_parser(t).parse_args(words)
    _defaults(args)
    t = Catalog(detect_language(args.lang))
    if args.command in (None, "run"):
        from deskui.cli.console import run_console

        try:
            return run_console(args)
        except SettingInvalid as exc:
            return fail(setting_error(exc), t)
        except DeskGroupRefused as exc:
            return fail(group_error(exc), t)
    try:
        code = Cli(args, sys.stdin, sys.stdout).run()
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return output_closed()
    except SettingInvalid as exc:
        return fail(setting_error(exc), t)
    except DeskGroupRefused as exc:
        return fail(group_error(exc), t)
    except ServiceError as exc:
        return fail(exc, t)
