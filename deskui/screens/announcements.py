"""Announcements (F6): by state, with the editor, the review, publication and withdrawal.

A group's member drafts (``n``) and edits (``e``) an announcement and submits it (``s``); the
group's lead or a duty lead approves it (``a``) or returns it with a question (``r``); the service
desk publishes it (``p``) exactly as approved, or returns it with a doubt; a withdrawal (``w``)
asks for the reason. What a key may do to the announcement under the cursor is decided by
:mod:`deskui.core.announcements` — the rules the services enforce — and a key that does not
apply is greyed. Every change goes through a form that keeps what was typed if it is refused.

:class:`AnnouncementsReader` (shift+F6, from anywhere) shows every announcement published now,
in full.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import DataTable, Label, Static
from textual.worker import Worker

from deskui.console.base import DeskModal, DeskScreen
from deskui.console.context import console_app
from deskui.console.errors import describe
from deskui.console.messages import DeskChanged
from deskui.core.announcements import AnnouncementFacts, AnnouncementState, announcement_refusal
from deskui.core.permissions import Action
from deskui.core.sanitize import sanitize_line, sanitize_text
from deskui.i18n import Catalog
from deskui.screens.ticket_forms import NoteForm, TicketForm, plain
from deskui.services.announcements import (
    ANNOUNCEMENT_TABLES,
    AnnouncementInput,
    Announcements,
    AnnouncementView,
)
from deskui.services.errors import ValidationFailed
from deskui.widgets.announcement_banner import when
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.keys import desk_key
from deskui.widgets.safe_input import SafeInput, SafeTextArea

S = AnnouncementState
#: The states in the order of their keys (1 … 6).
STATES = (S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED, S.EXPIRED, S.WITHDRAWN)
#: Screen action → the rules' action it takes on the announcement under the cursor.
ACTIONS: dict[str, Action] = {
    "edit": Action.ANNOUNCE_EDIT,
    "submit": Action.ANNOUNCE_SUBMIT,
    "approve": Action.ANNOUNCE_APPROVE,
    "send_back": Action.ANNOUNCE_RETURN,
    "publish": Action.ANNOUNCE_PUBLISH,
    "withdraw": Action.ANNOUNCE_WITHDRAW,
}
#: How times are typed in the editor (the desk's local time).
TIME_FORMAT = "%Y-%m-%d %H:%M"


def words(error: BaseException, t: Catalog) -> str:
    """A refusal in the operator's language; every field at fault of refused input, named."""
    if isinstance(error, ValidationFailed):
        named = [
            f"{t(f'field.{p.field}') if t.has(f'field.{p.field}') else p.field}: {p.words(t)}"
            for p in error.problems
        ]
        return sanitize_line("; ".join(named))
    return describe(error, t)


def local(value: datetime | None, zone: tzinfo) -> str:
    """A time as the editor shows it ("" for none)."""
    return value.astimezone(zone).strftime(TIME_FORMAT) if value is not None else ""


def service_name(service: str, t: Catalog) -> str:
    """An affected service as the console names it: a call category in the console's language,
    anything else (a system, a site) as written."""
    key = f"category.{service.strip().lower()}"
    return t(key) if t.has(key) else service


def full_text(view: AnnouncementView, t: Catalog, zone: tzinfo) -> Text:
    """One announcement in full: heading, text, and what the record says of it (plain text)."""
    c = view.content
    out = Text()
    out.append(sanitize_line(c.title) + "\n", style="bold")
    out.append(
        f"{t(f'announce.state.{view.state}')} · {sanitize_line(view.group_name(t.lang))} · "
        f"{when(view, t, zone)}\n",
        style="italic",
    )
    out.append("\n" + sanitize_text(c.body) + "\n\n")
    if c.services:
        services = t.join(service_name(s, t) for s in c.services)
        out.append(f"{t('field.services')}: {sanitize_line(services)}\n")
    out.append(f"{t('field.expires_at')}: {local(c.expires_at, zone)}\n")
    author = view.author_name or view.author
    out.append(t("announce.detail.author", login=sanitize_line(author)) + "\n")
    if view.approved_by:
        approver = view.approved_by_name or view.approved_by
        out.append(t("announce.detail.approved", login=sanitize_line(approver)) + "\n")
    if view.published_by and view.published_at:
        out.append(
            t(
                "announce.detail.published",
                login=sanitize_line(view.published_by_name or view.published_by),
                at=local(view.published_at, zone),
            )
        )
        if view.late_seconds is not None:
            out.append(f"  {t('announce.late', minutes=view.late_seconds // 60)}", style="bold")
        out.append("\n")
    if view.question:
        out.append(
            t("announce.detail.question", question=sanitize_line(view.question)) + "\n",
            style="bold",
        )
    if view.withdraw_reason:
        out.append(
            t("announce.detail.withdrawn", reason=sanitize_line(view.withdraw_reason)) + "\n"
        )
    return out


class AnnouncementEditor(TicketForm[AnnouncementInput]):
    """A draft's or an edit's content: title, group, services, window, expiry, text.

    Args:
        title: the heading.
        send: gets the content on ``ctrl+s``.
        current: the announcement being edited (its group cannot change), None for a draft.
        group: the group a draft is for (the author's first).
        zone: the desk's time zone (times are typed in it).
        now: the desk's time (a draft expires a day later unless told otherwise).
    """

    AUTO_FOCUS = "#title"

    def __init__(
        self,
        title: str,
        send: Callable[[AnnouncementInput], None],
        *,
        current: AnnouncementView | None,
        group: str,
        zone: tzinfo,
        now: datetime,
    ) -> None:
        super().__init__(title, send)
        self.current = current
        self.zone = zone
        self.group = current.content.group if current else group
        self.now = now

    def fields(self) -> ComposeResult:
        """Each field with its label."""
        t, c = self.ctx.t, self.current.content if self.current else None
        # a new draft expires a day from now unless the author says otherwise
        expires = c.expires_at if c else self.now + timedelta(days=1)
        texts = {
            "title": c.title if c else "",
            "group": self.group,
            "services": t.join(c.services) if c else "",
            "starts_at": local(c.starts_at, self.zone) if c else "",
            "ends_at": local(c.ends_at, self.zone) if c else "",
            "expires_at": local(expires, self.zone),
        }
        for name, text in texts.items():
            yield Label(plain(t(f"field.{name}")))
            yield SafeInput(text, id=name, disabled=name == "group" and c is not None)
        yield Label(plain(t("announce.form.times")), classes="hint")
        yield Label(plain(t("field.body")))
        yield SafeTextArea(c.body if c else "", id="body")

    def _text(self, name: str) -> str:
        return self.query_one(f"#{name}", SafeInput).value.strip()

    def _time(self, name: str) -> tuple[datetime | None, bool]:
        text = self._text(name)
        if not text:
            return None, True
        try:
            parsed = datetime.strptime(text, TIME_FORMAT)
        except ValueError:
            return None, False
        return parsed.replace(tzinfo=self.zone), True

    def value(self) -> AnnouncementInput | None:
        """The content, or None (after saying which field) when a time cannot be read."""
        t = self.ctx.t
        times: dict[str, datetime | None] = {}
        for name in ("starts_at", "ends_at", "expires_at"):
            value, ok = self._time(name)
            if not ok:
                self.show_error(f"{t(f'field.{name}')}: {t('announce.form.time_format')}")
                return None
            times[name] = value
        expires = times["expires_at"]
        if expires is None:
            self.show_error(f"{t('field.expires_at')}: {t('detail.form.required')}")
            return None
        services = self._text("services").replace(",", "、").replace("，", "、").split("、")
        return AnnouncementInput(
            title=self._text("title"),
            body=self.query_one("#body", SafeTextArea).text,
            group=self._text("group"),
            services=tuple(s.strip() for s in services if s.strip()),
            starts_at=times["starts_at"],
            ends_at=times["ends_at"],
            expires_at=expires,
        )


class AnnouncementsScreen(DeskScreen[None]):
    """Announcements by state, the one under the cursor in full, and what may be done to it."""

    CSS_PATH = "announcements.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    """Below 100 columns the one in full goes under the list, which then has the width."""

    BINDINGS = [
        *(
            desk_key(str(i), f"state('{state}')", f"announce.key.state_{state}", show=False)
            for i, state in enumerate(STATES, start=1)
        ),
        desk_key("n", "new", "announce.key.new", priority=True),
        desk_key("e", "edit", "announce.key.edit", priority=True),
        desk_key("s", "submit", "announce.key.submit"),
        desk_key("a", "approve", "announce.key.approve"),
        desk_key("r", "send_back", "announce.key.send_back", priority=True),
        desk_key("p", "publish", "announce.key.publish"),
        desk_key("w", "withdraw", "announce.key.withdraw", priority=True),
        Binding("escape", "leave", show=False),
    ]

    state: reactive[AnnouncementState] = reactive(S.DRAFT, init=False)
    """The state whose announcements are listed."""

    def __init__(self) -> None:
        super().__init__()
        self.views: list[AnnouncementView] = []
        """The announcements listed, in the table's order."""
        self._form: TicketForm[AnnouncementInput] | TicketForm[str] | None = None

    @property
    def news(self) -> Announcements:
        """The announcement use cases on this console's desk."""
        return Announcements(self.ctx.desk)

    @property
    def zone(self) -> tzinfo:
        """The desk's time zone."""
        return self.ctx.desk.rules.tz

    def compose(self) -> ComposeResult:
        """States, the list, the one in full, the notice and the keys."""
        yield Static("", id="announce-states")
        with Horizontal(id="announce-body"):
            yield DataTable(id="announce-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="announce-detail-box"):
                yield Static("", id="announce-detail")
        yield Static("", id="announce-notice")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Columns, the first state, the first read."""
        t = self.ctx.t
        table = self.query_one(DataTable)
        # the title last: on a narrow terminal it is what is cut (the detail shows it whole)
        for key in ("id", "group", "author", "window", "title"):
            table.add_column(t(f"announce.column.{key}"), key=key)
        table.focus()
        self._draw_states()
        self.reload()

    # reading ------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="announce-list")
    def reload(self) -> None:
        """Read the announcements of the state shown (a worker)."""
        views = self.news.listing(self.state)
        self.app.call_from_thread(self._show, views)

    def _show(self, views: list[AnnouncementView]) -> None:
        table = self.query_one(DataTable)
        current = self.current
        keep = current.id if current else None
        self.views = views
        table.clear()
        t = self.ctx.t
        for view in views:
            table.add_row(
                f"#{view.id}",
                sanitize_line(view.group_name(t.lang)),
                sanitize_line(view.author),
                when(view, t, self.zone),
                Text(sanitize_line(view.content.title)),
                key=str(view.id),
            )
        for row, view in enumerate(views):
            if view.id == keep:
                table.move_cursor(row=row)
        self._draw_detail()
        self.refresh_bindings()

    @property
    def current(self) -> AnnouncementView | None:
        """The announcement under the cursor."""
        row = self.query_one(DataTable).cursor_row
        return self.views[row] if 0 <= row < len(self.views) else None

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        """The cursor moved: its announcement in full, and the keys that apply to it."""
        self._draw_detail()
        self.refresh_bindings()

    def _draw_states(self) -> None:
        t = self.ctx.t
        line = Text(" ")
        for i, state in enumerate(STATES, start=1):
            style = "bold reverse" if state == self.state else ""
            line.append(f" {i} {t(f'announce.state.{state}')} ", style=style)
            line.append(" ")
        self.query_one("#announce-states", Static).update(line)

    def _draw_detail(self) -> None:
        view = self.current
        detail = self.query_one("#announce-detail", Static)
        if view is None:
            detail.update(Text(self.ctx.t("announce.empty"), style="dim"))
        else:
            detail.update(full_text(view, self.ctx.t, self.zone))

    def watch_state(self) -> None:
        """Another state chosen: list it."""
        self._draw_states()
        self.reload()

    def on_desk_changed(self, message: DeskChanged) -> None:
        """An announcement changed here or at another console: read the list again."""
        if ANNOUNCEMENT_TABLES & message.tables:
            self.reload()

    # what applies -------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what the rules refuse on the announcement under the cursor."""
        actor = self.ctx.actor
        if action == "new":
            groups = sorted(actor.group_codes)
            if not groups:
                return None
            facts = AnnouncementFacts(S.DRAFT, groups[0], actor.login)
            refused = announcement_refusal(actor, Action.ANNOUNCE_DRAFT, facts)
            return True if refused is None else None
        wanted = ACTIONS.get(action)
        if wanted is None:
            return True
        view = self.current
        if view is None:
            return None
        return True if announcement_refusal(actor, wanted, view.facts) is None else None

    def action_state(self, state: str) -> None:
        """List the announcements in ``state``."""
        self.state = AnnouncementState(state)

    def action_leave(self) -> None:
        """Back to the area the operator came from."""
        from deskui.console.messages import LeaveArea

        self.post_message(LeaveArea())

    # changes -----------------------------------------------------------------------------------
    def action_new(self) -> None:
        """n: draft an announcement for the author's group."""
        ctx = self.ctx
        groups = sorted(ctx.actor.group_codes)
        form = AnnouncementEditor(
            ctx.t("announce.form.new"),
            lambda data: self._send(lambda: self.news.draft(ctx.actor, data)),
            current=None,
            group=groups[0] if groups else "",
            zone=self.zone,
            now=ctx.clock.now(),
        )
        self._open(form)

    def action_edit(self) -> None:
        """e: change the content (an approved announcement goes back to review)."""
        view = self.current
        if view is None:
            return
        ctx = self.ctx
        form = AnnouncementEditor(
            ctx.t("announce.form.edit", id=view.id),
            lambda data: self._send(lambda: self.news.edit(ctx.actor, view.id, data)),
            current=view,
            group=view.content.group,
            zone=self.zone,
            now=ctx.clock.now(),
        )
        self._open(form)

    def _note(self, action: Action, title_key: str, label_key: str) -> None:
        view = self.current
        if view is None:
            return
        t, actor = self.ctx.t, self.ctx.actor
        form = NoteForm(
            t(title_key, id=view.id),
            lambda note: self._send(lambda: self.news.act(actor, view.id, action, note)),
            label=t(label_key),
        )
        self._open(form)

    def action_send_back(self) -> None:
        """r: return it to its author with a question."""
        self._note(Action.ANNOUNCE_RETURN, "announce.form.return", "announce.form.question")

    def action_withdraw(self) -> None:
        """w: withdraw it, with the reason."""
        self._note(Action.ANNOUNCE_WITHDRAW, "announce.form.withdraw", "announce.form.reason")

    def _act(self, action: Action) -> None:
        view = self.current
        if view is not None:
            actor = self.ctx.actor
            self._send(lambda: self.news.act(actor, view.id, action))

    def action_submit(self) -> None:
        """s: submit it for review."""
        self._act(Action.ANNOUNCE_SUBMIT)

    def action_approve(self) -> None:
        """a: approve it (its content is fixed from now on)."""
        self._act(Action.ANNOUNCE_APPROVE)

    def action_publish(self) -> None:
        """p: publish it, exactly as approved."""
        self._act(Action.ANNOUNCE_PUBLISH)

    def _open(self, form: TicketForm[AnnouncementInput] | TicketForm[str]) -> None:
        self._form = form
        self.app.push_screen(form)

    def _send(self, change: Callable[[], AnnouncementView]) -> None:
        """Run ``change`` off the loop; its form (if any) closes when it is through."""
        self._run(change)

    @work(thread=True, exclusive=True, exit_on_error=False, group="announce-change")
    def _run(self, change: Callable[[], AnnouncementView]) -> None:
        view = change()
        self.app.call_from_thread(self._changed, view)

    def _changed(self, view: AnnouncementView) -> None:
        form, self._form = self._form, None
        if form is not None:
            form.done()
        t = self.ctx.t
        self.query_one("#announce-notice", Static).update(
            plain(
                t(
                    "announce.notice.changed",
                    id=view.id,
                    title=view.content.title,
                    state=t(f"announce.state.{view.state}"),
                )
            )
        )
        self.ctx.announce(ANNOUNCEMENT_TABLES)
        if view.state != self.state:
            self.state = view.state
        else:
            self.reload()

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A refused change: said in its form (what was typed stays), or under the list."""
        message = words(error, self.ctx.t)
        form = self._form
        if worker.group == "announce-change" and form is not None and form.is_attached:
            form.failed(message)
            return True
        self._form = None
        self.query_one("#announce-notice", Static).update(plain(message))
        return True


class AnnouncementsReader(DeskModal[None]):
    """Every announcement published now, in full, the most recent first (shift+F6)."""

    CSS_PATH = "announcements.tcss"

    BINDINGS = [
        Binding("escape,shift+f6", "close", "announce.key.close", show=False),
    ]

    def compose(self) -> ComposeResult:
        """The announcements, one after the other."""
        t = self.ctx.t
        shown = console_app(self).announcements
        zone = self.ctx.desk.rules.tz
        with VerticalScroll(id="reader"):
            yield Static(plain(t("announce.reader.title", count=len(shown))), id="reader-title")
            if not shown:
                yield Static(plain(t("announce.reader.none")), classes="reader-item")
            for view in shown:
                yield Static(full_text(view, t, zone), classes="reader-item")
            yield Static(plain(t("announce.reader.hint")), id="reader-hint")

    def action_close(self) -> None:
        """Back to the screen below."""
        self.dismiss(None)
