"""The SLA clocks of SPEC §5, recomputed from a ticket's event history.

Nothing here keeps a running counter: every figure is derived from the receipt time, the
ticket's events and "now", so pauses, reassignment and re-triage never make a clock drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from deskui.core.enums import ClockKind, ClockState, Priority, Status

_UNITS = {"minutes": 60, "hours": 3600, "seconds": 1}

#: Statuses in which the resolution clock counts.
RESOLUTION_RUNS = frozenset({Status.NEW, Status.TO_ASSIGN, Status.IN_PROGRESS})
#: Statuses that pause the update and resolution clocks.
PAUSING = frozenset({Status.PENDING, Status.AWAITING_CONFIRMATION})
#: Statuses in which no clock runs any more.
FINISHED = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED})


class TimeMeasure(Protocol):
    """How elapsed time is counted: wall-clock, or business time on a calendar."""

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Counted seconds between two instants."""
        ...

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` have been counted after ``start``."""
        ...


class WallClock:
    """24×7 time: every second counts."""

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds between two instants, 0 if ``end`` is not after ``start``."""
        return max(0.0, (end - start).total_seconds())

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """``start`` plus ``seconds``."""
        return start + timedelta(seconds=seconds)


WALL_CLOCK = WallClock()


@dataclass(frozen=True)
class SlaTarget:
    """One clock's target.

    Attributes:
        seconds: how much counted time the clock allows.
        business: counted on the business calendar (working days) rather than 24×7.
    """

    seconds: float
    business: bool = False

    @classmethod
    def parse(cls, text: str, *, working_day_seconds: int) -> SlaTarget:
        """Read ``"15 minutes"``, ``"4 hours"`` or ``"3 working_days"``.

        Raises:
            ValueError: an unknown unit or a non-positive amount.
        """
        try:
            amount_text, unit = text.split()
            amount = float(amount_text)
        except ValueError as exc:
            raise ValueError(f"SLA target {text!r} must be 'AMOUNT UNIT'") from exc
        if amount <= 0:
            raise ValueError(f"SLA target {text!r} must be positive")
        if unit == "working_days":
            return cls(amount * working_day_seconds, business=True)
        if unit == "business_hours":
            return cls(amount * 3600, business=True)
        if unit not in _UNITS:
            raise ValueError(f"SLA target {text!r}: unknown unit {unit!r}")
        return cls(amount * _UNITS[unit])


@dataclass(frozen=True)
class SlaPolicy:
    """The targets of every priority and the warning threshold.

    Attributes:
        targets: per priority, per clock.
        warning_ratio: share of the target elapsed at which a clock warns (default 75 %).
    """

    targets: Mapping[Priority, Mapping[ClockKind, SlaTarget]]
    warning_ratio: float = 0.75

    @classmethod
    def from_config(cls, data: Mapping[str, Any], *, working_day_seconds: int) -> SlaPolicy:
        """Read the SLA TOML: ``warning_ratio`` and ``[targets.P1] response = "15 minutes"``.

        Raises:
            ValueError: a priority or clock missing, or a bad ratio.
        """
        ratio = float(data.get("warning_ratio", 0.75))
        if not 0 < ratio < 1:
            raise ValueError("sla.warning_ratio must be between 0 and 1")
        raw = data.get("targets", {})
        targets: dict[Priority, dict[ClockKind, SlaTarget]] = {}
        for priority in Priority:
            row = raw.get(str(priority))
            if not isinstance(row, Mapping):
                raise ValueError(f"sla.targets.{priority} is missing")
            targets[priority] = {}
            for kind in ClockKind:
                if kind.value not in row:
                    raise ValueError(f"sla.targets.{priority}.{kind} is missing")
                targets[priority][kind] = SlaTarget.parse(
                    str(row[kind.value]), working_day_seconds=working_day_seconds
                )
        return cls(targets, ratio)

    def target(self, priority: Priority, kind: ClockKind) -> SlaTarget:
        """The target of one clock at one priority."""
        return self.targets[Priority(priority)][kind]


@dataclass(frozen=True)
class ClockEvent:
    """What the clocks need to know about one ticket event.

    Attributes:
        at: when it happened.
        status: the status the ticket moved to, if it moved.
        acknowledges: an agent acknowledged or first contacted the requester (stops response).
        progress: a progress update went to the requester (restarts the update clock).
        note: the reason given (kept for a pause).
    """

    at: datetime
    status: Status | None = None
    acknowledges: bool = False
    progress: bool = False
    note: str | None = None


@dataclass(frozen=True)
class SlaClock:
    """One clock as it stands at ``now``.

    Attributes:
        kind: response, update or resolution.
        state: running, warning, breached, paused, met or missed.
        target_seconds: the allowed counted time.
        elapsed_seconds: counted time so far (in the current cycle for the update clock).
        remaining_seconds: target minus elapsed; negative once breached.
        due: when the target is (or was, or would be) reached.
        started_at: when the clock (or its current cycle) started.
        stopped_at: when it stopped for good, if it did.
        paused_since: when the current pause began.
        paused_reason: the reason given for the current pause.
        business: counted on the business calendar.
    """

    kind: ClockKind
    state: ClockState
    target_seconds: float
    elapsed_seconds: float
    remaining_seconds: float
    due: datetime
    started_at: datetime
    stopped_at: datetime | None = None
    paused_since: datetime | None = None
    paused_reason: str | None = None
    business: bool = False

    @property
    def is_open(self) -> bool:
        """The clock still runs or is paused (not met or missed)."""
        return self.state not in (ClockState.MET, ClockState.MISSED)

    @property
    def elapsed_ratio(self) -> float:
        """Elapsed share of the target (1.0 = due now)."""
        return self.elapsed_seconds / self.target_seconds if self.target_seconds else 1.0


@dataclass
class _Segments:
    """Counted spans of one clock: closed spans plus possibly one that is still open."""

    spans: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    start: datetime | None = None

    def open(self, at: datetime) -> None:
        if self.start is None:
            self.start = at

    def close(self, at: datetime) -> None:
        if self.start is not None:
            self.spans.append((self.start, at))
            self.start = None

    def all(self) -> list[tuple[datetime, datetime | None]]:
        return self.spans + ([(self.start, None)] if self.start is not None else [])


def _evaluate(
    kind: ClockKind,
    segments: list[tuple[datetime, datetime | None]],
    *,
    started_at: datetime,
    target: SlaTarget,
    measure: TimeMeasure,
    now: datetime,
    ratio: float,
    stopped_at: datetime | None,
    paused_since: datetime | None,
    paused_reason: str | None,
    earlier_miss: bool = False,
) -> SlaClock:
    """Turn counted spans into elapsed, remaining, due and state."""
    elapsed = 0.0
    due: datetime | None = None
    for begin, end in segments:
        counted = measure.business_seconds(begin, end or now)
        if due is None and elapsed + counted >= target.seconds:
            # the due time falls inside this span: the instant the target was used up
            due = measure.add_business_seconds(begin, target.seconds - elapsed)
        elapsed += counted
    remaining = target.seconds - elapsed
    if due is None:
        anchor = stopped_at or now
        due = measure.add_business_seconds(anchor, remaining)
    if stopped_at is not None:
        state = ClockState.MISSED if (remaining < 0 or earlier_miss) else ClockState.MET
    elif paused_since is not None:
        state = ClockState.PAUSED
    elif remaining < 0:
        state = ClockState.BREACHED
    elif elapsed >= ratio * target.seconds:
        state = ClockState.WARNING
    else:
        state = ClockState.RUNNING
    return SlaClock(
        kind=kind,
        state=state,
        target_seconds=target.seconds,
        elapsed_seconds=elapsed,
        remaining_seconds=remaining,
        due=due,
        started_at=started_at,
        stopped_at=stopped_at,
        paused_since=paused_since,
        paused_reason=paused_reason,
        business=target.business,
    )


def compute_clocks(
    *,
    priority: Priority,
    received_at: datetime,
    events: Iterable[ClockEvent],
    now: datetime,
    policy: SlaPolicy,
    calendar: TimeMeasure,
    initial_status: Status = Status.NEW,
) -> dict[ClockKind, SlaClock]:
    """Compute the three clocks of a ticket from its history.

    Args:
        priority: the ticket's current priority (re-triage changes the targets, not the past).
        received_at: when the call was received; every clock starts there.
        events: the ticket's events, in any order (sorted here by time, stably).
        now: the instant to evaluate at.
        policy: targets and warning threshold.
        calendar: the business calendar for targets counted in working time.
        initial_status: the status the ticket had at ``received_at``.

    Returns:
        One :class:`SlaClock` per clock kind.
    """
    ordered: Sequence[ClockEvent] = sorted(
        (e for e in events if e.at <= now), key=lambda e: max(e.at, received_at)
    )
    status = Status(initial_status)

    response = _Segments()
    response.open(received_at)
    response_stop: datetime | None = None

    update = _Segments()
    update_started = received_at
    update_prior_miss = False
    update_stop: datetime | None = None

    resolution = _Segments()
    resolution_stop: datetime | None = None
    pause_since: datetime | None = None
    pause_reason: str | None = None

    def counts_update(s: Status) -> bool:
        return s not in PAUSING and s not in FINISHED

    if status in RESOLUTION_RUNS:
        resolution.open(received_at)
    if counts_update(status):
        update.open(received_at)

    update_target = policy.target(priority, ClockKind.UPDATE)
    measure_update = calendar if update_target.business else WALL_CLOCK

    for event in ordered:
        at = max(event.at, received_at)
        if response_stop is None and (
            event.acknowledges
            or event.progress
            or (event.status is not None and event.status not in (Status.NEW, Status.TO_ASSIGN))
        ):
            response.close(at)
            response_stop = at
        if event.progress and status not in FINISHED:
            # a progress update starts a new cycle; remember whether the old one ran over
            cycle = _evaluate(
                ClockKind.UPDATE,
                update.all(),
                started_at=update_started,
                target=update_target,
                measure=measure_update,
                now=at,
                ratio=policy.warning_ratio,
                stopped_at=None,
                paused_since=None,
                paused_reason=None,
            )
            update_prior_miss = update_prior_miss or cycle.remaining_seconds < 0
            running = update.start is not None
            update = _Segments()
            update_started = at
            if running:
                update.open(at)
        if event.status is None or event.status == status:
            continue
        new = Status(event.status)
        if new in RESOLUTION_RUNS:
            resolution.open(at)
            resolution_stop = None
        else:
            resolution.close(at)
            if new not in PAUSING or new == Status.AWAITING_CONFIRMATION:
                resolution_stop = at
        if counts_update(new):
            update.open(at)
            update_stop = None
        else:
            update.close(at)
            update_stop = at if new in FINISHED else None
        if new in PAUSING:
            # only a pending ticket's note is a reason for pausing; a solution's note is the
            # solution itself
            pause_since, pause_reason = at, event.note if new == Status.PENDING else None
        else:
            pause_since, pause_reason = None, None
        status = new

    def target(kind: ClockKind) -> SlaTarget:
        return policy.target(priority, kind)

    def measure(kind: ClockKind) -> TimeMeasure:
        return calendar if target(kind).business else WALL_CLOCK

    ratio = policy.warning_ratio
    resolution_paused = pause_since if status == Status.PENDING else None
    return {
        ClockKind.RESPONSE: _evaluate(
            ClockKind.RESPONSE,
            response.all(),
            started_at=received_at,
            target=target(ClockKind.RESPONSE),
            measure=measure(ClockKind.RESPONSE),
            now=now,
            ratio=ratio,
            stopped_at=response_stop,
            paused_since=None,
            paused_reason=None,
        ),
        ClockKind.UPDATE: _evaluate(
            ClockKind.UPDATE,
            update.all(),
            started_at=update_started,
            target=update_target,
            measure=measure_update,
            now=now,
            ratio=ratio,
            stopped_at=update_stop,
            paused_since=pause_since if update_stop is None else None,
            paused_reason=pause_reason if update_stop is None else None,
            earlier_miss=update_prior_miss,
        ),
        ClockKind.RESOLUTION: _evaluate(
            ClockKind.RESOLUTION,
            resolution.all(),
            started_at=received_at,
            target=target(ClockKind.RESOLUTION),
            measure=measure(ClockKind.RESOLUTION),
            now=now,
            ratio=ratio,
            stopped_at=resolution_stop,
            paused_since=resolution_paused,
            paused_reason=pause_reason if resolution_paused else None,
        ),
    }


def advance_clock(
    clock: SlaClock, since: datetime, now: datetime, calendar: TimeMeasure, warning_ratio: float
) -> SlaClock:
    """A clock computed at ``since`` as it stands at ``now``, no event having happened between.

    A running clock keeps counting (on the business calendar if its target is in working time)
    and turns warning, then breached, exactly where a recomputation from the events would;
    paused and stopped clocks keep their figures.
    """
    if now <= since or clock.state in (ClockState.MET, ClockState.MISSED):
        return clock
    measure = calendar if clock.business else WALL_CLOCK
    if clock.state == ClockState.PAUSED:
        if clock.remaining_seconds <= 0:
            return clock
        return replace(clock, due=measure.add_business_seconds(now, clock.remaining_seconds))
    elapsed = clock.elapsed_seconds + measure.business_seconds(since, now)
    remaining = clock.target_seconds - elapsed
    if remaining < 0:
        state = ClockState.BREACHED
    elif elapsed >= warning_ratio * clock.target_seconds:
        state = ClockState.WARNING
    else:
        state = ClockState.RUNNING
    return replace(clock, state=state, elapsed_seconds=elapsed, remaining_seconds=remaining)


class ClockRules(Protocol):
    """What carrying clocks forward needs of the desk's rules (``DeskRules`` is one)."""

    @property
    def sla(self) -> SlaPolicy:
        """The SLA targets and the warning ratio."""
        ...

    @property
    def calendar(self) -> TimeMeasure:
        """The business calendar."""
        ...


def advance_clocks(
    clocks: Mapping[ClockKind, SlaClock], since: datetime, now: datetime, rules: ClockRules
) -> dict[ClockKind, SlaClock]:
    """Every clock of a ticket carried from ``since`` to ``now`` (see :func:`advance_clock`)."""
    ratio = rules.sla.warning_ratio
    return {kind: advance_clock(c, since, now, rules.calendar, ratio) for kind, c in clocks.items()}


def nearest_due(clocks: Mapping[ClockKind, SlaClock]) -> datetime | None:
    """The earliest due time among the clocks still open (running, warning, breached)."""
    open_dues = [c.due for c in clocks.values() if c.state.is_live]
    return min(open_dues) if open_dues else None


def worst_state(clocks: Mapping[ClockKind, SlaClock]) -> ClockState:
    """The most alarming state among the clocks, for a one-word summary."""
    states = {c.state for c in clocks.values()}
    for state in _SEVERITY:
        if state in states:
            return state
    return ClockState.MET


_SEVERITY = (
    ClockState.BREACHED,
    ClockState.WARNING,
    ClockState.RUNNING,
    ClockState.PAUSED,
    ClockState.MISSED,
    ClockState.MET,
)
