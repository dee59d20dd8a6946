"""The live queue read by keyset: only the rows in view, in the order nearest SLA due first.

The order is ``ticket.next_due`` (the cached nearest due of the running clocks) then the id,
tickets with no running clock last. That order is served by the ``(is_open, next_due, id)``
index and its per-group and per-assignee siblings, so a window of rows after or before a known
row costs the same at a thousand tickets as at a million. Positions (for the scrollbar and to
keep the cursor on its ticket) are counts over the same indexes.

The three clocks shown for a row are computed from the row's own events with
:func:`deskui.services.views.ticket_clocks`, for the rows of the window only. Between two
changes of a ticket (two versions) its clocks move with time alone, so :func:`advance_clock`
carries them forward — each second on screen, and when the same version is read again — without
reading its events again.

The parts, all re-exported here:

* :mod:`.query` — the views, :class:`QueueQuery`, :class:`QueueKey` and :func:`search_terms`;
* :mod:`.filters` — each view as SQL conditions, the alert view's warning instants;
* :mod:`.rows` — :class:`QueueRow`, the columns it reads and its clocks, with their memo;
* :mod:`.reader` — :class:`QueueReader` and its windows (:class:`QueueWindow`).
"""

from __future__ import annotations

from deskui.core.sla import advance_clock, advance_clocks
from deskui.services.queue.query import QueueKey, QueueQuery, QueueView, search_terms
from deskui.services.queue.reader import GroupChoice, QueueReader, QueueWindow
from deskui.services.queue.rows import QueueRow

__all__ = [
    "GroupChoice",
    "QueueKey",
    "QueueQuery",
    "QueueReader",
    "QueueRow",
    "QueueView",
    "QueueWindow",
    "advance_clock",
    "advance_clocks",
    "search_terms",
]
