"""``deskui`` with no subcommand: open the console, or say plainly why it cannot open.

On the embedded default database the first run fills a demo desk and, with nobody named, seats
the demo operator. Who is at the console is established by :mod:`deskui.services.identity` (the
OS account, or the PostgreSQL role logged in as); a person who cannot be established, a user
unknown to the desk, or a database that cannot be opened ends the command with a message in the
user's language and the exit code the README documents.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from deskui.app import make_app
from deskui.cli import exits
from deskui.config import Settings
from deskui.console import paste_guard
from deskui.console.gc_policy import CollectorPolicy
from deskui.core.clock import SystemClock
from deskui.i18n import Catalog, detect_language
from deskui.services.desk import (
    DeskService,
    check_schema,
    database_name,
    database_with_password,
    prepare_database,
)
from deskui.services.errors import (
    DatabaseUnavailable,
    DeskBusy,
    IdentityRefused,
    NotFound,
    PasswordRequired,
    SchemaMismatch,
)
from deskui.services.seed import DEMO_OPERATOR
from deskui.store.db import Database

if TYPE_CHECKING:
    from deskui.screens.login import LoginApp


def _is_embedded_default(args: argparse.Namespace) -> bool:
    return not args.db and not os.environ.get("DESKUI_DATABASE_URL")


def login_screen(
    db: Database, asked: PasswordRequired, t: Catalog
) -> tuple[LoginApp, list[Database]]:
    """The login screen for ``db``, whose server asked for a password (``asked``), and the list
    that receives the database logged in with the password it accepts."""
    from deskui.screens.login import LoginApp

    accepted: list[Database] = []

    def attempt(password: str) -> None:
        accepted.append(database_with_password(db, password))

    app = LoginApp(
        t=t, database=asked.database, role=asked.role, attempt=attempt, wrong=asked.wrong
    )
    return app, accepted


def _log_in(db: Database, t: Catalog) -> Database | None:
    """The shared desk's database, once its server has let the person in: at once when no
    password is asked (or libpq found one), else after the login screen; None if they left.

    Raises:
        ServiceError: the server cannot be used for another reason (unreachable, a newer schema).
    """
    try:
        check_schema(db)
        return db
    except PasswordRequired as asked:
        app, accepted = login_screen(db, asked, t)
        return accepted[-1] if app.run() is not None and accepted else None


def run_console(args: argparse.Namespace) -> int:
    """Open the console; the process exit code once it closes (or why it could not open)."""
    settings = Settings.from_env(db=args.db, user=args.user, lang=args.lang)
    t = Catalog(detect_language(settings.lang))
    embedded = _is_embedded_default(args)
    display = database_name(settings.database_url)
    try:
        db = Database(settings.database_url, waits=settings.waits)
        if not db.is_sqlite:
            logged_in = _log_in(db, t)
            if logged_in is None:
                sys.stderr.write(t("shell.cli.left") + "\n")
                return exits.NOT_ALLOWED
            db = logged_in
        prepare_database(db)
        desk = DeskService(db, SystemClock())
        if embedded:
            from deskui.services.seed import DeskHoldsData, is_seeded, seed_demo

            if not desk.read(is_seeded):
                sys.stderr.write(t("shell.cli.seeding") + "\n")
                # another console starting on the same new desk may have seeded it first
                with contextlib.suppress(DeskHoldsData):
                    seed_demo(desk)
        who = desk.identify(settings.user, demo_login=DEMO_OPERATOR)
        if who.actor is None:
            db_flag = f" --db {args.db}" if args.db else ""
            key = "shell.cli.installation" if not db.is_sqlite else "shell.cli.new_desk"
            sys.stderr.write(t(key, db=display, account=who.account, db_flag=db_flag) + "\n")
            return exits.NOT_ALLOWED if not db.is_sqlite else exits.INPUT
        collector = CollectorPolicy()
        app = make_app(settings, desk=desk, identity=who, collector=collector)
    except IdentityRefused as exc:
        sys.stderr.write(t("shell.cli.refused", reason=exc.words(t)) + "\n")
        return exits.NOT_ALLOWED
    except NotFound:
        login = settings.user or ""
        db_flag = f" --db {args.db}" if args.db else ""
        text = t("shell.cli.unknown_user", login=login, db=display, db_flag=db_flag)
        sys.stderr.write(text + "\n")
        return exits.INPUT
    except DatabaseUnavailable as exc:
        sys.stderr.write(t("shell.cli.unavailable", reason=exc.words(t)) + "\n")
        return exits.DATABASE
    except SchemaMismatch as exc:
        # newer than this deskui, or a shared desk's that only its owner migrates
        sys.stderr.write(f"deskui: {exc.words(t)}\n")
        return exits.DATABASE
    except DeskBusy as exc:
        # another console's unfinished change held the database past the lock wait at start-up
        sys.stderr.write(f"deskui: {exc.words(t)}\n")
        return exits.exit_code(exc)
    except (SQLAlchemyError, OSError) as exc:
        # the URL itself is wrong, or the file cannot be made: the driver's words, no password
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(t("shell.cli.no_database", db=display, reason=reason) + "\n")
        return exits.DATABASE
    # everything loaded so far lives as long as the console: frozen, and full passes only in
    # quiet moments from now on
    collector.install()
    paste_guard.install()  # a pasted escape byte stays text (see deskui.console.paste_guard)
    app.run()
    return app.return_code or 0
