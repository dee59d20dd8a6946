"""The left half of the intake form: who is calling.

The lookup, the chosen caller's card and VIP banner, the inline fields of a new caller, the
caller's open tickets, and the number of the last call saved. It holds what the operator chose
and tells the form by message; the form runs the queries.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from deskui.console.context import desk_context
from deskui.core.phone import phone_search_key
from deskui.services.directory import RequesterView
from deskui.services.views import OpenTicketView
from deskui.widgets.big_number import BigNumber
from deskui.widgets.caller_card import CallerCard, VipBanner
from deskui.widgets.caller_lookup import CallerLookup
from deskui.widgets.form_row import FieldError, field_row
from deskui.widgets.open_tickets import OpenTicketList
from deskui.widgets.safe_input import SafeInput


class CallerPanel(Vertical):
    """Who is calling."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.requester: RequesterView | None = None
        """The caller picked from the directory."""
        self.new_caller = False
        """The caller is being added inline."""

    def compose(self) -> ComposeResult:
        """Lookup, card, inline fields, open tickets, last number."""
        t = desk_context(self).t
        yield Static(Text(t("intake.section.caller")), classes="section-title")
        yield CallerLookup(id="lookup")
        yield FieldError(id="error-lookup-input")
        yield VipBanner(id="vip-banner")
        yield CallerCard(id="caller-card")
        with Vertical(id="new-caller"):
            yield Static(Text(t("intake.caller.new_title")), classes="section-title")
            yield field_row(
                t("intake.caller.name"),
                SafeInput(id="caller-name"),
                name="caller-name",
                required=True,
            )
            yield field_row(t("field.phone"), SafeInput(id="caller-phone"), name="caller-phone")
            yield field_row(
                t("field.department"), SafeInput(id="caller-department"), name="caller-department"
            )
        yield Static(Text(t("intake.open.title")), id="open-title", classes="section-title")
        yield OpenTicketList(id="open-tickets")
        with Vertical(id="saved-box"):
            yield Static(id="saved-title")
            yield BigNumber(id="saved-number")

    def on_mount(self) -> None:
        """An empty panel."""
        self.reset()
        self.query_one("#saved-box").display = False

    @property
    def lookup(self) -> CallerLookup:
        """The lookup widget."""
        return self.query_one(CallerLookup)

    @property
    def open_tickets(self) -> OpenTicketList:
        """The caller's open tickets."""
        return self.query_one(OpenTicketList)

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", SafeInput).value

    def set_requester(self, view: RequesterView | None) -> None:
        """Show the picked caller (None: nobody)."""
        self.requester = view
        if view is not None:
            self.new_caller = False
            self.query_one("#new-caller").display = False
        self.query_one(VipBanner).show(bool(view and view.vip))
        self.query_one(CallerCard).show(view)
        self.query_one(CallerCard).display = view is not None or not self.new_caller
        self.show_open_tickets([], ZoneInfo("UTC"))

    def start_new_caller(self, typed: str) -> str:
        """Add the caller inline, starting from what was typed in the lookup.

        Digits go to the phone, anything else to the name. Returns the id of the field that
        should get the focus next.
        """
        self.set_requester(None)
        self.new_caller = True
        self.query_one("#new-caller").display = True
        self.query_one(CallerCard).display = False
        typed = typed.strip()
        if typed and len(phone_search_key(typed)) >= max(3, len(typed) - 3):
            if not self._value("caller-phone"):
                self.query_one("#caller-phone", SafeInput).value = typed
            return "caller-name"
        if typed and not self._value("caller-name"):
            self.query_one("#caller-name", SafeInput).value = typed
            return "caller-phone"
        return "caller-name"

    def stop_new_caller(self) -> None:
        """Back to looking the caller up."""
        self.new_caller = False
        self.query_one("#new-caller").display = False
        self.query_one(CallerCard).display = True

    def show_open_tickets(self, tickets: list[OpenTicketView], tz: ZoneInfo) -> None:
        """List the caller's open tickets (hidden when there are none)."""
        self.open_tickets.show(tickets, tz)
        self.open_tickets.display = bool(tickets)
        self.query_one("#open-title").display = bool(tickets)

    def show_saved(self, title: str, number: str) -> None:
        """The call just saved: its number, large."""
        self.query_one("#saved-title", Static).update(Text(title))
        self.query_one(BigNumber).show(number)
        self.query_one("#saved-box").display = True

    def show_caller(
        self, requester: RequesterView | None, lookup: str, *, new_caller: bool
    ) -> None:
        """Show a caller as a restored draft holds it (nobody, and an empty lookup: a new form).

        Args:
            requester: the caller picked from the directory, or None.
            lookup: what is typed in the lookup field when nobody is picked.
            new_caller: the caller is being added inline.
        """
        self.set_requester(requester)
        self.lookup.set_picked(requester, lookup)
        if new_caller:
            self.new_caller = True
            self.query_one("#new-caller").display = True
            self.query_one(CallerCard).display = False
        else:
            self.stop_new_caller()

    def reset(self) -> None:
        """Nobody calling."""
        self.show_caller(None, "", new_caller=False)
