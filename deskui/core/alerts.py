"""The emergency board's alerts and the order of its rows: pure rules, no clock read, no SQL.

**Alerts.** A P1 ticket on the board is an alert, and so is each of a ticket's clocks in breach
(SPEC §5: "a breach or an emergency ticket alerts the on-duty staff"). An alert stands *since*
an instant: a P1 since the ticket became P1, a breach since its clock's due time. A lead
acknowledges the alerts they see; the acknowledgement is an event in the ticket's record
(:class:`Acknowledgement`), shared by every console. It covers an alert it names when it was
made at or after the alert began: a ticket lowered to P2 and raised to P1 again, or an update
clock that restarted and breached again, alerts anew.

**Order** (:func:`board_order`), top to bottom:

1. alerts nobody has acknowledged: P1 before P2 before the rest, the newest first within a
   priority (a P1 logged a second ago is the first row, however many tickets breached days ago);
2. the other P1 and P2 tickets, P1 first, the longest breached first, then the nearest due;
3. the other breached tickets, the longest breached first;
4. the rest (clocks in warning), the nearest due first.

Ties go to the ticket number, so the order is total and the same on every console.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from deskui.core.enums import ClockKind, Priority

#: The key an acknowledgement records for a P1 alert (a breach is recorded by its clock's kind).
P1_KEY = "p1"
#: Priorities on the board whatever their clocks say, and ordered above the others.
URGENT_PRIORITIES = frozenset({Priority.P1, Priority.P2})


@dataclass(frozen=True, order=True)
class Alert:
    """Something the on-duty staff must notice: a P1 on the board, or a clock in breach.

    Attributes:
        number: the ticket.
        clock: the clock in breach, or None for the P1 itself.
    """

    number: str
    clock: ClockKind | None = None

    @property
    def is_p1(self) -> bool:
        """The alert is for a P1 ticket (not a breach)."""
        return self.clock is None

    @property
    def key(self) -> str:
        """How an acknowledgement names it: ``p1``, or the clock's kind."""
        return P1_KEY if self.clock is None else str(self.clock)


def alert_of(number: str, key: str) -> Alert | None:
    """The alert an acknowledgement's key names on ticket ``number`` (None for an unknown key)."""
    if key == P1_KEY:
        return Alert(number)
    try:
        return Alert(number, ClockKind(key))
    except ValueError:
        return None


def alert_keys(text: str | None) -> frozenset[str]:
    """The keys an acknowledgement event records (``p1,response``), as a set."""
    return frozenset(k for k in (part.strip() for part in (text or "").split(",")) if k)


def format_keys(alerts: Iterable[Alert]) -> str:
    """The keys of ``alerts`` as an acknowledgement event records them: sorted, comma-separated,
    the P1 first."""
    return ",".join(sorted({a.key for a in alerts}, key=lambda k: (k != P1_KEY, k)))


@dataclass(frozen=True)
class Acknowledgement:
    """Someone at the desk saw a ticket's alerts (an event in the ticket's record).

    Attributes:
        at: when.
        login: who (None if the person is no longer known).
        name: their name as the desk knows it.
        keys: the alerts acknowledged (:attr:`Alert.key`).
    """

    at: datetime
    login: str | None
    name: str | None
    keys: frozenset[str]

    def covers(self, alert: Alert, since: datetime) -> bool:
        """It names ``alert`` and was made once the alert stood (at or after ``since``)."""
        return alert.key in self.keys and self.at >= since


def covering(
    acknowledgements: Iterable[Acknowledgement], alert: Alert, since: datetime
) -> Acknowledgement | None:
    """The latest acknowledgement of ``alert`` standing since ``since``, or None."""
    found = None
    for ack in acknowledgements:
        if ack.covers(alert, since) and (found is None or ack.at >= found.at):
            found = ack
    return found


@dataclass(frozen=True)
class Standing:
    """What the board's order reads of one row at one instant.

    Attributes:
        number: the ticket.
        priority: its priority.
        unacknowledged_since: when its newest unacknowledged alert began (None: it has none).
        breached_since: when its longest-breached clock went past due (None: none in breach).
        due: the nearest due time among its running clocks (None: all paused or stopped).
    """

    number: str
    priority: Priority
    unacknowledged_since: datetime | None = None
    breached_since: datetime | None = None
    due: datetime | None = None


def order_key(row: Standing) -> tuple[object, ...]:
    """The sort key of a row: see the module's description of the order."""
    level = row.priority.level
    if row.unacknowledged_since is not None:
        return (0, level, -row.unacknowledged_since.timestamp(), row.number)
    breached = row.breached_since.timestamp() if row.breached_since is not None else None
    due = row.due.timestamp() if row.due is not None else None
    if row.priority in URGENT_PRIORITIES:
        return (
            1,
            level,
            breached is None,
            breached or 0.0,
            due is None,
            due or 0.0,
            row.number,
        )
    if breached is not None:
        return (2, breached, level, row.number)
    return (3, due is None, due or 0.0, level, row.number)


def board_order(rows: Iterable[Standing]) -> list[Standing]:
    """The rows in the board's order (top first)."""
    return sorted(rows, key=order_key)
