"""``deskui audit verify``: recompute every chain and replay every ticket against its history.

The desk is read in chunks of tickets (keyset order, with their events), so memory stays
bounded whatever its size. For each ticket:

- its chain: each event's hash is recomputed from what it holds and its stored predecessor
  hash, and linked to the event before it (:func:`deskui.core.chain.read_chain` says how a
  break reads: rewritten, deleted, inserted, reordered);
- its row: the last event must be of the ticket's version and end a change, carrying the hash
  of the ticket's fields as they stand (each change's last event carries one); the fields the
  events record are replayed and compared (:mod:`deskui.core.replay`), naming those that
  differ;
- its number: the numbers of a desk day run without a gap up to the day's counter (a ticket
  deleted with all its events leaves one).

The settings chain is read the same way, and each rule file's stored value must be the new
value of its key's last setting event. The report ends with a digest over every chain's head:
kept elsewhere, it shows later that nothing was recomputed since (``--expect``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from deskui.core.announcements import AnnouncementContent, AnnouncementEventKind, content_hash
from deskui.core.chain import (
    AUDITED_FIELDS,
    REPORT_FACT_FIELDS,
    TICKET_EVENT_WIDTH,
    Break,
    Link,
    announcement_event_hash,
    article_event_hash,
    canonical_time,
    read_chain,
    report_facts_hash,
    setting_event_hash,
    ticket_event_hash,
    ticket_state_hash,
)
from deskui.core.replay import EventFacts, differing, replay
from deskui.services.groups import GROUPS_KEY
from deskui.services.knowledge import ARTICLE_KEY, article_records, link_records
from deskui.services.skills import SKILLS_KEY
from deskui.services.users import USERS_KEY

#: How many tickets are read (with their events) at a time.
CHUNK = 2000


class Problem(StrEnum):
    """What a finding reports."""

    REWRITTEN = Break.REWRITTEN.value
    DELETED = Break.DELETED.value
    INSERTED = Break.INSERTED.value
    REORDERED = Break.REORDERED.value
    NO_HISTORY = "no_history"
    """A ticket without a single event: its history was deleted."""
    VERSION = "version"
    """The ticket's version is not its last event's: later events deleted, or a change
    without an event."""
    TAIL = "tail"
    """The last event does not end a change (it carries no state): events after it deleted."""
    FIELDS = "fields"
    """The ticket's stored fields differ from its history: changed without an event."""
    MISSING_NUMBER = "missing_number"
    """A number of a desk day is missing: a ticket was deleted with its history."""
    SETTING_VALUE = "setting_value"
    """A rule file's stored value is not its last setting event's: changed without an event."""
    GROUP = "group"
    """A group's stored row (names, tier, lead) is not its last recorded addition or change."""
    USER = "user"
    """A user's stored record (name, role, groups, active, accounts) is not their last recorded
    addition or change: changed without an event (a role raised to admin by hand)."""
    ARTICLE = "article"
    """A knowledge-base article (or a ticket linked to one) is not as its last record says:
    changed without an event."""
    SKILLS = "skills"
    """A user's stored skills are not their last recorded skills: changed without an event."""
    DIGEST = "digest"
    """The chains' heads are not those of the digest expected."""
    ANNOUNCEMENT = "announcement"
    """An announcement's stored state or content is not what its last event recorded (changed
    without an event), or its approval does not fix the content its approval event recorded."""
    FACTS = "facts"
    """A ticket's stored report facts are not those its last change sealed: written without a
    change (a report forged)."""
    COUNTER = "counter"
    """A desk day's number counter is behind the numbers its tickets hold: lowered by hand, so
    every later intake of that day would take a number already issued."""
    ANNOUNCEMENT_HISTORY = "announcement_history"
    """An announcement without a single event: its history was deleted."""


@dataclass(frozen=True)
class Finding:
    """One break of the record.

    Attributes:
        problem: what is wrong.
        ticket: the ticket's number (a ticket's chain or row), if any.
        event: the event's id, if one is named.
        key: the setting's key (settings chain), if any.
        fields: the fields that differ from the history (:attr:`Problem.FIELDS`).
        detail: values the wording quotes (versions, the expected digest).
    """

    problem: Problem
    ticket: str | None = None
    event: int | None = None
    key: str | None = None
    fields: tuple[str, ...] = ()
    detail: Mapping[str, str] = field(default_factory=dict)
    announcement: int | None = None
    """The announcement's id (an announcement's chain or row), if any."""
    record: str | None = None
    """The one-line chain the finding is in, when it is not a ticket's (``settings``,
    ``knowledge``)."""

    @property
    def chain(self) -> str:
        """``ticket``, ``announcement``, ``settings``, ``knowledge`` or ``desk`` (the digest)."""
        if self.announcement is not None:
            return "announcement"
        if self.ticket is not None:
            return "ticket"
        if self.record is not None:
            return self.record
        return "settings" if self.key is not None or self.event is not None else "desk"


@dataclass
class AuditReport:
    """What a verification found.

    Attributes:
        tickets: tickets read.
        ticket_events: their events read.
        setting_events: setting events read.
        findings: every break, in the order found.
        digest: SHA-256 over every chain's head (ticket id and last hash, then the settings').
    """

    tickets: int = 0
    ticket_events: int = 0
    setting_events: int = 0
    announcement_events: int = 0
    article_events: int = 0
    findings: list[Finding] = field(default_factory=list)
    digest: str = ""

    @property
    def ok(self) -> bool:
        """Every chain holds and every ticket matches its history."""
        return not self.findings


_EVENT_COLUMNS = (
    "id, ticket_id, at, actor_id, proxy_id, kind, field, old_value, new_value, note, version, "
    "state_hash, minutes, facts_hash, prev_hash, hash"
)
#: Where the hash of the report facts stands in an event's row.
_FACTS_AT = 13
_FACT_COLUMNS = ", ".join(name for name, _ in REPORT_FACT_FIELDS)
_SETTING_COLUMNS = "id, key, at, actor_id, proxy_id, old_value, new_value, note, prev_hash, hash"


def _links(rows: Sequence[Sequence[Any]], width: int, hasher: Any) -> list[Link]:
    """The rows as chain links: ``width`` hashed values, then prev and hash."""
    links = []
    for row in rows:
        values, prev, stored = row[:width], row[width], row[width + 1]
        links.append(Link(int(row[0]), stored, prev, hasher(values, prev) == stored))
    if all(link.intact for link in links):
        return links
    ids = [link.id for link in links]
    out = []
    for row, link in zip(rows, links, strict=True):
        moved = not link.intact and any(
            hasher((other, *row[1:width]), row[width]) == row[width + 1]
            for other in ids
            if other != link.id
        )
        out.append(Link(link.id, link.hash, link.prev, link.intact, moved))
    return out


class _Numbers:
    """The numbers of each desk day, in id order: a gap is a ticket deleted with its history."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def see(self, number: str) -> Iterator[str]:
        """Take the next ticket's number; yields any number skipped before it."""
        day, seq = number[2:10], number[10:]
        if not (number.startswith("IT") and day.isdigit() and seq.isdigit()):
            return
        n, last = int(seq), self.last.get(day, 0)
        for missing in range(last + 1, n):
            yield _format(day, missing)
        self.last[day] = max(last, n)

    def behind(self, counters: Mapping[str, int]) -> Iterator[tuple[str, int, str]]:
        """Each day whose counter is behind the last number issued that day: the day, the
        counter, and that number."""
        for day, top in sorted(self.last.items()):
            if counters.get(day, 0) < top:
                yield day, counters.get(day, 0), _format(day, top)

    def unissued(self, counters: Mapping[str, int]) -> Iterator[str]:
        """Numbers the day's counter gave out that no ticket holds (the last of a day)."""
        for day, top in sorted(counters.items()):
            for missing in range(self.last.get(day, 0) + 1, top + 1):
                yield _format(day, missing)


def _format(day: str, seq: int) -> str:
    return f"IT{day}{seq:03d}"


def verify_record(
    session: Session,
    *,
    expect: str | None = None,
    chunk: int = CHUNK,
    in_transaction: bool = False,
) -> AuditReport:
    """Verify the whole desk (see the module's description).

    Args:
        session: a read session that has not begun its transaction (it is read in one
            snapshot).
        expect: a digest printed by an earlier verification, to compare with.
        chunk: how many tickets are read at a time.
        in_transaction: ``session`` is a write transaction already under way (an import
            verifies what it wrote before committing it); it is read as it stands.
    """
    if in_transaction:
        conn = session.connection()
    elif session.get_bind().dialect.name == "postgresql":
        # one snapshot for the whole desk: a ticket changed while it is read would otherwise
        # show a row newer than the events read a moment before (SQLite's read transaction
        # holds one snapshot already)
        conn = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    else:
        conn = session.connection()
    report = AuditReport()
    logins = {
        int(i): str(login) for i, login in conn.execute(text("SELECT id, login FROM desk_user"))
    }
    codes = {int(i): str(c) for i, c in conn.execute(text("SELECT id, code FROM support_group"))}
    heads = hashlib.sha256()
    numbers = _Numbers()
    state_columns = ", ".join(name for name, _ in AUDITED_FIELDS)
    last_id = 0
    while True:
        tickets = (
            conn.execute(
                text(f"SELECT {state_columns} FROM ticket WHERE id > :last ORDER BY id LIMIT :n"),
                {"last": last_id, "n": chunk},
            )
            .mappings()
            .all()
        )
        if not tickets:
            break
        low, last_id = int(tickets[0]["id"]), int(tickets[-1]["id"])
        by_ticket: dict[int, list[Sequence[Any]]] = {}
        for row in conn.execute(
            text(
                f"SELECT {_EVENT_COLUMNS} FROM ticket_event "
                "WHERE ticket_id >= :low AND ticket_id <= :high ORDER BY ticket_id, id"
            ),
            {"low": low, "high": last_id},
        ):
            by_ticket.setdefault(int(row[1]), []).append(tuple(row))
        facts = {
            int(row[0]): report_facts_hash(row[1:])
            for row in conn.execute(
                text(
                    f"SELECT ticket_id, {_FACT_COLUMNS} FROM ticket_report_fact "
                    "WHERE ticket_id >= :low AND ticket_id <= :high"
                ),
                {"low": low, "high": last_id},
            )
        }
        for ticket in tickets:
            events = by_ticket.get(int(ticket["id"]), [])
            report.tickets += 1
            report.ticket_events += len(events)
            for missing in numbers.see(str(ticket["number"])):
                report.findings.append(Finding(Problem.MISSING_NUMBER, ticket=missing))
            found = _check_ticket(ticket, events, logins, codes)
            report.findings.extend(found)
            if not any(f.problem in (Problem.TAIL, Problem.VERSION) for f in found):
                # with the end of its history gone, the facts it sealed are gone too
                report.findings.extend(_check_facts(ticket, events, facts.get(int(ticket["id"]))))
            head = events[-1][TICKET_EVENT_WIDTH + 1] if events else ""
            heads.update(f"{ticket['id']}:{head}\n".encode())
    counters = {
        str(day): int(top)
        for day, top in conn.execute(text("SELECT day, last FROM ticket_sequence"))
    }
    for missing in numbers.unissued(counters):
        report.findings.append(Finding(Problem.MISSING_NUMBER, ticket=missing))
    for day, counter, issued in numbers.behind(counters):
        report.findings.append(
            Finding(Problem.COUNTER, detail={"day": day, "counter": str(counter), "issued": issued})
        )
    settings_head = _check_settings(conn, report, chunk)
    heads.update(f"settings:{settings_head or ''}\n".encode())
    for announcement_id, head in check_announcements(conn, report, chunk):
        heads.update(f"announcement:{announcement_id}:{head}\n".encode())
    knowledge_head = _check_knowledge(conn, report, chunk)
    if knowledge_head is not None:
        heads.update(f"knowledge:{knowledge_head}\n".encode())
    report.digest = heads.hexdigest()
    if expect is not None and expect.strip().lower() != report.digest:
        report.findings.append(Finding(Problem.DIGEST, detail={"expected": expect.strip()}))
    return report


def _check_ticket(
    ticket: Mapping[Any, Any],
    events: list[Sequence[Any]],
    logins: Mapping[int, str],
    codes: Mapping[int, str],
) -> list[Finding]:
    number = str(ticket["number"])
    if not events:
        return [Finding(Problem.NO_HISTORY, ticket=number)]
    links = _links(events, TICKET_EVENT_WIDTH, ticket_event_hash)
    breaks = read_chain(links)
    found = [
        Finding(Problem(kind.value), ticket=number, event=event_id)
        for event_id, kind in breaks.items()
    ]
    # the ticket is held against the history it was written with: an event inserted into the
    # chain is named, and left out of the rest
    events = [e for e in events if breaks.get(int(e[0])) is not Break.INSERTED] or events
    last = events[-1]
    version = int(ticket["version"])
    if last[10] != version:
        found.append(
            Finding(
                Problem.VERSION,
                ticket=number,
                event=int(last[0]),
                detail={"version": str(version), "event_version": str(last[10])},
            )
        )
    replayed = replay(
        EventFacts(
            kind=str(e[5]),
            field=e[6],
            old=e[7],
            new=e[8],
            actor=logins.get(int(e[3])) if e[3] is not None else None,
        )
        for e in events
    )
    stored = {
        "status": ticket["status"],
        "is_open": bool(ticket["is_open"]),
        "priority": ticket["priority"],
        "impact": ticket["impact"],
        "urgency": ticket["urgency"],
        "group": codes.get(ticket["group_id"]) if ticket["group_id"] is not None else None,
        "assignee": logins.get(ticket["assignee_id"])
        if ticket["assignee_id"] is not None
        else None,
        "tier": ticket["tier"],
        "solution": ticket["solution"],
        "expected_by": canonical_time(ticket["expected_by"]),
    }
    names = differing(replayed, stored)
    if last[11] is None:
        found.append(Finding(Problem.TAIL, ticket=number, event=int(last[0])))
    if names or (last[11] is not None and last[11] != ticket_state_hash(ticket)):
        found.append(
            Finding(Problem.FIELDS, ticket=number, event=int(last[0]), fields=tuple(names))
        )
    return found


def _check_facts(
    ticket: Mapping[Any, Any], events: Sequence[Sequence[Any]], stored: str | None
) -> list[Finding]:
    """The ticket's stored report facts against the hash its last change sealed (a chain
    sealed before facts were sealed, migration 0016, carries none: nothing to compare)."""
    sealed = next((e for e in reversed(events) if e[_FACTS_AT] is not None), None)
    if sealed is None or sealed[_FACTS_AT] == stored:
        return []
    return [Finding(Problem.FACTS, ticket=str(ticket["number"]), event=int(sealed[0]))]


def _chain_rows(
    conn: Any, report: AuditReport, table: str, hasher: Any, chunk: int, chain: str
) -> Iterator[Sequence[Any]]:
    """Every event of a one-line chain (``setting_event``, ``article_event``) in id order,
    its breaks reported on the way."""
    last_id = 0
    carry: list[Sequence[Any]] = []
    while True:
        rows = [
            tuple(r)
            for r in conn.execute(
                text(
                    f"SELECT {_SETTING_COLUMNS} FROM {table} WHERE id > :last ORDER BY id LIMIT :n"
                ),
                {"last": last_id, "n": chunk},
            )
        ]
        if not rows:
            return
        last_id = int(rows[-1][0])
        # the last event of the previous chunk goes along, so the first link is checked
        window = [*carry, *rows]
        breaks = read_chain(_links(window, 8, hasher))
        for event_id, kind in breaks.items():
            if not carry or event_id != carry[0][0]:
                report.findings.append(
                    Finding(
                        Problem(kind.value),
                        event=event_id,
                        key=_key_of(window, event_id),
                        record=chain,
                    )
                )
        yield from rows
        carry = [rows[-1]]


def _check_settings(conn: Any, report: AuditReport, chunk: int) -> str | None:
    """The settings chain and the rule files' stored values; returns the chain's head."""
    head = None
    latest: dict[str, tuple[int, str]] = {}
    users: dict[str, tuple[int, dict[str, Any]]] = {}
    groups: dict[str, tuple[int, dict[str, Any]]] = {}
    skills: dict[str, tuple[int, dict[str, Any]]] = {}
    for row in _chain_rows(conn, report, "setting_event", setting_event_hash, chunk, "settings"):
        report.setting_events += 1
        latest[str(row[1])] = (int(row[0]), row[6])
        if row[1] in (USERS_KEY, GROUPS_KEY):
            record = _record_of(row[6], "login" if row[1] == USERS_KEY else "code")
            if record is not None:
                name = str(record.get("login") or record.get("code"))
                (users if row[1] == USERS_KEY else groups)[name] = (int(row[0]), record)
        if row[1] == SKILLS_KEY:
            record = _record_of(row[6], "login")
            if record is not None:
                skills[str(record["login"])] = (int(row[0]), record)
        head = row[9]
    for key, value in conn.execute(text("SELECT key, value FROM desk_setting ORDER BY key")):
        last = latest.get(str(key))
        if last is None or last[1] != value:
            report.findings.append(
                Finding(Problem.SETTING_VALUE, key=str(key), event=last[0] if last else None)
            )
    _check_users(conn, report, users)
    _check_groups(conn, report, groups)
    _check_skills(conn, report, skills)
    return head


def _check_knowledge(conn: Any, report: AuditReport, chunk: int) -> str | None:
    """The knowledge base's chain, and each article and link against its last record; returns
    the chain's head."""
    head = None
    articles: dict[str, tuple[int, dict[str, Any]]] = {}
    for row in _chain_rows(conn, report, "article_event", article_event_hash, chunk, "knowledge"):
        report.article_events += 1
        collect_article_record(articles, row)
        head = row[9]
    _check_articles(conn, report, articles)
    return head


#: What a user's record holds, as the settings' ``users`` events write it.
USER_FIELDS = ("name", "role", "groups", "active", "os_login", "db_role")


def _record_of(value: str | None, name: str) -> dict[str, Any] | None:
    """A user's (``login``) or group's (``code``) record as an event keeps it, if it is one."""
    try:
        record = json.loads(value or "")
    except ValueError:
        return None
    return record if isinstance(record, dict) and name in record else None


#: What a group's record holds, as the settings' ``group`` events write it.
GROUP_FIELDS = ("name_zh", "name_en", "tier", "lead")


def _check_groups(
    conn: Any, report: AuditReport, recorded: Mapping[str, tuple[int, dict[str, Any]]]
) -> None:
    """Each group's stored row against its last recorded addition or change."""
    for code, name_zh, name_en, tier, lead in conn.execute(
        text(
            "SELECT g.code, g.name_zh, g.name_en, g.tier, u.login FROM support_group g "
            "LEFT JOIN desk_user u ON u.id = g.lead_id ORDER BY g.code"
        )
    ):
        stored = {"name_zh": name_zh, "name_en": name_en, "tier": int(tier), "lead": lead}
        last = recorded.get(str(code))
        changed = (
            [f for f in GROUP_FIELDS if last[1].get(f) != stored[f]] if last else list(GROUP_FIELDS)
        )
        if changed:
            report.findings.append(
                Finding(
                    Problem.GROUP,
                    key=str(code),
                    event=last[0] if last else None,
                    fields=tuple(changed),
                )
            )


def _check_users(
    conn: Any, report: AuditReport, recorded: Mapping[str, tuple[int, dict[str, Any]]]
) -> None:
    """Each user's stored record against their last recorded addition or change."""
    groups: dict[int, list[str]] = {}
    for user_id, code in conn.execute(
        text(
            "SELECT m.user_id, g.code FROM user_group m JOIN support_group g ON g.id = m.group_id "
            "ORDER BY g.code"
        )
    ):
        groups.setdefault(int(user_id), []).append(str(code))
    for row in conn.execute(
        text(
            "SELECT id, login, name, role, active, os_login, db_role FROM desk_user ORDER BY login"
        )
    ):
        stored = {
            "name": row[2],
            "role": row[3],
            "groups": groups.get(int(row[0]), []),
            "active": bool(row[4]),
            "os_login": row[5],
            "db_role": row[6],
        }
        last = recorded.get(str(row[1]))
        changed = (
            [f for f in USER_FIELDS if last[1].get(f) != stored[f]] if last else list(USER_FIELDS)
        )
        if changed:
            report.findings.append(
                Finding(
                    Problem.USER,
                    key=str(row[1]),
                    event=last[0] if last else None,
                    fields=tuple(changed),
                )
            )


def _check_skills(
    conn: Any, report: AuditReport, recorded: Mapping[str, tuple[int, dict[str, Any]]]
) -> None:
    """Each user's stored skills against their last recorded skills (none recorded: none)."""
    stored: dict[str, dict[str, int]] = {}
    for login, category, level in conn.execute(
        text(
            "SELECT u.login, s.category, s.level FROM agent_skill s "
            "JOIN desk_user u ON u.id = s.user_id"
        )
    ):
        stored.setdefault(str(login), {})[str(category)] = int(level)
    for login in sorted(set(stored) | set(recorded)):
        last = recorded.get(login)
        expected = (
            {str(k): int(v) for k, v in (last[1].get("skills") or {}).items()} if last else {}
        )
        have = stored.get(login, {})
        if have != expected:
            changed = sorted(c for c in set(have) | set(expected) if have.get(c) != expected.get(c))
            report.findings.append(
                Finding(
                    Problem.SKILLS,
                    key=login,
                    event=last[0] if last else None,
                    fields=tuple(changed),
                )
            )


def collect_article_record(
    recorded: dict[str, tuple[int, dict[str, Any]]], row: Sequence[Any]
) -> None:
    """Keep the last record of an article (by id) or of a link (``link:LINEAGE:NUMBER``)."""
    record = _record_of(row[6], "id" if row[1] == ARTICLE_KEY else "lineage")
    if record is None:
        return
    name = (
        str(record["id"])
        if row[1] == ARTICLE_KEY
        else f"link:{record['lineage']}:{record.get('ticket')}"
    )
    recorded[name] = (int(row[0]), record)


def _check_articles(
    conn: Any, report: AuditReport, recorded: Mapping[str, tuple[int, dict[str, Any]]]
) -> None:
    """Each article and each ticket linked to one against its last record."""
    stored: dict[str, dict[str, Any]] = {
        str(i): record for i, record in article_records(conn).items()
    }
    stored.update(
        {f"link:{lineage}:{number}": r for (lineage, number), r in link_records(conn).items()}
    )
    for name in sorted(stored.keys() | {k for k in recorded if k.startswith("link:")}):
        last = recorded.get(name)
        now = stored.get(name, {})
        names = sorted(set(now) | set(last[1] if last else {}))
        changed = [f for f in names if (last[1].get(f) if last else None) != now.get(f)]
        if changed:
            report.findings.append(
                Finding(
                    Problem.ARTICLE,
                    key=name,
                    event=last[0] if last else None,
                    fields=tuple(changed),
                    record="knowledge",
                )
            )


def _key_of(rows: Sequence[Sequence[Any]], event_id: int) -> str:
    return next(str(r[1]) for r in rows if r[0] == event_id)


_ANNOUNCEMENT_EVENT_COLUMNS = (
    "id, announcement_id, at, actor_id, proxy_id, kind, state, content_hash, note, prev_hash, hash"
)
_ANNOUNCEMENT_COLUMNS = (
    "a.id, a.title, a.body, g.code, a.services, a.starts_at, a.ends_at, a.expires_at, a.state, "
    "a.approved_hash"
)


def check_announcements(
    conn: Any, report: AuditReport, chunk: int = CHUNK
) -> Iterator[tuple[int, str]]:
    """Each announcement's chain, and its row against its last event: the stored state and the
    content's hash must be those the last event recorded, and an approval must fix the content
    of the last approval event. Yields each announcement's id and chain head, in id order."""
    last_id = 0
    while True:
        rows = conn.execute(
            text(
                f"SELECT {_ANNOUNCEMENT_COLUMNS} FROM announcement a "
                "JOIN support_group g ON g.id = a.group_id "
                "WHERE a.id > :last ORDER BY a.id LIMIT :n"
            ),
            {"last": last_id, "n": chunk},
        ).all()
        if not rows:
            return
        low, last_id = int(rows[0][0]), int(rows[-1][0])
        events: dict[int, list[Sequence[Any]]] = {}
        for event in conn.execute(
            text(
                f"SELECT {_ANNOUNCEMENT_EVENT_COLUMNS} FROM announcement_event "
                "WHERE announcement_id >= :low AND announcement_id <= :high "
                "ORDER BY announcement_id, id"
            ),
            {"low": low, "high": last_id},
        ):
            events.setdefault(int(event[1]), []).append(tuple(event))
        for row in rows:
            chain = events.get(int(row[0]), [])
            report.announcement_events += len(chain)
            report.findings.extend(_check_announcement(row, chain))
            yield int(row[0]), str(chain[-1][10] if chain else "")


def _check_announcement(row: Sequence[Any], events: list[Sequence[Any]]) -> list[Finding]:
    announcement_id = int(row[0])
    if not events:
        return [Finding(Problem.ANNOUNCEMENT_HISTORY, announcement=announcement_id)]
    found = [
        Finding(Problem(kind.value), event=event_id, announcement=announcement_id)
        for event_id, kind in read_chain(_links(events, 9, announcement_event_hash)).items()
    ]
    content = AnnouncementContent(
        title=row[1],
        body=row[2],
        group=str(row[3]),
        services=tuple(json.loads(row[4] or "[]")),
        starts_at=row[5],
        ends_at=row[6],
        expires_at=row[7],
    )
    last = events[-1]
    changed = []
    if row[8] != last[6]:
        changed.append("announcement_state")
    if content_hash(content) != last[7]:
        changed.append("announcement_content")
    approvals = [e for e in events if e[5] == str(AnnouncementEventKind.APPROVED)]
    approved = approvals[-1][7] if approvals and row[9] is not None else None
    if row[9] != approved:
        changed.append("approved_hash")
    if changed:
        found.append(
            Finding(
                Problem.ANNOUNCEMENT,
                event=int(last[0]),
                fields=tuple(changed),
                announcement=announcement_id,
            )
        )
    return found
