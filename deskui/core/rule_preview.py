"""What a change of the priority matrix would do to the open tickets (the admin's preview).

A ticket's priority comes from the matrix cell of its impact and urgency, raised one level for
a VIP caller when the desk raises VIPs; a duty lead's override stands whatever the matrix says.
The preview counts, for a proposed matrix, the open tickets whose derived priority would differ
from the one they have now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from deskui.core.enums import Priority
from deskui.core.priority import PriorityMatrix


@dataclass(frozen=True)
class PriorityFacts:
    """What the preview needs of one open ticket.

    Attributes:
        impact: 1–3.
        urgency: 1–4.
        vip: the caller is a VIP.
        priority: the priority the ticket has now.
        overridden: a duty lead set the priority by hand (the matrix no longer decides it).
    """

    impact: int
    urgency: int
    vip: bool
    priority: Priority
    overridden: bool = False


@dataclass(frozen=True)
class MatrixPreview:
    """The open tickets a proposed matrix would move.

    Attributes:
        moves: (priority now, priority under the new matrix) → how many tickets.
        kept_by_override: tickets whose priority a lead set by hand (left as they are).
    """

    moves: dict[tuple[Priority, Priority], int]
    kept_by_override: int

    @property
    def changed(self) -> int:
        """How many open tickets would get a different priority."""
        return sum(self.moves.values())


def preview_matrix(
    tickets: Iterable[PriorityFacts], matrix: PriorityMatrix, *, vip_raise: bool
) -> MatrixPreview:
    """Count the open tickets whose priority ``matrix`` (and the VIP raise) would change."""
    moves: Counter[tuple[Priority, Priority]] = Counter()
    kept = 0
    for ticket in tickets:
        if ticket.overridden:
            kept += 1
            continue
        new = matrix.decide(ticket.impact, ticket.urgency, vip=ticket.vip and vip_raise).priority
        if new != ticket.priority:
            moves[(ticket.priority, new)] += 1
    return MatrixPreview(dict(sorted(moves.items())), kept)
