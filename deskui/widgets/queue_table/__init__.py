"""The queue's table: a window of rows read by keyset from SQL, drawn line by line.

``table`` is the widget (:class:`TicketTable`), ``block`` the window of rows it holds in
memory, ``row`` how one row is laid out and painted.
"""

from deskui.widgets.queue_table.table import TicketTable

__all__ = ["TicketTable"]
