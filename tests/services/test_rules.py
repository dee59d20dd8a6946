"""The desk's rules are kept with the data; an admin's change is validated and audited."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from deskui.services.desk import DeskService
from deskui.services.errors import PermissionDenied, ServiceError
from deskui.store.models import SettingEvent
from tests.services.test_intake import call


def test_rules_come_from_the_database(desk: DeskService) -> None:
    assert desk.rules.matrix.lookup(3, 4) == "P4"
    assert str(desk.rules.tz) == "Asia/Shanghai"
    assert desk.rules.category_groups["network"] == "network"


def test_matrix_change_is_audited_and_applied(desk: DeskService) -> None:
    admin = desk.actor("admin")
    matrix = {
        "vip_raise": True,
        "matrix": {
            "I1": ["P1", "P1", "P2", "P3"],
            "I2": ["P1", "P2", "P3", "P4"],
            "I3": ["P2", "P3", "P3", "P3"],
        },
    }
    with pytest.raises(PermissionDenied):
        desk.save_rules(desk.actor("lead"), "matrix", matrix, "no P4 for individuals")
    with pytest.raises(ServiceError, match="reason"):
        desk.save_rules(admin, "matrix", matrix, " ")
    broken = {"matrix": {"I1": ["P1"]}}
    with pytest.raises(ServiceError, match="I1"):
        desk.save_rules(admin, "matrix", broken, "typo")
    desk.save_rules(admin, "matrix", matrix, "no P4 for individuals")
    assert desk.create_ticket(desk.actor("op"), call(impact=3, urgency=4)).priority == "P3"
    events = desk.read(
        lambda s: list(
            s.exec(
                select(SettingEvent).where(
                    SettingEvent.key == "matrix", SettingEvent.actor_id == admin.id
                )
            )
        )
    )
    assert len(events) == 1
    assert events[0].note == "no P4 for individuals" and events[0].actor_id == admin.id
    assert json.loads(events[0].old_value or "{}")["matrix"]["I3"][3] == "P4"
    assert json.loads(events[0].new_value)["matrix"]["I3"][3] == "P3"


def test_another_consoles_rule_change_is_read_again_and_only_then_parsed(desk: DeskService) -> None:
    """A console holds its rules; re-reading them parses nothing unless what is stored moved."""
    other = DeskService(desk.db, desk.clock)
    held = desk.rules
    again, changed = desk.reload_rules()
    assert again is held and not changed  # nothing changed: the same object, nothing parsed
    matrix = {
        "vip_raise": True,
        "matrix": {
            "I1": ["P1", "P1", "P2", "P3"],
            "I2": ["P1", "P2", "P3", "P4"],
            "I3": ["P2", "P3", "P3", "P3"],
        },
    }
    other.save_rules(other.actor("admin"), "matrix", matrix, "no P4 for individuals")
    assert desk.rules is held and held.matrix.lookup(3, 4) == "P4"  # held until re-read
    rules, changed = desk.reload_rules()
    assert changed and rules is not held and rules.matrix.lookup(3, 4) == "P3"
    assert desk.rules is rules
    again, changed = desk.reload_rules()
    assert again is rules and not changed
