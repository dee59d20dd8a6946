"""Outages at intake: a call like an open outage shows it under the form, F9 saves the call under
it in one step, and a link the desk refuses leaves the form as typed with nothing saved."""

from __future__ import annotations

from sqlmodel import select
from textual.pilot import Pilot

from deskui.services.desk import DeskService
from deskui.store.db import Database
from deskui.store.models import Ticket
from deskui.widgets.outage_hint import OutageHint
from tests.services.test_outage import outage
from tests.ui.conftest import SIZE, frozen_clock, make_test_app, settle, ticket_count
from tests.ui.test_intake import intake, newest_ticket, read, type_into, value


def outage_on(db_url: str) -> tuple[str, list[str]]:
    """An outage on the demo desk: a parent and three calls about the same floor."""
    db = Database(db_url)
    try:
        return outage(DeskService(db, frozen_clock()))
    finally:
        db.dispose()


async def network_call(pilot: Pilot[None], summary: str) -> None:
    """A caller added inline, a network call about ``summary``."""
    await pilot.press("ctrl+n")
    await pilot.press(*"Li Lei", "tab", *"13800138000", "tab", *"财务部")
    pilot.app.screen.query_one("#category").focus()
    await pilot.press("3")
    await type_into(pilot, "summary", summary)
    await pilot.press("tab", *"整层都连不上内网")
    await settle(pilot)


def hint(pilot: Pilot[None]) -> OutageHint:
    return pilot.app.screen.query_one(OutageHint)


async def test_f9_saves_the_call_under_the_outage_it_looks_like(demo_db: str) -> None:
    parent, calls = outage_on(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not hint(pilot).display
        await network_call(pilot, "五楼整层楼无法上网")
        best = hint(pilot).best
        assert best is not None and best.ticket.number == parent and best.ticket.calls == 3
        assert hint(pilot).display
        shown = hint(pilot).render().plain
        assert "F9" in shown and parent in shown and "3 calls" in shown
        before = ticket_count(demo_db)
        await pilot.press("f9")
        await settle(pilot)
        assert ticket_count(demo_db) == before + 1
        saved = newest_ticket(demo_db)
        parent_id = read(
            demo_db, lambda s: s.exec(select(Ticket.id).where(Ticket.number == parent)).one()
        )
        assert saved.parent_id == parent_id and saved.summary == "五楼整层楼无法上网"
        screen = intake(app)
        assert f"under the outage {parent}" in str(screen.query_one("#saved-title").render())
        assert screen.collect().is_blank and not hint(pilot).display  # ready for the next call


async def test_nothing_alike_nothing_shown_and_f9_does_nothing(demo_db: str) -> None:
    outage_on(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await network_call(pilot, "打印机卡纸")
        assert hint(pilot).best is None and not hint(pilot).display
        before = ticket_count(demo_db)
        await pilot.press("f9")
        await settle(pilot)
        assert ticket_count(demo_db) == before
        assert value(app, "summary") == "打印机卡纸"


async def test_a_refused_link_saves_nothing_and_keeps_the_form(demo_db: str) -> None:
    parent, _calls = outage_on(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await network_call(pilot, "五楼整层楼无法上网")
        assert hint(pilot).best is not None
        # meanwhile another console rejects the parent
        desk = app.context.desk
        desk.set_status(desk.actor("lead"), parent, "rejected", note="重复报告")
        before = ticket_count(demo_db)
        await pilot.press("f9")
        await settle(pilot)
        assert ticket_count(demo_db) == before
        assert value(app, "summary") == "五楼整层楼无法上网"
        assert str(intake(app).query_one("#form-message").render()).strip()
        assert not intake(app).saving


async def test_resolved_on_the_call_joins_no_outage(demo_db: str) -> None:
    parent, _calls = outage_on(demo_db)
    app = make_test_app(demo_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await network_call(pilot, "五楼整层楼无法上网")
        await pilot.press("ctrl+r", *"重启了交换机")
        before = ticket_count(demo_db)
        await pilot.press("f9")
        await settle(pilot)
        assert ticket_count(demo_db) == before
        message = str(intake(app).query_one("#form-message").render())
        assert "First contact" in message
        error = str(intake(app).query_one("#error-resolve-now").render())
        assert f"cannot join the outage {parent}" in error
