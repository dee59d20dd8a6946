"""The timeline words a VIP claim the directory contradicts in the console's language."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from deskui.core.enums import EventKind
from deskui.i18n import Catalog
from deskui.services.views import EventView
from deskui.widgets.timeline import entry_text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ("VIP 声明与目录不符", "非 VIP", "→ VIP")),
        ("en", ("VIP claim contradicts the directory", "not VIP", "→ VIP")),
    ],
)
def test_a_vip_claim_entry(lang: str, words: tuple[str, ...]) -> None:
    claim = EventView(
        id=1,
        at=datetime(2026, 11, 2, 2, 0, tzinfo=UTC),
        actor="op",
        kind=EventKind.VIP_CLAIM,
        field="vip",
        old_value="no",
        new_value="yes",
        note=None,
    )
    text = entry_text(claim, ZoneInfo("Asia/Shanghai"), Catalog(lang)).plain
    for word in words:
        assert word in text, text
    assert " no " not in f" {text} " and "yes" not in text
