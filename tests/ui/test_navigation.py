"""F-keys land on their area's own screen: a detail left stacked on an area is closed on the way
back, a form holding typed text is never dropped, and F2 with a call in the form asks first."""

from __future__ import annotations

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot

from deskui.app import DeskApp
from deskui.screens.emergency import EmergencyBoard
from deskui.screens.intake import IntakeScreen
from deskui.screens.intake.draft_prompt import RestoreDraftScreen
from deskui.screens.intake.drafts import IntakeDraft
from deskui.screens.queue import QueueScreen
from deskui.screens.ticket import TicketScreen
from deskui.screens.ticket_forms import WorklogForm
from deskui.store.models import Ticket
from tests.ui.conftest import SIZE, make_test_app, settle
from tests.ui.test_drafts import store_for
from tests.ui.test_intake import read, type_into, value


async def keys(pilot: Pilot[None], *pressed: str) -> None:
    """Press, and let what the keys started finish."""
    await pilot.press(*pressed)
    await settle(pilot)


def stack_names(app: DeskApp) -> list[str]:
    return [type(screen).__name__ for screen in app.screen_stack]


async def test_board_enter_f2_f4_lands_on_the_board(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, EmergencyBoard)
        await keys(pilot, "enter")
        assert isinstance(app.screen, TicketScreen)
        await keys(pilot, "f2")
        assert isinstance(app.screen, IntakeScreen)
        await keys(pilot, "f4")
        assert stack_names(app) == ["EmergencyBoard"]
        # F4 on a detail opened from the board itself: back to the board's top too
        await keys(pilot, "enter")
        assert isinstance(app.screen, TicketScreen)
        await keys(pilot, "f4")
        assert stack_names(app) == ["EmergencyBoard"]


async def test_queue_enter_f4_f3_lands_on_the_queue(demo_db: str) -> None:
    app = make_test_app(demo_db, user="zhangwei")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await keys(pilot, "enter")
        assert isinstance(app.screen, TicketScreen)
        await keys(pilot, "f4", "f3")
        assert stack_names(app) == ["QueueScreen"]


async def test_escape_from_the_intake_goes_back_to_the_detail_it_came_from(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot, "enter")
        detail = app.screen
        assert isinstance(detail, TicketScreen)
        await keys(pilot, "f2")
        await keys(pilot, "escape")
        assert app.screen is detail  # back is back, not the area's top


async def test_a_form_with_typed_text_is_never_dropped(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot, "enter")
        await keys(pilot, "w")
        form = app.screen
        assert isinstance(form, WorklogForm)
        await pilot.press(*"half a note")
        await keys(pilot, "f3")
        assert isinstance(app.screen, QueueScreen)
        await keys(pilot, "f4")
        # the board's area shows the form as it was left, and says why
        assert app.screen is form
        assert value(app, "note") == "half a note"
        assert any("still holds what was typed" in str(n.message) for n in app._notifications)
        await pilot.press("escape")  # the agent closes it: now F4 reaches the board
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        await keys(pilot, "f4")
        assert stack_names(app) == ["EmergencyBoard"]


async def test_an_empty_form_is_closed_on_the_way(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot, "enter")
        await keys(pilot, "w")
        assert isinstance(app.screen, WorklogForm)
        await keys(pilot, "f3", "f4")
        assert stack_names(app) == ["EmergencyBoard"]


def first_number(db_url: str) -> str:
    """The desk's first ticket (read outside the app)."""
    return str(
        read(db_url, lambda s: s.exec(select(Ticket.number).order_by(col(Ticket.id))).first())
    )


@pytest.mark.parametrize(
    ("key", "area"),
    [("f5", "knowledge"), ("f6", "announcements"), ("f7", "reports"), ("f8", "admin")],
)
async def test_f5_to_f8_land_on_their_own_screen(demo_db: str, key: str, area: str) -> None:
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot, key)
        assert app.current_mode == area
        own = app.screen
        # a ticket opened from the area (a report's drill-down, an article's ticket …)
        await app.push_screen(TicketScreen(first_number(demo_db)))
        await settle(pilot)
        await keys(pilot, "f3", key)
        assert app.current_mode == area and app.screen is own
        assert len(app.screen_stack) == 1


async def test_f2_with_a_call_in_the_form_asks_go_on_or_new(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "summary", "Half typed")
        await settle(pilot)
        # F2 on the form itself: the same question (a new phone is ringing)
        await keys(pilot, "f2")
        prompt = app.screen
        assert isinstance(prompt, RestoreDraftScreen) and prompt.pending
        assert "Half typed" in str(prompt.query_one("#draft-summary").render())
        await pilot.press("enter")  # go on with it
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen)
        assert value(app, "summary") == "Half typed"
        assert app.focused is screen.panel.lookup.field  # no caller yet: the caller comes next
        # from another area, escape also goes on with it
        await keys(pilot, "f3", "f2")
        assert isinstance(app.screen, RestoreDraftScreen)
        await pilot.press("d")  # no discarding here: it says "new call"
        await settle(pilot)
        assert isinstance(app.screen, RestoreDraftScreen)
        await keys(pilot, "escape")
        assert value(app, "summary") == "Half typed"
        assert store_for(demo_db).load() is not None
        # a new call: the form empties and its draft goes
        await keys(pilot, "f3", "f2")
        await keys(pilot, "n")
        screen = app.screen
        assert isinstance(screen, IntakeScreen) and screen.collect().is_blank
        assert app.focused is screen.panel.lookup.field
    assert store_for(demo_db).load() is None


async def test_f2_on_an_empty_form_asks_nothing(demo_db: str) -> None:
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await keys(pilot, "f3", "f2")
        assert stack_names(app) == ["IntakeScreen"]


async def test_the_offer_at_start_stays_where_f2_leads(demo_db: str) -> None:
    """The offer of a call left by an earlier run is the intake's own question: F3 and back
    with F2 finds it still asked."""
    store_for(demo_db).save(IntakeDraft(summary="old call"), 1, "2026-11-02T01:55:00+00:00")
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        offer = app.screen
        assert isinstance(offer, RestoreDraftScreen) and not offer.pending
        await keys(pilot, "f3", "f2")
        assert app.screen is offer
        await pilot.press("n")  # not a key of this offer
        await settle(pilot)
        assert app.screen is offer
        await keys(pilot, "enter")
        assert value(app, "summary") == "old call"
