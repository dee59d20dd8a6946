"""The filters of ``deskui ticket list``: the same :class:`TicketFilter` the queue's filter bar
fills, read from the options."""

from __future__ import annotations

import argparse
from datetime import datetime
from zoneinfo import ZoneInfo

from deskui.cli.intake_json import InputError
from deskui.core.enums import Status
from deskui.core.local_time import read_local_time
from deskui.services.ticket_filters import TicketFilter, has_words, received_bound


def searchable(text: str, field: str = "search") -> str:
    """``text``, when it holds a word to search for.

    Raises:
        InputError: it holds none (a single Chinese character, ``%``): the search would find
            nothing and say nothing.
    """
    if not has_words(text):
        raise InputError(field, "search.no_words", text=text.strip())
    return text


#: ``--status all``: every status, closed and rejected included.
ALL = "all"


def statuses(values: list[str]) -> tuple[str, ...]:
    """``--status`` as given: repeated, comma-separated (``resolved,closed``) or ``all``; in the
    order given, each once. Unknown names are the filter's to refuse."""
    named = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if ALL in named:
        return tuple(str(s) for s in Status)
    return tuple(dict.fromkeys(named))


def time_argument(name: str, value: str, tz: ZoneInfo) -> datetime:
    """A time on the command line (``--until``): ISO 8601, without an offset the desk's local
    time, as ``--from``/``--to`` and the console's time fields take it.

    Raises:
        InputError: not such a time, naming ``name``.
    """
    moment = read_local_time(value, tz)
    if moment is None:
        raise InputError(name, "field.time", value=value)
    return moment


def ticket_filter(args: argparse.Namespace, tz: ZoneInfo) -> TicketFilter:
    """The list's filters from its options.

    Raises:
        ServiceError: a ``--from``/``--to`` that is neither a day nor a time with its offset, a
            ``--search`` with no word to search for.
    """
    return TicketFilter(
        statuses(args.status),
        args.priority,
        args.group,
        args.assignee,
        args.limit,
        received_from=received_bound("from", args.date_from, tz, end=False),
        received_to=received_bound("to", args.date_to, tz, end=True),
        types=args.type,
        categories=args.category,
        channels=args.channel,
        search=searchable(args.search or ""),
    )
