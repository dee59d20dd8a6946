"""One check of a rule set, on SQLite and PostgreSQL: whichever way rules are saved (the
console's editors, ``rules import``), the same faults are refused with the same codes, and
nothing is saved while one is left."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from deskui.i18n import Catalog
from deskui.services import admin
from deskui.services.desk import DeskService
from deskui.services.errors import ValidationFailed
from tests.services.test_admin import events


def imported(desk: DeskService, **changes: dict[str, Any]) -> ValidationFailed:
    """Save ``changes`` as ``rules import`` does, expecting a refusal; nothing was saved."""
    before = {key: len(events(desk, key)) for key in changes}
    with pytest.raises(ValidationFailed) as refused:
        desk.save_rule_files(desk.actor("admin"), changes, "rules import rules.toml")
    assert {key: len(events(desk, key)) for key in changes} == before
    return refused.value


def raw(desk: DeskService, key: str) -> dict[str, Any]:
    return copy.deepcopy(dict(desk.rules.raw[key]))


def test_an_import_is_refused_a_resolution_shorter_than_the_response(desk: DeskService) -> None:
    sla = raw(desk, "sla")
    sla["targets"]["P4"]["resolution"] = "30 minutes"
    matrix = raw(desk, "matrix")
    matrix["matrix"]["I3"] = ["P1", "P1", "P1", "P1"]
    refused = imported(desk, sla=sla, matrix=matrix)
    assert [(p.field, p.code) for p in refused.problems] == [
        ("sla.targets.P4.resolution", "admin.sla_order")
    ]
    assert refused.problems[0].params == {"resolution": "30 minutes", "response": "1 hours"}
    assert desk.rules.matrix.lookup(3, 4) == "P4", "the valid matrix in the same file is not saved"
    # the console's editor is refused by the same check, with the same code
    with pytest.raises(ValidationFailed) as editor:
        admin.save_sla_targets(
            desk,
            desk.actor("admin"),
            admin.Priority.P4,
            {k: sla["targets"]["P4"][k] for k in admin.ClockKind},
        )
    assert [p.code for p in editor.value.problems] == ["admin.sla_order"]


def test_an_import_makes_every_check_the_editors_make(desk: DeskService) -> None:
    matrix = raw(desk, "matrix")
    matrix["matrix"]["I2"] = ["P1", "P2", "P5", "P4"]
    matrix["matrix"]["I1"] = ["P1"]
    sla = raw(desk, "sla")
    sla["warning_ratio"] = 1.5
    sla["targets"]["P1"]["update"] = "4 days"
    calendar = raw(desk, "calendar")
    calendar["hours"] = {"start": "18:00", "end": "09:00", "weekdays": [1, 2, 3, 4, 5]}
    refused = imported(desk, matrix=matrix, sla=sla, calendar=calendar)
    assert [(p.field, p.code) for p in refused.problems] == [
        ("matrix.matrix.I1", "admin.matrix_row"),
        ("matrix.matrix.I2", "admin.priority"),
        ("sla.warning_ratio", "admin.warning"),
        ("sla.targets.P1.update", "admin.sla_target"),
        ("calendar.hours.end", "admin.hours_order"),
    ]
    zh = Catalog("zh")
    assert refused.problems[2].words(zh) == "预警比例“150%”须为 1 到 99 之间的整数百分比，未保存"


def test_routing_to_a_group_that_does_not_exist_is_refused(desk: DeskService) -> None:
    routing = raw(desk, "routing")
    routing["categories"]["network"] = "nosuchgroup"
    routing["escalation"]["3"] = "nobody"
    refused = imported(desk, routing=routing)
    assert [(p.field, p.code, p.params) for p in refused.problems] == [
        (
            "routing.categories.network",
            "rules.route_category",
            {"category": "network", "group": "nosuchgroup"},
        ),
        ("routing.escalation.3", "rules.route_tier", {"tier": "3", "group": "nobody"}),
    ]
    assert refused.problems[0].words(Catalog("zh")) == (
        "问题类型“网络问题”分派到的支持组 nosuchgroup 不存在，未保存"
    )
    assert desk.rules.category_groups["network"] == "network"
    # the console's routing editor goes through the same check
    with pytest.raises(ValidationFailed) as editor:
        admin.save_route(desk, desk.actor("admin"), "network", "nosuchgroup")
    assert editor.value.problems == refused.problems[:1]
    admin.save_route(desk, desk.actor("admin"), "network", "software")
    assert desk.rules.category_groups["network"] == "software"
