"""The desk's review of resolved tickets: what each record lacks, for the review view, the
detail and the close dialog (the rule is :mod:`deskui.core.review`'s)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from deskui.core.enums import EventKind, Status
from deskui.core.review import Gap, review_gaps
from deskui.services import queries
from deskui.services.rules import DeskRules
from deskui.services.views import TicketView

#: Events that are a worklog entry or a progress update: what was done, said.
WORKLOG_KINDS = frozenset({EventKind.WORKLOG, EventKind.PROGRESS})


def gaps_of(view: TicketView) -> tuple[Gap, ...]:
    """What the record of ``view`` (read with its events) lacks for the desk's review."""
    kinds = [e.kind for e in view.events]
    return review_gaps(
        has_solution=bool(view.solution),
        has_confirmation=view.confirmed_at is not None,
        worklog_entries=sum(1 for k in kinds if k in WORKLOG_KINDS),
        first_contact=EventKind.FIRST_CONTACT in kinds,
    )


@dataclass(frozen=True)
class ReviewItem:
    """One ticket as the close dialog lists it.

    Attributes:
        number: the ticket number.
        summary: what it is about.
        status: where it is in the workflow (only resolved tickets can be closed).
        gaps: what its record lacks.
    """

    number: str
    summary: str
    status: Status
    gaps: tuple[Gap, ...]

    @property
    def closable(self) -> bool:
        """Resolved, and nothing missing that stops a close."""
        return self.status == Status.RESOLVED and not any(g.blocks_close for g in self.gaps)


def review_items(
    *, session: Session, numbers: Sequence[str], rules: DeskRules, now: datetime
) -> list[ReviewItem]:
    """The review of each ticket in ``numbers``, in that order.

    Raises:
        NotFound: a number the desk does not have.
    """
    items = []
    for number in numbers:
        view = queries.get_ticket(session=session, number=number, rules=rules, now=now)
        items.append(ReviewItem(view.number, view.summary, view.status, gaps_of(view)))
    return items
