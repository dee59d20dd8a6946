"""The administration's use cases on SQLite and PostgreSQL: validated first, saved audited."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from deskui.core.enums import ClockKind, Priority
from deskui.i18n import Catalog
from deskui.services import admin
from deskui.services.desk import DeskService
from deskui.services.errors import PermissionDenied, ValidationFailed
from deskui.store.models import SettingEvent

TARGETS = {ClockKind.RESPONSE: "2 hours", ClockKind.UPDATE: "4 hours"}


def events(desk: DeskService, key: str) -> list[SettingEvent]:
    return desk.read(
        lambda s: list(
            s.exec(
                select(SettingEvent).where(SettingEvent.key == key).order_by(col(SettingEvent.id))
            )
        )
    )


def test_a_matrix_is_parsed_cell_by_cell() -> None:
    with pytest.raises(ValidationFailed) as refused:
        admin.parse_matrix({1: "P1 P1 P2", 2: "P1 P2 P3 P9", 3: "p2 p3 p4 p4"})
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("I1", "admin.matrix_row"),
        ("I2", "admin.priority"),
    ]
    matrix = admin.parse_matrix({1: "P1 P1 P2 P3", 2: "P1,P2,P3,P4", 3: "p2 p3 p4 p4"})
    assert matrix.lookup(2, 4) is Priority.P4


def test_a_resolution_shorter_than_the_response_is_refused(desk: DeskService) -> None:
    actor = desk.actor("admin")
    before = len(events(desk, "sla"))
    with pytest.raises(ValidationFailed) as refused:
        admin.save_sla_targets(
            desk, actor, Priority.P3, {**TARGETS, ClockKind.RESOLUTION: "90 minutes"}
        )
    assert refused.value.code == "admin.sla_order"
    with pytest.raises(ValidationFailed) as refused:
        admin.save_sla_targets(
            desk, actor, Priority.P3, {**TARGETS, ClockKind.RESOLUTION: "3 days"}
        )
    assert refused.value.code == "admin.sla_target"
    assert len(events(desk, "sla")) == before
    admin.save_sla_targets(
        desk, actor, Priority.P3, {**TARGETS, ClockKind.RESOLUTION: "2 working_days"}
    )
    target = desk.rules.sla.target(Priority.P3, ClockKind.RESOLUTION)
    assert target.business and target.seconds == 2 * 9 * 3600
    assert events(desk, "sla")[-1].note == "admin: sla P3"


def test_targets_typed_in_either_language_are_stored_as_the_rules_write_them(
    desk: DeskService,
) -> None:
    actor = desk.actor("admin")
    typed = {ClockKind.RESPONSE: "1 小时", ClockKind.UPDATE: "4 hours"}
    admin.save_sla_targets(desk, actor, Priority.P3, {**typed, ClockKind.RESOLUTION: "3 个工作日"})
    assert desk.rules.raw["sla"]["targets"]["P3"] == {
        "response": "1 hours",
        "update": "4 hours",
        "resolution": "3 working_days",
    }
    admin.save_sla_targets(
        desk, actor, Priority.P3, {**typed, ClockKind.RESOLUTION: "2 working days"}
    )
    assert desk.rules.raw["sla"]["targets"]["P3"]["resolution"] == "2 working_days"
    with pytest.raises(ValidationFailed) as refused:
        admin.save_sla_targets(desk, actor, Priority.P3, {**typed, ClockKind.RESOLUTION: "30 分钟"})
    assert refused.value.code == "admin.sla_order"


def test_a_stored_target_is_worded_in_the_console_language() -> None:
    assert admin.target_text("1 hours", Catalog("en")) == "1 hour"
    assert admin.target_text("3 working_days", Catalog("en")) == "3 working days"
    assert admin.target_text("3 working_days", Catalog("zh")) == "3 个工作日"
    assert admin.target_text("15 minutes", Catalog("zh")) == "15 分钟"


def test_only_an_admin_changes_the_rules(desk: DeskService) -> None:
    with pytest.raises(PermissionDenied):
        admin.save_warning(desk, desk.actor("lead"), "80")
    admin.save_warning(desk, desk.actor("admin"), "80 %")
    assert desk.rules.sla.warning_ratio == 0.8


def test_working_hours_are_checked(desk: DeskService) -> None:
    actor = desk.actor("admin")
    cases = [
        (admin.WorkingHours("9:00", "18:00", "", "1 2 3 4 5"), "admin.time"),
        (admin.WorkingHours("09:00", "18:00", "14:00-13:00", "1 2 3 4 5"), "admin.lunch"),
        (admin.WorkingHours("09:00", "18:00", "", "1 2 8"), "admin.weekdays"),
        (admin.WorkingHours("18:00", "09:00", "", "1"), "admin.hours_order"),
    ]
    for hours, code in cases:
        with pytest.raises(ValidationFailed) as refused:
            admin.save_hours(desk, actor, hours)
        assert refused.value.code == code
    admin.save_hours(
        desk, actor, admin.WorkingHours("08:30", "17:30", "12:00-13:00", "1 2 3 4 5 6")
    )
    assert desk.rules.calendar.hours.seconds_per_day == 8 * 3600


def test_a_group_keeps_members_and_its_lead_is_one(desk: DeskService) -> None:
    who = admin.console_identity(desk.actor("admin"), sqlite=desk.db.is_sqlite)
    base = {"name_zh": "硬件组", "name_en": "Hardware", "tier": 2}
    with pytest.raises(ValidationFailed) as refused:
        admin.edit_group(desk, who, "hardware", lead="", members=[], **base)  # type: ignore[arg-type]  # the names and tier as typed
    assert refused.value.code == "admin.no_members"
    with pytest.raises(ValidationFailed) as refused:
        admin.edit_group(desk, who, "hardware", lead="op", members=["agent1"], **base)  # type: ignore[arg-type]  # as above
    assert refused.value.code == "group.lead_not_member"
    assert {g.code: g.members for g in desk.group_views()}["hardware"] == (
        "agent1",
        "agent2",
        "lead",
    )
    view = admin.edit_group(
        desk,
        who,
        "hardware",
        lead="agent2",
        members=["agent1", "agent2"],
        **base,  # type: ignore[arg-type]  # as above
    )
    assert view.members == ("agent1", "agent2") and view.lead == "agent2"
    users = {u.login: u.groups for u in desk.users()}
    assert users["lead"] == ("desk",)


def test_a_user_leads_one_group(desk: DeskService) -> None:
    who = admin.console_identity(desk.actor("admin"), sqlite=desk.db.is_sqlite)
    admin.edit_user(
        desk,
        who,
        "agent2",
        name="李娜",
        role="agent",
        groups=["hardware", "software"],
        leads="software",
    )
    admin.edit_user(
        desk,
        who,
        "agent2",
        name="李娜",
        role="agent",
        groups=["hardware", "software"],
        leads="hardware",
    )
    leads = {g.code: g.lead for g in desk.group_views()}
    assert leads["hardware"] == "agent2" and leads["software"] is None
