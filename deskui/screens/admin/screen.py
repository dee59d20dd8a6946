"""The administration (F8): the desk's users, groups, priority matrix, SLA targets, business
calendar and routing, in six sections (keys 1–6).

Admins change them; duty leads read them (the keys that change are not offered them: the rule
is :data:`~deskui.core.permissions.Action.CHANGE_RULES`, the one the services enforce). Every change
is made in a form (:class:`~deskui.screens.admin.form.AdminForm`) and saved through
:mod:`deskui.services.admin`, which validates it first and saves it through the audited services;
a refusal shows in the form in the catalog's words, with what was typed. The screen reads
everything in one worker, and again whenever the desk changes (this console or another).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import Worker

from deskui.console.base import DeskScreen
from deskui.console.errors import describe
from deskui.console.messages import DeskChanged, LeaveArea
from deskui.core.enums import IMPACTS, Category, ClockKind, Priority
from deskui.core.permissions import Action, role_may
from deskui.core.rule_preview import preview_matrix
from deskui.screens.admin.form import AdminForm, FormField, Preview, Values
from deskui.screens.admin.sections import (
    SECTIONS,
    Section,
    fits,
    hours_fields,
    hours_text,
    table_of,
    warning_percent,
)
from deskui.services import admin, directory_file
from deskui.services.admin import AdminData, WorkingHours
from deskui.services.directory_file import SheetRows
from deskui.services.directory_import import ImportSummary, import_directory
from deskui.services.errors import ServiceError, ValidationFailed, problem
from deskui.services.identity import Identity
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.keys import desk_key

#: What a change of people writes, for the other consoles.
PEOPLE_TABLES = frozenset(
    {"desk_user", "user_group", "support_group", "agent_skill", "setting_event"}
)
#: What a change of the rules writes.
RULE_TABLES = frozenset({"desk_setting", "setting_event"})
#: What an import of the directory writes.
DIRECTORY_TABLES = frozenset({"requester"})
#: The bad rows a directory import's confirmation lists before "and N more".
BAD_ROWS_SHOWN = 12
#: Which keys change something, in which sections.
EDITS: dict[str, tuple[str, ...]] = {
    "add": ("users", "groups", "calendar"),
    "import_directory": ("users",),
    "edit": ("users", "groups", "matrix", "sla", "routing"),
    "toggle_user": ("users",),
    "warning": ("sla",),
    "hours": ("calendar",),
    "workday": ("calendar",),
    "remove": ("calendar",),
    "confirm": ("calendar",),
}
#: A tab's padding, left and right, besides its label.
TAB_PADDING = 2
#: Keys that only move around a section.
VIEWS: dict[str, tuple[str, ...]] = {
    "previous_year": ("calendar",),
    "next_year": ("calendar",),
}


@dataclass(frozen=True)
class Followup:
    """What a change hands back instead of "saved": the notice to show, and what to open next
    (a dry run's confirmation), once its form has closed."""

    notice: str
    then: Callable[[], None] | None = None


class AdminScreen(DeskScreen[None]):
    """The desk's people and rules, for its admins (duty leads read)."""

    CSS_PATH = "admin.tcss"

    BINDINGS = [
        desk_key("n", "add", "admin.key.add"),
        desk_key("e", "edit", "admin.key.edit"),
        desk_key("enter", "edit", "admin.key.edit", show=False),
        desk_key("d", "toggle_user", "admin.key.toggle"),
        desk_key("i", "import_directory", "admin.key.import_directory"),
        desk_key("p", "warning", "admin.key.warning"),
        desk_key("h", "hours", "admin.key.hours"),
        desk_key("w", "workday", "admin.key.workday"),
        desk_key("x", "remove", "admin.key.remove"),
        desk_key("c", "confirm", "admin.key.confirm"),
        desk_key("left_square_bracket", "previous_year", "admin.key.previous_year"),
        desk_key("right_square_bracket", "next_year", "admin.key.next_year"),
        desk_key("escape", "back", "admin.key.back"),
        *(
            desk_key(str(i), f"section('{name}')", "admin.key.section", show=False)
            for i, name in enumerate(SECTIONS, start=1)
        ),
    ]

    class Loaded(Message):
        """A read of the administration arrived."""

        def __init__(self, data: AdminData) -> None:
            super().__init__()
            self.data = data

    class Applied(Message):
        """A change went through (or was refused: ``error``)."""

        def __init__(
            self,
            form: AdminForm,
            tables: frozenset[str],
            error: ServiceError | None,
            result: object = None,
        ) -> None:
            super().__init__()
            self.form = form
            self.tables = tables
            self.error = error
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.data: AdminData | None = None
        """The latest read (None until the first arrives)."""
        self.year: int | None = None
        """The calendar year shown (None: the one the desk must enter next, or this year)."""
        self.form: AdminForm | None = None
        """The form whose change is under way."""

    @property
    def editable(self) -> bool:
        """The person at the console may change what is shown (an admin)."""
        return role_may(self.ctx.actor.role, Action.CHANGE_RULES)

    def compose(self) -> ComposeResult:
        t = self.ctx.t
        title = t("admin.title") + ("" if self.editable else "  ·  " + t("admin.read_only"))
        yield Static(title, id="admin-title", markup=False)
        with TabbedContent(id="admin-tabs"):
            for name in SECTIONS:
                with TabPane(t(f"admin.tab.{name}"), id=f"tab-{name}"):
                    yield Section(name)
        yield Static(t("admin.loading"), id="admin-notice", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Read everything; the first section's table takes the keys."""
        self.section(SECTIONS[0]).table.focus()
        self.refresh_bindings()
        self.reload()

    # reading -----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the administration again (in a worker)."""
        self._load(self.year)

    @work(thread=True, exclusive=True, exit_on_error=False, group="admin-load")
    def _load(self, year: int | None) -> None:
        desk = self.ctx.desk
        if year is None:
            today = desk.clock.now().astimezone(desk.rules.tz).date()
            year = desk.rules.calendar.year_to_enter(today) or today.year
        self.post_message(self.Loaded(admin.read_admin(desk, year)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        first = self.data is None
        self.data = message.data
        self.year = message.data.year
        self._show()
        if first:  # "loading" goes; what a change said stays through the reads it causes
            self.query_one("#admin-notice", Static).update("")
        self.refresh_bindings()

    def _show(self) -> None:
        """Fill every section from the latest read, as wide as the terminal allows."""
        data, t = self.data, self.ctx.t
        if data is None:
            return
        vip = t("admin.yes") if data.rules["matrix"].get("vip_raise", True) else t("admin.no")
        coverage = t(f"admin.calendar.coverage.{data.calendar.coverage}", year=data.year)
        about = {
            "matrix": t("admin.vip", state=vip),
            "sla": t("admin.sla.warning", percent=warning_percent(data)),
            "calendar": f"{hours_text(data, t)}\n{coverage}",
        }
        for name in SECTIONS:
            heads, rows = table_of(name, data, t, narrow=False)
            if not fits(heads, rows, self.size.width):
                heads, rows = table_of(name, data, t, narrow=True)
            self.section(name).fill(about.get(name, ""), heads, rows)

    def _label_tabs(self) -> None:
        """The tabs' labels, shortened where the whole row of them would not fit."""
        t, tabs = self.ctx.t, self.query_one(TabbedContent)
        labels = [t(f"admin.tab.{name}") for name in SECTIONS]
        if sum(cell_len(label) + TAB_PADDING for label in labels) > self.size.width:
            labels = [t(f"admin.tab.{name}.short") for name in SECTIONS]
        for name, label in zip(SECTIONS, labels, strict=True):
            tabs.get_tab(f"tab-{name}").label = label

    def on_resize(self, _event: events.Resize) -> None:
        """A narrower or wider terminal: the tabs and tables give way, or take the room back."""
        self._label_tabs()
        self._show()

    def on_desk_changed(self, _message: DeskChanged) -> None:
        """Another console (or this one) changed the desk: read again."""
        self.reload()

    # sections ----------------------------------------------------------------------------------
    def section(self, name: str) -> Section:
        """The section called ``name``."""
        return self.query_one(f"#section-{name}", Section)

    @property
    def current(self) -> str:
        """The section in front."""
        active = self.query_one(TabbedContent).active
        return active.removeprefix("tab-") if active else SECTIONS[0]

    def action_section(self, name: str) -> None:
        """1–6: show a section, its table under the cursor."""
        self.query_one(TabbedContent).active = f"tab-{name}"
        self.section(name).table.focus()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        """enter on a line: change it."""
        event.stop()
        if self.check_action("edit", ()):
            self.action_edit()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, _event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys of another section, and changes for a reader, are not offered; changes are
        greyed until the first read has arrived."""
        if action in EDITS:
            if self.current not in EDITS[action] or not self.editable:
                return False
            return True if self.data is not None else None
        if action in VIEWS:
            return self.current in VIEWS[action]
        return True

    def action_back(self) -> None:
        """Back to the area the operator came from."""
        self.post_message(LeaveArea())

    def action_previous_year(self) -> None:
        """Show the calendar of the year before."""
        if self.year is not None:
            self.year -= 1
            self.reload()

    def action_next_year(self) -> None:
        """Show the calendar of the year after."""
        if self.year is not None:
            self.year += 1
            self.reload()

    # changing ----------------------------------------------------------------------------------
    def open_form(
        self,
        title: str,
        fields: list[FormField],
        apply: Callable[[Values], object],
        tables: frozenset[str],
        preview: Callable[[Values], Preview] | None = None,
        intro: tuple[str, ...] = (),
    ) -> None:
        """Open a form whose values ``apply`` saves (in a worker); ``apply`` may hand back a
        :class:`Followup`."""
        form: AdminForm

        def send(values: Values) -> None:
            self.form = form
            self._apply(form, apply, values, tables)

        form = AdminForm(title, fields, send, preview=preview, intro=intro)
        self.app.push_screen(form)

    @work(thread=True, exit_on_error=False, group="admin-change")
    def _apply(
        self,
        form: AdminForm,
        apply: Callable[[Values], object],
        values: Values,
        tables: frozenset[str],
    ) -> None:
        try:
            result = apply(values)
        except ServiceError as error:
            self.post_message(self.Applied(form, tables, error))
            return
        self.post_message(self.Applied(form, tables, None, result))

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        self.form = None
        if message.error is not None:
            message.form.failed(describe(message.error, self.ctx.t))
            return
        message.form.done()
        followup = message.result if isinstance(message.result, Followup) else None
        notice = followup.notice if followup else self.ctx.t("admin.saved")
        self.query_one("#admin-notice", Static).update(notice)
        if message.tables:
            self.ctx.announce(message.tables)
            self.reload()
        if followup is not None and followup.then is not None:
            followup.then()

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A change that failed unexpectedly gives its form back with the reason."""
        if worker.group == "admin-change" and self.form is not None:
            self.form.failed(describe(error, self.ctx.t))
            self.form = None
            return True
        return False

    def _field(self, name: str, value: object = "") -> FormField:
        return FormField(name, self.ctx.t(f"admin.field.{name}"), str(value))

    def _identity(self) -> Identity:
        return admin.console_identity(self.ctx.actor, sqlite=self.ctx.desk.db.is_sqlite)

    def action_add(self) -> None:
        """n: add a user, a group, or a day off (by section)."""
        t, desk, f = self.ctx.t, self.ctx.desk, self._field
        section = self.current
        if section == "users":
            self.open_form(
                t("admin.form.add_user"),
                [f("login"), f("name"), f("role", "agent"), f("groups")],
                lambda v: desk.add_user(
                    self._identity(),
                    login=v["login"],
                    name=v["name"],
                    role=v["role"].strip(),
                    groups=admin.codes(v["groups"]),
                ),
                PEOPLE_TABLES,
            )
        elif section == "groups":
            self.open_form(
                t("admin.form.add_group"),
                [f("code"), f("name_zh"), f("name_en"), f("tier", 2)],
                lambda v: desk.add_group(
                    self._identity(),
                    code=v["code"],
                    name_zh=v["name_zh"],
                    name_en=v["name_en"],
                    tier=admin.whole(v["tier"], "tier"),
                ),
                PEOPLE_TABLES,
            )
        elif section == "calendar":
            self._day_form(workday=False)

    def action_workday(self) -> None:
        """w: add a make-up workday."""
        self._day_form(workday=True)

    def _day_form(self, *, workday: bool) -> None:
        t, desk = self.ctx.t, self.ctx.desk
        year = self.year or self.ctx.clock.now().year
        self.open_form(
            t("admin.form.workday" if workday else "admin.form.holiday"),
            [self._field("date", f"{year}-"), FormField("name", t("admin.field.day_name"))],
            lambda v: admin.add_calendar_day(
                desk, self.ctx.actor, v["date"], v["name"], workday=workday
            ),
            RULE_TABLES,
        )

    def action_edit(self) -> None:
        """e / enter: change the line under the cursor (by section)."""
        data, section = self.data, self.current
        if data is None:
            return
        key = self.section(section).current_key()
        edit = {
            "users": self._edit_user,
            "groups": self._edit_group,
            "sla": self._edit_sla,
            "routing": self._edit_route,
        }
        if section == "matrix":
            self._edit_matrix(data)
        elif key is not None and section in edit:
            edit[section](data, key)

    def _edit_user(self, data: AdminData, login: str) -> None:
        user = next(u for u in data.users if u.login == login)
        desk, f = self.ctx.desk, self._field
        self.open_form(
            self.ctx.t("admin.form.edit_user", login=login),
            [
                f("name", user.name),
                f("role", user.role),
                f("groups", " ".join(user.groups)),
                f("leads", data.led_group(login) or ""),
                f("skills", " ".join(f"{c}={lv}" for c, lv in data.skills.get(login, {}).items())),
            ],
            lambda v: admin.edit_user(
                desk,
                self._identity(),
                login,
                name=v["name"],
                role=v["role"].strip(),
                groups=admin.codes(v["groups"]),
                leads=v["leads"],
                skill_text=v["skills"],
            ),
            PEOPLE_TABLES,
        )

    def _edit_group(self, data: AdminData, code: str) -> None:
        group = next(g for g in data.groups if g.code == code)
        desk, f = self.ctx.desk, self._field
        self.open_form(
            self.ctx.t("admin.form.edit_group", group=code),
            [
                f("name_zh", group.name_zh),
                f("name_en", group.name_en),
                f("tier", group.tier),
                f("lead", group.lead or ""),
                f("members", " ".join(group.members)),
            ],
            lambda v: admin.edit_group(
                desk,
                self._identity(),
                code,
                name_zh=v["name_zh"],
                name_en=v["name_en"],
                tier=admin.whole(v["tier"], "tier"),
                lead=v["lead"],
                members=admin.codes(v["members"]),
            ),
            PEOPLE_TABLES,
        )

    def _edit_matrix(self, data: AdminData) -> None:
        t, desk = self.ctx.t, self.ctx.desk
        rows = dict(data.rules["matrix"].get("matrix", {}))
        fields = [FormField(f"I{i}", f"I{i}", " ".join(rows.get(f"I{i}", []))) for i in IMPACTS]
        vip = t("admin.yes") if data.rules["matrix"].get("vip_raise", True) else t("admin.no")
        fields.append(self._field("vip", vip))

        def apply(values: Values) -> None:
            matrix, vip_raise = admin.matrix_of(values)
            admin.save_matrix(desk, self.ctx.actor, matrix, vip_raise=vip_raise)

        self.open_form(
            t("admin.form.matrix"), fields, apply, RULE_TABLES, preview=partial(self._preview, data)
        )

    def _preview(self, data: AdminData, values: Values) -> Preview:
        """What the typed matrix would change among the open tickets."""
        t = self.ctx.t
        try:
            matrix, vip_raise = admin.matrix_of(values)
        except ServiceError as error:
            return Preview(t("admin.preview.invalid", reason=describe(error, t)), valid=False)
        preview = preview_matrix(data.open_tickets, matrix, vip_raise=vip_raise)
        kept = t("admin.preview.kept", count=preview.kept_by_override)
        if not preview.changed:
            return Preview(t("admin.preview.none") + (kept if preview.kept_by_override else ""))
        moves = ", ".join(f"{n} {a}→{b}" for (a, b), n in preview.moves.items())
        text = t("admin.preview.changes", count=preview.changed, moves=moves)
        return Preview(text + (kept if preview.kept_by_override else ""))

    def _edit_sla(self, data: AdminData, key: str) -> None:
        priority, desk = Priority(key), self.ctx.desk
        targets, t = data.rules["sla"].get("targets", {}).get(key, {}), self.ctx.t
        self.open_form(
            t("admin.form.sla", priority=key),
            [
                self._field(str(k), admin.target_text(str(targets.get(str(k), "")), t))
                for k in ClockKind
            ],
            lambda v: admin.save_sla_targets(
                desk, self.ctx.actor, priority, {k: v[str(k)] for k in ClockKind}
            ),
            RULE_TABLES,
        )

    def action_warning(self) -> None:
        """p: the share of a target at which clocks warn."""
        if self.data is None:
            return
        desk = self.ctx.desk
        self.open_form(
            self.ctx.t("admin.form.warning"),
            [self._field("warning", warning_percent(self.data))],
            lambda v: admin.save_warning(desk, self.ctx.actor, v["warning"]),
            RULE_TABLES,
        )

    def action_hours(self) -> None:
        """h: the working day."""
        if self.data is None:
            return
        desk, now = self.ctx.desk, hours_fields(self.data)
        self.open_form(
            self.ctx.t("admin.form.hours"),
            [self._field(name, value) for name, value in now.items()],
            lambda v: admin.save_hours(
                desk,
                self.ctx.actor,
                WorkingHours(v["start"], v["end"], v["lunch"], v["weekdays"]),
            ),
            RULE_TABLES,
        )

    def action_remove(self) -> None:
        """x: remove the desk's own entry for the day under the cursor."""
        key = self.section("calendar").current_key()
        if key is None:
            return
        day, desk = date.fromisoformat(key), self.ctx.desk
        self.open_form(
            self.ctx.t("admin.form.remove", day=key),
            [],
            lambda _v: admin.remove_calendar_day(desk, self.ctx.actor, day),
            RULE_TABLES,
        )

    def action_confirm(self) -> None:
        """c: the desk's entries are the shown year's whole schedule."""
        year, desk = self.year, self.ctx.desk
        if year is None:
            return
        self.open_form(
            self.ctx.t("admin.form.confirm", year=year),
            [],
            lambda _v: admin.confirm_calendar_year(desk, self.ctx.actor, year),
            RULE_TABLES,
        )

    def _edit_route(self, data: AdminData, category: str) -> None:
        routes = data.rules["routing"].get("categories", {})
        desk, t = self.ctx.desk, self.ctx.t
        self.open_form(
            t("admin.form.route", category=t(f"category.{Category(category)}")),
            [self._field("group", routes.get(category, ""))],
            lambda v: admin.save_route(desk, self.ctx.actor, category, v["group"]),
            RULE_TABLES,
        )

    def action_toggle_user(self) -> None:
        """d: disable the user under the cursor, or enable them again."""
        data, login = self.data, self.section("users").current_key()
        if data is None or login is None:
            return
        user = next(u for u in data.users if u.login == login)
        desk = self.ctx.desk
        self.open_form(
            self.ctx.t("admin.form.edit_user", login=login)
            + "  ·  "
            + self.ctx.t("admin.key.toggle"),
            [],
            lambda _v: desk.set_user_enabled(self._identity(), login, enabled=not user.active),
            PEOPLE_TABLES,
        )

    # the directory of callers -------------------------------------------------------------------
    def action_import_directory(self) -> None:
        """i: import an HR export of callers: a dry run first, its summary to confirm."""
        self.open_form(
            self.ctx.t("admin.form.directory"),
            [self._field("file")],
            self._plan_directory,
            frozenset(),
        )

    def _plan_directory(self, values: Values) -> Followup:
        """(worker) Read the file and see what importing it would do; nothing is written."""
        typed = values["file"].strip()
        if not typed:
            raise ValidationFailed([problem("file", "directory.no_file")])
        path = Path(typed).expanduser()
        sheet = directory_file.read_file(path)
        summary = import_directory(self.ctx.desk, self._identity(), sheet, dry_run=True)
        said = summary.words(self.ctx.t)
        return Followup(said, partial(self._confirm_directory, path, sheet, summary))

    def _confirm_directory(self, path: Path, sheet: SheetRows, summary: ImportSummary) -> None:
        """The dry run's summary and bad rows; ctrl+s imports the good rows."""
        t = self.ctx.t
        lines = [summary.words(self.ctx.t)]
        reported = summary.reported()
        for row in reported[:BAD_ROWS_SHOWN]:
            lines.append(row.line_words(t))
        hidden = len(reported) - BAD_ROWS_SHOWN
        if hidden > 0:
            lines.append(t("admin.directory.more_bad", count=hidden))
        lines.append(t("admin.directory.confirm_hint"))
        self.open_form(
            t("admin.form.directory_confirm", file=path.name),
            [],
            partial(self._import_directory, sheet),
            DIRECTORY_TABLES,
            intro=tuple(lines),
        )

    def _import_directory(self, sheet: SheetRows, _values: Values) -> Followup:
        """(worker) Import the good rows in one transaction, saying how far it got."""
        form, total, t = self.form, len(sheet.rows), self.ctx.t

        def progress(done: int) -> None:
            if form is not None:
                said = t("admin.directory.progress", done=done, total=total)
                self.app.call_from_thread(form.show_error, said)

        summary = import_directory(self.ctx.desk, self._identity(), sheet, progress=progress)
        said = [summary.words(t), summary.record_words(t)]
        return Followup("  ·  ".join(s for s in said if s))
