"""The intake form (F2): log a phone call while the caller is still talking, and never lose it.

The left half finds the caller (:class:`~deskui.widgets.caller_panel.CallerPanel`), the right
half takes the call (:class:`~deskui.widgets.call_details.CallDetails`). The screen runs the
desk's use cases in thread workers: it saves the call in one step (ctrl+s) and turns a repeat
call into a note on the caller's open ticket (ctrl+o). Its parts do the rest: the form read as a
draft (:mod:`.form`), the request built from it (:mod:`.request`), the draft file
(:class:`~.draft_keeper.DraftKeeper`) and what the form says (:class:`~.feedback.FormFeedback`).
"""

from __future__ import annotations

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Input, TextArea
from textual.worker import Worker, get_current_worker

from deskui.console.base import DeskScreen
from deskui.console.clipboard import copy_text
from deskui.console.errors import describe
from deskui.console.messages import LeaveArea
from deskui.console.sending import stop_sending
from deskui.core.enums import Channel, Status
from deskui.screens.intake.draft_keeper import DRAFT_GROUPS, DraftFound, DraftKeeper
from deskui.screens.intake.draft_prompt import DraftChoice, RestoreDraftScreen
from deskui.screens.intake.drafts import IntakeDraft
from deskui.screens.intake.feedback import FormFeedback
from deskui.screens.intake.form import fill_form, read_form
from deskui.screens.intake.not_fixed_prompt import NotFixedChoice, NotFixedScreen
from deskui.screens.intake.request import intake_request, note_text, refused_fields
from deskui.screens.knowledge_forms import show_suggestion
from deskui.services.directory import RequesterView
from deskui.services.errors import ValidationFailed
from deskui.services.intake import IntakeRequest, validate_intake
from deskui.services.sending import CancelToken, cancellable
from deskui.services.views import OpenTicketView, TicketView
from deskui.widgets.announcement_hint import AnnouncementHint
from deskui.widgets.call_details import CallDetails
from deskui.widgets.caller_lookup import CallerLookup
from deskui.widgets.caller_panel import CallerPanel
from deskui.widgets.choice_bar import ChoiceBar
from deskui.widgets.key_footer import KeyFooter
from deskui.widgets.keys import desk_key
from deskui.widgets.open_tickets import OpenTicketList
from deskui.widgets.outage_hint import OutageHint
from deskui.widgets.suggestion_panel import SuggestionPanel

#: Worker groups that write the call (a failure returns the form to the operator).
SAVE_GROUPS = frozenset({"intake-save", "intake-note"})
#: What logging a call writes.
CALL_TABLES = frozenset({"ticket", "ticket_event", "requester"})
#: The call's channel as the channel a requester's answer came by (a walk-in is in person).
REFUSAL_CHANNELS: dict[str, str] = {
    Channel.PHONE: "phone",
    Channel.PORTAL: "portal",
    Channel.EMAIL: "email",
    Channel.IM: "im",
    Channel.WALK_IN: "in_person",
}


class IntakeScreen(DeskScreen[None]):
    """Log a call."""

    CSS_PATH = "intake.tcss"
    DRAFT_DELAY = 0.5
    """Seconds between a change in the form and its draft on disk."""
    patience = 5.0
    """Seconds of waiting on the desk before the form says it is still saving, and that escape
    cancels the save (every database wait is bounded: the answer comes, saved or refused, and
    the form stays as typed)."""

    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "intake.key.save",
            tooltip="intake.key.save.tip",
            id="desk.intake.save",
            priority=True,
        ),
        Binding(
            "ctrl+o",
            "note",
            "intake.key.note",
            tooltip="intake.key.note.tip",
            id="desk.intake.note",
            priority=True,
        ),
        Binding(
            "ctrl+n",
            "new_caller",
            "intake.key.new_caller",
            tooltip="intake.key.new_caller.tip",
            id="desk.intake.new_caller",
            priority=True,
        ),
        Binding(
            "ctrl+r",
            "resolve_now",
            "intake.key.resolve_now",
            tooltip="intake.key.resolve_now.tip",
            id="desk.intake.resolve_now",
            priority=True,
        ),
        Binding(
            "ctrl+l",
            "clear",
            "intake.key.clear",
            tooltip="intake.key.clear.tip",
            show=False,
            id="desk.intake.clear",
            priority=True,
        ),
        Binding(
            "ctrl+f",
            "answer_with_announcement",
            "announce.key.answer",
            tooltip="announce.key.answer.tip",
            show=False,
            id="desk.intake.answer_with_announcement",
            priority=True,
        ),
        Binding(
            "f9",
            "join_outage",
            "intake.key.join_outage",
            tooltip="intake.key.join_outage.tip",
            show=False,
            id="desk.intake.join_outage",
            priority=True,
        ),
        Binding(
            "escape",
            "leave",
            "intake.key.leave",
            tooltip="intake.key.leave.tip",
            id="desk.intake.leave",
        ),
        # the knowledge base's suggestions beside the form (keys no text field uses)
        desk_key("ctrl+g", "suggestion_open", "kb.key.suggest_open", show=False, priority=True),
        desk_key("ctrl+t", "suggestion_use", "kb.key.suggest_use", show=False, priority=True),
        desk_key(
            "alt+down", "suggestion_move(1)", "kb.key.suggest_next", show=False, priority=True
        ),
        desk_key(
            "alt+up", "suggestion_move(-1)", "kb.key.suggest_previous", show=False, priority=True
        ),
        # Keys typed ahead (a fast operator, a paste, a macro) are handed to whichever field
        # has the focus when they are read; as priority bindings, tab and shift+tab move the
        # focus before the next key is read, so "⇥Fan" lands "Fan" in the next field.
        Binding("enter", "pick_caller", "intake.key.pick_caller", show=False, priority=True),
        Binding("tab", "app.focus_next", "shell.textual.app.focus_next", show=False, priority=True),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "shell.textual.app.focus_previous",
            show=False,
            priority=True,
        ),
    ]

    class CallersFound(Message):
        """Directory matches for what was typed."""

        def __init__(self, query: str, results: list[RequesterView]) -> None:
            super().__init__()
            self.query = query
            self.results = results

    class OpenTicketsFound(Message):
        """The picked caller's open tickets."""

        def __init__(self, requester_id: int, tickets: list[OpenTicketView]) -> None:
            super().__init__()
            self.requester_id = requester_id
            self.tickets = tickets

    class CallSaved(Message):
        """The call is on the desk: a new ticket, or a note on an open one."""

        def __init__(self, view: TicketView, noted: bool, reopened: bool = False) -> None:
            super().__init__()
            self.view = view
            self.noted = noted
            self.reopened = reopened

    def __init__(self) -> None:
        super().__init__()
        self.saving = False
        """A save or note is on its way to the desk (a second ctrl+s waits for it)."""
        self._patience: Timer | None = None
        self._save_token: CancelToken | None = None
        """The save under way's: escape asks it to stop instead of leaving the form."""
        self.feedback = FormFeedback(self, self.focus_shown)
        """The form's message line and field errors."""
        self.drafts = DraftKeeper(self, self.collect, self.restore, delay=self.DRAFT_DELAY)
        """The draft file."""
        self._to_scroll: Widget | None = None
        """A field just shown and focused, to scroll into view once it is laid out."""

    def compose(self) -> ComposeResult:
        """Caller on the left, call on the right, keys at the bottom."""
        with Horizontal(id="intake-body"):
            yield CallerPanel(id="caller-panel")
            yield CallDetails(id="call-details")
            yield AnnouncementHint(id="announcement-hint")
            yield SuggestionPanel(id="kb-suggestions")
        yield OutageHint(id="outage-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        """The cursor goes to the caller field."""
        self.drafts.start()
        self.screen_layout_refresh_signal.subscribe(self, self._laid_out)
        self.begin_call()

    @property
    def panel(self) -> CallerPanel:
        """Who is calling."""
        return self.query_one(CallerPanel)

    @property
    def details(self) -> CallDetails:
        """What the call is about."""
        return self.query_one(CallDetails)

    @property
    def suggestions(self) -> SuggestionPanel:
        """What the knowledge base suggests for the call."""
        return self.query_one(SuggestionPanel)

    def begin_call(self) -> None:
        """Put the cursor in the caller field."""
        self.panel.lookup.field.focus()

    def go_on_with_call(self) -> None:
        """The cursor where the call in the form goes on: its summary once the caller is
        known, the caller field before."""
        if self.panel.requester is not None:
            self.details.query_one("#summary").focus()
        else:
            self.begin_call()

    def new_call(self) -> None:
        """F2: a phone is ringing. With a call still in the form the operator says first
        whether to go on with it or to drop it for the new one (the draft offer, asked on F2)."""
        if not self.is_mounted:
            return  # shown for the first time: empty, and the cursor goes to the caller field
        if self.saving or self.collect().is_blank:
            self.call_after_refresh(self.begin_call)
            return
        self.drafts.flush()
        prompt = RestoreDraftScreen(self.collect(), self.ctx.desk.rules.tz, pending=True)
        self.app.push_screen(prompt, self._new_call_answered)

    def _new_call_answered(self, choice: DraftChoice | None) -> None:
        if choice == "new":
            self.action_clear()
        else:
            self.go_on_with_call()

    # the form as data -------------------------------------------------------------------------
    def collect(self) -> IntakeDraft:
        """Everything in the form."""
        return read_form(self)

    def load(self, draft: IntakeDraft) -> None:
        """Fill the form from ``draft`` (a blank draft empties it)."""
        fill_form(self, draft)
        self.suggestions.used = None
        self._describe_changed()
        self.feedback.clear()
        requester = self.panel.requester
        if requester is not None:
            self.load_open_tickets(requester.id)

    def restore(self, draft: IntakeDraft) -> None:
        """A restored draft: the form as it was; the cursor where the call goes on."""
        self.load(draft)
        self.go_on_with_call()

    def save_draft_now(self) -> None:
        """The console is closing: a change still waiting for its delay goes to disk now."""
        self.drafts.save_now()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(ChoiceBar.Changed)
    @on(Checkbox.Changed)
    def _field_changed(self) -> None:
        self.drafts.mark_changed()

    @on(ChoiceBar.Changed, "#category")
    def _category_changed(self, message: ChoiceBar.Changed) -> None:
        """The announcements that concern a call of this category show beside the form."""
        self.query_one(AnnouncementHint).category = message.value
        self._look_for_outage()

    def _look_for_outage(self) -> None:
        """The open outage the call looks like shows under the form."""
        details = self.details
        category = details.query_one("#category", ChoiceBar).value
        summary = details.query_one("#summary", Input).value
        self.query_one(OutageHint).look(str(category) if category else None, summary)

    def action_join_outage(self) -> None:
        """F9: save the call as one more call under the outage shown under the form, in one
        step (the ticket and its place in the outage are saved together, or not at all)."""
        best = self.query_one(OutageHint).best
        if best is not None and not self.saving:
            self.after_pending_keys(lambda: self._save(parent=best.ticket.number))

    def action_answer_with_announcement(self) -> None:
        """ctrl+f: the call is answered by the announcement beside the form: logged as a
        consultation resolved on the call, the announcement as its solution."""
        found = self.query_one(AnnouncementHint).matching
        if not found or self.saving:
            return
        view, t = found[0], self.ctx.t
        title, number = view.content.title, view.id
        details = self.details
        details.query_one("#type", ChoiceBar).value = "consultation"
        summary = details.query_one("#summary", Input)
        if not summary.value.strip():
            summary.value = t("announce.intake.summary", title=title)
        description = details.query_one("#description", TextArea)
        if not description.text.strip():
            description.load_text(t("announce.intake.description", id=number, title=title))
        details.query_one("#resolve-now", Checkbox).value = True
        details.query_one("#solution", TextArea).load_text(
            t("announce.intake.solution", id=number, title=title, body=view.content.body)
        )
        self.action_save()

    @on(Input.Changed, "#summary")
    @on(TextArea.Changed, "#description")
    def _describe_changed(self) -> None:
        summary = self.details.query_one("#summary", Input).value
        description = self.details.query_one("#description", TextArea).text
        self.suggestions.update_query(f"{summary} {description}")
        self._look_for_outage()

    def on_resize(self, event: events.Resize) -> None:
        """The suggestions and announcements beside the form, or under it on a narrow
        terminal."""
        self.suggestions.fit(event.size.width)
        self.query_one(AnnouncementHint).fit(event.size.width)

    def action_suggestion_move(self, step: int) -> None:
        """Highlight the next or previous suggestion; the focus stays in the form."""
        self.suggestions.move(step)

    def action_suggestion_open(self) -> None:
        """Read the highlighted suggestion over the form."""
        show_suggestion(self, self.suggestions)

    def action_suggestion_use(self) -> None:
        """Resolve at intake with the highlighted suggestion's solution (its article is linked
        to the ticket, as solving it, once the call is saved)."""
        item = self.suggestions.take()
        if item is None:
            return
        self.details.query_one("#solution", TextArea).text = item.solution
        self._answer_now()

    def on_suggestion_panel_linked(self, message: SuggestionPanel.Linked) -> None:
        """Say the article now counts the call."""
        self.notify(self.ctx.t("kb.suggest.linked", number=message.number), markup=False)

    def on_screen_resume(self) -> None:
        """An empty form looks for a draft left by an earlier run."""
        self.drafts.look()

    def on_screen_suspend(self) -> None:
        """Leaving the form: a postponed draft is offered again on coming back."""
        self.drafts.left()

    def on_draft_found(self, message: DraftFound) -> None:
        """Offer the draft left by an earlier run."""
        self.drafts.offer(message.draft)

    # the caller -------------------------------------------------------------------------------
    def on_caller_lookup_search(self, message: CallerLookup.Search) -> None:
        """Look the caller up as the operator types."""
        if message.query:
            self.search_callers(message.query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="caller-search")
    def search_callers(self, query: str) -> None:
        """Directory matches (only the newest search reports back)."""
        results = self.ctx.desk.search_requesters(query)
        if not get_current_worker().is_cancelled:
            self.post_message(self.CallersFound(query, results))

    def on_intake_screen_callers_found(self, message: CallersFound) -> None:
        """Show the matches under the field."""
        self.panel.lookup.show_results(message.query, message.results)

    def action_pick_caller(self) -> None:
        """Enter in the caller field: take the highlighted suggestion, at once."""
        picked = self.panel.lookup.pick_highlighted(notify=False)
        if isinstance(picked, RequesterView):
            self._caller_picked(picked)
        else:
            self._start_new_caller(picked)

    def on_caller_lookup_picked(self, message: CallerLookup.Picked) -> None:
        """A caller clicked in the suggestions."""
        self._caller_picked(message.requester)

    def _caller_picked(self, view: RequesterView) -> None:
        """A known caller: card, VIP, priority, open tickets; on to the call's type."""
        self.panel.set_requester(view)
        self.details.show_priority(vip=view.vip)
        self.feedback.clear()
        self.load_open_tickets(view.id)
        self.drafts.mark_changed()
        self.details.query_one("#type").focus()

    def on_caller_lookup_add_new(self, message: CallerLookup.AddNew) -> None:
        """Nobody matches: add the caller inline."""
        self._start_new_caller(message.query)

    def on_caller_lookup_cleared(self, _message: CallerLookup.Cleared) -> None:
        """The pick was typed over."""
        self.panel.set_requester(None)
        self.details.show_priority(vip=False)
        self.drafts.mark_changed()

    def _start_new_caller(self, typed: str) -> None:
        focus = self.panel.start_new_caller(typed)
        self.details.show_priority(vip=False)
        self.drafts.mark_changed()
        self.focus_shown(self.panel.query_one(f"#{focus}"))

    @work(thread=True, exclusive=True, exit_on_error=False, group="caller-tickets")
    def load_open_tickets(self, requester_id: int) -> None:
        """The caller's open tickets."""
        tickets = self.ctx.desk.open_tickets(requester_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self.OpenTicketsFound(requester_id, tickets))

    def on_intake_screen_open_tickets_found(self, message: OpenTicketsFound) -> None:
        """List them, if that caller is still the one picked."""
        requester = self.panel.requester
        if requester is not None and requester.id == message.requester_id:
            self.panel.show_open_tickets(message.tickets, self.ctx.desk.rules.tz)
            self.refresh_bindings()

    # actions ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what cannot be done now."""
        if action == "pick_caller":
            lookup = self.panel.lookup
            return self.focused is lookup.field and lookup.is_open
        if action == "save":
            return None if self.saving else True
        if action == "answer_with_announcement":
            hints = self.query(AnnouncementHint)
            answers = bool(hints) and bool(hints.first().matching)
            return True if answers and not self.saving else None
        if action == "join_outage":
            outages = self.query(OutageHint)
            alike = bool(outages) and outages.first().best is not None
            return True if alike and not self.saving else None
        if action == "note":
            ready = self.panel.requester is not None and self.panel.open_tickets.selected
            return True if ready and not self.saving else None
        if action.startswith("suggestion_"):
            return True if self.suggestions.items else None
        return True

    def action_new_caller(self) -> None:
        """Add the caller inline (again: back to the lookup)."""
        if self.panel.new_caller:
            self.panel.stop_new_caller()
            self.drafts.mark_changed()
            self.begin_call()
        else:
            self._start_new_caller(self.panel.lookup.query_text)

    def action_resolve_now(self) -> None:
        """Toggle first-contact resolution; the answer field opens."""
        box = self.details.query_one("#resolve-now", Checkbox)
        if box.value:
            box.value = False
        else:
            self._answer_now()

    def _answer_now(self) -> None:
        """Resolved on the call: the answer field shown, and the cursor in it."""
        self.details.query_one("#resolve-now", Checkbox).value = True
        self.details.show_answer(True)
        self.focus_shown(self.details.query_one("#solution"))

    def focus_shown(self, field: Widget) -> None:
        """The cursor to a field just shown, or whose error line was: there at once (keys typed
        next land in it), and the form scrolled to it once it has its new place on the screen
        (Textual scrolls a widget into view only as it takes the focus, and only to where it
        was before)."""
        self._to_scroll = field
        field.focus()

    def _laid_out(self, _screen: Screen[object]) -> None:
        """The screen was laid out: a field just shown and focused is scrolled into view."""
        field = self._to_scroll
        if field is None or not field.region:
            return  # not laid out yet
        self._to_scroll = None
        if field is self.focused:
            # the whole row: the label, the field and its error line
            rows = [node for node in field.ancestors_with_self if node.has_class("field")]
            shown = rows[0] if rows and isinstance(rows[0], Widget) else field
            shown.scroll_visible(animate=False, immediate=True)

    def action_clear(self) -> None:
        """Empty the form and forget its draft (a wrong number)."""
        self.load(IntakeDraft())
        self.drafts.forget()
        self.begin_call()

    def action_leave(self) -> None:
        """Back to where the operator came from; the draft stays. While a save is on its way,
        cancel it instead: the form stays as typed, and says how the save ended."""
        if self.saving and self._save_token is not None:
            self.feedback.say(stop_sending(self._save_token, self.ctx.t), error=False)
            return
        self.drafts.flush()
        self.post_message(LeaveArea())

    def action_save(self) -> None:
        """Log the call, once every key typed before ``ctrl+s`` has reached its field."""
        if not self.saving:
            self.after_pending_keys(self._save)

    def _save(self, parent: str | None = None) -> None:
        """Check the form against the desk's rules here, then log the call in one step (under
        the outage ``parent``, if given)."""
        if self.saving:
            return
        ctx = self.ctx
        now = ctx.clock.now()
        self.feedback.clear()
        request, problems = intake_request(self.collect(), ctx.desk.rules.tz, now)
        request.parent = parent
        try:
            validate_intake(request, now)
        except ValidationFailed as exc:
            problems = refused_fields(exc) + problems
        if problems:
            self.feedback.show_problems(problems)
            return
        self.save_call(request, self._start_saving())

    def action_note(self) -> None:
        """The repeat call becomes a worklog note on the highlighted open ticket."""
        ticket = self.panel.open_tickets.selected
        if ticket is not None:
            self.on_open_ticket_list_note_requested(OpenTicketList.NoteRequested(ticket.number))

    def on_open_ticket_list_note_requested(self, message: OpenTicketList.NoteRequested) -> None:
        """Add the call to that ticket instead of opening a duplicate."""
        requester = self.panel.requester
        if self.saving or requester is None:
            return
        draft = self.collect()
        if not (draft.summary.strip() or draft.description.strip()):
            # a note that says only who called tells the holder nothing: ask what they said
            self.feedback.clear()
            self.feedback.field_error("summary", self.ctx.t("intake.note.empty"))
            self.focus_shown(self.query_one("#summary"))
            return
        text = note_text(draft, requester.name, self.ctx.t)
        listed = {t.number: t for t in self.panel.open_tickets.tickets}.get(message.number)
        if listed is not None and listed.status == Status.AWAITING_CONFIRMATION:
            # a call about a solved ticket waiting for the caller's word is usually that word
            self.app.push_screen(
                NotFixedScreen(listed.number, listed.summary),
                callback=lambda choice: self._after_not_fixed(choice, message.number, draft, text),
            )
            return
        self._send_note(message.number, text)

    def _send_note(self, number: str, text: str) -> None:
        self.feedback.clear()
        self.add_note(number, text, self._start_saving())

    def _after_not_fixed(
        self, choice: NotFixedChoice | None, number: str, draft: IntakeDraft, text: str
    ) -> None:
        if choice == "note":
            self._send_note(number, text)
        elif choice == "reopen":
            self.feedback.clear()
            channel = REFUSAL_CHANNELS.get(draft.channel, "phone")
            self.reopen_not_fixed(number, text, channel, self._start_saving())

    def _start_saving(self) -> CancelToken:
        """The form is saving; the token the save runs under (escape cancels it)."""
        # check_action refuses a second ctrl+s at once; the footer is not redrawn for a state
        # that lasts a few milliseconds (redrawing it costs more than the save)
        self.saving = True
        self._save_token = CancelToken()
        self.feedback.say(self.ctx.t("intake.saving"), error=False)
        self._patience = self.set_timer(self.patience, self._still_saving, name="save-patience")
        return self._save_token

    def _still_saving(self) -> None:
        token = self._save_token
        if self.saving and not (token is not None and token.cancelled):
            self.feedback.say(self.ctx.t("intake.saving_slow"), error=False)

    def _saved_or_not(self) -> None:
        """The save ended, one way or the other: the form is the operator's again."""
        self.saving = False
        self._save_token = None
        if self._patience is not None:
            self._patience.stop()
            self._patience = None

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-save")
    def save_call(self, request: IntakeRequest, token: CancelToken) -> None:
        """Write the ticket (and a new caller) in one transaction (unless ``token`` is
        cancelled while it waits)."""
        ctx = self.ctx
        with cancellable(token):
            view = ctx.desk.create_ticket(ctx.actor, request)
        self.post_message(self.CallSaved(view, noted=False))

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-note")
    def add_note(self, number: str, text: str, token: CancelToken) -> None:
        """Write the note (unless ``token`` is cancelled while it waits)."""
        ctx = self.ctx
        with cancellable(token):
            view = ctx.desk.worklog(ctx.actor, number, text)
        self.post_message(self.CallSaved(view, noted=True))

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-note")
    def reopen_not_fixed(self, number: str, text: str, channel: str, token: CancelToken) -> None:
        """The caller says the solution did not fix it: back in progress with their words
        (unless ``token`` is cancelled while it waits)."""
        ctx = self.ctx
        with cancellable(token):
            view = ctx.desk.refuse(ctx.actor, number, reason=text, channel=channel)
        self.post_message(self.CallSaved(view, noted=True, reopened=True))

    def on_intake_screen_call_saved(self, message: CallSaved) -> None:
        """The number large and on the clipboard; a clean form for the next call."""
        t = self.ctx.t
        view = message.view
        self._saved_or_not()
        copy_text(self.app, view.number, lambda local: self._copied(view.number, local=local))
        if not message.noted and not view.is_open:
            self.suggestions.link_saved(view.number)
        if message.reopened:
            title = t("intake.saved.reopened", number=view.number)
        elif message.noted:
            title = t("intake.saved.noted", number=view.number)
        elif not view.is_open:
            title = t("intake.saved.resolved", number=view.number)
        elif view.parent is not None:
            title = t("intake.saved.joined", number=view.number, parent=view.parent)
        else:
            title = t(
                "intake.saved.created", number=view.number, priority=t(f"priority.{view.priority}")
            )
        with self.app.batch_update():
            self.panel.show_saved(title, view.number)
            self.load(IntakeDraft())
            self.begin_call()
        self.drafts.forget()
        self.ctx.announce(CALL_TABLES)

    def _copied(self, number: str, *, local: bool) -> None:
        """Where the number went, as it happened: the terminal's clipboard always, this
        machine's too when it has one (said unless the form says something newer by now)."""
        if not self.is_mounted or self.feedback.message.has_class("-shown"):
            return
        key = "intake.saved.copied" if local else "intake.saved.copied_terminal"
        self.feedback.say(self.ctx.t(key, number=number), error=False)

    def worker_failed(self, worker: Worker[object], error: BaseException) -> bool:
        """A save or note that failed gives the form back as it was typed, and says why; a
        draft that cannot be written is said on the message line."""
        if worker.group in SAVE_GROUPS:
            self._saved_or_not()
            self.feedback.show_failure(error)
            return True
        if worker.group in DRAFT_GROUPS:
            reason = describe(error, self.ctx.t)
            self.feedback.say(self.ctx.t("intake.error.draft", reason=reason), error=True)
            return True
        return False
