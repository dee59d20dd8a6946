"""The filters of ``deskui ticket list`` beyond status and priority: a date range and the
ticket's kind (type, category, channel)."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deskui.cli.intake_json import InputError, parse_time
from deskui.services.queries import TicketFilter


def day_or_time(name: str, value: str | None, tz: ZoneInfo, *, end: bool) -> datetime | None:
    """``--from``/``--to`` as an instant: a desk-local day (``2026-11-02``; ``--to`` takes the
    whole day in), or an ISO 8601 time with its offset.

    Raises:
        InputError: neither, naming ``name``.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return parse_time(name, text)
    if len(text) != len("YYYY-MM-DD"):  # a week date or a basic form: ask for the usual one
        raise InputError(name, "field.time", value=value)
    start = datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=tz)
    return start


def ticket_filter(args: argparse.Namespace, tz: ZoneInfo) -> TicketFilter:
    """The list's filters from its options."""
    return TicketFilter(
        args.status,
        args.priority,
        args.group,
        args.assignee,
        args.limit,
        received_from=day_or_time("from", args.date_from, tz, end=False),
        received_to=day_or_time("to", args.date_to, tz, end=True),
        types=args.type,
        categories=args.category,
        channels=args.channel,
    )
