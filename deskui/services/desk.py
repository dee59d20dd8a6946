"""The desk's front door: each method is one unit of work in its own transaction.

Screens and the command line call these; they receive read models, never live ORM objects,
and a database that cannot be used is always reported as
:class:`~deskui.services.errors.DatabaseUnavailable`, one whose lock did not come in time as
:class:`~deskui.services.errors.DeskBusy`, whatever the driver raised.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, select

from deskui.config import load_toml
from deskui.core import text_index
from deskui.core.clock import Clock, SystemClock
from deskui.core.permissions import Action
from deskui.core.report_periods import Period
from deskui.services import identity, queries, staff, workflow
from deskui.services.access import require
from deskui.services.board import BoardSnapshot, board_snapshot
from deskui.services.changes import ChangeFeed
from deskui.services.directory import RequesterView, search_requesters
from deskui.services.errors import (
    ChangeCancelled,
    DatabaseUnavailable,
    DeskBusy,
    PasswordRequired,
    SaveConflict,
    SchemaBehind,
    SchemaMissing,
    SchemaNewer,
    SchemaUnknown,
    ServiceError,
)
from deskui.services.groups import (
    GroupView,
    add_group,
    edit_group,
    ensure_groups,
    list_groups,
)
from deskui.services.handlers import HandlerChoice, group_handlers
from deskui.services.identity import Identity
from deskui.services.intake import IntakeRequest, create_ticket
from deskui.services.names import DeskNames, desk_names
from deskui.services.queue import GroupChoice, QueueReader
from deskui.services.reports import (
    Report,
    ReportScope,
    ReportTicket,
    build_report,
    report_tickets,
)
from deskui.services.review import ReviewItem, review_items
from deskui.services.rules import (
    DeskRules,
    ensure_rule_settings,
    load_rules,
    save_rule_setting,
    save_rule_settings,
    stored_rule_text,
)
from deskui.services.ticket_filters import TicketFilter
from deskui.services.users import Actor, UserView, list_users, load_actor
from deskui.services.views import OpenTicketView, TicketView
from deskui.store import db as store_db
from deskui.store import pg_roles
from deskui.store.cancel import WriteCancelled
from deskui.store.db import Database
from deskui.store.feed import open_feed
from deskui.store.migrate import SchemaStanding, SchemaState, schema_state, upgrade
from deskui.store.models import DeskSetting, Ticket

T = TypeVar("T")


def database_name(url: str) -> str:
    """The database's short name for the status line and messages, without a password: a
    SQLite file's name (``:memory:`` in memory), otherwise the URL. Works on a URL that does
    not open, or does not even parse."""
    return store_db.display_name(url)


@contextmanager
def _translate_db_errors(db: Database) -> Iterator[None]:
    """The one place a database that cannot be used becomes the services' error.

    A wait that ran out — the store's writer turn, SQLite's busy timeout, PostgreSQL's
    ``lock_timeout`` or ``statement_timeout`` — becomes :class:`DeskBusy` (nothing was written;
    the change can be tried again); a change its sender cancelled while it waited becomes
    :class:`ChangeCancelled` (nothing was written either). The store's own refusal (a SQLite
    file gone) and the driver's other operational errors (a server down, a connection cut) become
    :class:`DatabaseUnavailable`, with the reason. A change the database refuses as a
    duplicate of what another console has just saved (an integrity error) becomes
    :class:`SaveConflict`.
    """
    try:
        yield
    except (DatabaseUnavailable, DeskBusy, ChangeCancelled):
        raise
    except WriteCancelled as exc:
        raise ChangeCancelled(database=db.display_name) from exc
    except store_db.DatabaseBusy as exc:
        raise DeskBusy(database=db.display_name, seconds=exc.seconds) from exc
    except store_db.DatabaseUnavailable as exc:
        raise DatabaseUnavailable(database=db.display_name, reason=exc.reason) from exc
    except IntegrityError as exc:
        # a row another console committed first that this one's would duplicate (a unique
        # index): the whole change was rolled back, and trying again finds the other's row
        raise SaveConflict(database=db.display_name) from exc
    except (OperationalError, DBAPIError) as exc:
        failure = None if db.is_sqlite else pg_roles.login_failure(exc)
        if failure is not None:
            role = make_url(db.url).username or ""
            wrong = failure is pg_roles.LoginFailure.WRONG_PASSWORD
            raise PasswordRequired(database=db.display_name, role=role, wrong=wrong) from exc
        waited = None if exc.connection_invalidated else db.wait_ran_out(exc.orig)
        if waited is not None:
            raise DeskBusy(database=db.display_name, seconds=waited) from exc
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnavailable(database=db.display_name, reason=reason) from exc
        raise


def database_with_password(db: Database, password: str) -> Database:
    """The same desk, logging in with ``password`` (the login screen's answer).

    Raises:
        PasswordRequired: the server refuses it.
        DatabaseUnavailable: the server cannot be reached.
    """
    other = Database(store_db.with_password(db.url, password), waits=db.waits)
    try:
        check_schema(other)
    except ServiceError:
        other.dispose()
        raise
    db.dispose()
    return other


def check_schema(db: Database) -> SchemaState:
    """Where the desk's schema stands; refuse one this deskui cannot tell or use.

    Raises:
        SchemaNewer: a newer deskui migrated the desk.
        SchemaUnknown: the stored revision is no deskui revision.
        SchemaMissing: the desk's tables are there without a revision.
        DatabaseUnavailable: the database cannot be read.
    """
    with _translate_db_errors(db):
        state = schema_state(db)
    revision = "-" if state.revision is None else state.revision
    if state.standing is SchemaStanding.NEWER:
        raise SchemaNewer(database=db.display_name, revision=revision)
    if state.standing is SchemaStanding.UNKNOWN:
        raise SchemaUnknown(database=db.display_name, revision=revision)
    if state.standing is SchemaStanding.MISSING:
        raise SchemaMissing(database=db.display_name)
    return state


def prepare_database(db: Database, now_clock: Clock | None = None) -> None:
    """Check the schema, bring an embedded (SQLite) one up to date, and put in the configured
    rules and groups.

    A shared PostgreSQL desk is never migrated here: every console of the installation would
    race to change a schema the others are using, as whoever happens to start first. Its owner
    runs ``deskui db upgrade``.

    Raises:
        SchemaNewer: a newer deskui migrated the desk.
        SchemaBehind: a PostgreSQL desk's schema is older than this deskui.
    """
    clock = now_clock or SystemClock()
    state = check_schema(db)
    if state.standing is not SchemaStanding.CURRENT:
        if not db.is_sqlite:
            raise SchemaBehind(database=db.display_name, revision=state.revision, head=state.head)
        with _translate_db_errors(db):
            upgrade(db)
    with _translate_db_errors(db), db.write() as session:
        ensure_rule_settings(session, clock.now())
        ensure_groups(session, load_toml("groups").get("groups", []), clock.now())


def upgrade_database(db: Database, now_clock: Clock | None = None) -> SchemaState:
    """``deskui db upgrade``: the explicit migration, on SQLite or PostgreSQL; then the rules
    and groups as :func:`prepare_database` puts them in. Returns the schema's state after.

    Raises:
        SchemaNewer: a newer deskui migrated the desk (nothing is changed).
    """
    if check_schema(db).standing is not SchemaStanding.CURRENT:
        with _translate_db_errors(db):
            upgrade(db)
    prepare_database(db, now_clock)
    return check_schema(db)


class DeskService:
    """Use cases bound to one database and one clock.

    Args:
        db: the desk's database.
        clock: where "now" comes from (frozen in tests).
    """

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self._rules: DeskRules | None = None
        self._rules_text: dict[str, str] = {}

    @property
    def rules(self) -> DeskRules:
        """The desk's rules, read from the database the first time and kept."""
        rules = self._rules
        return rules if rules is not None else self.reload_rules()[0]

    def reload_rules(self) -> tuple[DeskRules, bool]:
        """Read the stored rules again (an admin may have changed them, here or at another
        console); parse them only if they differ from what is held. Reads the database: call
        it from a worker. Returns the rules and whether they changed."""
        with _translate_db_errors(self.db), self.db.read() as session:
            text = stored_rule_text(session)
            rules = self._rules
            if rules is not None and text == self._rules_text:
                return rules, False
            rules = load_rules(session, text)
        self._rules, self._rules_text = rules, text
        return rules, True

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run a read in its own session."""
        with _translate_db_errors(self.db), self.db.read() as session:
            return fn(session)

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run a change in its own write transaction."""
        with _translate_db_errors(self.db), self.db.write() as session:
            return fn(session)

    def save_rules(self, actor: Actor, key: str, value: dict[str, Any], note: str) -> None:
        """An admin replaces one rule file (matrix, SLA, calendar, routing); audited.

        Raises:
            PermissionDenied: not an admin.
            ValidationFailed: the rule set's check refuses it; nothing is written.
            ServiceError: the new rules do not parse, or no reason was given; nothing is written.
        """
        require(actor, Action.CHANGE_RULES)
        if not note or not note.strip():
            raise ServiceError("note.required", field="note")

        def run(session: Session) -> None:
            try:
                save_rule_setting(
                    session,
                    key=key,
                    value=value,
                    actor_id=actor.id,
                    proxy_id=actor.proxy_id,
                    note=note.strip(),
                    now=self.clock.now(),
                )
            except ValueError as exc:
                # the parser's own account of the fault (file, key, value) is the reason
                raise ServiceError("rules.invalid", field=key, reason=str(exc)) from exc

        self.write(run)
        self.reload_rules()

    def save_rule_files(self, actor: Actor, files: dict[str, dict[str, Any]], note: str) -> None:
        """An admin replaces several rule files at once (``deskui rules import``): validated
        together, saved in one transaction, each audited; or nothing is saved.

        Raises:
            PermissionDenied: not an admin.
            ValidationFailed: the rule set's check refuses it (every problem, worded by the
                catalog: :mod:`deskui.services.rule_check`).
            ServiceError: the rules would not parse together (naming the file and key).
        """
        require(actor, Action.CHANGE_RULES)

        def run(session: Session) -> None:
            try:
                save_rule_settings(
                    session,
                    values=files,
                    actor_id=actor.id,
                    proxy_id=actor.proxy_id,
                    note=note,
                    now=self.clock.now(),
                )
            except ValueError as exc:
                raise ServiceError("rules.invalid", field="file", reason=str(exc)) from exc

        self.write(run)
        self.reload_rules()

    def change_calendar(
        self, actor: Actor, change: Callable[[dict[str, Any]], dict[str, Any]], note: str
    ) -> None:
        """An admin changes the business calendar (:mod:`deskui.services.calendar` makes the
        change): read, changed and saved in one transaction, so two admins at once both count.

        Raises:
            PermissionDenied: not an admin.
            ServiceError: the change is refused, or the calendar would not parse.
        """
        require(actor, Action.CHANGE_RULES)

        def run(session: Session) -> None:
            row = session.exec(
                select(DeskSetting).where(DeskSetting.key == "calendar").with_for_update()
            ).first()
            current = json.loads(row.value) if row else load_rules(session).raw["calendar"]
            try:
                save_rule_setting(
                    session,
                    key="calendar",
                    value=change(dict(current)),
                    actor_id=actor.id,
                    proxy_id=actor.proxy_id,
                    note=note,
                    now=self.clock.now(),
                )
            except ValueError as exc:
                raise ServiceError("rules.invalid", field="calendar", reason=str(exc)) from exc

        self.write(run)
        self.reload_rules()

    def actor(self, login: str) -> Actor:
        """The active user with this login, taken as given (raises NotFound with how to add
        one). The entry points establish who is at the console with :meth:`identify`."""
        return self.read(lambda s: load_actor(s, login))

    # who is at the console, and the desk's users -----------------------------------------------
    def identify(
        self, asked: str | None, *, account: str | None = None, demo_login: str | None = None
    ) -> Identity:
        """Who is at the console (see :mod:`deskui.services.identity`).

        Args:
            asked: ``--as`` / ``DESKUI_USER``, if given.
            account: the operating-system account (this process's by default).
            demo_login: who a demo desk seats when nobody is named.

        Raises:
            PermissionDenied: ``asked`` is not this person, nor someone they may act for; the
                account or database role is no (active) desk user.
            NotFound: ``asked`` names nobody at the desk.
        """
        account = account or identity.os_account()
        return self.read(
            lambda s: identity.establish(
                s, sqlite=self.db.is_sqlite, asked=asked, account=account, demo_login=demo_login
            )
        )

    def users(self) -> list[UserView]:
        """Every user of the desk, active or not."""
        return self.read(list_users)

    def add_user(self, who: Identity, **fields: Any) -> UserView:
        """Add a user (see :func:`deskui.services.staff.add`)."""
        now = self.clock.now()
        return self.write(lambda s: staff.add(s, who, sqlite=self.db.is_sqlite, now=now, **fields))

    def edit_user(self, who: Identity, login: str, **changes: Any) -> UserView:
        """Change a user (see :func:`deskui.services.staff.edit`)."""
        now = self.clock.now()
        return self.write(
            lambda s: staff.edit(s, who, sqlite=self.db.is_sqlite, login=login, now=now, **changes)
        )

    def set_user_enabled(self, who: Identity, login: str, *, enabled: bool) -> UserView:
        """Disable a user, or enable them again (see :func:`deskui.services.staff.set_enabled`)."""
        now = self.clock.now()
        return self.write(
            lambda s: staff.set_enabled(
                s, who, sqlite=self.db.is_sqlite, login=login, enabled=enabled, now=now
            )
        )

    def group_views(self) -> list[GroupView]:
        """Every group with its tier, lead and members."""
        return self.read(list_groups)

    def add_group(self, who: Identity, **fields: Any) -> GroupView:
        """An admin adds a group (see :func:`deskui.services.groups.add_group`)."""
        now = self.clock.now()

        def run(session: Session) -> GroupView:
            staff.guard_admin(session, who)
            return add_group(session=session, now=now, actor=who.actor, **fields)

        return self.write(run)

    def edit_group(self, who: Identity, code: str, **changes: Any) -> GroupView:
        """An admin changes a group (see :func:`deskui.services.groups.edit_group`)."""
        now = self.clock.now()

        def run(session: Session) -> GroupView:
            staff.guard_admin(session, who)
            return edit_group(session=session, code=code, now=now, actor=who.actor, **changes)

        return self.write(run)

    def set_password(self, who: Identity, login: str, password: str) -> UserView:
        """Set a shared desk user's password (see :func:`deskui.services.staff.set_password`)."""
        return self.write(lambda s: staff.set_password(s, who, login=login, password=password))

    def _change(self, fn: Callable[..., Ticket], actor: Actor, **kwargs: Any) -> TicketView:
        rules = self.rules
        # a ticket change re-indexes its words: the segmenter's dictionary (about a second) is
        # loaded before the write turn is taken, never while the other consoles wait for it
        text_index.prepare()

        def run(session: Session) -> TicketView:
            now = self.clock.now()
            ticket = fn(session=session, actor=actor, rules=rules, now=now, **kwargs)
            return queries.get_ticket(session=session, number=ticket.number, rules=rules, now=now)

        return self.write(run)

    # intake -----------------------------------------------------------------------------------
    def create_ticket(self, actor: Actor, request: IntakeRequest) -> TicketView:
        """Log a call (see :func:`deskui.services.intake.create_ticket`)."""
        return self._change(create_ticket, actor, data=request)

    def search_requesters(self, query: str, limit: int = 8) -> list[RequesterView]:
        """Callers matching what was typed."""
        return self.read(lambda s: search_requesters(session=s, query=query, limit=limit))

    # working a ticket ------------------------------------------------------------------------
    def claim(self, actor: Actor, number: str, **kwargs: Any) -> TicketView:
        """Claim (or, for a lead, take over) a ticket."""
        return self._change(workflow.claim_ticket, actor, number=number, **kwargs)

    def assign(self, actor: Actor, number: str, assignee: str, **kwargs: Any) -> TicketView:
        """A lead assigns the ticket to an agent."""
        return self._change(
            workflow.assign_ticket, actor, number=number, assignee=assignee, **kwargs
        )

    def triage(self, actor: Actor, number: str, impact: int, urgency: int, **kw: Any) -> TicketView:
        """New impact and urgency; priority and due times recomputed."""
        return self._change(
            workflow.triage_ticket, actor, number=number, impact=impact, urgency=urgency, **kw
        )

    def override_priority(
        self, actor: Actor, number: str, priority: str | None, reason: str, **kw: Any
    ) -> TicketView:
        """A lead overrides the priority with a reason."""
        return self._change(
            workflow.override_priority, actor, number=number, priority=priority, reason=reason, **kw
        )

    def transfer(self, actor: Actor, number: str, group: str, **kw: Any) -> TicketView:
        """Send to another group."""
        return self._change(workflow.transfer_ticket, actor, number=number, group=group, **kw)

    def escalate(self, actor: Actor, number: str, note: str, **kw: Any) -> TicketView:
        """Escalate one tier with a note."""
        return self._change(workflow.escalate_ticket, actor, number=number, note=note, **kw)

    def worklog(self, actor: Actor, number: str, text: str, **kw: Any) -> TicketView:
        """Add a worklog entry (``progress=True`` for an update to the requester)."""
        return self._change(workflow.add_worklog, actor, number=number, text=text, **kw)

    def estimate(
        self, actor: Actor, number: str, reason: str, new_estimate: datetime, **kw: Any
    ) -> TicketView:
        """A target cannot be met: the reason and the new estimate for the requester."""
        return self._change(
            workflow.record_estimate,
            actor,
            number=number,
            reason=reason,
            new_estimate=new_estimate,
            **kw,
        )

    def acknowledge(
        self, actor: Actor, number: str, alerts: Collection[str] | None = None
    ) -> TicketView:
        """A lead acknowledges the ticket's board alerts for every console (``alerts``: only
        these, ``p1`` or a clock's kind; see
        :func:`deskui.services.workflow.acknowledge_alerts`)."""
        return self._change(workflow.acknowledge_alerts, actor, number=number, alerts=alerts)

    def link(self, actor: Actor, number: str, parent: str, **kw: Any) -> TicketView:
        """Put a call under its outage's parent ticket."""
        return self._change(workflow.link_ticket, actor, number=number, parent=parent, **kw)

    def reveal_phone(self, actor: Actor, number: str) -> TicketView:
        """Reveal the requester's whole phone number, on the record (see
        :func:`deskui.services.workflow.reveal_phone`): the ticket with its timeline."""
        return self._change(workflow.reveal_phone, actor, number=number)

    def unlink(self, actor: Actor, number: str, **kw: Any) -> TicketView:
        """Take a call out of its outage."""
        return self._change(workflow.unlink_ticket, actor, number=number, **kw)

    def set_status(self, actor: Actor, number: str, target: str, **kw: Any) -> TicketView:
        """Move along the workflow (pending, solution, confirm, reject, reopen, close …)."""
        return self._change(workflow.change_status, actor, number=number, target=target, **kw)

    def confirm(self, actor: Actor, number: str, satisfaction: int | None, **kw: Any) -> TicketView:
        """The requester confirms the solution, as the desk records it: 1–5 stars, ``channel=``
        (required), optional ``aspects=`` and ``remark=`` (see
        :func:`deskui.services.workflow.confirm_ticket`)."""
        return self._change(
            workflow.confirm_ticket, actor, number=number, satisfaction=satisfaction, **kw
        )

    def refuse(self, actor: Actor, number: str, reason: str, channel: str, **kw: Any) -> TicketView:
        """The requester refuses the solution: reopened in progress with their reason."""
        return self._change(
            workflow.refuse_solution, actor, number=number, reason=reason, channel=channel, **kw
        )

    # reading ---------------------------------------------------------------------------------
    def ticket(self, number: str, with_events: bool = True) -> TicketView:
        """One ticket with clocks and timeline."""
        rules = self.rules
        return self.read(
            lambda s: queries.get_ticket(
                session=s,
                number=number,
                rules=rules,
                now=self.clock.now(),
                with_events=with_events,
            )
        )

    def tickets(self, filters: TicketFilter) -> list[TicketView]:
        """A filtered list, nearest due first."""
        rules = self.rules
        return self.read(
            lambda s: queries.list_tickets(
                session=s, filters=filters, rules=rules, now=self.clock.now()
            )
        )

    def review(self, numbers: Sequence[str]) -> list[ReviewItem]:
        """What each ticket's record lacks for the desk's review (the close dialog lists it)."""
        rules = self.rules
        return self.read(
            lambda s: review_items(session=s, numbers=numbers, rules=rules, now=self.clock.now())
        )

    def group_handlers(self, group_code: str | None) -> list[HandlerChoice]:
        """Whom a lead may assign a ticket of ``group_code`` to (its agents, by name)."""
        return self.read(lambda s: group_handlers(s, group_code))

    def counts(self) -> queries.DeskCounts:
        """Open, P1 and breached counts for the status line."""
        return self.read(lambda s: queries.desk_counts(session=s, now=self.clock.now()))

    def open_tickets(self, requester_id: int, limit: int = 8) -> list[OpenTicketView]:
        """The caller's open tickets, newest first (intake offers to add a repeat call to one)."""
        return self.read(
            lambda s: queries.open_tickets_of(session=s, requester_id=requester_id, limit=limit)
        )

    def board(self) -> BoardSnapshot:
        """The emergency board: open P1/P2 tickets and those with a clock warning or breached."""
        rules = self.rules
        return self.read(lambda s: board_snapshot(session=s, rules=rules, now=self.clock.now()))

    def groups(self) -> list[GroupChoice]:
        """Every group a ticket can be sent to, by tier."""
        return QueueReader.of(self).groups()

    def names(self) -> DeskNames:
        """The names of the desk's people and groups (what the record's codes stand for)."""
        return self.read(desk_names)

    # reports ---------------------------------------------------------------------------------
    def report(self, actor: Actor, period: Period, scope: ReportScope) -> Report:
        """Every table of a report (:func:`deskui.services.reports.build_report`)."""
        now = self.clock.now()
        return self.read(
            lambda s: build_report(session=s, actor=actor, period=period, scope=scope, now=now)
        )

    def report_tickets(
        self, actor: Actor, period: Period, scope: ReportScope, table: str, key: str
    ) -> list[ReportTicket]:
        """The tickets behind one row of a report's table."""
        now = self.clock.now()
        return self.read(
            lambda s: report_tickets(
                session=s, actor=actor, period=period, scope=scope, now=now, table=table, key=key
            )
        )

    # the database ------------------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        """The database's URL, password included: it names the desk (a draft file is kept per
        user and desk); never show it."""
        return self.db.url

    @property
    def database_name(self) -> str:
        """The database's short name for the status line (see :func:`database_name`)."""
        return self.db.display_name

    def open_feed(self, **options: Any) -> ChangeFeed:
        """The change feed that suits this desk's database (not yet running).

        Args:
            options: passed to the feed (``interval=`` for SQLite, ``health_every=`` …).
        """
        return open_feed(self.db.url, **options)
