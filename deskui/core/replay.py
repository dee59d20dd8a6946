"""A ticket's fields as its history tells them: the events replayed from the first.

What the events record is replayed — status, priority, impact and urgency, group, assignee,
tier, solution, the estimate — and compared with what the ticket row holds. A field the history
has not yet determined (the group of a ticket routed nowhere at intake, the impact before any
re-triage: the intake event records neither) is not compared; every column, those included, is
covered by the state hash each event carries (:mod:`deskui.core.chain`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from deskui.core.chain import canonical_time
from deskui.core.enums import EventKind, Status

#: The fields a replay determines, in the order a difference is reported.
REPLAYED: tuple[str, ...] = (
    "status",
    "is_open",
    "priority",
    "impact",
    "urgency",
    "group",
    "assignee",
    "tier",
    "solution",
    "expected_by",
)


@dataclass(frozen=True)
class EventFacts:
    """What a replay reads of one event.

    Attributes:
        kind: the event kind.
        field: the field it changed, if it names one.
        old: its old value as stored.
        new: its new value as stored.
        actor: the login of who acted.
    """

    kind: str
    field: str | None
    old: str | None
    new: str | None
    actor: str | None


def _triage(new: str | None) -> tuple[int, int, str] | None:
    """``I2 U3 P3`` → (2, 3, "P3"); None for anything else."""
    parts = (new or "").split()
    if len(parts) != 3 or parts[0][:1] != "I" or parts[1][:1] != "U":
        return None
    try:
        return int(parts[0][1:]), int(parts[1][1:]), parts[2]
    except ValueError:
        return None


def _tier(new: str | None) -> int | None:
    text = (new or "").removeprefix("L")
    return int(text) if text.isdigit() else None


def replay(events: Iterable[EventFacts]) -> dict[str, object]:
    """The fields of :data:`REPLAYED` that ``events`` (oldest first) determine.

    A new ticket is ``new``, at tier 1, without a solution; everything else is known from the
    event that set it on.
    """
    state: dict[str, object] = {"status": Status.NEW.value, "tier": 1, "solution": None}
    for e in events:
        kind = e.kind
        if e.field == "status" and e.new is not None:
            state["status"] = e.new
        if kind in (EventKind.CREATED, EventKind.PRIORITY_OVERRIDE) and e.field == "priority":
            state["priority"] = e.new
        elif kind == EventKind.TRIAGED and (triaged := _triage(e.new)) is not None:
            state["impact"], state["urgency"], state["priority"] = triaged
        if e.field == "group" and kind in (EventKind.ROUTED, EventKind.TRANSFERRED):
            state["group"] = e.new
        if kind == EventKind.RELEASED:
            state["assignee"] = None
        elif e.field == "assignee":
            state["assignee"] = e.new
        elif kind == EventKind.FIRST_CONTACT:
            state["assignee"] = e.actor
        if (kind == EventKind.ESCALATED or e.field == "tier") and (tier := _tier(e.new)):
            state["tier"] = tier
        if e.field == "solution":
            state["solution"] = e.new
        if kind == EventKind.ESTIMATE and e.field == "expected_by":
            state["expected_by"] = canonical_time(e.new)
    if state["status"] in {s.value for s in Status}:
        state["is_open"] = Status(str(state["status"])).is_open
    return state


def differing(replayed: Mapping[str, object], stored: Mapping[str, object]) -> list[str]:
    """The fields whose stored value is not the one the history leads to.

    ``stored`` holds the ticket's values under the names of :data:`REPLAYED` (the group as its
    code, the assignee as a login, ``expected_by`` as :func:`~deskui.core.chain.canonical_time`).
    """
    return [name for name in REPLAYED if name in replayed and replayed[name] != stored.get(name)]
