"""The change feed of a PostgreSQL database (:class:`PostgresFeed`): consoles on many hosts.

A dedicated psycopg connection runs ``LISTEN`` on the channel writers notify on (see
:mod:`deskui.store.feed.announce`); keepalives and a ``SELECT 1`` after a quiet spell find a
connection that died without a word.
"""

from __future__ import annotations

import contextlib
import select
import time
from typing import Any

from sqlalchemy.engine import make_url

from deskui.store.feed.announce import CHANNEL
from deskui.store.feed.base import ChangeFeed, _Waker
from deskui.store.feed.events import ALL_TABLES, Backoff, Changed


class PostgresFeed(ChangeFeed):
    """``LISTEN`` on a dedicated psycopg connection.

    Args:
        url: SQLAlchemy or libpq URL of the desk's database.
        channel: the notification channel.
        health_every: seconds of silence after which a ``SELECT 1`` checks the connection.
        min_gap: a burst of notifications is delivered as one change at most this often.
        connect_timeout: seconds to wait for the server when (re)connecting.
        backoff: reconnection waits.
    """

    kind = "postgresql"

    def __init__(
        self,
        url: str,
        *,
        channel: str = CHANNEL,
        health_every: float = 15.0,
        min_gap: float = 0.02,
        connect_timeout: int = 5,
        backoff: Backoff | None = None,
    ) -> None:
        super().__init__(backoff=backoff)
        self.conninfo = libpq_url(url)
        self.channel = channel
        self.health_every = health_every
        self.min_gap = min_gap
        self.connect_timeout = connect_timeout
        self._conn: Any = None
        self._pending: set[str] = set()
        self._waker = _Waker()

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (tests terminate it)."""
        conn = self._conn
        return int(conn.info.backend_pid) if conn is not None and not conn.closed else None

    def _wake(self) -> None:
        self._waker.poke()

    def _on_notify(self, notify: Any) -> None:
        payload = str(notify.payload or "")
        names = {name for name in payload.split(",") if name}
        self._pending.update(names or ALL_TABLES)

    def _serve(self) -> None:
        import psycopg
        from psycopg import pq, sql

        conn = psycopg.connect(
            self.conninfo,
            autocommit=True,
            connect_timeout=self.connect_timeout,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=3,
            keepalives_count=3,
            application_name="deskui-feed",
        )
        self._conn = conn
        conn.add_notify_handler(self._on_notify)
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        self._came_up()
        pgconn = conn.pgconn
        last_heard = time.monotonic()
        last_sent = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            timeout = max(0.0, last_heard + self.health_every - now)
            if self._pending:
                timeout = min(timeout, max(0.0, last_sent + self.min_gap - now))
            waker = self._waker.fileno()
            readable, _, _ = select.select([pgconn.socket, waker], [], [], timeout)
            if self._stop.is_set():
                return
            if waker in readable:
                self._waker.drain()
            now = time.monotonic()
            if pgconn.socket in readable:
                pgconn.consume_input()  # raises OperationalError when the server went away
                while (n := pgconn.notifies()) is not None:
                    if pgconn.notify_handler:
                        pgconn.notify_handler(n)
                if pgconn.status != pq.ConnStatus.OK:
                    raise psycopg.OperationalError("the server closed the connection")
                last_heard = now
            elif not readable and now >= last_heard + self.health_every:
                conn.execute("SELECT 1")  # notifications arriving meanwhile reach _on_notify
                last_heard = time.monotonic()
            if self._pending and now >= last_sent + self.min_gap:
                tables, self._pending = frozenset(self._pending), set()
                last_sent = now
                self._emit(Changed(tables))

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


def libpq_url(url: str) -> str:
    """A URL libpq understands (``postgresql+psycopg://`` → ``postgresql://``)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)
