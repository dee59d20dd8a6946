"""``deskui announce``: draft (JSON on standard input), edit, submit, approve, return, publish,
withdraw, show and list announcements.

``announce draft`` reads one JSON object::

    {"title": "…", "body": "…", "group": "network", "services": ["network", "三号楼"],
     "starts_at": "2026-12-01T19:00+08:00", "ends_at": "2026-12-01T21:00+08:00",
     "expires_at": "2026-12-01T22:00+08:00"}

``starts_at`` and ``ends_at`` may be left out (no outage window); every time carries its offset.
Everything a script can get wrong in the JSON is refused here, naming the field; what the rules
refuse is the services' to say.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from deskui.cli.intake_json import MAX_ID, InputError, parse_time, read_json
from deskui.core.announcements import AnnouncementState
from deskui.core.local_time import local_minute
from deskui.core.permissions import Action
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog, detect_language
from deskui.services.announcements import AnnouncementInput, Announcements, AnnouncementView

if TYPE_CHECKING:
    from deskui.cli.commands import Cli

#: The fields ``announce draft`` and ``announce edit`` read.
FIELDS = ("title", "body", "group", "services", "starts_at", "ends_at", "expires_at")
#: Subcommand → the action it takes on an announcement, and the option that carries its note.
VERBS: dict[str, tuple[Action, str | None]] = {
    "submit": (Action.ANNOUNCE_SUBMIT, None),
    "approve": (Action.ANNOUNCE_APPROVE, None),
    "return": (Action.ANNOUNCE_RETURN, "question"),
    "publish": (Action.ANNOUNCE_PUBLISH, None),
    "withdraw": (Action.ANNOUNCE_WITHDRAW, "reason"),
}


def add_announce_parser(
    sub: Any, common: argparse.ArgumentParser, whole: Callable[[int, int], Callable[[str], int]]
) -> None:
    """The ``announce`` subcommand and its verbs.

    Args:
        sub: the top-level subparsers.
        common: the shared options (``--db``, ``--as``, ``--lang``, ``--json``).
        whole: the parser's whole-number type, worded in the user's language.
    """
    announce = sub.add_parser(
        "announce", parents=[common], help="announcements: draft, review, publish, withdraw"
    )
    verbs = announce.add_subparsers(dest="action", required=True)
    verbs.add_parser("draft", parents=[common], help="draft from a JSON object on stdin")
    edit = verbs.add_parser("edit", parents=[common], help="new content from JSON on stdin")
    edit.add_argument("id", type=whole(1, MAX_ID))
    show = verbs.add_parser("show", parents=[common])
    show.add_argument("id", type=whole(1, MAX_ID))
    for verb, (_action, note) in VERBS.items():
        parser = verbs.add_parser(verb, parents=[common])
        parser.add_argument("id", type=whole(1, MAX_ID))
        if note is not None:
            parser.add_argument(f"--{note}", required=True)
    listing = verbs.add_parser("list", parents=[common], help="by state, or those shown now")
    listing.add_argument("--state", choices=[str(s) for s in AnnouncementState])
    listing.add_argument("--active", action="store_true", help="only those every console shows now")


def announcement_from_json(data: Any) -> AnnouncementInput:
    """The JSON of ``announce draft`` (or ``edit``) as the services' input.

    Raises:
        InputError: not an object, an unknown or missing field, a value of the wrong kind.
    """
    if not isinstance(data, dict):
        raise InputError("input", "field.json_object")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise InputError(unknown[0], "field.unknown")
    for name in ("title", "body", "group", "expires_at"):
        if data.get(name) is None:
            raise InputError(name, "field.required")
    for name in ("title", "body", "group"):
        if not isinstance(data[name], str):
            raise InputError(name, "field.text")
    services = data.get("services") or []
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise InputError("services", "field.text")
    expires_at = parse_time("expires_at", data["expires_at"])
    assert expires_at is not None  # required above
    return AnnouncementInput(
        title=data["title"],
        body=data["body"],
        group=data["group"],
        services=tuple(services),
        starts_at=parse_time("starts_at", data.get("starts_at")),
        ends_at=parse_time("ends_at", data.get("ends_at")),
        expires_at=expires_at,
    )


def describe(view: AnnouncementView, t: Catalog, tz: ZoneInfo) -> str:
    """One announcement in one line for a person reading the terminal, in their language and
    the desk's time (stored text cleaned)."""
    state = t(f"announce.state.{view.state}")
    late = ""
    if view.late_seconds is not None:
        late = f"  ({t('announce.late', minutes=view.late_seconds // 60)})"
    expires = local_minute(view.content.expires_at, tz)
    return sanitize_line(
        f"#{view.id}  {state}  {view.group_name(t.lang)}  {view.content.title}  "
        f"{view.author}  → {expires}{late}"
    )


def run_announce(cli: Cli) -> int:
    """Run ``deskui announce …``; returns the exit code (refusals are raised)."""
    a = cli.args
    news = Announcements(cli.desk)
    t = Catalog(detect_language(cli.settings.lang))
    tz = cli.desk.rules.tz
    if a.action == "list":
        state = AnnouncementState(a.state) if a.state else None
        views = news.listing(state, active=a.active)
        if a.json:
            cli.emit([v.to_json(tz) for v in views])
        else:
            for view in views:
                cli.stdout.write(describe(view, t, tz) + "\n")
        return 0
    if a.action == "show":
        view = news.get(a.id)
    else:
        actor = cli.who().person()
        if a.action in ("draft", "edit"):
            try:
                text = cli.stdin.read()
            except UnicodeDecodeError as exc:
                raise InputError("input", "field.json_unreadable", reason=exc.reason) from exc
            data = announcement_from_json(read_json(text))
            view = news.draft(actor, data) if a.action == "draft" else news.edit(actor, a.id, data)
        else:
            action, note = VERBS[a.action]
            view = news.act(actor, a.id, action, getattr(a, note) if note else None)
    if a.json:
        cli.emit(view.to_json(tz))
    else:
        cli.stdout.write(describe(view, t, tz) + "\n")
    return 0
