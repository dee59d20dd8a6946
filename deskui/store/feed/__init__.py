"""The change feed: every console learns, within a moment, that the desk changed somewhere.

One interface, three backends, chosen by :func:`open_feed` from the database URL:

* **SQLite file** (:class:`SqliteFeed`), every console on one host. A dedicated connection
  reads ``PRAGMA data_version`` (a few microseconds, no table is read); the number moves
  whenever *another connection* commits. The feed's connection never writes, so that includes
  this console's own writes made through the engine's pool: a console sees its own changes
  without help, and :meth:`ChangeFeed.notify_local` only makes them show at once. When to read
  it: on Linux, when inotify says a file of the database was written (so an idle desk costs
  nothing to watch and a commit is seen within a millisecond), with a safety read every few
  seconds; elsewhere, every 40 ms. SQLite cannot tell which tables moved, so a change is reported as
  :data:`ALL_TABLES`. The feed also checks that the file is still there (a database on a
  removed disk or a share that went away): a missing file is a lost connection; the same file
  back again is a restored one.
* **PostgreSQL** (:class:`PostgresFeed`), consoles on many hosts. A dedicated connection runs
  ``LISTEN deskui``; writers call :func:`announce` (or let :func:`watch_writes` do it) inside
  the transaction that makes the change, so ``pg_notify`` is delivered on commit, and only on
  commit. The payload names the tables. The console's own notifications come back to it too,
  so ``notify_local`` does nothing here. TCP keepalives and a ``SELECT 1`` after a quiet spell
  find a connection that died without a word.
* **SQLite in memory** (:class:`LocalFeed`), tests and throwaway desks: no other connection can
  exist, so only ``notify_local`` produces changes.

A feed runs in a thread of its own (:meth:`ChangeFeed.run` blocks until :meth:`ChangeFeed.stop`)
and tells a listener three things: :class:`Changed` (tables), :class:`Lost` (reason, reported
once per outage) and :class:`Restored`. It reconnects by itself with exponential back-off; after
a reconnection it reports :class:`Restored` and then a change of :data:`ALL_TABLES`, because
whatever happened during the outage was not seen.

The parts, all re-exported here: :mod:`.events` (what a listener is told, :class:`Backoff`),
:mod:`.base` (:class:`ChangeFeed`), one module per backend (:mod:`.sqlite`, :mod:`.postgres`,
:mod:`.memory`), and :mod:`.announce` (the writer's side). :func:`open_feed` is here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

from deskui.store.feed.announce import CHANNEL, announce, watch_writes
from deskui.store.feed.base import ChangeFeed
from deskui.store.feed.events import (
    ALL_TABLES,
    Backoff,
    Changed,
    FeedEvent,
    Listener,
    Lost,
    Restored,
)
from deskui.store.feed.memory import LocalFeed
from deskui.store.feed.postgres import PostgresFeed, libpq_url
from deskui.store.feed.sqlite import POLLED_CHECK_EVERY, WATCHED_CHECK_EVERY, SqliteFeed


def open_feed(url: str, **options: Any) -> ChangeFeed:
    """The feed that suits a database URL (``Database.url``).

    Args:
        url: SQLAlchemy URL of the desk's database.
        options: passed to the backend (``interval=`` for SQLite, ``health_every=`` …).
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return LocalFeed()
        return SqliteFeed(parsed.database, **options)
    if backend == "postgresql":
        return PostgresFeed(url, **options)
    raise ValueError(f"no change feed for {backend} databases")


__all__ = [
    "ALL_TABLES",
    "CHANNEL",
    "POLLED_CHECK_EVERY",
    "WATCHED_CHECK_EVERY",
    "Backoff",
    "ChangeFeed",
    "Changed",
    "FeedEvent",
    "Listener",
    "LocalFeed",
    "Lost",
    "PostgresFeed",
    "Restored",
    "SqliteFeed",
    "announce",
    "libpq_url",
    "open_feed",
    "watch_writes",
]
