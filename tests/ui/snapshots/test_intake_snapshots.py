"""How the intake form looks, on the seeded demo desk frozen at Monday 2026-11-02 10:00, in both
languages.

* ``empty``: the form as F2 opens it, cursor in the caller field;
* ``vip``: a VIP caller picked by extension, impact 2 × urgency 2 raised to P1 with its reason;
* ``errors``: ctrl+s on a half-filled call: every fault next to its field, nothing saved;
* ``repeat``: a caller with an open ticket, the list ready for ctrl+o;
* ``not fixed``: ctrl+o on a ticket that awaits the caller's confirmation asks whether they
  call to say it is not fixed;
* ``pending call``: F2 from the queue with a call still in the form asks whether to go on with
  it or to take the new call;
* ``outage``: a network call like an open outage (a parent with three calls under it): the
  outage under the form with F9, on a 140×40 and an 80×24 terminal;
* ``sizes``: the empty form on a small (80×24) and a large (160×48) terminal.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot

from deskui.services.desk import DeskService
from deskui.store.db import Database
from deskui.store.models import Requester, Ticket
from deskui.widgets.open_tickets import OpenTicketList
from tests.ui.conftest import SIZE, make_test_app, settle
from tests.ui.test_intake import describe_to_summary
from tests.ui.test_outage_intake import network_call, outage_on

LANGUAGES = ["zh", "en"]
VIP_EXTENSION = "8000"  # the first caller of the demo directory is a VIP


@pytest.fixture(autouse=True)
def same_database_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The status line names the desk's database by its URL, which holds the test's temporary
    directory: every picture names it ``desk.db`` instead, as the console does for a file."""
    monkeypatch.setattr(DeskService, "database_name", property(lambda _desk: "desk.db"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_empty(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_vip_caller(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    async def vip_call(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*VIP_EXTENSION)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#category").focus()
        await pilot.press("2")
        screen.query_one("#impact").focus()
        await pilot.press("2", "tab", "2")
        screen.query_one("#summary").focus()
        await pilot.press(*"ERP")
        screen.query_one("#description").focus()
        await pilot.press(*"Fails")
        await settle(pilot)

    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=vip_call)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_errors(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    async def refused(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.press(*"Li", "tab", *"1380013800")
        await pilot.press("ctrl+s")
        await settle(pilot)

    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=refused)


def repeat_caller_extension(db_url: str, status: str | None = None) -> str:
    """The extension of the first caller in the directory (not a VIP) with an open ticket (in
    ``status``, if given)."""
    db = Database(db_url)
    try:
        with db.read() as session:
            statement = (
                select(Requester)
                .join(Ticket, col(Ticket.requester_id) == Requester.id)
                .where(col(Ticket.is_open).is_(True), col(Requester.vip).is_(False))
            )
            if status is not None:
                statement = statement.where(Ticket.status == status)
            row = session.exec(statement.order_by(Requester.id)).first()
            assert row is not None and row.extension
            return row.extension
    finally:
        db.dispose()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_repeat_caller(lang: str, demo_db: str, snap_compare: Callable[..., bool]) -> None:
    extension = repeat_caller_extension(demo_db)

    async def repeat_call(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*extension)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=repeat_call)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_not_fixed_prompt(
    lang: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    extension = repeat_caller_extension(demo_db, "awaiting_confirmation")

    async def not_fixed(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*extension)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        listed = pilot.app.screen.query_one(OpenTicketList)
        while listed.selected is not None and listed.selected.status != "awaiting_confirmation":
            listed.action_cursor_down()
        pilot.app.screen.query_one("#summary").focus()
        await pilot.press(*"still broken")
        await pilot.press("ctrl+o")
        await settle(pilot)

    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=not_fixed)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_pending_call_prompt(
    lang: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    async def pending(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#category").focus()
        await pilot.press("3")
        pilot.app.screen.query_one("#summary").focus()
        await pilot.press(*"VPN down")
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)

    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=SIZE, run_before=pending)


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["140x40", "80x24"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_outage_hint(
    lang: str, size: tuple[int, int], demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    outage_on(demo_db)

    async def like_the_outage(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await network_call(pilot, "五楼整层楼无法上网")

    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=size, run_before=like_the_outage)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_sizes(
    lang: str, size: tuple[int, int], demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_intake_resolve_now_small_terminal(
    lang: str, demo_db: str, snap_compare: Callable[..., bool]
) -> None:
    """80×24: ctrl+r scrolls the form to the answer field, with what is typed in it."""

    async def answered(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await describe_to_summary(pilot)
        await pilot.press(*"Printer", "ctrl+r", *"ANSWERTEXT")
        await settle(pilot)

    app = make_test_app(demo_db, lang=lang)
    assert snap_compare(app, terminal_size=(80, 24), run_before=answered)
