"""The priority matrix of SPEC §3: impact × urgency → priority, the VIP raise and overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deskui.core.enums import IMPACTS, URGENCIES, Priority

DEFAULT_MATRIX: dict[tuple[int, int], Priority] = {
    (1, 1): Priority.P1,
    (1, 2): Priority.P1,
    (1, 3): Priority.P2,
    (1, 4): Priority.P3,
    (2, 1): Priority.P1,
    (2, 2): Priority.P2,
    (2, 3): Priority.P3,
    (2, 4): Priority.P4,
    (3, 1): Priority.P2,
    (3, 2): Priority.P3,
    (3, 3): Priority.P4,
    (3, 4): Priority.P4,
}


class PriorityError(ValueError):
    """Impact, urgency or a matrix that the rules do not allow."""


@dataclass(frozen=True)
class PriorityDecision:
    """A derived priority and why it is what it is.

    Attributes:
        priority: the priority the ticket gets.
        matrix_priority: what the matrix alone gave, before the VIP raise or an override.
        impact: 1 (enterprise) … 3 (individual).
        urgency: 1 (business stopped) … 4 (minor).
        vip_raised: the VIP raise moved it up a level.
        override_reason: a duty lead's reason when the priority was set by hand.
    """

    priority: Priority
    matrix_priority: Priority
    impact: int
    urgency: int
    vip_raised: bool = False
    override_reason: str | None = None

    @property
    def reason(self) -> str:
        """A language-neutral explanation, for example ``I2 × U1 → P1; VIP: P2 → P1``."""
        parts = [f"I{self.impact} × U{self.urgency} → {self.matrix_priority}"]
        if self.vip_raised:
            raised = Priority.from_level(self.matrix_priority.level - 1)
            parts.append(f"VIP: {self.matrix_priority} → {raised}")
        if self.override_reason is not None:
            parts.append(f"override → {self.priority}: {self.override_reason}")
        return "; ".join(parts)


class PriorityMatrix:
    """A complete impact × urgency table.

    Args:
        cells: one priority for every (impact, urgency) pair of SPEC §3.
    """

    def __init__(self, cells: Mapping[tuple[int, int], Priority] | None = None) -> None:
        table = dict(DEFAULT_MATRIX if cells is None else cells)
        missing = [(i, u) for i in IMPACTS for u in URGENCIES if (i, u) not in table]
        if missing:
            raise PriorityError(f"priority matrix lacks cells {missing}")
        extra = [key for key in table if key not in DEFAULT_MATRIX]
        if extra:
            raise PriorityError(f"priority matrix has unknown cells {extra}")
        self.cells: dict[tuple[int, int], Priority] = {k: Priority(v) for k, v in table.items()}

    @classmethod
    def from_config(cls, data: Mapping[str, Any]) -> PriorityMatrix:
        """Read the ``[matrix]`` table: ``I1 = ["P1", "P1", "P2", "P3"]`` per impact row.

        Raises:
            PriorityError: a row is missing, has the wrong length or names an unknown priority.
        """
        cells: dict[tuple[int, int], Priority] = {}
        for impact in IMPACTS:
            row = data.get(f"I{impact}")
            if not isinstance(row, list) or len(row) != len(URGENCIES):
                raise PriorityError(f"matrix.I{impact} must list {len(URGENCIES)} priorities")
            for urgency, value in zip(URGENCIES, row, strict=True):
                try:
                    cells[(impact, urgency)] = Priority(value)
                except ValueError as exc:
                    raise PriorityError(f"matrix.I{impact}: unknown priority {value!r}") from exc
        return cls(cells)

    def to_config(self) -> dict[str, list[str]]:
        """The inverse of :meth:`from_config`."""
        return {f"I{i}": [str(self.cells[(i, u)]) for u in URGENCIES] for i in IMPACTS}

    def lookup(self, impact: int, urgency: int) -> Priority:
        """The matrix cell alone.

        Raises:
            PriorityError: impact outside 1–3 or urgency outside 1–4.
        """
        validate_impact_urgency(impact, urgency)
        return self.cells[(impact, urgency)]

    def decide(
        self,
        impact: int,
        urgency: int,
        *,
        vip: bool = False,
        override: Priority | None = None,
        override_reason: str | None = None,
    ) -> PriorityDecision:
        """Derive a ticket's priority.

        A VIP raises the matrix result one level, never above P1. An override replaces the
        result and must carry a reason, which is what the audit trail keeps.

        Raises:
            PriorityError: bad impact/urgency, or an override without a reason.
        """
        base = self.lookup(impact, urgency)
        raised = vip and base is not Priority.P1
        derived = Priority.from_level(base.level - 1) if raised else base
        if override is None:
            return PriorityDecision(derived, base, impact, urgency, raised)
        if not override_reason or not override_reason.strip():
            raise PriorityError("a priority override needs a reason")
        return PriorityDecision(
            Priority(override), base, impact, urgency, raised, override_reason.strip()
        )


def validate_impact_urgency(impact: object, urgency: object) -> None:
    """Refuse anything but impact 1–3 and urgency 1–4 (booleans included).

    Raises:
        PriorityError: naming the offending field.
    """
    if isinstance(impact, bool) or not isinstance(impact, int) or impact not in IMPACTS:
        raise PriorityError(f"impact must be 1, 2 or 3, not {impact!r}")
    if isinstance(urgency, bool) or not isinstance(urgency, int) or urgency not in URGENCIES:
        raise PriorityError(f"urgency must be 1, 2, 3 or 4, not {urgency!r}")
