"""The command palette (ctrl+p): every action of the console, the desk's people, the tickets.

The palette reads help texts as markup, so they are escaped: a key such as ``[f2]`` would
otherwise vanish as an unknown style tag.

The app's own actions are listed first (and, for those who may see the administration, each of
its sections); then every key of the screen the palette was opened from, read from its active
bindings, so an action added to a screen is in the palette too. An action is found by its name
in either language (``close`` finds 关闭 in the Chinese console). One the person may take but
that does not apply right now (closing a ticket that awaits no review) is still found, marked
so; picking it says why nothing happens. What the role never allows is not offered.

What is typed is also looked up among the people who hold tickets — by login, name, or the
name's pinyin or initials (``zhangwei``, ``张伟``, ``zw``) — and picking one shows the open
tickets they hold in the queue; and among the tickets: a number or part of one (``1201089``,
``092``) finds tickets in any state, words (a summary's, a caller's name) the open ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape
from textual.screen import Screen
from textual.style import Style
from textual.widgets.option_list import Option

from deskui.console.context import DeskContext, desk_context
from deskui.core.permissions import Action, role_may
from deskui.core.sanitize import sanitize_line
from deskui.i18n import LANGUAGES, Catalog
from deskui.services.directory import pinyin_keys
from deskui.services.queue import QueueQuery, QueueReader, QueueRow, QueueView
from deskui.services.ticket_filters import is_number_search
from deskui.widgets.keys import binding_text
from deskui.widgets.queue_filters import Person

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
#: Tickets offered for what was typed.
TICKETS_SHOWN = 8
#: People offered for what was typed.
PEOPLE_SHOWN = 5


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


@dataclass(frozen=True)
class Findable:
    """Someone who holds tickets, with the words they are found by.

    Attributes:
        person: login and name.
        words: the login, the name, its full pinyin and its initials.
    """

    person: Person
    words: tuple[str, ...]


def other_catalog(t: Catalog) -> Catalog:
    """The catalog of the console's other language."""
    return Catalog(next(lang for lang in LANGUAGES if lang != t.lang))


def tickets_matching(ctx: DeskContext, text: str) -> list[QueueRow]:
    """Tickets for ``text`` (in a thread): by number in any state, by words the open ones."""
    view = QueueView.ALL if is_number_search(text) else QueueView.OPEN
    query = QueueQuery.for_actor(ctx.actor, view, text)
    return QueueReader.of(ctx.desk).after(query, None, TICKETS_SHOWN)


def people_to_find(ctx: DeskContext) -> list[Findable]:
    """The desk's active people who may hold tickets, with their words (in a thread)."""
    found = []
    for user in ctx.desk.users():
        if user.active and role_may(user.role, Action.CLAIM):
            words = (user.login, user.name, *pinyin_keys(user.name))
            found.append(Findable(Person(user.login, user.name), words))
    return found


class DeskPalette(CommandPalette):
    """Textual's palette, saying that nothing was found in the console's language.

    Textual 8.2.8 (pinned exactly) writes that line itself, in English, with no setting for
    it: its countdown to the line is the one method overridden here, the same but for the words.
    """

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if not search_value:  # nothing typed: no line (as Textual)
                self._list_visible = False
                return
            words = desk_context(self).t("shell.palette.none")
            line = Align.center(Text(words, style="not bold"))
            self.query_one(CommandList).add_option(Option(line, disabled=True, id=self._NO_MATCHES))
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class DeskCommands(Provider):
    """Commands of the app and of the screen in front, the people, the tickets."""

    def __init__(self, screen: Screen[Any], match_style: Style | None = None) -> None:
        super().__init__(screen, match_style)
        self._people: list[Findable] = []
        """Who holds tickets (read when the palette opens)."""

    async def startup(self) -> None:
        """The people, read once per opening of the palette."""
        if self.app.check_action("queue", ()) is not False:
            self._people = await asyncio.to_thread(people_to_find, desk_context(self.screen))

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
        if app.check_action("admin", ()) is not False:
            found.extend(self._admin_sections(t, other))
        for binding_of in active:
            binding = binding_of.binding
            if binding_of.node is app:
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
            if binding_of.enabled:
                run = partial(app.call_later, app.run_action, binding.action, binding_of.node)
            else:  # allowed, but not here and now: found, and said so when picked
                help_text = f"{help_text} · {t('shell.palette.not_now')}"
                words = t("shell.palette.not_now_said", name=description)
                run = partial(app.notify, words, severity="warning", markup=False)
            found.append(Command(description, binding_text(binding, other)[0], help_text, run))
        return found

    def _admin_sections(self, t: Catalog, other: Catalog) -> list[Command]:
        from deskui.screens.admin.sections import SECTIONS

        help_text = t("shell.key.admin.tip")
        return [
            Command(
                t(f"admin.cmd.{s}"),
                other(f"admin.cmd.{s}"),
                help_text,
                partial(self._open_section, s),
            )
            for s in SECTIONS
        ]

    async def _open_section(self, section: str) -> None:
        from deskui.screens.admin import AdminScreen

        await self.app.run_action("admin")
        screen = self.app.screen
        if isinstance(screen, AdminScreen):
            screen.call_after_refresh(screen.action_section, section)

    async def discover(self) -> Hits:
        """Shown before anything is typed: every command."""
        for command in self.commands():
            yield DiscoveryHit(command.name, command.run, help=escape(command.help))

    async def search(self, query: str) -> Hits:
        """Commands whose name in either language matches, then people, then tickets."""
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
        by_name = self.matcher("".join(text.split()))  # ``Zhang Wei`` is zhangwei
        people = [(max(map(by_name.match, f.words)), f.person) for f in self._people]
        people = sorted((p for p in people if p[0] > 0), key=lambda p: -p[0])[:PEOPLE_SHOWN]
        for score, person in people:
            label = f"{sanitize_line(person.name)}  {person.login}"
            help_text = ctx.t("shell.palette.person")
            yield Hit(score, escape(label), partial(self._held_by, person), help=escape(help_text))
        rows = await asyncio.to_thread(tickets_matching, ctx, text)
        for row in rows:
            label = f"{row.number}  {sanitize_line(row.summary)}"
            caller = sanitize_line(row.requester_name)
            help_text = ctx.t(
                "shell.palette.ticket", caller=caller, status=ctx.t(f"status.{row.status}")
            )
            yield Hit(0.5, escape(label), partial(self._open, row.number), help=escape(help_text))

    async def _held_by(self, person: Person) -> None:
        from deskui.screens.queue import QueueScreen

        await self.app.run_action("queue")
        screen = self.app.screen
        if isinstance(screen, QueueScreen):
            screen.show_held_by(person)

    def _open(self, number: str) -> None:
        from deskui.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(number))
