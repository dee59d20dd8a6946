"""The open outages a call being logged looks like: the intake's suggestion, read in one query.

The rule itself — what "looks like" means — is :func:`deskui.core.outages.outage_matches`; this
reads what it needs: the open tickets of the call's category that came in within the rule's
window or already head an outage, with how many calls each has under it, and the earliest start
of the published announcements that concern the category.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from deskui.core.announcements import matches_call
from deskui.core.outages import WINDOW, OpenCall, OutageMatch, outage_matches
from deskui.services.announcements import AnnouncementView, list_announcements
from deskui.services.desk import DeskService
from deskui.services.rules import DeskRules
from deskui.services.views import child_counts
from deskui.store.models import Ticket

#: The most candidate tickets read for one suggestion (the newest first).
MOST_READ = 200


def outage_candidates(*, session: Session, category: str, since: datetime) -> list[OpenCall]:
    """Open tickets of ``category`` that are no call under an outage and came in since
    ``since`` or head an outage already."""
    parents = select(col(Ticket.parent_id)).where(col(Ticket.parent_id).is_not(None))
    rows = session.exec(
        select(Ticket)
        .where(
            col(Ticket.is_open).is_(True),
            Ticket.category == category,
            col(Ticket.parent_id).is_(None),
            or_(col(Ticket.received_at) >= since, col(Ticket.id).in_(parents)),
        )
        .order_by(col(Ticket.received_at).desc())
        .limit(MOST_READ)
    ).all()
    counts = child_counts(session, [t.id for t in rows if t.id is not None])
    return [
        OpenCall(
            number=t.number,
            category=t.category,
            summary=t.summary,
            received_at=t.received_at,
            priority=t.priority,
            calls=counts.get(t.id or 0, 0),
        )
        for t in rows
    ]


def announced_since(
    announcements: Sequence[AnnouncementView], category: str, rules: DeskRules
) -> datetime | None:
    """The earliest start (or publication) of the published announcements that concern a call
    of ``category``; None when none does."""
    routed = rules.category_groups.get(category)
    starts = [
        a.content.starts_at or a.published_at
        for a in announcements
        if matches_call(a.content.services, a.content.group, category, routed)
    ]
    known = [s for s in starts if s is not None]
    return min(known) if known else None


def suggest_outages(
    *,
    session: Session,
    category: str | None,
    summary: str,
    announcements: Sequence[AnnouncementView],
    rules: DeskRules,
    now: datetime,
) -> list[OutageMatch]:
    """The open outages a call of ``category`` about ``summary`` looks like, best first."""
    if not category:
        return []
    candidates = outage_candidates(session=session, category=category, since=now - WINDOW)
    return outage_matches(
        category=category,
        summary=summary,
        open_calls=candidates,
        now=now,
        announced_since=announced_since(announcements, category, rules),
    )


def outage_suggestions(desk: DeskService, category: str | None, summary: str) -> list[OutageMatch]:
    """What the intake suggests for the call being typed (one read, in the caller's thread).

    Args:
        desk: the desk.
        category: the call's category, None until chosen (nothing is read).
        summary: the summary as typed so far.
    """
    if not category:
        return []
    rules, now = desk.rules, desk.clock.now()

    def read(session: Session) -> list[OutageMatch]:
        shown = list_announcements(session=session, now=now, state=None, active=True)
        return suggest_outages(
            session=session,
            category=category,
            summary=summary,
            announcements=shown,
            rules=rules,
            now=now,
        )

    return desk.read(read)
