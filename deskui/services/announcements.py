"""Announcements: draft, edit, submit, approve, return, publish, withdraw, list.

The rules are :mod:`deskui.core.announcements`' (who may, from which state); this module loads
what they need, refuses with their code (:class:`~deskui.services.errors.PermissionDenied`),
changes the announcement and appends its event in the same transaction. Each announcement's
events form a chain of their own, as a ticket's do
(:func:`deskui.core.chain.announcement_event_hash`), which ``deskui audit verify`` recomputes.

The use cases take a session (keyword-only); :class:`Announcements` runs each one in its own
transaction on a :class:`~deskui.services.desk.DeskService`, for the console and the command
line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from deskui.core.announcements import (
    DESK_TIER,
    EVENT_OF,
    LEADS_TO,
    MAX_BODY,
    MAX_NOTE,
    MAX_SERVICE,
    MAX_SERVICES,
    MAX_TITLE,
    NEEDS_NOTE,
    AnnouncementContent,
    AnnouncementEventKind,
    AnnouncementFacts,
    AnnouncementState,
    after_edit,
    announcement_refusal,
    content_hash,
    content_problems,
    effective_state,
    is_active,
    lateness,
)
from deskui.core.chain import announcement_event_hash
from deskui.core.permissions import Action, Refusal
from deskui.core.sanitize import sanitize_line, sanitize_text
from deskui.services.audit import allocate_ids
from deskui.services.desk import DeskService
from deskui.services.errors import (
    NotFound,
    PermissionDenied,
    Problem,
    ServiceError,
    ValidationFailed,
    problem,
)
from deskui.services.users import Actor, group_by_code
from deskui.store.models import Announcement, AnnouncementEvent, Group, User

#: The tables an announcement change writes (what a console tells the others).
ANNOUNCEMENT_TABLES = frozenset({"announcement", "announcement_event"})


@dataclass(frozen=True)
class AnnouncementView:
    """An announcement as the console and the command line show it (a plain read model).

    Attributes:
        id: its number.
        content: what it says.
        group_name_zh: the owning group's Chinese name.
        group_name_en: its English name.
        state: its effective state at the time it was read (expired included).
        stored_state: the state stored (never expired).
        author: the login of whoever drafted it.
        author_name: their name.
        group_lead: the login of the owning group's lead, if any.
        content_hash: the hash of the content as it stands.
        approved_hash: the hash the approval fixed, if approved.
        approved_by: the login of who approved it.
        approved_by_name: their name.
        approved_at: when.
        question: the last question it was returned with.
        published_at: when the desk published it.
        published_by: the login of who did.
        published_by_name: their name.
        late_seconds: published this many seconds after its announced start (None: on time).
        withdrawn_at: when it was withdrawn.
        withdrawn_by: the login of who did.
        withdrawn_by_name: their name.
        withdraw_reason: why.
        created_at: when it was drafted.
        updated_at: when it last changed.
        version: its version (one more with each change).
        editors: the logins of whoever changed the content since it was last approved.
        desk_group: the owning group is the service desk's own.
    """

    id: int
    content: AnnouncementContent
    group_name_zh: str
    group_name_en: str
    state: AnnouncementState
    stored_state: AnnouncementState
    author: str
    author_name: str
    group_lead: str | None
    content_hash: str
    approved_hash: str | None
    approved_by: str | None
    approved_by_name: str | None
    approved_at: datetime | None
    question: str | None
    published_at: datetime | None
    published_by: str | None
    published_by_name: str | None
    late_seconds: int | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    withdrawn_by_name: str | None
    withdraw_reason: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    editors: frozenset[str] = frozenset()
    desk_group: bool = False

    @property
    def facts(self) -> AnnouncementFacts:
        """What the rules need of it (the console greys out with them)."""
        return AnnouncementFacts(
            self.state,
            self.content.group,
            self.author,
            self.group_lead,
            editors=self.editors,
            desk_group=self.desk_group,
        )

    @property
    def late(self) -> bool:
        """Published after its announced start."""
        return self.late_seconds is not None

    def group_name(self, lang: str) -> str:
        """The owning group's name in ``lang``."""
        return self.group_name_zh if lang == "zh" else self.group_name_en

    def to_json(self, tz: ZoneInfo) -> dict[str, Any]:
        """The announcement for ``--json``: codes, and ISO 8601 times with the desk's offset
        (``tz``), as a ticket's JSON has them."""

        def at(value: datetime | None) -> str | None:
            return value.astimezone(tz).isoformat() if value is not None else None

        c = self.content
        return {
            "id": self.id,
            "title": c.title,
            "body": c.body,
            "group": c.group,
            "services": list(c.services),
            "starts_at": at(c.starts_at),
            "ends_at": at(c.ends_at),
            "expires_at": at(c.expires_at),
            "state": str(self.state),
            "author": self.author,
            "content_hash": self.content_hash,
            "approved_hash": self.approved_hash,
            "approved_by": self.approved_by,
            "approved_at": at(self.approved_at),
            "question": self.question,
            "published_at": at(self.published_at),
            "published_by": self.published_by,
            "late": self.late,
            "late_seconds": self.late_seconds,
            "withdrawn_at": at(self.withdrawn_at),
            "withdrawn_by": self.withdrawn_by,
            "withdraw_reason": self.withdraw_reason,
            "version": self.version,
        }


AnnouncementInput = AnnouncementContent
"""What a draft or an edit says, as typed: the content's fields, which the service cleans (no
control character is stored) and checks before anything is written."""


def _content(data: AnnouncementInput, now: datetime) -> AnnouncementContent:
    """The input cleaned (no control character is stored) and checked.

    Raises:
        ValidationFailed: naming every field at fault.
    """
    problems: list[Problem] = []
    title = sanitize_line(data.title)
    body = sanitize_text(data.body).strip()
    for name, text, limit in (("title", title, MAX_TITLE), ("body", body, MAX_BODY)):
        if len(text) > limit:
            problems.append(problem(name, "text.too_long", length=len(text), limit=limit))
    services: list[str] = []
    for raw in data.services:
        name = sanitize_line(raw)
        if len(name) > MAX_SERVICE:
            problems.append(
                problem("services", "text.too_long", length=len(name), limit=MAX_SERVICE)
            )
        elif name and name not in services:
            services.append(name)
    if len(services) > MAX_SERVICES:
        problems.append(
            problem("services", "text.too_long", length=len(services), limit=MAX_SERVICES)
        )
    content = AnnouncementContent(
        title=title,
        body=body,
        group=sanitize_line(data.group).casefold(),
        services=tuple(services),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        expires_at=data.expires_at,
    )
    problems.extend(problem(f, code) for f, code in content_problems(content, now))
    if problems:
        raise ValidationFailed(problems)
    return content


def _login(session: Session, user_id: int | None) -> tuple[str, str] | None:
    user = session.get(User, user_id) if user_id is not None else None
    return (user.login, user.name) if user is not None else None


def _stored_content(session: Session, row: Announcement) -> AnnouncementContent:
    group = session.get(Group, row.group_id)
    return AnnouncementContent(
        title=row.title,
        body=row.body,
        group=group.code if group else "",
        services=tuple(json.loads(row.services or "[]")),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        expires_at=row.expires_at,
    )


def _editors(session: Session, announcement_id: int) -> frozenset[str]:
    """Who changed the content since its last approval: the words a reviewer has not seen
    approved by someone else."""
    events = session.exec(
        select(AnnouncementEvent.kind, AnnouncementEvent.actor_id)
        .where(AnnouncementEvent.announcement_id == announcement_id)
        .order_by(col(AnnouncementEvent.id))
    ).all()
    since: set[int] = set()
    for kind, actor_id in events:
        if kind == AnnouncementEventKind.APPROVED:
            since.clear()
        elif kind == AnnouncementEventKind.EDITED and actor_id is not None:
            since.add(actor_id)
    logins = (_login(session, user_id) for user_id in since)
    return frozenset(found[0] for found in logins if found)


def view_of(session: Session, row: Announcement, now: datetime) -> AnnouncementView:
    """The read model of a stored announcement at ``now``."""
    assert row.id is not None
    group = session.get(Group, row.group_id)
    content = _stored_content(session, row)
    author = _login(session, row.author_id) or ("", "")
    lead = _login(session, group.lead_id if group else None)
    stored = AnnouncementState(row.state)

    def who(user_id: int | None) -> tuple[str | None, str | None]:
        found = _login(session, user_id)
        return found if found else (None, None)

    approver, publisher, withdrawer = (
        who(row.approved_by_id),
        who(row.published_by_id),
        who(row.withdrawn_by_id),
    )

    return AnnouncementView(
        id=row.id,
        content=content,
        group_name_zh=group.name_zh if group else "",
        group_name_en=group.name_en if group else "",
        state=effective_state(stored, row.expires_at, now),
        stored_state=stored,
        author=author[0],
        author_name=author[1],
        group_lead=lead[0] if lead else None,
        content_hash=content_hash(content),
        approved_hash=row.approved_hash,
        approved_by=approver[0],
        approved_by_name=approver[1],
        approved_at=row.approved_at,
        question=row.question,
        published_at=row.published_at,
        published_by=publisher[0],
        published_by_name=publisher[1],
        late_seconds=row.late_seconds,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by=withdrawer[0],
        withdrawn_by_name=withdrawer[1],
        withdraw_reason=row.withdraw_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        editors=_editors(session, row.id),
        desk_group=group is not None and group.tier == DESK_TIER,
    )


def _require(actor: Actor, action: Action, facts: AnnouncementFacts) -> None:
    why = announcement_refusal(actor, action, facts)
    if why is None:
        return
    if why == Refusal.ROLE:
        raise PermissionDenied(why.value, action=action, role=str(actor.role))
    raise PermissionDenied(why.value, action=action)


def _locked(session: Session, announcement_id: int) -> Announcement:
    """The announcement, locked until commit (PostgreSQL; SQLite's write lock holds already).

    Raises:
        NotFound: no such announcement.
    """
    row = session.exec(
        select(Announcement).where(Announcement.id == announcement_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound("announce.unknown", field="id", id=announcement_id)
    return row


def _append_event(
    session: Session,
    row: Announcement,
    *,
    action: Action,
    actor: Actor,
    now: datetime,
    note: str | None = None,
) -> AnnouncementEvent:
    """The announcement's next event, chained to its previous one, in this transaction."""
    assert row.id is not None
    prev = session.exec(
        select(AnnouncementEvent.hash)
        .where(AnnouncementEvent.announcement_id == row.id)
        .order_by(col(AnnouncementEvent.id).desc())
        .limit(1)
    ).first()
    (event_id,) = allocate_ids(session, "announcement_event", 1)
    event = AnnouncementEvent(
        id=event_id,
        announcement_id=row.id,
        at=now,
        actor_id=actor.id,
        proxy_id=actor.proxy_id,
        kind=str(EVENT_OF[action]),
        state=row.state,
        content_hash=content_hash(_stored_content(session, row)),
        note=note,
        prev_hash=prev,
    )
    event.hash = announcement_event_hash(event_values(event), prev)
    session.add(event)
    session.flush()
    return event


def event_values(event: AnnouncementEvent) -> tuple[object, ...]:
    """What an announcement event's hash covers besides its predecessor's hash."""
    return (
        event.id,
        event.announcement_id,
        event.at,
        event.actor_id,
        event.proxy_id,
        event.kind,
        event.state,
        event.content_hash,
        event.note,
    )


def _group_facts(session: Session, code: str, author: str) -> tuple[Group, AnnouncementFacts]:
    group = group_by_code(session, code)
    lead = _login(session, group.lead_id)
    facts = AnnouncementFacts(
        AnnouncementState.DRAFT,
        group.code,
        author,
        lead[0] if lead else None,
        desk_group=group.tier == DESK_TIER,
    )
    return group, facts


def draft_announcement(
    *, session: Session, actor: Actor, data: AnnouncementInput, now: datetime
) -> AnnouncementView:
    """A member of the owning group drafts an announcement.

    Raises:
        ValidationFailed: the content is incomplete or its times run backwards.
        NotFound: no such group.
        PermissionDenied: the actor is not a member of the group.
    """
    content = _content(data, now)
    group, facts = _group_facts(session, content.group, actor.login)
    _require(actor, Action.ANNOUNCE_DRAFT, facts)
    assert group.id is not None
    row = Announcement(
        title=content.title,
        body=content.body,
        group_id=group.id,
        services=json.dumps(list(content.services), ensure_ascii=False),
        starts_at=content.starts_at,
        ends_at=content.ends_at,
        expires_at=content.expires_at,
        state=str(AnnouncementState.DRAFT),
        author_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _append_event(session, row, action=Action.ANNOUNCE_DRAFT, actor=actor, now=now)
    return view_of(session, row, now)


def edit_announcement(
    *,
    session: Session,
    actor: Actor,
    announcement_id: int,
    data: AnnouncementInput,
    now: datetime,
) -> AnnouncementView:
    """A member of the owning group changes the content; an approved announcement goes back to
    review (its approval no longer holds). The group cannot be changed.

    Raises:
        NotFound: no such announcement.
        PermissionDenied: not a member of the owning group, or the state does not allow it.
        ValidationFailed: the new content is incomplete or its times run backwards.
    """
    row = _locked(session, announcement_id)
    current = view_of(session, row, now)
    _require(actor, Action.ANNOUNCE_EDIT, current.facts)
    content = _content(replace(data, group=current.content.group), now)
    if content == current.content:
        return current
    row.title, row.body = content.title, content.body
    row.services = json.dumps(list(content.services), ensure_ascii=False)
    row.starts_at, row.ends_at, row.expires_at = (
        content.starts_at,
        content.ends_at,
        content.expires_at,
    )
    row.state = str(after_edit(AnnouncementState(row.state)))
    row.approved_hash = row.approved_by_id = row.approved_at = None
    return _save(session, row, Action.ANNOUNCE_EDIT, actor, now)


def _save(
    session: Session,
    row: Announcement,
    action: Action,
    actor: Actor,
    now: datetime,
    note: str | None = None,
) -> AnnouncementView:
    row.updated_at = now
    row.version += 1
    session.add(row)
    session.flush()
    _append_event(session, row, action=action, actor=actor, now=now, note=note)
    return view_of(session, row, now)


def act_on_announcement(
    *,
    session: Session,
    actor: Actor,
    announcement_id: int,
    action: Action,
    now: datetime,
    note: str | None = None,
) -> AnnouncementView:
    """Submit, approve, return (``note``: the question), publish or withdraw (``note``: the
    reason) an announcement.

    Publishing checks that the content is still what was approved (its hash), and records a
    publication after the announced start as late, with the delay.

    Raises:
        NotFound: no such announcement.
        PermissionDenied: the rules refuse the actor this action on it now.
        ServiceError: ``note.required`` without a question or reason; ``announce.changed`` when
            the content is no longer the approved content.
    """
    if action not in LEADS_TO or action == Action.ANNOUNCE_DRAFT:
        raise ValueError(f"not an action on an announcement: {action}")
    text = sanitize_text(note or "").strip()
    row = _locked(session, announcement_id)
    current = view_of(session, row, now)
    _require(actor, action, current.facts)
    if action in NEEDS_NOTE and not text:
        raise ServiceError("note.required", field="note")
    if len(text) > MAX_NOTE:
        raise ValidationFailed([problem("note", "text.too_long", length=len(text), limit=MAX_NOTE)])
    row.state = str(LEADS_TO[action])
    if action == Action.ANNOUNCE_APPROVE:
        row.approved_hash = current.content_hash
        row.approved_by_id, row.approved_at = actor.id, now
        row.question = None
    elif action == Action.ANNOUNCE_RETURN:
        row.question = text
        row.approved_hash = row.approved_by_id = row.approved_at = None
    elif action == Action.ANNOUNCE_PUBLISH:
        if current.approved_hash != current.content_hash:
            raise ServiceError("announce.changed", field="id", id=announcement_id)
        row.published_at, row.published_by_id = now, actor.id
        late = lateness(current.content.starts_at, now)
        row.late_seconds = int(late.total_seconds()) if late is not None else None
    elif action == Action.ANNOUNCE_WITHDRAW:
        row.withdrawn_at, row.withdrawn_by_id, row.withdraw_reason = now, actor.id, text
    return _save(session, row, action, actor, now, note=text or None)


def get_announcement(*, session: Session, announcement_id: int, now: datetime) -> AnnouncementView:
    """One announcement.

    Raises:
        NotFound: no such announcement.
    """
    row = session.get(Announcement, announcement_id)
    if row is None:
        raise NotFound("announce.unknown", field="id", id=announcement_id)
    return view_of(session, row, now)


def list_announcements(
    *,
    session: Session,
    now: datetime,
    state: AnnouncementState | None = None,
    active: bool = False,
) -> list[AnnouncementView]:
    """Announcements, the most recently changed first.

    Args:
        session: a read session.
        now: the instant states and activity are read at.
        state: only those in this effective state (``expired`` included).
        active: only those shown in the consoles now (published, not expired), the most
            recently published first.
    """
    query = select(Announcement)
    if active:
        query = query.where(
            Announcement.state == str(AnnouncementState.PUBLISHED),
            col(Announcement.expires_at) > now,
        )
    elif state is AnnouncementState.EXPIRED:
        query = query.where(
            col(Announcement.state).in_(
                [str(AnnouncementState.APPROVED), str(AnnouncementState.PUBLISHED)]
            ),
            col(Announcement.expires_at) <= now,
        )
    elif state is not None:
        query = query.where(Announcement.state == str(state))
    rows = session.exec(
        query.order_by(col(Announcement.updated_at).desc(), col(Announcement.id).desc())
    ).all()
    views = [view_of(session, row, now) for row in rows]
    if active:
        views = [
            v for v in views if is_active(v.stored_state, v.published_at, v.content.expires_at, now)
        ]
        views.sort(key=lambda v: (v.published_at or now, v.id), reverse=True)
    elif state is not None:
        views = [v for v in views if v.state == state]
    return views


class Announcements:
    """The announcement use cases on a desk, each in its own transaction.

    Args:
        desk: the desk's use cases (its database and clock).
    """

    def __init__(self, desk: DeskService) -> None:
        self.desk = desk

    def draft(self, actor: Actor, data: AnnouncementInput) -> AnnouncementView:
        """Draft one (see :func:`draft_announcement`)."""
        now = self.desk.clock.now()
        return self.desk.write(
            lambda s: draft_announcement(session=s, actor=actor, data=data, now=now)
        )

    def edit(self, actor: Actor, announcement_id: int, data: AnnouncementInput) -> AnnouncementView:
        """Change one (see :func:`edit_announcement`)."""
        now = self.desk.clock.now()
        return self.desk.write(
            lambda s: edit_announcement(
                session=s, actor=actor, announcement_id=announcement_id, data=data, now=now
            )
        )

    def act(
        self, actor: Actor, announcement_id: int, action: Action, note: str | None = None
    ) -> AnnouncementView:
        """Submit, approve, return, publish or withdraw one (see :func:`act_on_announcement`)."""
        now = self.desk.clock.now()
        return self.desk.write(
            lambda s: act_on_announcement(
                session=s,
                actor=actor,
                announcement_id=announcement_id,
                action=action,
                now=now,
                note=note,
            )
        )

    def get(self, announcement_id: int) -> AnnouncementView:
        """One announcement."""
        now = self.desk.clock.now()
        return self.desk.read(
            lambda s: get_announcement(session=s, announcement_id=announcement_id, now=now)
        )

    def listing(
        self, state: AnnouncementState | None = None, *, active: bool = False
    ) -> list[AnnouncementView]:
        """Announcements by state, or the active ones (see :func:`list_announcements`)."""
        now = self.desk.clock.now()
        return self.desk.read(
            lambda s: list_announcements(session=s, now=now, state=state, active=active)
        )

    def active(self) -> list[AnnouncementView]:
        """Those shown in every console now, the most recently published first."""
        return self.listing(active=True)
