"""Labels at narrow widths: short words instead of cut ones, the help key always in the footer,
the spare width of a wide queue shared, and the cursor's row marked without colour."""

from __future__ import annotations

from rich.text import Text

from deskui.i18n import Catalog
from deskui.widgets.cells import word
from deskui.widgets.key_footer import fit_keys
from deskui.widgets.queue_table.row import SUMMARY_ROOMY, layout_columns


def key(binding_id: str, label: str) -> tuple[str, Text]:
    return binding_id, Text(f" {label} ")


def test_a_status_too_long_for_its_column_is_said_in_its_short_word() -> None:
    en = Catalog("en")
    assert word(en, "status.awaiting_confirmation", 11).rstrip() == "To confirm"
    assert word(en, "status.awaiting_confirmation", 30).rstrip() == "Awaiting confirmation"
    assert word(en, "status.in_progress", 11) == "In progress"
    assert word(Catalog("zh"), "status.awaiting_confirmation", 11).rstrip() == "待确认"
    assert word(en, "category.account", 8).rstrip() == "Account"


def test_the_help_key_stays_when_the_footer_is_too_narrow() -> None:
    keys = [
        key("a", "a Claim"),
        key("b", "b Triage"),
        key("c", "c Close"),
        key("desk.help", "f1 Help"),
    ]
    assert [t.plain for t in fit_keys(keys, 200)] == [t.plain for _id, t in keys]
    shown = [t.plain.strip() for t in fit_keys(keys, 20)]
    assert shown == ["a Claim", "f1 Help"], "the last keys give way first, the help stays"
    # the last key's trailing blank may fall off the edge
    total = sum(t.cell_len for _id, t in keys)
    assert len(fit_keys(keys, total - 1)) == 4


def test_a_wide_queue_gives_its_spare_width_to_the_group_not_all_to_the_summary() -> None:
    narrow = {c.key: c.width for c in layout_columns(80)}
    wide = {c.key: c.width for c in layout_columns(158)}
    assert "queue.col.group" not in narrow
    assert wide["queue.col.group"] > 8
    assert wide["queue.col.summary"] >= SUMMARY_ROOMY
    assert sum(wide.values()) + len(wide) - 1 == 158
