"""What the queue is asked for: the views, the query of one actor, the key that orders rows,
and the search as it is matched.

Also the two conditions the keyset reads treat specially (:class:`_AnyGroup`, :class:`_DueBy`)
and :func:`_plain`, which turns them back into plain filters for a count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import col

from deskui.core.enums import Status
from deskui.core.sanitize import sanitize_line
from deskui.services.users import Actor
from deskui.store.models import Requester, Ticket


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
        search: text typed after ``/`` (number, requester, summary or description).
        user_id: the actor (for "mine").
        group_ids: the actor's groups (for "my groups").
    """

    view: QueueView = QueueView.OPEN
    search: str = ""
    user_id: int | None = None
    group_ids: frozenset[int] = frozenset()

    @classmethod
    def for_actor(
        cls, actor: Actor, view: QueueView = QueueView.OPEN, search: str = ""
    ) -> QueueQuery:
        """The query of ``view`` as seen by ``actor``."""
        return cls(QueueView(view), search, actor.id, actor.group_ids)


@dataclass(frozen=True, order=True)
class QueueKey:
    """A row's place in the order: its nearest due (None sorts last), then its id."""

    due: datetime | None
    id: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_terms(text: str) -> str:
    """The search as it is matched: one line, control characters removed, trimmed."""
    return sanitize_line(text).strip()


def _search_clause(terms: str) -> Any:
    """Number, requester (name, or pinyin/initials prefix) or text (summary, description)."""
    inside = f"%{_escape_like(terms)}%"
    spelled = f"{_escape_like(terms.lower().replace(' ', ''))}%"
    requesters = select(col(Requester.id)).where(
        or_(
            col(Requester.name).like(inside, escape="\\"),
            col(Requester.name_pinyin).like(spelled, escape="\\"),
            col(Requester.name_initials).like(spelled, escape="\\"),
        )
    )
    return or_(
        col(Ticket.number).like(f"%{_escape_like(terms.upper())}%", escape="\\"),
        col(Ticket.requester_id).in_(requesters.scalar_subquery()),
        col(Ticket.summary).ilike(inside, escape="\\"),
        col(Ticket.description).ilike(inside, escape="\\"),
    )


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


def _plain(where: Sequence[Any]) -> list[Any]:
    return [w.clause() if isinstance(w, (_AnyGroup, _DueBy)) else w for w in where]
