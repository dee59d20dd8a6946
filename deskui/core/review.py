"""The desk's review of a resolved ticket before it is closed (SPEC §4: "closing needs a complete
record, and the desk may review it first").

What the reviewer looks for, each a gap the review view and the close dialog name:

* the solution is on record;
* the requester's confirmation is on record (who, when, by which channel);
* the worklog is sensible: a ticket somebody worked (claimed, took over, was assigned) carries at
  least one worklog entry or progress update saying what was done. A first-contact ticket,
  answered on the call, needs none: its solution is the whole story.

Only the first two stop a close (:func:`deskui.core.workflow.can_close`); a thin worklog is said
so the reviewer can ask for it, and closing still goes on when they judge it enough.
"""

from __future__ import annotations

from enum import StrEnum


class Gap(StrEnum):
    """Something missing from a resolved ticket's record."""

    SOLUTION = "solution"
    CONFIRMATION = "confirmation"
    WORKLOG = "worklog"

    @property
    def blocks_close(self) -> bool:
        """The ticket cannot be closed while this is missing."""
        return self != Gap.WORKLOG


def review_gaps(
    *,
    has_solution: bool,
    has_confirmation: bool,
    worklog_entries: int,
    first_contact: bool,
) -> tuple[Gap, ...]:
    """What the record of a resolved ticket lacks, in the order a reviewer reads it.

    Args:
        has_solution: a solution is on record.
        has_confirmation: the requester's confirmation is on record.
        worklog_entries: worklog entries and progress updates the ticket carries.
        first_contact: the ticket was resolved at intake, on the call.
    """
    gaps: list[Gap] = []
    if not has_solution:
        gaps.append(Gap.SOLUTION)
    if not has_confirmation:
        gaps.append(Gap.CONFIRMATION)
    if worklog_entries == 0 and not first_contact:
        gaps.append(Gap.WORKLOG)
    return tuple(gaps)
