"""The audit chains' arithmetic: canonical forms, hashes, and how a broken chain is read.

Pure functions over plain values, so that the services, the migration that chains a desk's
existing history and the benchmark's bulk loader all hash exactly alike.

- A **ticket event** is hashed over ``["ticket_event", 1, id, ticket_id, at, actor_id,
  proxy_id, kind, field, old, new, note, version, state, prev]`` — every column but the hash
  itself — as compact JSON (UTF-8, no ASCII escaping), ``at`` in UTC to the microsecond
  (``2026-11-02T02:00:00.000000Z``). ``prev`` is the hash of the ticket's previous event (None
  for its first), ``state`` the :func:`ticket_state_hash` of the ticket's fields as that event's
  change left them (on a change's last event; None on the others). The columns added after the
  chains began (:data:`LATER_EVENT_FIELDS`: a worklog entry's ``minutes``, a change's
  ``facts_hash``) follow ``prev``, each as ``[name, value]``, only when set: an event without
  them hashes as it always did.
- A **setting event** likewise over ``["setting_event", 1, id, key, at, actor_id, proxy_id,
  old, new, note, prev]``, chained to the previous setting event of the desk (one chain).
- A ticket's **state** is hashed over every column of :data:`STATE_FIELDS`: all of the ticket
  but the due-time caches (:data:`CACHE_FIELDS`), which are recomputed from the events.
- A ticket's **report facts** (its ``ticket_report_fact`` row) are hashed over
  :data:`REPORT_FACT_FIELDS` (:func:`report_facts_hash`); a change's last event carries that
  hash (``facts_hash``) beside the state's, so facts written without a change break the chain.

The hashes are SHA-256, written as 64 lowercase hex digits.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

#: The version of the canonical forms; a change to them is a new version, never an edit.
CANONICAL_VERSION = 1


class FieldKind(StrEnum):
    """How a column's value is written in a canonical form."""

    INT = "int"
    BOOL = "bool"
    TEXT = "text"
    TIME = "time"


_I, _B, _S, _T = FieldKind.INT, FieldKind.BOOL, FieldKind.TEXT, FieldKind.TIME

#: The ticket's columns a state hash covers, in canonical order, with their kinds.
STATE_FIELDS: tuple[tuple[str, FieldKind], ...] = (
    ("id", _I),
    ("number", _S),
    ("type", _S),
    ("category", _S),
    ("channel", _S),
    ("status", _S),
    ("is_open", _B),
    ("impact", _I),
    ("urgency", _I),
    ("priority", _S),
    ("matrix_priority", _S),
    ("priority_reason", _S),
    ("override_reason", _S),
    ("vip", _B),
    ("requester_id", _I),
    ("summary", _S),
    ("description", _S),
    ("started_when", _S),
    ("frequency", _S),
    ("impact_scope", _S),
    ("error_message", _S),
    ("tried", _S),
    ("device", _S),
    ("location", _S),
    ("attachments", _S),
    ("expected_by", _T),
    ("received_at", _T),
    ("created_at", _T),
    ("updated_at", _T),
    ("created_by_id", _I),
    ("group_id", _I),
    ("routing_reason", _S),
    ("assignee_id", _I),
    ("accepted_at", _T),
    ("tier", _I),
    ("solution", _S),
    ("result", _S),
    ("resolved_at", _T),
    ("confirmed_by", _S),
    ("confirmed_at", _T),
    ("confirmation_text", _S),
    ("satisfaction", _I),
    ("satisfaction_remark", _S),
    ("satisfaction_speed", _I),
    ("satisfaction_professionalism", _I),
    ("satisfaction_effect", _I),
    ("satisfaction_attitude", _I),
    ("confirmation_channel", _S),
    ("confirmation_recorded_by_id", _I),
    ("closed_at", _T),
    ("version", _I),
)

#: The ticket's columns a state hash leaves out: caches of the clocks, which are recomputed
#: Columns added after the chains began: hashed, each with its name, only when set, so that a
#: ticket that never had one keeps the hash it was sealed with (migration 0004 hashes by
#: :data:`STATE_FIELDS` alone, before these columns exist).
LATER_STATE_FIELDS: tuple[tuple[str, FieldKind], ...] = (("parent_id", _I),)
#: Every audited column: the state hash covers each.
AUDITED_FIELDS: tuple[tuple[str, FieldKind], ...] = STATE_FIELDS + LATER_STATE_FIELDS

#: from the events whenever the ticket changes (and may be refreshed when the rules change).
CACHE_FIELDS: frozenset[str] = frozenset(
    {"response_due", "update_due", "resolution_due", "next_due"}
)

_EVENT_KINDS: tuple[FieldKind, ...] = (_I, _I, _T, _I, _I, _S, _S, _S, _S, _S, _I, _S, _S)
#: A ticket event's columns added after the chains began, in canonical order, with their kinds:
#: hashed, each with its name, only when set (migration 0011 added ``minutes``, 0015
#: ``facts_hash``).
LATER_EVENT_FIELDS: tuple[tuple[str, FieldKind], ...] = (("minutes", _I), ("facts_hash", _S))
#: How many values :func:`ticket_event_hash` takes: the original columns, then the later ones.
TICKET_EVENT_WIDTH = len(_EVENT_KINDS) - 1 + len(LATER_EVENT_FIELDS)
#: The columns of a ticket's report facts (``ticket_report_fact`` but its ticket), in canonical
#: order, with their kinds.
REPORT_FACT_FIELDS: tuple[tuple[str, FieldKind], ...] = (
    ("response", _S),
    ("response_late", _I),
    ("resolution", _S),
    ("resolution_late", _I),
    ("paused", _I),
    ("reopened", _I),
    ("first_contact", _B),
    ("to_confirmation", _I),
    ("worked_minutes", _I),
)
_FACT_KINDS = tuple(kind for _, kind in REPORT_FACT_FIELDS)
_SETTING_KINDS: tuple[FieldKind, ...] = (_I, _S, _T, _I, _I, _S, _S, _S, _S)


def canonical_time(value: object) -> str | None:
    """An instant as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC.

    Accepts an aware datetime, a naive one (taken as UTC, as SQLite keeps them) or the text
    SQLite stores (``2026-11-02 02:00:00.000000``).
    """
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            # SQLite's own form of a naive UTC instant: the common case, without parsing
            return f"{value[:10]}T{value[11:]}Z"
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"not an instant: {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _value(value: object, kind: FieldKind) -> object:
    if value is None:
        return None
    if kind is FieldKind.TIME:
        return canonical_time(value)
    if kind is FieldKind.BOOL:
        return bool(value)
    if kind is FieldKind.INT:
        if isinstance(value, int | str):
            return int(value)
        raise TypeError(f"not a whole number: {value!r}")
    return str.__str__(value) if isinstance(value, str) else str(value)


def _digest(parts: Sequence[object]) -> str:
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ticket_event_hash(values: Sequence[object], prev: str | None) -> str:
    """The hash of a ticket event.

    Args:
        values: ``(id, ticket_id, at, actor_id, proxy_id, kind, field, old, new, note, version,
            state)`` as stored, optionally followed by the :data:`LATER_EVENT_FIELDS`
            (``minutes``, ``facts_hash``); one that is None (or left out) is not hashed, so an
            event written before a later column existed keeps its hash.
        prev: the hash of the ticket's previous event, None for its first.
    """
    width = len(_EVENT_KINDS) - 1
    if not width <= len(values) <= TICKET_EVENT_WIDTH:
        raise ValueError(f"a ticket event has {width} to {TICKET_EVENT_WIDTH} values")
    body = [_value(v, k) for v, k in zip(values[:width], _EVENT_KINDS[:-1], strict=True)]
    later = [
        [name, _value(value, kind)]
        for (name, kind), value in zip(LATER_EVENT_FIELDS, values[width:], strict=False)
        if value is not None
    ]
    return _digest(["ticket_event", CANONICAL_VERSION, *body, prev, *later])


def setting_event_hash(values: Sequence[object], prev: str | None) -> str:
    """The hash of a setting event.

    Args:
        values: ``(id, key, at, actor_id, proxy_id, old, new, note)`` as stored.
        prev: the hash of the desk's previous setting event, None for the first.
    """
    body = [_value(v, k) for v, k in zip(values, _SETTING_KINDS[:-1], strict=True)]
    return _digest(["setting_event", CANONICAL_VERSION, *body, prev])


#: What an announcement event's hash covers besides its predecessor's hash, with the kinds:
#: ``(id, announcement_id, at, actor_id, proxy_id, kind, state, content_hash, note)``.
ANNOUNCEMENT_EVENT_KINDS: tuple[FieldKind, ...] = (_I, _I, _T, _I, _I, _S, _S, _S, _S)


def announcement_event_hash(values: Sequence[object], prev: str | None) -> str:
    """The hash of an announcement event, chained to the announcement's previous event.

    Args:
        values: ``(id, announcement_id, at, actor_id, proxy_id, kind, state, content_hash,
            note)`` as stored.
        prev: the hash of the announcement's previous event, None for its first.
    """
    body = [_value(v, k) for v, k in zip(values, ANNOUNCEMENT_EVENT_KINDS, strict=True)]
    return _digest(["announcement_event", CANONICAL_VERSION, *body, prev])


def content_digest(tag: str, fields: Sequence[tuple[object, FieldKind]]) -> str:
    """The hash of a record's content: ``tag``, then each value written as its kind."""
    return _digest([tag, CANONICAL_VERSION, *(_value(v, k) for v, k in fields)])


def article_event_hash(values: Sequence[object], prev: str | None) -> str:
    """The hash of a knowledge-base event: the form of a setting event under its own name
    (``["article_event", 1, id, key, at, actor_id, proxy_id, old, new, note, prev]``), chained
    to the desk's previous knowledge-base event.
    """
    body = [_value(v, k) for v, k in zip(values, _SETTING_KINDS[:-1], strict=True)]
    return _digest(["article_event", CANONICAL_VERSION, *body, prev])


def report_facts_hash(values: Sequence[object]) -> str:
    """The hash of a ticket's report facts: the values of :data:`REPORT_FACT_FIELDS`, in order."""
    if len(values) != len(_FACT_KINDS):
        raise ValueError(f"report facts have {len(_FACT_KINDS)} values")
    facts = [_value(v, k) for v, k in zip(values, _FACT_KINDS, strict=True)]
    return _digest(["report_facts", CANONICAL_VERSION, *facts])


def ticket_state_hash(fields: Mapping[str, object]) -> str:
    """The hash of a ticket's :data:`STATE_FIELDS` and its :data:`LATER_STATE_FIELDS` that are
    set (a row, or a ticket's attributes by name)."""
    later = [
        [name, _value(fields[name], kind)]
        for name, kind in LATER_STATE_FIELDS
        if fields.get(name) is not None
    ]
    return _digest(
        [
            "ticket_state",
            CANONICAL_VERSION,
            *(_value(fields[n], k) for n, k in STATE_FIELDS),
            *later,
        ]
    )


class Break(StrEnum):
    """How a chain is broken at an event."""

    REWRITTEN = "rewritten"
    """The event's content (or its hash) is not what was hashed."""
    DELETED = "deleted"
    """One or more events before this one are missing."""
    INSERTED = "inserted"
    """The event was put into the chain: the next event links past it."""
    REORDERED = "reordered"
    """The event stands where it did not: moved to another id, or linked to a later event."""


@dataclass(frozen=True)
class Link:
    """One event as a chain reader sees it.

    Attributes:
        id: the event's id (chain order is id order).
        hash: the stored hash.
        prev: the stored hash of its predecessor.
        intact: the stored hash is the hash of the stored content and ``prev``.
        moved: not intact, but it would be under another id of the same chain.
    """

    id: int
    hash: str | None
    prev: str | None
    intact: bool
    moved: bool = False


def read_chain(links: Sequence[Link]) -> dict[int, Break]:
    """Where a chain (in id order) is broken, and how: event id → :class:`Break`.

    Each event is checked on its own (is its hash the hash of what it holds?) and against its
    predecessor (does it link to the event before it?). A link to an event further back means
    the events between were inserted; to a later event, that the order changed; to no event
    present, that its predecessor was deleted. A last event that is neither intact nor linked
    to the one before it was inserted at the end.
    """
    found: dict[int, Break] = {}
    position = {link.hash: i for i, link in enumerate(links) if link.hash}
    for i, link in enumerate(links):
        before = links[i - 1].hash if i else None
        if not link.intact:
            after = links[i + 1] if i + 1 < len(links) else None
            if link.moved:
                found.setdefault(link.id, Break.REORDERED)
            elif after is not None and after.intact and after.prev == before:
                found.setdefault(link.id, Break.INSERTED)
            elif after is None and i and link.prev != before:
                # put after the chain's end without its link to the event before: a rewrite
                # keeps the link it was sealed with
                found.setdefault(link.id, Break.INSERTED)
            else:
                found.setdefault(link.id, Break.REWRITTEN)
            continue
        if link.prev == before:
            continue
        j = position.get(link.prev) if link.prev is not None else -1
        if j is None:
            found.setdefault(link.id, Break.DELETED)
        elif j > i:
            found.setdefault(link.id, Break.REORDERED)
        else:
            for skipped in links[j + 1 : i]:
                found.setdefault(skipped.id, Break.INSERTED)
    return found
