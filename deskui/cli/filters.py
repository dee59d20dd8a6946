"""The filters of ``deskui ticket list``: the same :class:`TicketFilter` the queue's filter bar
fills, read from the options."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from deskui.services.ticket_filters import TicketFilter, received_bound


def ticket_filter(args: argparse.Namespace, tz: ZoneInfo) -> TicketFilter:
    """The list's filters from its options.

    Raises:
        ServiceError: a ``--from``/``--to`` that is neither a day nor a time with its offset.
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
        search=args.search or "",
    )
