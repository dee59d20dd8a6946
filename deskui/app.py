"""The console: navigation between the desk's screens, the global keys, theme and language.

No business rule lives here. ``make_app`` builds a :class:`DeskApp` from settings (the console
script, :mod:`deskui.cli.console`, and the tests all use it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from textual import events, work
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from deskui.config import Settings
from deskui.console.context import ConsoleApp
from deskui.console.errors import describe
from deskui.console.gc_policy import CollectorPolicy, QuietMoments
from deskui.console.live import LiveLink, start_live
from deskui.console.messages import ConnectionLost, ConnectionRestored, DeskChanged, LeaveArea
from deskui.console.navigation import close_stacked
from deskui.core.clock import Clock, SystemClock
from deskui.core.enums import Role
from deskui.core.permissions import Action, Refusal, role_may
from deskui.i18n import Catalog, detect_language
from deskui.screens.commands import DeskCommands, DeskPalette
from deskui.screens.help import HelpScreen, key_rows
from deskui.screens.intake import IntakeScreen
from deskui.services.announcements import ANNOUNCEMENT_TABLES, Announcements, AnnouncementView
from deskui.services.changes import ALL_TABLES
from deskui.services.desk import DeskService
from deskui.services.errors import DatabaseUnavailable, NotFound, PermissionDenied
from deskui.services.identity import Identity
from deskui.services.queries import DeskCounts
from deskui.services.seed import DEMO_OPERATOR
from deskui.services.users import Actor
from deskui.store.db import Database
from deskui.widgets.announcement_banner import AnnouncementBanner
from deskui.widgets.status_line import StatusLine

log = logging.getLogger(__name__)

THEMES = {"dark": "textual-dark", "light": "textual-light"}
#: Where each role starts: operators answer the phone, agents work the queue, leads watch SLAs.
START_MODE = {
    Role.OPERATOR: "intake",
    Role.AGENT: "queue",
    Role.DUTY_LEAD: "board",
    Role.ADMIN: "queue",
}


def queue_screen() -> Screen[None]:
    """The live queue (imported when first shown: the console starts faster)."""
    from deskui.screens.queue import QueueScreen

    return QueueScreen()


def admin_screen() -> Screen[None]:
    """The administration (imported when first shown)."""
    from deskui.screens.admin import AdminScreen

    return AdminScreen()


def emergency_board() -> Screen[None]:
    """The emergency board (imported when first shown)."""
    from deskui.screens.emergency import EmergencyBoard

    return EmergencyBoard()


def announcements_screen() -> Screen[None]:
    """The announcements: drafts, review, publication (imported when first shown)."""
    from deskui.screens.announcements import AnnouncementsScreen

    return AnnouncementsScreen()


def knowledge_screen() -> Screen[None]:
    """The knowledge base (imported when first shown)."""
    from deskui.screens.knowledge import KnowledgeScreen

    return KnowledgeScreen()


def reports_screen() -> Screen[None]:
    """The reports (imported when first shown)."""
    from deskui.screens.reports import ReportsScreen

    return ReportsScreen()


class DeskApp(ConsoleApp):
    """The deskui console: navigation between the desk's areas, the global keys, the live feed.

    Screens reach the desk through :class:`~deskui.console.context.DeskContext` (``self.ctx``
    on a :class:`~deskui.console.base.DeskScreen`), never through this class.

    Each area is a Textual mode with its own screen stack: ``intake`` (F2), ``queue`` (F3),
    ``board`` (F4); a mode's screen is built with no arguments the first time it is shown. The
    app runs the desk's change feed (:mod:`deskui.console.live`); what it hears —
    :class:`~deskui.console.messages.DeskChanged`, :class:`~deskui.console.messages.ConnectionLost`,
    :class:`~deskui.console.messages.ConnectionRestored` — it handles (status line, rules) and
    passes on to the screen in front, and a desk change to the board even when it is behind.
    Bindings everywhere are declared with catalog keys as descriptions; the footer, the help
    and the palette word them in the operator's language.
    """

    TITLE = "deskui"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        "intake": IntakeScreen,
        "queue": queue_screen,
        "board": emergency_board,
        "announcements": announcements_screen,
        "admin": admin_screen,
        "knowledge": knowledge_screen,
        "reports": reports_screen,
    }
    COMMANDS = {DeskCommands}

    counts_interval = 2.0
    """Without a change feed, the status line re-reads the counts this often (seconds)."""
    clock_interval = 15.0
    """With the feed, changes arrive as they happen; this re-read only catches what time alone
    changes (a ticket whose due time passes becomes breached without any write)."""
    counts_after_change = 0.2
    """Seconds from a desk change to the status line's new counts (the screen in front reads
    first)."""
    announcements_interval = 5.0
    """How often the banner drops the announcements whose expiry has passed (no database read:
    an expiry is no write, so no change announces it)."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f1",
            "help",
            "shell.key.help",
            tooltip="shell.key.help.tip",
            id="desk.help",
            priority=True,
        ),
        Binding(
            "question_mark",
            "help",
            "shell.key.help",
            tooltip="shell.key.help_q.tip",
            show=False,
            id="desk.help_q",
        ),
        Binding(
            "f2",
            "new_call",
            "shell.key.new_call",
            tooltip="shell.key.new_call.tip",
            id="desk.new_call",
            priority=True,
        ),
        Binding(
            "f3",
            "queue",
            "shell.key.queue",
            tooltip="shell.key.queue.tip",
            id="desk.queue",
            priority=True,
        ),
        Binding(
            "f4",
            "board",
            "shell.key.board",
            tooltip="shell.key.board.tip",
            id="desk.board",
            priority=True,
        ),
        Binding(
            "f5",
            "knowledge",
            "shell.key.knowledge",
            tooltip="shell.key.knowledge.tip",
            id="desk.knowledge",
            priority=True,
        ),
        Binding(
            "f6",
            "announcements",
            "announce.key.screen",
            tooltip="announce.key.screen.tip",
            id="desk.announcements",
            priority=True,
        ),
        Binding(
            "shift+f6",
            "read_announcements",
            "announce.key.read",
            tooltip="announce.key.read.tip",
            show=False,
            id="desk.read_announcements",
            priority=True,
        ),
        Binding(
            "f7",
            "reports",
            "shell.key.reports",
            tooltip="shell.key.reports.tip",
            id="desk.reports",
            priority=True,
        ),
        Binding(  # F7 for someone who may read no report: said, not silently ignored (no
            # description: neither the footer nor the help offers what is refused)
            "f7",
            "refuse_reports",
            "",
            show=False,
            id="desk.reports_refused",
            priority=True,
        ),
        Binding(
            "f8",
            "admin",
            "shell.key.admin",
            tooltip="shell.key.admin.tip",
            id="desk.admin",
            priority=True,
        ),
        Binding(  # F8 for someone who may not see the administration: said, as F7 is
            "f8",
            "refuse_admin",
            "",
            show=False,
            id="desk.admin_refused",
            priority=True,
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            "shell.key.palette",
            tooltip="shell.key.palette.tip",
            show=False,
            id="desk.palette",
            priority=True,
        ),
        Binding(
            "ctrl+t",
            "toggle_theme",
            "shell.key.theme",
            tooltip="shell.key.theme.tip",
            show=False,
            id="desk.theme",
        ),
        Binding(
            "ctrl+q",
            "quit",
            "shell.key.quit",
            tooltip="shell.key.quit.tip",
            id="desk.quit",
            priority=True,
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        desk: DeskService,
        actor: Actor,
        t: Catalog,
        clock: Clock,
        start_mode: str | None = None,
        live: bool = True,
        collector: CollectorPolicy | None = None,
        demo: bool = False,
    ) -> None:
        # Textual reads the first mode from this class attribute while it initialises
        self.DEFAULT_MODE = start_mode or START_MODE.get(actor.role, "queue")  # type: ignore[misc]  # per-instance on purpose: the start depends on the role
        super().__init__(desk=desk, actor=actor, t=t, clock=clock, demo=demo)
        self.settings = settings
        """What this run is pointed at (database URL, user, language, theme)."""
        self.theme = THEMES.get(settings.theme, THEMES["dark"])
        self.previous_mode: str | None = None
        """The area the operator came from (escape on the intake form goes back there)."""
        self.live: LiveLink | None = None
        """The running change feed, if any."""
        self._want_live = live
        self._counts_timer: Timer | None = None
        self.quiet_moments = QuietMoments(self, collector) if collector is not None else None
        """When full garbage-collection passes run (the console's; None in tests)."""

    @property
    def desk(self) -> DeskService:
        """The use cases (the context's)."""
        return self.context.desk

    # start-up ----------------------------------------------------------------------------
    def on_mount(self) -> None:
        """Dress the first screen, start the change feed, read the counts."""
        self.screen_change_signal.subscribe(self, self._dress_screen)
        # every screen already up: a dialog opened at start (the offer to restore a draft) may
        # already sit on the first screen, which still needs its status line
        for screen in self.screen_stack:
            self._dress_screen(screen)
        interval = self.counts_interval
        if self._want_live:
            try:
                self.live = start_live(self, self.desk.open_feed())
                interval = self.clock_interval
            except Exception:  # noqa: BLE001 - without a feed the console still works, by polling
                log.exception("no change feed for %s; polling instead", self.desk.database_name)
        self.refresh_counts()
        self.set_interval(interval, self.refresh_counts, name="counts")
        self.refresh_announcements()
        self.set_interval(
            self.announcements_interval, self.expire_announcements, name="announcements"
        )
        if self.quiet_moments is not None:
            self.quiet_moments.start()

    async def on_event(self, event: events.Event) -> None:
        """A key is activity: no garbage-collection pass while someone types."""
        if self.quiet_moments is not None and isinstance(event, events.Key):
            self.quiet_moments.activity()
        await super().on_event(event)

    def on_unmount(self) -> None:
        """Stop the change feed."""
        if self.live is not None:
            self.live.stop()

    def announce(self, tables: frozenset[str]) -> None:
        """This console wrote to ``tables``: show it here now and tell the other consoles."""
        if self.live is not None:
            self.live.notify_local(tables)
        super().announce(tables)

    def _dress_screen(self, screen: Screen[object]) -> None:
        """Give a newly shown screen the status line."""
        if not isinstance(screen, ModalScreen) and not screen.query(StatusLine):
            screen.mount(StatusLine())
        if not isinstance(screen, ModalScreen) and not screen.query(AnnouncementBanner):
            screen.mount(AnnouncementBanner())
        screen.refresh_bindings()

    def _areas(self) -> Iterator[tuple[str, list[Screen[Any]]]]:
        """Each area built so far, with its screen stack."""
        for mode in self.MODES:
            try:
                yield mode, self.get_screen_stack(mode)
            except KeyError:  # not shown yet
                continue

    # navigation ----------------------------------------------------------------------------
    def _close_modals(self) -> None:
        """Close the help and the palette before leaving an area (the area left keeps the rest
        of its screens: escape on the intake form comes back to them)."""
        while isinstance(self.screen, HelpScreen | CommandPalette):
            self.screen.dismiss(None)

    def open_area(self, mode: str, *, own_screen: bool = True) -> None:
        """Show one of the desk's areas (``intake``, ``queue``, ``board`` …).

        Args:
            mode: the area.
            own_screen: show the area's own screen, closing what was left stacked on it (an
                F-key); a dialog holding typed work stays in front, and says so
                (:mod:`deskui.console.navigation`). False: the area as it was left (back).
        """
        self._close_modals()
        with self.batch_update():
            if mode != self.current_mode:
                self.previous_mode = self.current_mode
                self.switch_mode(mode)
            if own_screen and not close_stacked(self):
                self.notify(self.context.t("shell.nav.work_kept"), markup=False)

    def action_new_call(self) -> None:
        """F2: a phone is ringing — the intake form, cursor in the caller field (with a call
        still in the form, the operator is asked first: go on with it, or a new call)."""
        self.open_area("intake")
        screen = self.screen
        if isinstance(screen, IntakeScreen):
            screen.new_call()

    def action_queue(self) -> None:
        """F3: the live queue."""
        self.open_area("queue")

    def action_board(self) -> None:
        """F4: the emergency board."""
        self.open_area("board")

    def action_announcements(self) -> None:
        """F6: the announcements (drafts, review, publication)."""
        self.open_area("announcements")

    def action_read_announcements(self) -> None:
        """shift+F6: every announcement shown now, in full."""
        from deskui.screens.announcements import AnnouncementsReader

        self._close_modals()
        if not isinstance(self.screen, AnnouncementsReader):
            self.push_screen(AnnouncementsReader())

    def action_admin(self) -> None:
        """F8: the administration (admins change, duty leads read)."""
        if role_may(self.context.actor.role, Action.VIEW_SETTINGS):
            self.open_area("admin")

    def action_knowledge(self) -> None:
        """F5: the knowledge base."""
        self.open_area("knowledge")

    def action_reports(self) -> None:
        """F7: the reports (leads and admins: the desk's; an agent: their own)."""
        self.open_area("reports")

    def _refuse(self, action: Action) -> None:
        """The role's refusal of ``action``, as a toast (a key that is not this person's)."""
        refused = PermissionDenied(
            Refusal.ROLE.value, action=action, role=str(self.context.actor.role)
        )
        self.notify(describe(refused, self.context.t), severity="warning", markup=False)

    def action_refuse_reports(self) -> None:
        """F7 for someone who may read no report (an operator): the refusal, as a toast."""
        self._refuse(Action.READ_OWN_REPORT)

    def action_refuse_admin(self) -> None:
        """F8 for someone who may not see the administration (operators, agents)."""
        self._refuse(Action.VIEW_SETTINGS)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F8 only for those who may see the administration; F7 only for those who may read a
        report (an operator reads none): neither is shown to anyone else, who is told why
        when they press it (``refuse_*``)."""
        if action in ("admin", "refuse_admin"):
            may = role_may(self.context.actor.role, Action.VIEW_SETTINGS)
            return may if action == "admin" else not may
        if action == "reports":
            from deskui.screens.reports import may_read_reports

            return may_read_reports(self.context.actor)
        if action == "refuse_reports":
            from deskui.screens.reports import may_read_reports

            return not may_read_reports(self.context.actor)
        return True

    def on_leave_area(self, _message: LeaveArea) -> None:
        """A screen is done: back to the area the operator came from."""
        target = self.previous_mode
        if target is None or target == self.current_mode:
            target = "queue" if self.current_mode != "queue" else "intake"
        self.open_area(target, own_screen=False)

    def action_help(self) -> None:
        """F1 / ?: the keys of the screen in front of the operator."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(key_rows(self, self.screen, self.context.t)))

    def action_command_palette(self) -> None:
        """ctrl+p: every action, searchable, in the operator's language."""
        if not isinstance(self.screen, CommandPalette):
            self.push_screen(
                DeskPalette(
                    providers=[DeskCommands],
                    placeholder=self.context.t("shell.palette.placeholder"),
                    id="--command-palette",
                )
            )

    async def action_quit(self) -> None:
        """ctrl+q: the half-typed call is on disk before the console closes."""
        for _mode, stack in self._areas():
            for screen in stack:
                if isinstance(screen, IntakeScreen):
                    screen.save_draft_now()
        await super().action_quit()

    def action_toggle_theme(self) -> None:
        """Switch between the light and the dark theme."""
        self.theme = THEMES["light"] if self.theme == THEMES["dark"] else THEMES["dark"]

    # live figures ----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="counts")
    def refresh_counts(self) -> DeskCounts:
        """Read the status line's counts (a worker: the database is never read on the loop)."""
        return self.desk.counts()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The counts arrived; or one of the app's own workers (counts, rules, clipboard)
        failed: a database that went away raises the banner, anything else is logged and
        shown — never dropped."""
        worker, error = event.worker, event.worker.error
        if worker.group == "counts" and event.state == WorkerState.SUCCESS:
            if isinstance(worker.result, DeskCounts):
                self.counts = worker.result
                if self.connection_problem is not None:
                    self.post_message(ConnectionRestored())
        elif event.state == WorkerState.ERROR and error is not None:
            if isinstance(error, DatabaseUnavailable):
                reason = describe(error, self.context.t)
                if self.connection_problem != reason:
                    self.post_message(ConnectionLost(reason))
                return
            log.error("worker %r of the console failed", worker.name, exc_info=error)
            self.notify(describe(error, self.context.t), severity="error", markup=False)

    def on_desk_changed(self, message: DeskChanged) -> None:
        """Something changed on the desk: tell the screen in front, then re-read the counts.

        The screen in front reads first: what the operator is looking at gets the processor
        before the status line's figures, which follow :attr:`counts_after_change` later (a
        burst of changes costs one read of the counts).
        """
        if self.quiet_moments is not None:
            self.quiet_moments.activity()
        if "desk_setting" in message.tables:
            self._reload_rules()
        if ANNOUNCEMENT_TABLES & message.tables:
            self.refresh_announcements()
        self.screen.post_message(DeskChanged(message.tables))
        # the board rings for a new P1 even while another screen is in front
        for mode, stack in self._areas():
            if mode == "board" and stack and stack[0] is not self.screen:
                stack[0].post_message(DeskChanged(message.tables))
        if self._counts_timer is None:
            self._counts_timer = self.set_timer(
                self.counts_after_change, self._counts_after_change, name="counts-after-change"
            )

    @work(thread=True, exclusive=True, exit_on_error=False, group="rules")
    def _reload_rules(self) -> None:
        """The rules may have changed: read them (off the loop); if they did, everything shown
        is read again under the new ones."""
        _rules, changed = self.desk.reload_rules()
        if changed:
            self.post_message(DeskChanged(ALL_TABLES - {"desk_setting"}))

    @work(thread=True, exclusive=True, exit_on_error=False, group="announcements")
    def refresh_announcements(self) -> None:
        """Read the announcements shown now (a worker: never on the loop)."""
        shown = tuple(Announcements(self.desk).active())
        self.call_from_thread(self._show_announcements, shown)

    def _show_announcements(self, shown: tuple[AnnouncementView, ...]) -> None:
        if shown != self.announcements:
            self.announcements = shown

    def expire_announcements(self) -> None:
        """Drop the announcements whose expiry has passed (by the console's clock)."""
        now = self.context.clock.now()
        self._show_announcements(tuple(a for a in self.announcements if a.content.expires_at > now))

    def _counts_after_change(self) -> None:
        self._counts_timer = None
        self.refresh_counts()

    def on_connection_lost(self, message: ConnectionLost) -> None:
        """Show the banner; the screen in front may want to know too."""
        self.connection_problem = message.reason or self.context.t("shell.status.feed_lost")
        self.screen.post_message(ConnectionLost(self.connection_problem))

    def on_connection_restored(self, _message: ConnectionRestored) -> None:
        """Hide the banner."""
        self.connection_problem = None
        self.screen.post_message(ConnectionRestored())


def make_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    database: Database | None = None,
    desk: DeskService | None = None,
    demo: bool = False,
    identity: Identity | None = None,
    start_mode: str | None = None,
    live: bool = True,
    collector: CollectorPolicy | None = None,
) -> DeskApp:
    """Build the console for a prepared database (the schema must be current).

    Reads the user at the keyboard and the desk's rules before the app starts, so no screen
    ever waits on them.

    Args:
        settings: the database, user, language and theme.
        clock: "now" (frozen in tests); the system clock by default.
        database: an open database; one is built from ``settings.database_url`` otherwise.
        desk: the use cases on an open database (a test's desk, with its clock); ``database``
            and ``clock`` are then taken from it.
        demo: a demo desk, where nobody named at the keyboard means the demo operator (the
            status line says it is a demo desk).
        identity: who is at the console, established by
            :meth:`~deskui.services.desk.DeskService.identify` (the console script's path);
            without it ``settings.user`` is taken as given (an in-process caller: the tests).
        start_mode: the area to open first; by default the one for the user's role.
        live: run the change feed (off: the counts are polled, nothing else is live).
        collector: the garbage-collection policy to follow (:func:`run_console` installs one;
            tests run many apps in one process and leave the collector alone).

    Raises:
        NotFound: the user is not at this desk (or nobody was named on a real desk).
        DatabaseUnavailable: the database cannot be read.
    """
    if desk is None:
        db = database or Database(settings.database_url, waits=settings.waits)
        desk = DeskService(db, clock or SystemClock())
    if identity is not None:
        actor = identity.person()
        demo = demo or identity.demo
    else:
        login = settings.user or (DEMO_OPERATOR if demo else None)
        if login is None:
            raise NotFound("user.missing", field="user")
        actor = desk.actor(login)
    desk.rules  # noqa: B018 - read once now, so the form's matrix never touches the database
    return DeskApp(
        settings,
        desk=desk,
        actor=actor,
        t=Catalog(detect_language(settings.lang)),
        clock=desk.clock,
        start_mode=start_mode,
        live=live,
        collector=collector,
        demo=demo,
    )
