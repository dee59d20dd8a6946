"""Building the queue's rows: the columns a row reads, its events, and its three clocks.

The clocks of a (ticket, version) are computed once from its events and then carried forward
with time alone (:func:`~deskui.core.sla.advance_clocks`); :class:`RowBuilder` keeps that memo.
:class:`~deskui.services.queue.reader.QueueReader` is built on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from deskui.core.enums import ClockKind, Priority, Status
from deskui.core.sla import SlaClock, advance_clocks
from deskui.services.queue.query import QueueKey, _plain
from deskui.services.rules import DeskRules
from deskui.services.views import child_counts, ticket_clocks
from deskui.store.models import Group, Requester, Ticket, TicketEvent, User

T = TypeVar("T")

#: Clocks whose state moves with time alone.
#: How many (ticket, version) clocks and warning instants a reader remembers.
_MEMO_LIMIT = 50_000
#: Rows of events fetched per statement (well under every driver's parameter limit).
_CHUNK = 500


@dataclass(frozen=True)
class QueueRow:
    """One line of the queue: only what the table shows, plus the key and version.

    Attributes:
        clocks: the three clocks as they stood at ``clocks_at``.
        clocks_at: when the clocks were computed (carry them on with :func:`advance_clocks`).
    """

    id: int
    number: str
    priority: Priority
    status: Status
    impact: int
    urgency: int
    vip: bool
    tier: int
    category: str
    summary: str
    requester_name: str
    requester_phone: str | None
    group_code: str | None
    group_name_zh: str | None
    group_name_en: str | None
    assignee_id: int | None
    assignee_login: str | None
    assignee_name: str | None
    received_at: datetime
    next_due: datetime | None
    version: int
    clocks: Mapping[ClockKind, SlaClock]
    clocks_at: datetime
    children: int = 0
    """The calls under this ticket when it is an outage's parent."""

    @property
    def drawn(self) -> tuple[int, int, int]:
        """What the row's drawn cells depend on: the ticket's version and its calls' count (a
        call joining changes the parent's line, not its version)."""
        return (self.id, self.version, self.children)

    @property
    def key(self) -> QueueKey:
        """The row's place in the queue order."""
        return QueueKey(self.next_due, self.id)

    @property
    def is_open(self) -> bool:
        """The ticket still needs work."""
        return self.status.is_open


def _chunks(values: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_Assignee = aliased(User)
_COLUMNS: tuple[Any, ...] = (
    col(Ticket.id),
    col(Ticket.number),
    col(Ticket.priority),
    col(Ticket.status),
    col(Ticket.impact),
    col(Ticket.urgency),
    col(Ticket.vip),
    col(Ticket.tier),
    col(Ticket.category),
    col(Ticket.summary),
    col(Ticket.received_at),
    col(Ticket.next_due),
    col(Ticket.version),
    col(Ticket.assignee_id),
    col(Requester.name).label("requester_name"),
    col(Requester.phone).label("requester_phone"),
    col(Group.code).label("group_code"),
    col(Group.name_zh).label("group_name_zh"),
    col(Group.name_en).label("group_name_en"),
    col(_Assignee.login).label("assignee_login"),
    col(_Assignee.name).label("assignee_name"),
)


class RowBuilder:
    """Reads the rows of the queue and their clocks, remembering the clocks per ticket version.

    The part of :class:`~deskui.services.queue.reader.QueueReader` that turns selected records
    into :class:`QueueRow`; the reader sets the attributes below.
    """

    _rules: Callable[[], DeskRules]
    _clock_memo: dict[tuple[int, int], tuple[Mapping[ClockKind, SlaClock], datetime]]

    @staticmethod
    def _events(session: Session, ids: Sequence[int]) -> dict[int, list[TicketEvent]]:
        """The events the clocks read, per ticket, oldest first (plain rows, not ORM objects)."""
        found: dict[int, list[TicketEvent]] = {}
        for part in _chunks(list(ids)):
            rows = session.execute(
                select(
                    col(TicketEvent.ticket_id),
                    col(TicketEvent.at),
                    col(TicketEvent.kind),
                    col(TicketEvent.field),
                    col(TicketEvent.new_value),
                    col(TicketEvent.note),
                )
                .where(col(TicketEvent.ticket_id).in_(part))
                .order_by(col(TicketEvent.ticket_id), col(TicketEvent.id))
            )
            for row in rows:
                # a row has the attributes ticket_clocks reads from an event
                found.setdefault(row.ticket_id, []).append(cast(TicketEvent, row))
        return found

    def _select(self, filters: Sequence[Any]) -> Select[Any]:
        return (
            select(*_COLUMNS)
            .join(Requester, col(Requester.id) == col(Ticket.requester_id))
            .outerjoin(Group, col(Group.id) == col(Ticket.group_id))
            .outerjoin(_Assignee, col(_Assignee.id) == col(Ticket.assignee_id))
            .where(*_plain(filters))
        )

    def _clocks(
        self, session: Session, records: Sequence[Any], rules: DeskRules, now: datetime
    ) -> list[Mapping[ClockKind, SlaClock]]:
        """Each record's clocks: computed from its events, or carried forward from when this
        version of the ticket was last computed (exact, see :func:`advance_clock`; recomputed
        after a minute all the same, so an event stamped ahead by another machine's clock
        counts once its time comes)."""
        memo = self._clock_memo
        fresh = [r.id for r in records if not self._recent(memo.get((r.id, r.version)), now)]
        events = self._events(session, fresh) if fresh else {}
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
        found: list[Mapping[ClockKind, SlaClock]] = []
        for r in records:
            held = memo.get((r.id, r.version))
            if self._recent(held, now) and held is not None:
                found.append(advance_clocks(held[0], held[1], now, rules))
                continue
            clocks = ticket_clocks(cast(Ticket, r), events.get(r.id, []), rules, now)
            memo[(r.id, r.version)] = (clocks, now)
            found.append(clocks)
        return found

    @staticmethod
    def _recent(held: tuple[Any, datetime] | None, now: datetime) -> bool:
        return held is not None and held[1] <= now and (now - held[1]).total_seconds() < 60

    def _rows(self, session: Session, records: Sequence[Any], now: datetime) -> list[QueueRow]:
        if not records:
            return []
        rules = self._rules()
        clocks = self._clocks(session, records, rules, now)
        children = child_counts(session, [r.id for r in records])
        return [
            QueueRow(
                id=r.id,
                number=r.number,
                priority=Priority(r.priority),
                status=Status(r.status),
                impact=r.impact,
                urgency=r.urgency,
                vip=bool(r.vip),
                tier=r.tier,
                category=r.category,
                summary=r.summary,
                requester_name=r.requester_name,
                requester_phone=r.requester_phone,
                group_code=r.group_code,
                group_name_zh=r.group_name_zh,
                group_name_en=r.group_name_en,
                assignee_id=r.assignee_id,
                assignee_login=r.assignee_login,
                assignee_name=r.assignee_name,
                received_at=r.received_at,
                next_due=r.next_due,
                version=r.version,
                clocks_at=now,
                clocks=row_clocks,
                children=children.get(r.id, 0),
            )
            for r, row_clocks in zip(records, clocks, strict=True)
        ]
