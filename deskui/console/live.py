"""Keeps a console live: runs the desk's change feed and tells the app what it hears.

The app calls :func:`start_live` once it is mounted and :meth:`LiveLink.stop` when it closes. The
feed runs in a daemon thread of its own (it blocks on a socket or a short sleep, so it must not
occupy one of Textual's worker threads or the event loop) and posts, thread-safely, to the app:

* :class:`~deskui.console.messages.DeskChanged` ``(tables)`` when something was committed, by this
  console or any other;
* :class:`~deskui.console.messages.ConnectionLost` ``(reason)`` once when the database goes away;
* :class:`~deskui.console.messages.ConnectionRestored` when it is back, followed by a
  ``DeskChanged`` of every table, since what happened meanwhile was not seen.

After its own writes the app may call :meth:`LiveLink.notify_local`: on a SQLite file that makes
the change show at once instead of at the next poll; on PostgreSQL it does nothing (the
console's own notifications come back through LISTEN); on an in-memory SQLite desk it is the
only source of changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from textual.app import App

from deskui.console.messages import ConnectionLost, ConnectionRestored, DeskChanged
from deskui.services.changes import ALL_TABLES, Changed, ChangeFeed, FeedEvent, Lost

log = logging.getLogger(__name__)


class LiveLink:
    """A running feed bound to an app.

    Args:
        app: the app that receives the messages.
        feed: the feed to run.
    """

    def __init__(self, app: App[Any], feed: ChangeFeed) -> None:
        self.app = app
        self.feed = feed
        self.thread = threading.Thread(
            target=feed.run, args=(self._deliver,), name=f"deskui-feed-{feed.kind}", daemon=True
        )

    def _deliver(self, item: FeedEvent) -> None:
        # runs in the feed's thread; post_message is the one thread-safe way into the app
        if isinstance(item, Changed):
            self.app.post_message(DeskChanged(item.tables))
        elif isinstance(item, Lost):
            # the driver's words are for the log; the banner says it in the operator's language
            log.warning("the change feed lost the database: %s", item.reason)
            self.app.post_message(ConnectionLost())
        else:
            self.app.post_message(ConnectionRestored())

    def start(self) -> LiveLink:
        """Start watching (once)."""
        self.thread.start()
        return self

    def notify_local(self, tables: Iterable[str] = ALL_TABLES) -> None:
        """This console committed a change to ``tables`` (see the module docstring)."""
        self.feed.notify_local(tables)

    @property
    def connected(self) -> bool:
        """The feed is watching a live connection now."""
        return self.feed.connected

    def stop(self, timeout: float = 2.0) -> None:
        """Stop watching and wait (up to ``timeout`` seconds) for the thread to end."""
        self.feed.stop()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join(timeout)


def start_live(app: App[Any], feed: ChangeFeed) -> LiveLink:
    """Start ``feed`` for ``app`` (call it from ``on_mount``).

    Args:
        app: the running app; it receives DeskChanged, ConnectionLost and ConnectionRestored.
        feed: the desk's change feed (:meth:`~deskui.services.desk.DeskService.open_feed`).

    Returns:
        The link; call :meth:`LiveLink.stop` when the app closes.
    """
    return LiveLink(app, feed).start()
