"""Writing the audit chains: the one way to append a setting event, and the ids and hashes of
ticket events sealed by :mod:`deskui.services.ledger`.

To record a change to the desk's settings — a rule file, a user or a group — call, inside the
write transaction that makes the change::

    from deskui.services.audit import append_setting_event

    append_setting_event(
        session,
        key="user",                  # what changed: a rule file's name, "user", "group" (≤ 32)
        old=previous_json,           # the value before (None when it is new)
        new=current_json,            # the value after, as text (JSON for a record)
        actor_id=actor.id,           # who did it
        proxy_id=actor.proxy_id,     # the admin acting for them, if any
        note="why",                  # optional
        now=now,
    )

It chains the event to the desk's previous setting event. The chain is one line for the whole
desk, so appending takes its lock first: on PostgreSQL a transaction-scoped advisory lock (held
until commit, so concurrent admins queue and the chain never forks), on SQLite the write
transaction's own lock. Never construct ``SettingEvent`` yourself: its hash would be missing and
``deskui audit verify`` would report it.

For a key that is a rule file (``desk_setting``), ``deskui audit verify`` also checks that the
stored value is the ``new`` of the key's last event; other keys are checked as history only.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import text
from sqlmodel import Session, col, select

from deskui.core.chain import article_event_hash, setting_event_hash
from deskui.store.models import ArticleEvent, SettingEvent

#: The advisory lock that serializes the settings chain on PostgreSQL: a two-part key
#: (``desk``, ``sett`` in ASCII), a key space apart from the migrations' one-part lock.
SETTINGS_LOCK = (0x6465736B, 0x73657474)
#: The same for the knowledge base's chain (``desk``, ``kbas``).
ARTICLES_LOCK = (0x6465736B, 0x6B626173)
#: The longest setting key the table holds.
MAX_KEY = 32


def allocate_ids(session: Session, table: str, count: int) -> list[int]:
    """``count`` new ids of an event table (``ticket_event``, ``setting_event`` or
    ``announcement_event``), ascending.

    An event's id is part of what is hashed, so it is taken before the row is written: on
    PostgreSQL from the table's sequence; on SQLite after the largest id, which the write
    transaction's lock keeps from being taken by anyone else until commit.
    """
    if table not in ("ticket_event", "setting_event", "announcement_event", "article_event"):
        raise ValueError(f"not an event table: {table}")
    if count <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        ).all()
        return sorted(int(r[0]) for r in rows)
    top = session.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one()
    return list(range(int(top) + 1, int(top) + 1 + count))


def lock_settings_chain(session: Session, lock: tuple[int, int] = SETTINGS_LOCK) -> None:
    """Hold the settings chain (or another one-line chain: ``lock``) until the transaction
    ends (PostgreSQL; SQLite's write transaction already excludes every other writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:desk, :part)"),
            {"desk": lock[0], "part": lock[1]},
        )


def append_setting_event(
    session: Session,
    *,
    key: str,
    old: str | None,
    new: str,
    actor_id: int | None,
    now: datetime,
    proxy_id: int | None = None,
    note: str | None = None,
) -> SettingEvent:
    """Append one event to the desk's settings chain, in the caller's transaction.

    Args:
        session: the write session of the change being recorded.
        key: what changed (a rule file's name, ``user``, ``group``, ``directory``), at most 32
            characters.
        old: the value before, None when there was none.
        new: the value after.
        actor_id: who made the change.
        now: when.
        proxy_id: the admin who acted for ``actor_id``, if any.
        note: why, if said.

    Returns:
        The event, added to the session with its id and hash.

    Raises:
        ValueError: an empty or too long key.
    """
    return _append(
        session,
        SettingEvent,
        key=key,
        old=old,
        new=new,
        actor_id=actor_id,
        now=now,
        proxy_id=proxy_id,
        note=note,
    )


def append_article_event(
    session: Session,
    *,
    key: str,
    old: str | None,
    new: str,
    actor_id: int | None,
    now: datetime,
    proxy_id: int | None = None,
    note: str | None = None,
) -> ArticleEvent:
    """Append one event to the knowledge base's chain, in the caller's transaction (the same
    arguments as :func:`append_setting_event`; :mod:`deskui.services.knowledge` is its writer).
    """
    return _append(
        session,
        ArticleEvent,
        key=key,
        old=old,
        new=new,
        actor_id=actor_id,
        now=now,
        proxy_id=proxy_id,
        note=note,
    )


_Event = TypeVar("_Event", SettingEvent, ArticleEvent)


def _append(
    session: Session,
    model: type[_Event],
    *,
    key: str,
    old: str | None,
    new: str,
    actor_id: int | None,
    now: datetime,
    proxy_id: int | None,
    note: str | None,
) -> _Event:
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"a setting key is 1 to {MAX_KEY} characters: {key!r}")
    articles = model is ArticleEvent
    lock_settings_chain(session, ARTICLES_LOCK if articles else SETTINGS_LOCK)
    prev = session.exec(select(model.hash).order_by(col(model.id).desc()).limit(1)).first()
    (event_id,) = allocate_ids(session, str(model.__tablename__), 1)
    event = model(
        id=event_id,
        key=key,
        at=now,
        actor_id=actor_id,
        proxy_id=proxy_id,
        old_value=old,
        new_value=new,
        note=note,
        prev_hash=prev,
    )
    hasher = article_event_hash if articles else setting_event_hash
    event.hash = hasher(setting_values(event), prev)
    session.add(event)
    session.flush()
    return event


def setting_values(event: SettingEvent | ArticleEvent) -> tuple[object, ...]:
    """What a setting event's hash covers besides its predecessor's hash."""
    return (
        event.id,
        event.key,
        event.at,
        event.actor_id,
        event.proxy_id,
        event.old_value,
        event.new_value,
        event.note,
    )
