"""The filters of ``deskui ticket list``: the same :class:`TicketFilter` the queue's filter bar
fills, read from the options."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from deskui.cli.intake_json import InputError
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


def ticket_filter(args: argparse.Namespace, tz: ZoneInfo) -> TicketFilter:
    """The list's filters from its options.

    Raises:
        ServiceError: a ``--from``/``--to`` that is neither a day nor a time with its offset, a
            ``--search`` with no word to search for.
    """
    return TicketFilter(
        args.status,
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
