"""The priority matrix of SPEC §3, every cell, the VIP raise and overrides."""

from __future__ import annotations

import pytest

from deskui.core.enums import Priority
from deskui.core.priority import DEFAULT_MATRIX, PriorityError, PriorityMatrix

SPEC_TABLE = {
    1: ["P1", "P1", "P2", "P3"],
    2: ["P1", "P2", "P3", "P4"],
    3: ["P2", "P3", "P4", "P4"],
}
CELLS = [(i, u, p) for i, row in SPEC_TABLE.items() for u, p in enumerate(row, start=1)]


@pytest.mark.parametrize(("impact", "urgency", "expected"), CELLS)
def test_every_cell_matches_spec(impact: int, urgency: int, expected: str) -> None:
    decision = PriorityMatrix().decide(impact, urgency)
    assert decision.priority == Priority(expected)
    assert decision.reason == f"I{impact} × U{urgency} → {expected}"
    assert not decision.vip_raised


@pytest.mark.parametrize(("impact", "urgency", "expected"), CELLS)
def test_vip_raises_one_level_never_above_p1(impact: int, urgency: int, expected: str) -> None:
    decision = PriorityMatrix().decide(impact, urgency, vip=True)
    base = Priority(expected)
    assert decision.matrix_priority == base
    assert decision.priority == Priority.from_level(base.level - 1)
    assert decision.vip_raised == (base != Priority.P1)
    if base != Priority.P1:
        assert f"VIP: {base} → {decision.priority}" in decision.reason


def test_vip_reason_reads_like_the_form() -> None:
    assert PriorityMatrix().decide(2, 2, vip=True).reason == "I2 × U2 → P2; VIP: P2 → P1"


def test_override_needs_a_reason_and_is_explained() -> None:
    matrix = PriorityMatrix()
    with pytest.raises(PriorityError, match="reason"):
        matrix.decide(3, 4, override=Priority.P1)
    with pytest.raises(PriorityError, match="reason"):
        matrix.decide(3, 4, override=Priority.P1, override_reason="   ")
    decision = matrix.decide(3, 4, override=Priority.P1, override_reason="CEO's laptop")
    assert decision.priority == Priority.P1
    assert decision.matrix_priority == Priority.P4
    assert decision.override_reason == "CEO's laptop"
    assert "override → P1: CEO's laptop" in decision.reason


@pytest.mark.parametrize(
    ("impact", "urgency", "field"),
    [
        (0, 1, "impact"),
        (4, 1, "impact"),
        (1, 0, "urgency"),
        (1, 5, "urgency"),
        (True, 1, "impact"),
        (1, "2", "urgency"),
        (None, 1, "impact"),
        (1.0, 1, "impact"),
    ],
)
def test_out_of_range_is_refused_naming_the_field(
    impact: object, urgency: object, field: str
) -> None:
    with pytest.raises(PriorityError, match=field):
        PriorityMatrix().decide(impact, urgency)  # type: ignore[arg-type]  # wrong types on purpose


def test_matrix_config_roundtrip_and_errors() -> None:
    matrix = PriorityMatrix()
    assert PriorityMatrix.from_config(matrix.to_config()).cells == DEFAULT_MATRIX
    custom = matrix.to_config()
    custom["I3"] = ["P1", "P1", "P1", "P1"]
    assert PriorityMatrix.from_config(custom).lookup(3, 4) == Priority.P1
    with pytest.raises(PriorityError, match="I2"):
        PriorityMatrix.from_config({"I1": custom["I1"], "I3": custom["I3"]})
    with pytest.raises(PriorityError, match="P9"):
        PriorityMatrix.from_config({**custom, "I1": ["P1", "P1", "P9", "P1"]})
    with pytest.raises(PriorityError, match="lacks"):
        PriorityMatrix({(1, 1): Priority.P1})
