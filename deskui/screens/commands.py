"""The command palette's commands (ctrl+p): every action of the console, and the tickets.

The palette reads help texts as markup, so they are escaped: a key such as ``[f2]`` would
otherwise vanish as an unknown style tag.

The app's own actions are listed first; then every key of the screen the palette was opened
from (read from its active bindings: an action added to a screen is in the palette too). An
action is found by its name in either language (``close`` finds 关闭 in the Chinese console).
What is typed is also looked up among the open tickets — a number or part of one (``092``),
words of a summary, a caller's name — and picking one opens it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from deskui.console.context import DeskContext, desk_context
from deskui.core.sanitize import sanitize_line
from deskui.i18n import LANGUAGES, Catalog
from deskui.services.queue import QueueQuery, QueueReader, QueueRow, QueueView
from deskui.widgets.keys import binding_text

#: The app's actions: (action, catalog key of its name, catalog key of its help).
APP_COMMANDS = (
    ("new_call", "shell.cmd.new_call", "shell.key.new_call.tip"),
    ("queue", "shell.cmd.queue", "shell.key.queue.tip"),
    ("board", "shell.cmd.board", "shell.key.board.tip"),
    ("announcements", "announce.cmd.screen", "announce.key.screen.tip"),
    ("read_announcements", "announce.cmd.read", "announce.key.read.tip"),
    ("admin", "shell.cmd.admin", "shell.key.admin.tip"),
    ("knowledge", "shell.cmd.knowledge", "shell.key.knowledge.tip"),
    ("reports", "shell.cmd.reports", "shell.key.reports.tip"),
    ("help", "shell.cmd.help", "shell.key.help.tip"),
    ("toggle_theme", "shell.cmd.theme", "shell.key.theme.tip"),
    ("quit", "shell.cmd.quit", "shell.key.quit.tip"),
)
#: Open tickets offered for what was typed.
TICKETS_SHOWN = 8


@dataclass(frozen=True)
class Command:
    """One palette entry.

    Attributes:
        name: in the console's language.
        other: the same name in the other language (searched too).
        help: what it does, and its key.
        run: does it.
    """

    name: str
    other: str
    help: str
    run: Callable[[], Any]


def other_catalog(t: Catalog) -> Catalog:
    """The catalog of the console's other language."""
    return Catalog(next(lang for lang in LANGUAGES if lang != t.lang))


def open_tickets_matching(ctx: DeskContext, text: str) -> list[QueueRow]:
    """Open tickets whose number, summary or caller matches ``text`` (in a thread)."""
    query = QueueQuery.for_actor(ctx.actor, QueueView.OPEN, text)
    return QueueReader.of(ctx.desk).after(query, None, TICKETS_SHOWN)


class DeskCommands(Provider):
    """Commands of the app and of the screen in front, and the open tickets."""

    def commands(self) -> list[Command]:
        """Every action the palette offers right now."""
        app = self.app
        t = desk_context(self.screen).t
        other = other_catalog(t)
        active = self.screen.active_bindings.values()
        keys = {b.binding.action: app.get_key_display(b.binding) for b in active if b.node is app}
        found: list[Command] = []
        names: set[str] = set()
        for action, name_key, help_key in APP_COMMANDS:
            if app.check_action(action, ()) is False:
                continue  # not this person's at all (an operator's reports, the administration)
            key = keys.get(action, "")
            help_text = t(help_key) + (f"  ({key})" if key else "")
            run: Callable[[], Any] = partial(app.run_action, action)
            found.append(Command(t(name_key), other(name_key), help_text, run))
            names.add(t(name_key))
        for binding_of in active:
            binding = binding_of.binding
            if binding_of.node is app or not binding_of.enabled:
                continue
            # the desk's actions: a name and an explanation in the catalog (moving the cursor
            # and Textual's own keys have no explanation, and are no command)
            if not (t.has(binding.description) and t.has(binding.tooltip or "")):
                continue
            description, tooltip = binding_text(binding, t)
            if description in names:
                continue
            names.add(description)
            help_text = f"{tooltip}  ({app.get_key_display(binding)})"
            run = partial(app.call_later, app.run_action, binding.action, binding_of.node)
            found.append(Command(description, binding_text(binding, other)[0], help_text, run))
        return found

    async def discover(self) -> Hits:
        """Shown before anything is typed: every command."""
        for command in self.commands():
            yield DiscoveryHit(command.name, command.run, help=escape(command.help))

    async def search(self, query: str) -> Hits:
        """Commands whose name in either language matches, then open tickets that do."""
        matcher = self.matcher(query)
        for command in self.commands():
            score = max(matcher.match(command.name), matcher.match(command.other))
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.name), command.run, help=escape(command.help)
                )
        text = query.strip()
        if len(text) < 2:
            return
        ctx = desk_context(self.screen)
        rows = await asyncio.to_thread(open_tickets_matching, ctx, text)
        for row in rows:
            label = f"{row.number}  {sanitize_line(row.summary)}"
            caller = sanitize_line(row.requester_name)
            help_text = ctx.t(
                "shell.palette.ticket", caller=caller, status=ctx.t(f"status.{row.status}")
            )
            yield Hit(0.5, escape(label), partial(self._open, row.number), help=escape(help_text))

    def _open(self, number: str) -> None:
        from deskui.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(number))
