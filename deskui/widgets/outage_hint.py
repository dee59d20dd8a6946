"""Under the intake form: the open outage the call being logged looks like.

During an outage the phone rings thirty times about one thing. When the call's category and
summary look like an open outage (:func:`deskui.core.outages.outage_matches`, read by
:func:`deskui.services.outage_match.outage_suggestions`), this line names it — its number,
priority, how many calls it holds and its summary — with the key that saves the call under it
(``F9`` on the intake form), and the others that look alike. With nothing alike it takes no room.

It reads in a worker of its own, the newest question only; a read that fails leaves the line as
it was (a hint, not the form: the operator's typing is never interrupted for it) and is logged.
"""

from __future__ import annotations

import logging

from rich.text import Text
from textual import work
from textual.reactive import reactive
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from deskui.console.context import console_app
from deskui.core.outages import OutageMatch
from deskui.core.sanitize import sanitize_line
from deskui.services.outage_match import outage_suggestions

log = logging.getLogger(__name__)


class OutageHint(Widget):
    """The open outages a call of :attr:`category` about :attr:`summary` looks like."""

    DEFAULT_CSS = """
    OutageHint {
        height: auto;
        max-height: 2;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $error 20%;
        display: none;
    }
    OutageHint.-shown {
        display: block;
    }
    """

    matches: reactive[tuple[OutageMatch, ...]] = reactive((), init=False)
    """What the call looks like, best first (empty: nothing alike, or nothing asked yet)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's own name
        super().__init__(id=id)
        self._asked: tuple[str | None, str] = (None, "")

    @property
    def best(self) -> OutageMatch | None:
        """The outage the call most looks like (the one the key joins)."""
        return self.matches[0] if self.matches else None

    def look(self, category: str | None, summary: str) -> None:
        """The call's category or summary changed: look again (nothing is read without a
        category)."""
        asked = (category, summary.strip())
        if asked == self._asked:
            return
        self._asked = asked
        if not category:
            self.matches = ()
            return
        self._read(category, asked[1])

    @work(thread=True, exclusive=True, exit_on_error=False, group="outage-hint")
    def _read(self, category: str, summary: str) -> None:
        found = tuple(outage_suggestions(console_app(self).context.desk, category, summary))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._found, (category, summary), found)

    def _found(self, asked: tuple[str | None, str], found: tuple[OutageMatch, ...]) -> None:
        if asked == self._asked:
            self.matches = found

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A read that failed is logged; the line stays as it was."""
        if event.state == WorkerState.ERROR and event.worker.group == "outage-hint":
            event.stop()
            log.warning("outage suggestions not read", exc_info=event.worker.error)

    def watch_matches(self) -> None:
        """Shown when something is alike; the intake's key follows."""
        self.set_class(bool(self.matches), "-shown")
        self.refresh(layout=True)
        self.screen.refresh_bindings()

    def render(self) -> Text:
        """The key and the best match on the first line, the others on the second (plain
        text: what a caller said is never markup)."""
        best = self.best
        if best is None:
            return Text()
        t = console_app(self).context.t
        first = Text(no_wrap=True, overflow="ellipsis")
        first.append(f" {t('intake.outage.key')} ", style="bold reverse")
        first.append(" ")
        first.append(t("intake.outage.title", number=best.ticket.number), style="bold")
        first.append(f" · {t(f'priority.{best.ticket.priority}')}")
        if best.ticket.calls:
            first.append(f" · {t('intake.outage.calls', count=best.ticket.calls)}")
        if best.reason == "announced":
            first.append(f" · {t('intake.outage.announced')}")
        first.append(f" · {sanitize_line(best.ticket.summary)}")
        lines = [first]
        others = self.matches[1:]
        if others:
            second = Text(no_wrap=True, overflow="ellipsis")
            second.append(f"{t('intake.outage.others')} ", style="dim")
            second.append(
                t.join([f"{m.ticket.number} {sanitize_line(m.ticket.summary)}" for m in others])
            )
            lines.append(second)
        return Text("\n", no_wrap=True, overflow="ellipsis").join(lines)
