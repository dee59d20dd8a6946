"""What the console needs of the change feed (the console never imports the store)."""

from deskui.store.feed import ALL_TABLES, Changed, ChangeFeed, FeedEvent, Lost

__all__ = ["ALL_TABLES", "ChangeFeed", "Changed", "FeedEvent", "Lost"]
