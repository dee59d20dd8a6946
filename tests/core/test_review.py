"""The desk's review of a resolved ticket: what its record lacks, and what stops a close."""

from __future__ import annotations

import pytest

from deskui.core.review import Gap, review_gaps


@pytest.mark.parametrize(
    ("solution", "confirmation", "entries", "first_contact", "gaps"),
    [
        (True, True, 2, False, ()),
        (True, True, 0, True, ()),  # answered on the call: the solution is the whole story
        (True, True, 0, False, (Gap.WORKLOG,)),
        (False, True, 1, False, (Gap.SOLUTION,)),
        (True, False, 1, False, (Gap.CONFIRMATION,)),
        (False, False, 0, False, (Gap.SOLUTION, Gap.CONFIRMATION, Gap.WORKLOG)),
    ],
)
def test_gaps(
    solution: bool, confirmation: bool, entries: int, first_contact: bool, gaps: tuple[Gap, ...]
) -> None:
    assert (
        review_gaps(
            has_solution=solution,
            has_confirmation=confirmation,
            worklog_entries=entries,
            first_contact=first_contact,
        )
        == gaps
    )


def test_only_a_thin_worklog_lets_a_close_go_on() -> None:
    assert [g for g in Gap if not g.blocks_close] == [Gap.WORKLOG]
