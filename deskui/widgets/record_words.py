"""The record's language-neutral phrases in the console's words.

The services keep why a ticket is where it is, and how its priority came about, as short
phrases of codes (``category hardware → hardware``, ``L1 → L2 · desk → hardware · lead``,
``I3 × U3 → P4; VIP: P4 → P3``): the same on every console, whatever its language. These
functions say them in the catalog's language with the names of people, groups, categories and
types. A phrase of no known shape is shown as recorded (sanitized), never dropped.
"""

from __future__ import annotations

import re

from deskui.core.alerts import P1_KEY, alert_keys
from deskui.core.enums import ClockKind
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.names import DeskNames

_BY_RULE = re.compile(r"^(type|category) (\S+) → (\S+)$")
_NO_GROUP = re.compile(r"^(type|category) (\S+): no group configured$")
_MOVED = re.compile(r"^(?:L(\d) → L(\d) · )?(\S+) → (\S+) · (\S+)$")
_TAKEN_OVER = re.compile(r"^taken over from (\S+)$")
_OVERRIDE = re.compile(r"^override → (P[1-4]): (.*)$", re.DOTALL)
#: How an outage's move of its calls was noted before it became an event of its own.
_OUTAGE = re.compile(r"^outage (IT[0-9]{11,})$")


def _coded(t: Catalog, prefix: str, code: str) -> str:
    key = f"{prefix}.{code}"
    return t(key) if t.has(key) else code


def routing_words(reason: str, t: Catalog, names: DeskNames) -> str:
    """Why the ticket went to its group, as the console says it."""

    def group(code: str) -> str:
        return t("record.no_group") if code == "-" else names.group(code, t.lang)

    if found := _BY_RULE.match(reason):
        kind, value, code = found.groups()
        return t(f"record.routed.{kind}", value=_coded(t, kind, value), group=group(code))
    if found := _NO_GROUP.match(reason):
        kind, value = found.groups()
        return t(f"record.unrouted.{kind}", value=_coded(t, kind, value))
    if found := _MOVED.match(reason):
        low, high, old, new, login = found.groups()
        moved = t("record.moved", old=group(old), new=group(new), who=names.person(login))
        return t("record.escalated", low=low, high=high, moved=moved) if low else moved
    return sanitize_line(reason)


def alert_words(keys: str, t: Catalog) -> str:
    """The alerts an acknowledgement names (``p1,response``): ``P1 紧急、响应超时``."""
    words = []
    for key in sorted(alert_keys(keys), key=lambda k: (k != P1_KEY, k)):
        if key == P1_KEY:
            words.append(t("board.alert_word.p1"))
        elif key in {str(kind) for kind in ClockKind}:
            words.append(t("board.alert_word.breach", clock=t(f"clock.{key}")))
        else:
            words.append(sanitize_line(key))
    return t.join(words)


def priority_words(reason: str, t: Catalog) -> str:
    """How the priority came about: the matrix cell, the VIP raise, a lead's override."""
    parts = []
    for part in reason.split("; "):
        if part.startswith("VIP: "):
            parts.append(t("record.vip_raise", change=part.removeprefix("VIP: ")))
        elif found := _OVERRIDE.match(part):
            priority, why = found.groups()
            parts.append(t("record.override", priority=priority, reason=sanitize_line(why)))
        else:
            parts.append(sanitize_line(part))
    return t.join(parts, "shell.sep.clause")


def note_words(note: str, t: Catalog, names: DeskNames) -> str:
    """A note the desk itself wrote (a takeover) in the console's words; a person's note as
    they typed it."""
    if found := _TAKEN_OVER.match(note):
        return t("record.taken_over", who=names.person(found.group(1)))
    return note


def outage_words(note: str, t: Catalog) -> str:
    """The note an outage's parent left on its calls' status changes before the move became an
    event of its own (``outage IT20261102001``), in the console's words; any other note as it
    is."""
    if found := _OUTAGE.match(note):
        return t("record.outage", parent=found.group(1))
    return note


_PRIORITY_REASON = re.compile(r"^I[1-4] × U[1-4] → P[1-4](; |$)")


def is_priority_reason(note: str) -> bool:
    """The note is the rules' own account of a priority (not a person's words)."""
    return bool(_PRIORITY_REASON.match(note))
