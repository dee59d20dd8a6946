"""Each ticket change keeps the ticket's report facts (:mod:`deskui.core.report_facts`) current,
in the same transaction, from the clocks the change has just recomputed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict

from sqlmodel import Session

from deskui.core.chain import REPORT_FACT_FIELDS, report_facts_hash
from deskui.core.enums import ClockKind, EventKind
from deskui.core.report_facts import report_facts
from deskui.core.sla import SlaClock
from deskui.core.worked import total_minutes
from deskui.services.views import clock_events
from deskui.store.models import Ticket, TicketEvent, TicketReportFact


def store_report_facts(
    session: Session,
    ticket: Ticket,
    history: Sequence[TicketEvent],
    clocks: Mapping[ClockKind, SlaClock],
) -> str:
    """Write (or rewrite) the ticket's report facts from its full history and fresh clocks;
    returns their hash (:func:`deskui.core.chain.report_facts_hash`), which the change seals."""
    assert ticket.id is not None
    facts = report_facts(
        received_at=ticket.received_at,
        confirmed_at=ticket.confirmed_at,
        clocks=clocks,
        events=clock_events(history),
        first_contact=any(e.kind == EventKind.FIRST_CONTACT for e in history),
        worked_minutes=total_minutes([e.minutes for e in history]),
    )
    row = session.get(TicketReportFact, ticket.id) or TicketReportFact(
        ticket_id=ticket.id, response="", resolution=""
    )
    for name, value in asdict(facts).items():
        setattr(row, name, str(value) if name in ("response", "resolution") else value)
    session.add(row)
    return report_facts_hash([getattr(row, name) for name, _ in REPORT_FACT_FIELDS])
