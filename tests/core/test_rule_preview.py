"""The matrix preview: which open tickets a proposed matrix would move."""

from __future__ import annotations

from deskui.core.enums import Priority
from deskui.core.priority import PriorityMatrix
from deskui.core.rule_preview import PriorityFacts, preview_matrix

P1, P2, P3, P4 = Priority.P1, Priority.P2, Priority.P3, Priority.P4


def test_the_default_matrix_moves_nothing_that_it_decided() -> None:
    tickets = [PriorityFacts(3, 1, False, P2), PriorityFacts(2, 2, True, P1)]
    preview = preview_matrix(tickets, PriorityMatrix(), vip_raise=True)
    assert preview.changed == 0 and preview.moves == {}


def test_a_changed_cell_moves_its_tickets_and_an_override_stays() -> None:
    cells = dict(PriorityMatrix().cells)
    cells[(3, 1)] = P1
    tickets = [
        PriorityFacts(3, 1, False, P2),
        PriorityFacts(3, 1, False, P2),
        PriorityFacts(3, 1, False, P4, overridden=True),
        PriorityFacts(3, 2, False, P3),
    ]
    preview = preview_matrix(tickets, PriorityMatrix(cells), vip_raise=True)
    assert preview.moves == {(P2, P1): 2}
    assert preview.changed == 2 and preview.kept_by_override == 1


def test_turning_the_vip_raise_off_lowers_the_raised_tickets() -> None:
    tickets = [PriorityFacts(2, 2, True, P1), PriorityFacts(1, 1, True, P1)]
    preview = preview_matrix(tickets, PriorityMatrix(), vip_raise=False)
    assert preview.moves == {(P1, P2): 1}
