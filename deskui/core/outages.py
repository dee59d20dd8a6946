"""Which open outage a new call looks like (SPEC §6: many calls, one problem): a pure rule.

During an outage the phone rings thirty times about one thing. While the operator logs a call,
the intake suggests the open ticket it most likely belongs under, so the call joins that outage
in one key instead of becoming one more separate P1. A call looks like an open outage when

* an open ticket of the same category, received within :data:`WINDOW`, has a *similar summary*
  (:func:`similarity` at least :data:`SIMILAR`); a ticket that already heads an outage (has calls
  under it) counts however long ago it came in; or
* a published announcement concerns the call's category, and a ticket of that category already
  heads an outage that began inside the announcement's time (the desk holds no explicit link
  between an announcement and a ticket: the announced window and the category tie them).

A ticket that is itself a call under an outage is never suggested (one level only: the call
goes under its parent). Outage parents come first, then the most similar, then the newest.

Similarity is the Dice coefficient of the two summaries' character pairs, after case and
punctuation are set aside. It needs no dictionary and reads Chinese (``整层楼无法上网`` and
``三楼整层无法上网`` share most of their pairs) as well as English.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

#: How far back a single call counts as the start of an outage.
WINDOW = timedelta(hours=4)
#: The least similarity of two summaries that makes them "about the same thing".
SIMILAR = 0.6
#: The most suggestions shown.
LIMIT = 3


class MatchReason(StrEnum):
    """Why a ticket is suggested."""

    SIMILAR = "similar"
    """Same category, a similar summary, recent (or already an outage's parent)."""
    ANNOUNCED = "announced"
    """An outage's parent inside an active announcement's time, for the same category."""


@dataclass(frozen=True)
class OpenCall:
    """An open ticket that may head an outage, as the rule needs it.

    Attributes:
        number: its number.
        category: its category identifier.
        summary: its summary.
        received_at: when it came in.
        priority: ``P1``–``P4``.
        calls: how many calls are under it already (0: a single call so far).
        is_call_under_outage: it is itself a call under another ticket.
    """

    number: str
    category: str
    summary: str
    received_at: datetime
    priority: str
    calls: int = 0
    is_call_under_outage: bool = False


@dataclass(frozen=True)
class OutageMatch:
    """A suggested outage for the call being logged."""

    ticket: OpenCall
    score: float
    """The summaries' similarity, 0–1."""
    reason: MatchReason


def _pairs(text: str) -> set[str]:
    """The character pairs of ``text``, its letters and digits only, case folded."""
    kept = "".join(ch for ch in unicodedata.normalize("NFKC", text).casefold() if ch.isalnum())
    if len(kept) == 1:
        return {kept}
    return {kept[i : i + 2] for i in range(len(kept) - 1)}


def similarity(first: str, second: str) -> float:
    """How alike two summaries are, 0 (nothing shared) to 1 (the same words)."""
    a, b = _pairs(first), _pairs(second)
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def outage_matches(
    *,
    category: str | None,
    summary: str,
    open_calls: Iterable[OpenCall],
    now: datetime,
    announced_since: datetime | None = None,
    window: timedelta = WINDOW,
    limit: int = LIMIT,
) -> list[OutageMatch]:
    """The open outages the call of ``category`` about ``summary`` looks like, best first.

    Args:
        category: the call's category (None until chosen: nothing is suggested).
        summary: what the caller says, as typed so far.
        open_calls: open tickets to consider (any category; others are passed over).
        now: the desk's time.
        announced_since: the earliest start of the published announcements that concern the
            call's category (None: none does).
        window: how far back a single call counts.
        limit: the most suggestions returned.
    """
    if not category:
        return []
    found: list[OutageMatch] = []
    for ticket in open_calls:
        if ticket.category != category or ticket.is_call_under_outage:
            continue
        score = similarity(summary, ticket.summary) if summary.strip() else 0.0
        recent = ticket.received_at >= now - window
        if score >= SIMILAR and (recent or ticket.calls > 0):
            found.append(OutageMatch(ticket, score, MatchReason.SIMILAR))
        elif (
            announced_since is not None
            and ticket.calls > 0
            and ticket.received_at >= announced_since
        ):
            found.append(OutageMatch(ticket, score, MatchReason.ANNOUNCED))
    found.sort(key=lambda m: (m.ticket.calls == 0, -m.score, -m.ticket.received_at.timestamp()))
    return found[:limit]
