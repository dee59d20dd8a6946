"""What the queue is asked for: the views, the query of one actor, the key that orders rows,
and the search as it is matched (the desk's text index, the same as the list's).

Also the two conditions the keyset reads treat specially (:class:`_AnyGroup`, :class:`_DueBy`)
and :func:`_plain`, which turns them back into plain filters for a count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import col

from deskui.core.enums import Status
from deskui.core.sanitize import sanitize_line
from deskui.services.ticket_filters import TextMatch, TicketFilter
from deskui.services.users import Actor
from deskui.store.models import Ticket


class QueueView(StrEnum):
    """The queue's views, each on a single key."""

    MINE = "mine"
    GROUPS = "groups"
    UNASSIGNED = "unassigned"
    OPEN = "open"
    ALERT = "alert"
    """Tickets with a clock in warning or breached."""
    RESOLVED = "resolved"
    """Tickets with a solution given: awaiting the requester's answer, or confirmed."""
    REVIEW = "review"
    """Confirmed tickets awaiting the desk's review and close."""
    CLOSED = "closed"
    REJECTED = "rejected"
    ALL = "all"
    """Every ticket, open or not."""


#: The statuses each view past the open work holds (the open views read ``is_open``; "all"
#: reads everything).
VIEW_STATUSES: dict[QueueView, tuple[Status, ...]] = {
    QueueView.RESOLVED: (Status.AWAITING_CONFIRMATION, Status.RESOLVED),
    QueueView.REVIEW: (Status.RESOLVED,),
    QueueView.CLOSED: (Status.CLOSED,),
    QueueView.REJECTED: (Status.REJECTED,),
}


@dataclass(frozen=True)
class QueueQuery:
    """What the queue shows: a view for one actor, optionally narrowed by a search.

    Attributes:
        view: which tickets.
        search: text typed after ``/``, found through the desk's text index as ``deskui ticket
            list --search`` finds it (:func:`~deskui.services.ticket_filters.search_clause`).
        user_id: the actor (for "mine").
        group_ids: the actor's groups (for "my groups").
        filters: the filter bar's filters, within the view (the list's own filters).
    """

    view: QueueView = QueueView.OPEN
    search: str = ""
    user_id: int | None = None
    group_ids: frozenset[int] = frozenset()
    filters: TicketFilter = TicketFilter()

    @classmethod
    def for_actor(
        cls,
        actor: Actor,
        view: QueueView = QueueView.OPEN,
        search: str = "",
        filters: TicketFilter | None = None,
    ) -> QueueQuery:
        """The query of ``view`` as seen by ``actor``."""
        return cls(QueueView(view), search, actor.id, actor.group_ids, filters or TicketFilter())


@dataclass(frozen=True, order=True)
class QueueKey:
    """A row's place in the order: its nearest due (None sorts last), then its id."""

    due: datetime | None
    id: int


def search_terms(text: str) -> str:
    """The search as it is matched: one line, control characters removed, trimmed."""
    return sanitize_line(text).strip()


@dataclass(frozen=True)
class _AnyGroup:
    """Several groups: each is read in due order from its own index and the reads merged, which
    stays a short index walk however small or large each group is (one ``IN`` would make the
    database either sort all their tickets or walk the whole open queue)."""

    ids: tuple[int, ...]

    def clause(self) -> Any:
        """The same condition as a plain filter (for counts)."""
        return col(Ticket.group_id).in_(self.ids)


@dataclass(frozen=True)
class _DueBy:
    """Due no later than ``instant``: a bound the keyset reading backwards tightens to its
    key, so the database walks back from the key rather than from this bound."""

    instant: datetime

    def clause(self) -> Any:
        """As a plain filter."""
        return col(Ticket.next_due) <= self.instant

    def before(self, key: QueueKey) -> _DueBy:
        """The bound for rows before ``key``."""
        return self if key.due is None or key.due >= self.instant else _DueBy(key.due)


@dataclass(frozen=True)
class _Open:
    """Open tickets only. Their undated part is read in ``(next_due, id)`` order, the same as
    ``id`` order there (``next_due`` is null) but the order of the open tickets' indexes: in id
    order PostgreSQL walked every ticket of the desk to find the few open ones without a due."""

    def clause(self) -> Any:
        """As a plain filter."""
        return col(Ticket.is_open).is_(True)


def _plain(where: Sequence[Any]) -> list[Any]:
    markers = (_AnyGroup, _DueBy, _Open, TextMatch)
    return [w.clause() if isinstance(w, markers) else w for w in where]
