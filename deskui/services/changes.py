"""The desk's change feed, as the console sees it.

The console learns of other consoles' changes from this module and never imports the store:
what it needs of :mod:`deskui.store.feed` is re-exported here, and
:meth:`deskui.services.desk.DeskService.open_feed` opens the feed that suits the desk's database.
"""

from __future__ import annotations

from deskui.store.feed import ALL_TABLES, Changed, ChangeFeed, FeedEvent, Lost, Restored

__all__ = ["ALL_TABLES", "ChangeFeed", "Changed", "FeedEvent", "Lost", "Restored"]
