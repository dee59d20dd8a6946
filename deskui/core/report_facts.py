"""What a report needs to know of one ticket, derived from its clocks and history.

The clocks are recomputed from events (:mod:`deskui.core.sla`), which a report over a month of
tickets cannot do in SQL. So each change of a ticket stores these facts beside it, from the same
clocks the change computed; a report then only aggregates columns. What still moves after the
last change (a running clock crossing its due time) is read from the stored due time at report
time, never from these facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from deskui.core.enums import ACKNOWLEDGING, ClockKind, ClockState, EventKind, Status
from deskui.core.sla import FINISHED, PAUSING, ClockEvent, SlaClock


class Outcome(StrEnum):
    """Where an SLA clock stands for a report."""

    RUNNING = "running"
    """Still counting: breached once its stored due time is past."""
    PAUSED = "paused"
    """Not counting (pending, or awaiting the requester): breached if it was late when paused."""
    MET = "met"
    """Stopped at or before its due time."""
    MISSED = "missed"
    """Stopped after its due time."""


@dataclass(frozen=True)
class ReportFacts:
    """One ticket's facts for the reports.

    Attributes:
        response: the response clock's outcome.
        response_late: seconds the response came after its due time (0 unless missed).
        resolution: the resolution clock's outcome.
        resolution_late: seconds after the due time the resolution stopped or paused (0 if
            neither was late).
        paused: wall-clock seconds spent pending or awaiting the requester's answer.
        reopened: how many times a solution was refused or a finished ticket reopened.
        first_contact: resolved at intake (first-contact resolution).
        to_confirmation: wall-clock seconds from receipt to the requester's confirmation, None
            while not confirmed.
        worked_minutes: the minutes its worklog entries say were spent, summed.
    """

    response: Outcome
    response_late: int
    resolution: Outcome
    resolution_late: int
    paused: int
    reopened: int
    first_contact: bool
    to_confirmation: int | None
    worked_minutes: int = 0


def stored_clock_event(
    at: datetime, kind: str, field: str | None, new_value: str | None, note: str | None
) -> ClockEvent:
    """What the clocks read of one stored ticket event (its time, kind, field, new value, note)."""
    return ClockEvent(
        at=at,
        status=Status(new_value) if field == "status" and new_value else None,
        acknowledges=kind in ACKNOWLEDGING,
        progress=kind == EventKind.PROGRESS,
        note=note,
    )


def _seconds(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def _outcome(clock: SlaClock) -> tuple[Outcome, int]:
    if clock.state == ClockState.MET:
        return Outcome.MET, 0
    if clock.state == ClockState.MISSED:
        assert clock.stopped_at is not None
        return Outcome.MISSED, _seconds(clock.due, clock.stopped_at)
    if clock.state == ClockState.PAUSED:
        late = _seconds(clock.due, clock.paused_since) if clock.paused_since else 0
        return Outcome.PAUSED, late if clock.remaining_seconds < 0 else 0
    return Outcome.RUNNING, 0


def report_facts(
    *,
    received_at: datetime,
    confirmed_at: datetime | None,
    clocks: Mapping[ClockKind, SlaClock],
    events: Iterable[ClockEvent],
    first_contact: bool,
    worked_minutes: int = 0,
) -> ReportFacts:
    """A ticket's report facts from its clocks and its status history.

    Args:
        received_at: when the call came in (the ticket starts ``new`` then).
        confirmed_at: when the requester confirmed the solution, if they did.
        clocks: the clocks as the change computed them.
        events: the ticket's events (only status moves are read), in any order.
        first_contact: the ticket was resolved at intake.
        worked_minutes: the minutes its worklog entries carry, summed.
    """
    response, response_late = _outcome(clocks[ClockKind.RESPONSE])
    resolution, resolution_late = _outcome(clocks[ClockKind.RESOLUTION])
    status = Status.NEW
    paused = 0
    reopened = 0
    paused_since: datetime | None = None
    for event in sorted(events, key=lambda e: max(e.at, received_at)):
        if event.status is None or event.status == status:
            continue
        at = max(event.at, received_at)
        new = Status(event.status)
        if paused_since is not None and new not in PAUSING:
            paused += _seconds(paused_since, at)
            paused_since = None
        if new in PAUSING and paused_since is None:
            paused_since = at
        # back to work after a solution or a finish: the requester refused it, or it was reopened
        if (status == Status.AWAITING_CONFIRMATION or status in FINISHED) and new.is_open:
            reopened += 1
        status = new
    return ReportFacts(
        response=response,
        response_late=response_late,
        resolution=resolution,
        resolution_late=resolution_late,
        paused=paused,
        reopened=reopened,
        first_contact=first_contact,
        to_confirmation=_seconds(received_at, confirmed_at) if confirmed_at else None,
        worked_minutes=worked_minutes,
    )
