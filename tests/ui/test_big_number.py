"""The saved call's number: large letters where they fit, one plain line where they do not."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from deskui.widgets.big_number import BigNumber


class Holder(App[None]):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.box_width = width

    def compose(self) -> ComposeResult:
        number = BigNumber(id="n")
        number.styles.width = self.box_width
        yield number


@pytest.mark.parametrize(("width", "lines"), [(60, 3), (29, 1)])
async def test_the_number_is_large_only_where_it_fits(width: int, lines: int) -> None:
    app = Holder(width)
    async with app.run_test(size=(80, 24)) as pilot:
        widget = app.query_one(BigNumber)
        widget.show("IT20261201079")
        await pilot.pause()
        assert widget.size.height == lines
        rendered = str(widget.render())
        if lines == 1:
            assert rendered == "IT20261201079"
        else:
            assert rendered.count("\n") == 2 and "IT20261201079" not in rendered
