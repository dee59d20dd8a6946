"""Working a ticket: claim, triage, transfer, escalate, pending, solution, confirmation, close.

Every function here runs inside one write transaction the caller opened, locks the ticket row
first, checks the actor's permission and the workflow, changes the ticket, appends its audit
events and refreshes the clocks — all committed together or not at all.

The use cases are split by what they change, and all re-exported here:

* :mod:`.ownership` — who holds the ticket: claim, take over, assign;
* :mod:`.priority` — re-triage and a lead's priority override;
* :mod:`.routing` — transfer to another group, escalate a tier;
* :mod:`.alerts` — a lead acknowledges the emergency board's alerts;
* :mod:`.notes` — worklog, progress update, new estimate, and :func:`clean_note`;
* :mod:`.outage` — a call under its outage's parent, and the parent carrying its children;
* :mod:`.personal` — revealing a requester's phone number, on the record;
* :mod:`.status` — every move of the status workflow, the requester's answer (confirmation or
  refusal) as the desk records it.
"""

from __future__ import annotations

from deskui.services.workflow.alerts import acknowledge_alerts
from deskui.services.workflow.notes import MAX_NOTE, add_worklog, clean_note, record_estimate
from deskui.services.workflow.outage import link_ticket, unlink_ticket
from deskui.services.workflow.ownership import assign_ticket, claim_ticket
from deskui.services.workflow.personal import reveal_phone
from deskui.services.workflow.priority import override_priority, triage_ticket
from deskui.services.workflow.routing import escalate_ticket, transfer_ticket
from deskui.services.workflow.status import (
    ASPECTS,
    CONFIRMATION_CHANNELS,
    change_status,
    confirm_ticket,
    refuse_solution,
    ticket_requester_name,
)

__all__ = [
    "ASPECTS",
    "acknowledge_alerts",
    "CONFIRMATION_CHANNELS",
    "MAX_NOTE",
    "add_worklog",
    "assign_ticket",
    "change_status",
    "claim_ticket",
    "clean_note",
    "confirm_ticket",
    "escalate_ticket",
    "link_ticket",
    "override_priority",
    "record_estimate",
    "refuse_solution",
    "reveal_phone",
    "ticket_requester_name",
    "transfer_ticket",
    "triage_ticket",
    "unlink_ticket",
]
