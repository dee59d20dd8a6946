"""The command palette's commands (ctrl+p): every action of the console, searchable.

The palette reads help texts as markup, so they are escaped: a key such as ``[f2]`` would
otherwise vanish as an unknown style tag.

The app's own actions are listed first; then every key of the screen the palette was opened
from (read from its active bindings), so an action added to a screen is in the palette too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from deskui.console.context import desk_context
from deskui.widgets.keys import binding_text

#: The app's actions: (action, catalog key of its name, catalog key of its help).
APP_COMMANDS = (
    ("new_call", "shell.cmd.new_call", "shell.key.new_call.tip"),
    ("queue", "shell.cmd.queue", "shell.key.queue.tip"),
    ("board", "shell.cmd.board", "shell.key.board.tip"),
    ("help", "shell.cmd.help", "shell.key.help.tip"),
    ("toggle_theme", "shell.cmd.theme", "shell.key.theme.tip"),
    ("quit", "shell.cmd.quit", "shell.key.quit.tip"),
)


@dataclass(frozen=True)
class Command:
    """One palette entry."""

    name: str
    help: str
    run: Callable[[], Any]


class DeskCommands(Provider):
    """Commands of the app and of the screen in front."""

    def commands(self) -> list[Command]:
        """Everything the palette offers right now."""
        app = self.app
        t = desk_context(self.screen).t
        active = self.screen.active_bindings.values()
        keys = {b.binding.action: app.get_key_display(b.binding) for b in active if b.node is app}
        found: list[Command] = []
        names: set[str] = set()
        for action, name_key, help_key in APP_COMMANDS:
            key = keys.get(action, "")
            help_text = t(help_key) + (f"  ({key})" if key else "")
            found.append(Command(t(name_key), help_text, partial(app.run_action, action)))
            names.add(t(name_key))
        for binding_of in active:
            binding = binding_of.binding
            if binding_of.node is app or not binding_of.enabled or not binding.description:
                continue
            description, tooltip = binding_text(binding, t)
            if not (binding.show or binding.id) or description in names:
                continue
            names.add(description)
            key = app.get_key_display(binding)
            help_text = f"{tooltip}  ({key})"
            run = partial(app.call_later, app.run_action, binding.action, binding_of.node)
            found.append(Command(description, help_text.strip(), run))
        return found

    async def discover(self) -> Hits:
        """Shown before anything is typed: every command."""
        for command in self.commands():
            yield DiscoveryHit(command.name, command.run, help=escape(command.help))

    async def search(self, query: str) -> Hits:
        """Commands whose name matches what was typed."""
        matcher = self.matcher(query)
        for command in self.commands():
            score = matcher.match(command.name)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(command.name), command.run, help=escape(command.help)
                )
