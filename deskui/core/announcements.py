"""Announcements (服务台公告): reviewed before they go out, published exactly as approved.

Pure rules, after the desk's own announcement policy (服务台公告发布规范):

* a member of the owning group drafts; the group's lead, or a duty lead, reviews it — approves,
  or returns it to the author with a question — and the author may never approve their own;
* the service desk (an operator or a duty lead) publishes it, for its own group or another's,
  exactly as approved: the approved content is fixed by :func:`content_hash`, and any edit after
  approval sends it back to review; a desk user with a doubt returns it instead of editing;
* published after its announced start it is *late*, by :func:`lateness`; a withdrawal needs a
  reason; past its expiry it is *expired* (:func:`effective_state`), which nobody stores.

The states::

    draft → in_review → approved → published → withdrawn
      ↑         │           │           └──── (expires_at passes) → expired
      └─────────┴───────────┘ returned with a question
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from deskui.core.chain import FieldKind, content_digest
from deskui.core.enums import Role
from deskui.core.permissions import LEADS, Action, Refusal, role_may

#: The longest title, body, service name and reason an announcement holds.
MAX_TITLE, MAX_BODY, MAX_SERVICE, MAX_SERVICES, MAX_NOTE = 120, 4000, 40, 20, 1000


class AnnouncementState(StrEnum):
    """Where an announcement stands."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    """Never stored: an approved or published announcement whose expiry has passed."""


class AnnouncementEventKind(StrEnum):
    """What an announcement event records (its append-only, chained history)."""

    DRAFTED = "drafted"
    EDITED = "edited"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


S = AnnouncementState
#: The stored states each action starts from (the state it leads to is :data:`LEADS_TO`).
FROM: dict[Action, frozenset[AnnouncementState]] = {
    Action.ANNOUNCE_EDIT: frozenset({S.DRAFT, S.IN_REVIEW, S.APPROVED}),
    Action.ANNOUNCE_SUBMIT: frozenset({S.DRAFT}),
    Action.ANNOUNCE_APPROVE: frozenset({S.IN_REVIEW}),
    Action.ANNOUNCE_RETURN: frozenset({S.IN_REVIEW, S.APPROVED}),
    Action.ANNOUNCE_PUBLISH: frozenset({S.APPROVED}),
    Action.ANNOUNCE_WITHDRAW: frozenset({S.APPROVED, S.PUBLISHED}),
}
#: Where each action leads (an edit: see :func:`after_edit`).
LEADS_TO: dict[Action, AnnouncementState] = {
    Action.ANNOUNCE_DRAFT: S.DRAFT,
    Action.ANNOUNCE_SUBMIT: S.IN_REVIEW,
    Action.ANNOUNCE_APPROVE: S.APPROVED,
    Action.ANNOUNCE_RETURN: S.DRAFT,
    Action.ANNOUNCE_PUBLISH: S.PUBLISHED,
    Action.ANNOUNCE_WITHDRAW: S.WITHDRAWN,
}
#: The event each action writes.
EVENT_OF: dict[Action, AnnouncementEventKind] = {
    Action.ANNOUNCE_DRAFT: AnnouncementEventKind.DRAFTED,
    Action.ANNOUNCE_EDIT: AnnouncementEventKind.EDITED,
    Action.ANNOUNCE_SUBMIT: AnnouncementEventKind.SUBMITTED,
    Action.ANNOUNCE_APPROVE: AnnouncementEventKind.APPROVED,
    Action.ANNOUNCE_RETURN: AnnouncementEventKind.RETURNED,
    Action.ANNOUNCE_PUBLISH: AnnouncementEventKind.PUBLISHED,
    Action.ANNOUNCE_WITHDRAW: AnnouncementEventKind.WITHDRAWN,
}
#: Actions that need a note: the reviewer's question, the reason for a withdrawal.
NEEDS_NOTE = frozenset({Action.ANNOUNCE_RETURN, Action.ANNOUNCE_WITHDRAW})
#: The announcement actions, in the order the console offers them.
ANNOUNCE_ACTIONS: tuple[Action, ...] = tuple(EVENT_OF)

#: Error codes of announcement input and their parameters (the services' registry takes them).
ANNOUNCEMENT_ERROR_CODES: dict[str, frozenset[str]] = {
    "announce.unknown": frozenset({"id"}),
    "announce.window": frozenset(),
    "announce.expires_past": frozenset(),
    "announce.changed": frozenset({"id"}),
}


class Member(Protocol):
    """Who acts, as far as announcements care: login, role and groups."""

    @property
    def login(self) -> str:
        """The person's login."""
        ...

    @property
    def role(self) -> Role:
        """The person's role at the desk."""
        ...

    @property
    def group_codes(self) -> frozenset[str]:
        """The codes of the person's groups."""
        ...


@dataclass(frozen=True)
class AnnouncementContent:
    """What an announcement says; the part an approval fixes.

    Attributes:
        title: one line.
        body: the text the desk reads out.
        group: the owning group's code.
        services: the affected services or sites (call categories among them match calls).
        starts_at: when the outage or change starts, if there is one.
        ends_at: when it is expected to end, if known.
        expires_at: when the announcement stops being shown.
    """

    title: str
    body: str
    group: str
    services: tuple[str, ...]
    starts_at: datetime | None
    ends_at: datetime | None
    expires_at: datetime


def content_hash(content: AnnouncementContent) -> str:
    """SHA-256 of the content, as 64 hex digits: what an approval fixes."""
    services = json.dumps(list(content.services), ensure_ascii=False)
    return content_digest(
        "announcement_content",
        (
            (content.title, FieldKind.TEXT),
            (content.body, FieldKind.TEXT),
            (content.group, FieldKind.TEXT),
            (services, FieldKind.TEXT),
            (content.starts_at, FieldKind.TIME),
            (content.ends_at, FieldKind.TIME),
            (content.expires_at, FieldKind.TIME),
        ),
    )


def content_problems(content: AnnouncementContent, now: datetime) -> list[tuple[str, str]]:
    """What is wrong with the content, as ``(field, code)``; empty when it may be saved.

    The window must run forwards (start before end, and both before the expiry), and an
    announcement that has already expired is not worth writing.
    """
    found: list[tuple[str, str]] = []
    if not content.title.strip():
        found.append(("title", "field.required"))
    if not content.body.strip():
        found.append(("body", "field.required"))
    if not content.group.strip():
        found.append(("group", "field.required"))
    start, end, expiry = content.starts_at, content.ends_at, content.expires_at
    if start is not None and end is not None and end < start:
        found.append(("ends_at", "announce.window"))
    elif start is not None and expiry <= start:
        found.append(("expires_at", "announce.window"))
    if expiry <= now:
        found.append(("expires_at", "announce.expires_past"))
    return found


def effective_state(
    stored: AnnouncementState, expires_at: datetime, now: datetime
) -> AnnouncementState:
    """The state as the desk sees it at ``now``: an approved or published announcement past its
    expiry is expired."""
    if stored in (S.APPROVED, S.PUBLISHED) and expires_at <= now:
        return S.EXPIRED
    return stored


def is_active(
    stored: AnnouncementState, published_at: datetime | None, expires_at: datetime, now: datetime
) -> bool:
    """Shown in every console at ``now``: published by then and not yet expired."""
    return stored == S.PUBLISHED and published_at is not None and published_at <= now < expires_at


def lateness(starts_at: datetime | None, published_at: datetime) -> timedelta | None:
    """How late a publication is: after the announced start, by how much; None when on time."""
    if starts_at is None or published_at <= starts_at:
        return None
    return published_at - starts_at


def after_edit(stored: AnnouncementState) -> AnnouncementState:
    """Where an edit leaves an announcement: an approved one goes back to review (its approval
    fixed other words); a draft or one in review stays where it is."""
    return S.IN_REVIEW if stored == S.APPROVED else stored


#: The tier of the service desk's own groups (groups.toml: 1 desk, 2 specialists, 3 vendor).
DESK_TIER = 1


@dataclass(frozen=True)
class AnnouncementFacts:
    """What the rules need to know of an announcement.

    Attributes:
        state: its effective state (:func:`effective_state`).
        group: the owning group's code.
        author: the login of whoever drafted it.
        group_lead: the login of the owning group's lead, None when it has none.
        editors: the logins of whoever changed its content since it was last approved (since
            it was drafted, when never): with the author, the words under review are theirs.
        desk_group: the owning group is the service desk's own (tier 1).
    """

    state: AnnouncementState
    group: str
    author: str
    group_lead: str | None = None
    editors: frozenset[str] = frozenset()
    desk_group: bool = False


def is_reviewer(person: Member, facts: AnnouncementFacts) -> bool:
    """The owning group's lead, or a duty lead (or an admin)."""
    return person.login == facts.group_lead or Role(person.role) in LEADS


def wrote(person: Member, facts: AnnouncementFacts) -> bool:
    """The words under review are (partly) the person's: they drafted the announcement or
    changed it since its last approval. Nobody approves their own words."""
    return person.login == facts.author or person.login in facts.editors


def is_desk(person: Member) -> bool:
    """The person publishes for the desk (an operator, a duty lead, an admin)."""
    return role_may(person.role, Action.ANNOUNCE_PUBLISH)


def acts_for_group(person: Member, facts: AnnouncementFacts) -> bool:
    """The person writes the announcement as one of its group, not as the desk publishing on
    the group's behalf (which must not change a word, 服务台代发其他组公告时不得更改公告内容).

    A member who is not a desk user always does. A desk user does for the desk's own groups,
    and for another group only where the words are theirs to answer for: they drafted the
    announcement or lead the group. Belonging to a group (a duty lead is often put in every
    group) does not make the desk its author.
    """
    if facts.group not in person.group_codes:
        return False
    if not is_desk(person) or facts.desk_group:
        return True
    return person.login in (facts.author, facts.group_lead)


def announcement_refusal(
    person: Member, action: Action, facts: AnnouncementFacts | None = None
) -> Refusal | None:
    """Why ``person`` may not take the announcement ``action`` (on the announcement described
    by ``facts``; for a draft, ``facts`` names the group it would belong to), or None.
    """
    if not role_may(person.role, action):
        return Refusal.ROLE
    if facts is None:
        return None
    if action in FROM and facts.state not in FROM[action]:
        return Refusal.ANNOUNCEMENT_STATE
    member = facts.group in person.group_codes
    if action in (Action.ANNOUNCE_DRAFT, Action.ANNOUNCE_SUBMIT):
        return None if member else Refusal.ANNOUNCEMENT_GROUP
    if action == Action.ANNOUNCE_EDIT:
        if not member:
            return Refusal.ANNOUNCEMENT_GROUP
        return None if acts_for_group(person, facts) else Refusal.DESK_NO_EDIT
    if action == Action.ANNOUNCE_APPROVE:
        if wrote(person, facts):
            return Refusal.OWN_ANNOUNCEMENT
        return None if is_reviewer(person, facts) else Refusal.NOT_REVIEWER
    if action == Action.ANNOUNCE_RETURN:
        # the reviewer returns it from review; once approved, the desk may also send a doubt back
        desk = facts.state == S.APPROVED and is_desk(person)
        return None if desk or is_reviewer(person, facts) else Refusal.NOT_REVIEWER
    if action == Action.ANNOUNCE_WITHDRAW:
        # the desk that publishes, the group's lead or the author take it back
        ok = is_desk(person) or is_reviewer(person, facts) or person.login == facts.author
        return None if ok else Refusal.NOT_WITHDRAWER
    return None


def matches_call(
    services: Iterable[str], group: str, category: str, routed_group: str | None
) -> bool:
    """An announcement concerns a call of ``category``: the category is among its services, or
    the group the category is routed to owns it."""
    wanted = category.strip().lower()
    if any(s.strip().lower() == wanted for s in services):
        return True
    return routed_group is not None and routed_group == group
