"""The administration (F8) at work: each editor changes a value that a second console on the same
desk then shows, and each refuses a bad value in the catalog's words with nothing saved."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from deskui.app import DeskApp
from deskui.core.enums import Priority
from deskui.core.priority import PriorityMatrix
from deskui.i18n import Catalog
from deskui.screens.admin import AdminScreen
from deskui.screens.admin.form import AdminForm
from deskui.screens.admin.screen import EDITS
from deskui.screens.admin.sections import SECTIONS
from deskui.services.errors import word
from deskui.store.db import Database
from deskui.store.models import DeskSetting, Group, Requester, SettingEvent, Ticket, User
from deskui.widgets.key_footer import KeyFooter
from tests.ui.conftest import SIZE, make_test_app, settle

EN = Catalog("en")


async def open_admin(pilot: Pilot[None], section: str) -> AdminScreen:
    """F8, then the section's key."""
    await settle(pilot)
    await pilot.press("f8")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, AdminScreen)
    await pilot.press(section)
    await settle(pilot)
    return screen


async def fill(pilot: Pilot[None], **values: str) -> AdminForm:
    """Type into the open form's fields (each cleared first), key by key."""
    form = pilot.app.screen
    assert isinstance(form, AdminForm)
    for name, text in values.items():
        field = form.query_one(f"#field-{name}", Input)
        field.focus()
        field.value = ""
        await pilot.pause()
        await pilot.press(*text)
    await pilot.pause()
    return form


async def save(pilot: Pilot[None]) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def form_error(app: DeskApp) -> str:
    screen = app.screen
    assert isinstance(screen, AdminForm), "the form stays open after a refusal"
    return str(screen.query_one("#form-error", Static).render())


def rule(db_url: str, key: str) -> dict[str, object]:
    db = Database(db_url)
    try:
        with db.read() as session:
            row = session.get(DeskSetting, key)
            assert row is not None
            value: dict[str, object] = json.loads(row.value)
            return value
    finally:
        db.dispose()


def setting_events(db_url: str, key: str) -> list[SettingEvent]:
    db = Database(db_url)
    try:
        with db.read() as session:
            return list(session.exec(select(SettingEvent).where(SettingEvent.key == key)))
    finally:
        db.dispose()


async def cell_text(app: DeskApp, section: str, row: str, column: int) -> str:
    screen = app.screen
    assert isinstance(screen, AdminScreen)
    table = screen.section(section).table
    return str(table.get_row(row)[column])


async def seen_elsewhere(
    db_url: str, key: str, section: str, row: str, column: int, *then: str
) -> str:
    """What a second console (a duty lead's) on the same desk shows in that cell."""
    other = make_test_app(db_url, user="lead")
    async with other.run_test(size=SIZE) as pilot:
        await open_admin(pilot, key)
        for more in then:
            await pilot.press(more)
            await settle(pilot)
        return await cell_text(other, section, row, column)


async def test_an_operator_has_no_administration_and_a_lead_only_reads(demo_db: str) -> None:
    app = make_test_app(demo_db, user="op")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert not isinstance(app.screen, AdminScreen)
        assert app.check_action("admin", ()) is False
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_admin(pilot, "1")
        assert screen.data is not None and len(screen.data.users) > 3
        for action in ("add", "edit", "toggle_user"):
            assert screen.check_action(action, ()) is False, action
        await pilot.press("e")
        await settle(pilot)
        assert app.screen is screen, "a duty lead's edit key opens nothing"


async def test_a_duty_lead_is_offered_no_key_that_changes_and_none_acts(demo_db: str) -> None:
    changes = [EN(f"admin.key.{name}") for name in ("add", "edit", "toggle", "warning", "hours")]
    app = make_test_app(demo_db, user="admin")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_admin(pilot, "1")
        footer = str(screen.query_one(KeyFooter).render())
        assert EN("admin.key.add") in footer and EN("admin.key.edit") in footer
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_admin(pilot, "1")
        for number in range(1, len(SECTIONS) + 1):
            await pilot.press(str(number))
            await settle(pilot)
            offered = {b.action for _n, b, _on, _tip in screen.active_bindings.values()}
            assert not offered & set(EDITS), number
            footer = str(screen.query_one(KeyFooter).render())
            assert not [name for name in changes if name in footer], number
            for key in ("n", "e", "enter", "d", "i", "p", "h", "w", "x", "c"):
                await pilot.press(key)
                await settle(pilot)
                assert app.screen is screen, f"{key} opened something in section {number}"


async def test_a_corrected_matrix_row_clears_the_refusal_before_it_is_saved(demo_db: str) -> None:
    app = make_test_app(demo_db, user="admin", lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, "3")
        await pilot.press("e")
        await settle(pilot)
        form = await fill(pilot, I3="P2 P3 P4")
        await save(pilot)
        refusal = word("admin.matrix_row", {"impact": 3}, Catalog("zh"))
        assert refusal in form_error(app)
        form = await fill(pilot, I3="P2 P3 P4 P")
        assert refusal in form_error(app), "still not a row: the refusal stays"
        await pilot.press("4")
        await pilot.pause()
        assert form_error(app) == "", "the row is whole again: the refusal goes at once"
        assert "预览" in str(form.query_one("#admin-preview", Static).render())


async def test_the_matrix_preview_counts_and_the_change_reaches_another_console(
    demo_db: str,
) -> None:
    db = Database(demo_db)
    with db.read() as session:
        tickets = list(session.exec(select(Ticket).where(col(Ticket.is_open))))
    db.dispose()
    new = PriorityMatrix.from_config(
        {
            "I1": ["P1", "P1", "P2", "P3"],
            "I2": ["P1", "P2", "P3", "P4"],
            "I3": ["P1", "P2", "P3", "P3"],
        }
    )
    expected = sum(
        1
        for t in tickets
        if t.override_reason is None
        and new.decide(t.impact, t.urgency, vip=t.vip).priority != Priority(t.priority)
    )
    assert expected > 0, "the demo desk has open I3 tickets"
    app = make_test_app(demo_db, user="admin")
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, "3")
        await pilot.press("e")
        await settle(pilot)
        form = await fill(pilot, I3="P1 P2 P3 P3")
        preview = str(form.query_one("#admin-preview", Static).render())
        assert f"Preview: {expected} open tickets would change priority" in preview
        await save(pilot)
        assert not isinstance(app.screen, AdminForm)
        assert await cell_text(app, "matrix", "I3", 1) == "P1"
    assert rule(demo_db, "matrix")["matrix"] == new.to_config()
    assert setting_events(demo_db, "matrix")[-1].note == "admin: matrix"
    other = make_test_app(demo_db, user="lead", lang="zh")
    async with other.run_test(size=SIZE) as pilot:
        await open_admin(pilot, "3")
        assert await cell_text(other, "matrix", "I3", 1) == "P1"
        assert other.desk.rules.matrix.lookup(3, 1) is Priority.P1


async def test_a_matrix_cell_outside_p1_to_p4_is_refused(demo_db: str) -> None:
    app = make_test_app(demo_db, user="admin")
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, "3")
        await pilot.press("e")
        await settle(pilot)
        form = await fill(pilot, I1="P1 P1 P5 P3")
        assert "P5" in str(form.query_one("#admin-preview", Static).render())
        await save(pilot)
        assert word("admin.priority", {"value": "P5"}, EN) in form_error(app)
    assert rule(demo_db, "matrix")["matrix"] == PriorityMatrix().to_config()


async def test_sla_targets_are_checked_then_saved(demo_db: str) -> None:
    app = make_test_app(demo_db, user="admin")
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, "4")
        await pilot.press("down")  # P2
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, resolution="30 minutes")
        await save(pilot)
        refusal = word("admin.sla_order", {"resolution": "30 minutes", "response": "1 hour"}, EN)
        assert refusal in form_error(app)
        await fill(pilot, resolution="6 hours")
        await save(pilot)
        assert await cell_text(app, "sla", "P2", 3) == "6 hours"
        await pilot.press("p")
        await settle(pilot)
        await fill(pilot, warning="150")
        await save(pilot)
        assert "1" in form_error(app) and "99" in form_error(app)
        await fill(pilot, warning="80")
        await save(pilot)
    assert await seen_elsewhere(demo_db, "4", "sla", "P2", 3) == "6 hours"
    sla = rule(demo_db, "sla")
    assert sla["warning_ratio"] == 0.8
    assert sla["targets"]["P2"]["resolution"] == "6 hours"  # type: ignore[index]  # JSON tables


async def test_calendar_days_and_hours(demo_db: str) -> None:
    app = make_test_app(demo_db, user="admin")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_admin(pilot, "5")
        assert screen.year == 2027, "the year the desk must enter next is shown first"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        about = str(screen.section("calendar").query_one(".admin-about", Static).render())
        assert screen.year == 2026 and "2026: the official schedule is known" in about
        await pilot.press("right_square_bracket")
        await settle(pilot)
        about = str(screen.section("calendar").query_one(".admin-about", Static).render())
        assert "2027: the schedule is not entered" in about
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, date="2027-01-01", name="New Year")
        await save(pilot)
        assert await cell_text(app, "calendar", "2027-01-01", 4) == "the desk's"
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, date="2027-01-01")
        await save(pilot)
        listed = word("calendar.listed", {"day": "2027-01-01", "kind": "holidays"}, EN)
        assert listed in form_error(app)
        await pilot.press("escape")
        await pilot.press("h")
        await settle(pilot)
        await fill(pilot, end="08:00")
        await save(pilot)
        assert word("admin.hours_order", {"start": "09:00", "end": "08:00"}, EN) in form_error(app)
        await fill(pilot, end="17:30", lunch="12:00-13:00")
        await save(pilot)
        await pilot.press("c")
        await settle(pilot)
        await save(pilot)
        about = str(screen.section("calendar").query_one(".admin-about", Static).render())
        assert "2027: the desk entered and confirmed the schedule" in about
        assert "(lunch 12:00–13:00)" in about
    assert (
        await seen_elsewhere(demo_db, "5", "calendar", "2027-01-01", 3, "right_square_bracket")
        == "New Year"
    )
    calendar = rule(demo_db, "calendar")
    assert calendar["hours"] == {
        "start": "09:00",
        "end": "17:30",
        "weekdays": [1, 2, 3, 4, 5],
        "lunch": ["12:00", "13:00"],
    }
    local = calendar["local"]
    assert isinstance(local, dict)
    assert local["holidays"] == ["2027-01-01"] and local["known_years"] == [2027]


async def test_routing_refuses_an_unknown_group(demo_db: str) -> None:
    app = make_test_app(demo_db, user="admin")
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, "6")
        await pilot.press("e")  # hardware
        await settle(pilot)
        await fill(pilot, group="nosuch")
        await save(pilot)
        assert word(
            "rules.route_category", {"category": "hardware", "group": "nosuch"}, EN
        ) in form_error(app)
        await fill(pilot, group="network")
        await save(pilot)
        assert (await cell_text(app, "routing", "hardware", 1)).startswith("network")
    assert (await seen_elsewhere(demo_db, "6", "routing", "hardware", 1)).startswith("network")
    categories = rule(demo_db, "routing")["categories"]
    assert isinstance(categories, dict) and categories["hardware"] == "network"


async def test_users_added_edited_and_disabled(demo_db: str) -> None:
    app = make_test_app(demo_db, user="admin")
    async with app.run_test(size=SIZE) as pilot:
        await open_admin(pilot, "1")
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, login="wangwu", name="Wang Wu", role="boss", groups="hardware")
        await save(pilot)
        assert "operator, agent, duty_lead, admin" in form_error(app)
        await fill(pilot, role="agent")
        await save(pilot)
        screen = app.screen
        assert isinstance(screen, AdminScreen)
        table = screen.section("users").table
        table.move_cursor(row=table.get_row_index("wangwu"))
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, leads="network")
        await save(pilot)
        assert word("group.lead_not_member", {"login": "wangwu"}, EN) in form_error(app)
        await fill(pilot, groups="hardware network", leads="network", skills="hardware=9")
        await save(pilot)
        assert word("field.whole_range", {"value": "9", "low": 1, "high": 5}, EN) in form_error(app)
        await fill(pilot, skills="network=2 hardware=4")
        await save(pilot)
        assert await cell_text(app, "users", "wangwu", 4) == "network"
        assert await cell_text(app, "users", "wangwu", 5) == "hardware=4 network=2"
        await pilot.press("d")
        await settle(pilot)
        await save(pilot)
        assert await cell_text(app, "users", "wangwu", 6) == "disabled"
    assert await seen_elsewhere(demo_db, "1", "users", "wangwu", 5) == "hardware=4 network=2"
    db = Database(demo_db)
    with db.read() as session:
        user = session.exec(select(User).where(User.login == "wangwu")).one()
        network = session.exec(select(Group).where(Group.code == "network")).one()
        assert not user.active and network.lead_id == user.id
        notes = [e.note for e in session.exec(select(SettingEvent).order_by(col(SettingEvent.id)))]
    db.dispose()
    assert notes[-5:] == ["add", "edit", "edit", "skills", "disable"]


async def test_groups_need_members_and_a_member_lead(demo_db: str) -> None:
    app = make_test_app(demo_db, user="admin")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_admin(pilot, "2")
        table = screen.section("groups").table
        table.move_cursor(row=table.get_row_index("network"))
        await pilot.press("e")
        await settle(pilot)
        await fill(pilot, members="")
        await save(pilot)
        assert word("admin.no_members", {"group": "network"}, EN) in form_error(app)
        await fill(pilot, members="chenjie lina", lead="zhangwei")
        await save(pilot)
        assert word("group.lead_not_member", {"login": "zhangwei"}, EN) in form_error(app)
        await fill(pilot, lead="lina", name_en="Networks")
        await save(pilot)
        assert await cell_text(app, "groups", "network", 2) == "Networks"
        assert await cell_text(app, "groups", "network", 5) == "chenjie lina"
        await pilot.press("n")
        await settle(pilot)
        await fill(pilot, code="printers", name_zh="打印组", name_en="Printers", tier="5")
        await save(pilot)
        assert "1" in form_error(app) and "3" in form_error(app)
        await fill(pilot, tier="2")
        await save(pilot)
        assert await cell_text(app, "groups", "printers", 2) == "Printers"
    assert await seen_elsewhere(demo_db, "2", "groups", "network", 4) == "lina"


def requester_names(db_url: str, *names: str) -> list[str]:
    db = Database(db_url)
    try:
        with db.read() as session:
            found = session.exec(select(Requester.name).where(col(Requester.name).in_(names))).all()
            return sorted(found)
    finally:
        db.dispose()


async def test_the_directory_is_imported_after_a_dry_run(demo_db: str, tmp_path: Path) -> None:
    """i in Users: a file path, a dry run whose summary and bad rows (in the console's
    language) are confirmed with ctrl+s; then the good rows are in, the bad one left out."""
    export = tmp_path / "hr.csv"
    export.write_text(
        "姓名,手机号,工号,部门\n"
        "吕新民,13912345601,H9001,财务部\n"
        "祁红,13912345602,H9002,行政部\n"
        "无号码,,,仓库\n",
        encoding="gbk",
    )
    app = make_test_app(demo_db, user="admin", lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_admin(pilot, "1")
        await pilot.press("i")
        await settle(pilot)
        await save(pilot)  # no path typed
        assert "请填写要导入的文件路径" in form_error(app)
        await fill(pilot, file=str(tmp_path / "missing.csv"))
        await save(pilot)
        assert "无法读取文件" in form_error(app)
        await fill(pilot, file=str(export))
        await save(pilot)
        confirm = app.screen
        assert isinstance(confirm, AdminForm) and confirm.specs == ()
        said = "\n".join(confirm.intro)
        assert "试运行" in said and "将新增 2" in said and "有误 1" in said
        assert "第 4 行（电话）" in said, said
        assert requester_names(demo_db, "吕新民", "祁红") == []  # nothing written yet
        await save(pilot)
        assert app.screen is screen
        notice = str(screen.query_one("#admin-notice", Static).render())
        assert "已导入 3 行" in notice and "新增 2" in notice and "有误未导入 1" in notice
        assert "本次导入已记入设置审计链，事件 " in notice
    assert requester_names(demo_db, "吕新民", "祁红", "无号码") == ["吕新民", "祁红"]


async def test_a_lead_cannot_import_the_directory(demo_db: str) -> None:
    app = make_test_app(demo_db, user="lead")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_admin(pilot, "1")
        assert not screen.check_action("import_directory", ())
