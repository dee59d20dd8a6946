"""Each view of the queue as SQL conditions, including the alert view.

The alert view is exact: for tickets due soon it reads, once per ticket version, the instant
its first running clock starts to warn, and remembers it (:class:`ViewFilters`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import false, or_, select
from sqlmodel import Session, col

from deskui.core.enums import ClockKind, Priority
from deskui.core.sla import WALL_CLOCK
from deskui.core.text_index import facet
from deskui.services.queue.query import (
    VIEW_STATUSES,
    QueueQuery,
    QueueView,
    _AnyGroup,
    _DueBy,
    _Open,
    search_terms,
)
from deskui.services.queue.rows import _MEMO_LIMIT, RowBuilder, _chunks
from deskui.services.rules import DeskRules
from deskui.services.ticket_filters import filter_clauses
from deskui.services.views import ticket_clocks
from deskui.store.models import Ticket
from deskui.store.text_search import OPEN


class ViewFilters(RowBuilder):
    """Turns a :class:`QueueQuery` into the filters of a read, remembering warning instants.

    The part of :class:`~deskui.services.queue.reader.QueueReader` that knows the views; the
    reader sets the attribute below.
    """

    _warn_memo: dict[tuple[int, int], datetime | None]

    # the view as SQL -------------------------------------------------------------------------
    def _filters(self, session: Session, query: QueueQuery, now: datetime) -> list[Any]:
        view = query.view
        filters: list[Any] = []
        # what the view implies, for a search to be narrowed by in the index
        facets: list[tuple[str, ...]] = []
        if view in VIEW_STATUSES:
            statuses = [str(s) for s in VIEW_STATUSES[view]]
            filters.append(col(Ticket.status).in_(statuses))
            facets.append(tuple(facet("status", s) for s in statuses))
        elif view != QueueView.ALL:
            filters.append(_Open())
            facets.append((OPEN,))
        if view == QueueView.MINE:
            filters.append(col(Ticket.assignee_id) == query.user_id if query.user_id else false())
            facets.append((facet("assignee_id", query.user_id),))
        elif view == QueueView.GROUPS:
            groups = tuple(sorted(query.group_ids))
            if len(groups) > 1:
                filters.append(_AnyGroup(groups))
            else:
                filters.append(col(Ticket.group_id) == groups[0] if groups else false())
            facets.append(tuple(facet("group_id", g) for g in groups))
        elif view == QueueView.UNASSIGNED:
            filters.append(col(Ticket.assignee_id).is_(None))
            facets.append((facet("assignee_id", None),))
        elif view == QueueView.ALERT:
            filters.extend(self._alert_filters(session, now))
        # the facets say the view whole, but for the alert view's clocks and a view of nobody
        exact = view != QueueView.ALERT and all(facets)
        exact = exact and not (view == QueueView.MINE and not query.user_id)
        # the list's own filters and search: one implementation for the queue and the command line
        wanted = replace(query.filters, search=search_terms(query.search))
        filters.extend(
            filter_clauses(
                session,
                wanted,
                within=tuple(f for f in facets if f),
                within_exact=exact,
                deferred=True,
            )
        )
        return filters

    def _alert_filters(self, session: Session, now: datetime) -> list[Any]:
        """Tickets with a clock in warning or breached, exactly.

        A live clock past its due is breached or at least warning, so ``next_due <= now`` is in.
        A ticket whose nearest due is later can still have a clock in warning; such a clock is
        due before the horizon (the latest instant any clock could be due and already warn), so
        only the tickets due between now and the horizon are checked, from their events.
        """
        rules = self._rules()
        horizon = self._horizon(rules, now)
        band = session.execute(
            select(col(Ticket.id), col(Ticket.version)).where(
                col(Ticket.is_open).is_(True),
                col(Ticket.next_due) > now,
                col(Ticket.next_due) <= horizon,
            )
        ).all()
        missing = [(i, v) for i, v in band if (i, v) not in self._warn_memo]
        if missing:
            self._remember_warnings(session, missing, rules, now)
        warning_ids = [i for i, v in band if (w := self._warn_memo.get((i, v))) and w <= now]
        if not warning_ids:
            return [_DueBy(now)]
        return [_DueBy(horizon), or_(col(Ticket.next_due) <= now, col(Ticket.id).in_(warning_ids))]

    @staticmethod
    def _horizon(rules: DeskRules, now: datetime) -> datetime:
        latest = now
        share = 1 - rules.sla.warning_ratio
        for priority in Priority:
            for kind in ClockKind:
                target = rules.sla.target(priority, kind)
                measure = rules.calendar if target.business else WALL_CLOCK
                latest = max(latest, measure.add_business_seconds(now, target.seconds * share))
        return latest

    def _remember_warnings(
        self, session: Session, tickets: Sequence[tuple[int, int]], rules: DeskRules, now: datetime
    ) -> None:
        """Store, per ticket version, the instant its first running clock starts to warn."""
        if len(self._warn_memo) + len(tickets) > _MEMO_LIMIT:
            self._warn_memo.clear()
        ratio = rules.sla.warning_ratio
        for part in _chunks(list(tickets)):
            ids = [i for i, _ in part]
            heads = {
                r.id: r
                for r in session.execute(
                    select(col(Ticket.id), col(Ticket.priority), col(Ticket.received_at)).where(
                        col(Ticket.id).in_(ids)
                    )
                )
            }
            events = self._events(session, ids)
            for ticket_id, version in part:
                head = heads.get(ticket_id)
                if head is None:
                    continue
                clocks = ticket_clocks(cast(Ticket, head), events.get(ticket_id, []), rules, now)
                instants = []
                for clock in clocks.values():
                    if not clock.state.is_live:
                        continue
                    measure = rules.calendar if clock.business else WALL_CLOCK
                    still = ratio * clock.target_seconds - clock.elapsed_seconds
                    instants.append(now if still <= 0 else measure.add_business_seconds(now, still))
                self._warn_memo[(ticket_id, version)] = min(instants) if instants else None
