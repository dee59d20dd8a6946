"""The writer's side of the feed: announcing, inside the writing transaction, which tables it
changes (:func:`announce`), or letting every flush of a session do it (:func:`watch_writes`).

Only PostgreSQL needs it: the notice goes out on :data:`CHANNEL` with the commit. On SQLite
these do nothing, the feed sees every commit by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, text
from sqlmodel import Session

#: The PostgreSQL channel every console listens on.
CHANNEL = "deskui"
_INFO_KEY = "deskui.announced"


def announce(session: Session, tables: Iterable[str]) -> None:
    """Tell every listening console that these tables change in this transaction.

    On PostgreSQL it runs ``SELECT pg_notify('deskui', 'ticket,ticket_event')`` on the session's
    connection: the notification leaves with the commit, never without it (a rolled-back change
    announces nothing). Identical payloads of one transaction reach listeners once. On SQLite it
    does nothing: the feed sees every commit through ``PRAGMA data_version``.

    Args:
        session: the write session, inside its transaction.
        tables: names of the tables written.
    """
    names = sorted(set(tables))
    if not names or session.get_bind().dialect.name != "postgresql":
        return
    # remember what this transaction already announced, so repeated flushes send one notice
    transaction = session.get_transaction()
    owner, announced = session.info.get(_INFO_KEY, (None, set()))
    if owner is not transaction:
        announced = set()
        session.info[_INFO_KEY] = (transaction, announced)
    if announced.issuperset(names):
        return
    announced.update(names)
    session.connection().execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": CHANNEL, "payload": ",".join(names)},
    )


def watch_writes(session: Session) -> Session:
    """Announce every table this session's flushes write, inside the same transaction.

    Attach it once to a write session (``Database.write``) and no write path can forget to
    announce. Writes made with raw SQL bypass the flush and need :func:`announce`.

    Returns:
        The same session.
    """
    if session.get_bind().dialect.name == "postgresql":
        event.listen(session, "after_flush", _announce_flushed)
    return session


def _announce_flushed(session: Session, _context: Any) -> None:
    # after_flush still sees the flushed objects in new/dirty/deleted
    touched = {
        table.name
        for obj in (*session.new, *session.dirty, *session.deleted)
        if (table := getattr(type(obj), "__table__", None)) is not None
    }
    if touched:
        announce(session, touched)
