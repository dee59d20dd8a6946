"""Reports: how the desk is doing over a period, for the desk, one group or one agent (SPEC §7).

Every figure is an SQL aggregate: the tickets never come into Python, only counts, sums and the
two ranked values of each percentile. What the clocks say is read from the report facts each
change stores (:mod:`deskui.core.report_facts`) and, for a clock still running, from the ticket's
stored due time compared with "now".

Two cohorts, named in the README:

* tickets **received** in the period: volume, SLA met % and breaches, first-contact resolution,
  reopen rate, recurring summaries, workload, the weekly SLA trend;
* tickets **confirmed** by their requester in the period: resolution times and satisfaction.

Rejected tickets count in the volume only: their clocks stopped on a judgement of scope, not a
solution. The tables themselves are :mod:`deskui.services.report_model`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session, col

from deskui.core.enums import Category, Channel, Priority, TicketType
from deskui.core.permissions import Person, report_action
from deskui.core.report_periods import Period, PeriodError, nearest_rank, parse_period
from deskui.services.access import require
from deskui.services.errors import NotFound, ServiceError
from deskui.services.report_model import (
    TABLE_KEYS,
    Kind,
    Report,
    ReportRow,
    ReportScope,
    Table,
    Value,
)
from deskui.services.views import SATISFACTION_ASPECTS
from deskui.store.models import (
    Article,
    ArticleTicket,
    Group,
    Ticket,
    TicketEvent,
    TicketReportFact,
    User,
)
from deskui.store.types import UTCDateTime

#: How many rows the breach list and the recurring summaries keep.
LIST_LIMIT = 20
#: The histogram's upper bounds, in hours (the last bucket is open).
HISTOGRAM_HOURS = (1, 4, 8, 24, 72, 168)


def read_period(text: str, tz: ZoneInfo) -> Period:
    """A period as typed (``2026-11``, ``2026-W48``, ``2026-11-01..2026-11-30``).

    Raises:
        ServiceError: ``report.period``, naming what was given.
    """
    try:
        return parse_period(text, tz)
    except PeriodError as exc:
        raise ServiceError("report.period", field="period", value=text) from exc


def _rate(part: float | None, whole: float | None) -> float | None:
    return round(float(part) / float(whole), 4) if part is not None and whole else None


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 2)


def _change(now: int, before: int) -> float | None:
    return round((now - before) / before, 4) if before else None


class _Query:
    """The conditions of one report: its period, scope and "now", as SQL."""

    def __init__(self, session: Session, period: Period, scope: ReportScope, now: datetime):
        self.session = session
        self.period = period
        self.now = now
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        if not self.sqlite:
            # every join here goes from a period's tickets (an index range) to their facts or
            # events by key; costed for a spinning disk, PostgreSQL would rather scan a million
            # facts into a hash table (5× slower at 1,000,000 tickets). For this read only.
            session.execute(text("SET LOCAL enable_hashjoin = off"))
            session.execute(text("SET LOCAL random_page_cost = 1.1"))
        self.scope: list[ColumnElement[bool]] = []
        self.group_id: int | None = None
        """The group scoped to, if any."""
        self.user_id: int | None = None
        """The agent scoped to, if any."""
        if scope.group is not None:
            group_id = session.execute(
                select(col(Group.id)).where(col(Group.code) == scope.group)
            ).scalar()
            if group_id is None:
                raise NotFound("group.unknown", field="group", group=scope.group)
            self.group_id = int(group_id)
            self.scope.append(col(Ticket.group_id) == group_id)
        if scope.agent is not None:
            user_id = session.execute(
                select(col(User.id)).where(col(User.login) == scope.agent)
            ).scalar()
            if user_id is None:
                raise NotFound("user.unknown", field="agent", login=scope.agent)
            self.user_id = int(user_id)
            self.scope.append(col(Ticket.assignee_id) == user_id)

    def instant(self, name: str, value: datetime) -> BindParameter[datetime]:
        return bindparam(name, value, type_=UTCDateTime)

    def within(self, column: Any, tag: str) -> list[ColumnElement[bool]]:
        """``column`` (an instant) falls in the period."""
        return [
            column >= self.instant(f"{tag}0", self.period.start),
            column < self.instant(f"{tag}1", self.period.end),
        ]

    def received(self, previous: bool = False) -> list[ColumnElement[bool]]:
        p, tag = (self.period.previous(), "p") if previous else (self.period, "r")
        return [
            col(Ticket.received_at) >= self.instant(f"{tag}0", p.start),
            col(Ticket.received_at) < self.instant(f"{tag}1", p.end),
            *self.scope,
        ]

    def confirmed(self) -> list[ColumnElement[bool]]:
        p = self.period
        return [
            col(Ticket.confirmed_at) >= self.instant("c0", p.start),
            col(Ticket.confirmed_at) < self.instant("c1", p.end),
            *self.scope,
        ]

    def past(self, due: Any) -> Any:
        """Seconds from ``due`` to now, in the database's own arithmetic."""
        now = self.instant("now_s", self.now)
        if self.sqlite:
            return (func.julianday(now) - func.julianday(due)) * 86400.0
        return func.extract("epoch", now - due)

    # the SLA conditions, shared by the aggregates and the drill-down
    def response_breached(self) -> ColumnElement[bool]:
        f = TicketReportFact
        return or_(
            col(f.response) == "missed",
            and_(
                col(f.response) == "running",
                col(Ticket.response_due) < self.instant("now_r", self.now),
            ),
        )

    def resolution_breached(self) -> ColumnElement[bool]:
        f = TicketReportFact
        return or_(
            col(f.resolution) == "missed",
            and_(
                col(f.resolution) == "running",
                col(Ticket.resolution_due) < self.instant("now_v", self.now),
            ),
            and_(col(f.resolution) == "paused", col(f.resolution_late) > 0),
        )

    def response_late(self) -> Any:
        f = TicketReportFact
        return case(
            (col(f.response) == "missed", col(f.response_late)),
            (self.response_breached(), self.past(Ticket.response_due)),
        )

    def resolution_late(self) -> Any:
        f = TicketReportFact
        return case(
            (col(f.resolution) == "missed", col(f.resolution_late)),
            (
                and_(col(f.resolution) == "paused", col(f.resolution_late) > 0),
                col(f.resolution_late),
            ),
            (self.resolution_breached(), self.past(Ticket.resolution_due)),
        )


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


_VOLUME = (
    ("type", Ticket.type, [str(t) for t in TicketType]),
    ("category", Ticket.category, [str(c) for c in Category]),
    ("priority", Ticket.priority, [str(p) for p in Priority]),
    ("group", Ticket.group_id, None),
    ("channel", Ticket.channel, [str(c) for c in Channel]),
)
_VOLUME_COLUMNS = (("count", Kind.COUNT), ("previous", Kind.COUNT), ("change", Kind.PERCENT))


def _volume(q: _Query, groups: dict[int, str]) -> list[Table]:
    """Volume by each dimension against the previous period: one grouped pass over both
    periods (by every dimension at once), rolled up per dimension."""
    previous = q.period.previous()
    in_now = and_(*q.received()[:2])
    columns = [col(column) for _, column, _ in _VOLUME]
    statement = (
        select(*columns, _count_if(in_now), func.count())
        .where(
            col(Ticket.received_at) >= q.instant("v0", previous.start),
            col(Ticket.received_at) < q.instant("v1", q.period.end),
            *q.scope,
        )
        .group_by(*columns)
    )
    counts: list[dict[str, list[int]]] = [{} for _ in _VOLUME]
    for *keys, current, both in q.session.execute(statement):
        for i, ((name, _, _), key) in enumerate(zip(_VOLUME, keys, strict=True)):
            label = groups.get(key, "-") if name == "group" else str(key)
            total = counts[i].setdefault(label, [0, 0])
            total[0] += int(current)
            total[1] += int(both) - int(current)
    tables = []
    for (name, _, known), found in zip(_VOLUME, counts, strict=True):
        keys = [k for k in known if k in found] if known else sorted(found)
        keys += sorted(k for k in found if k not in keys)
        rows = [ReportRow(k, (c, p, _change(c, p))) for k in keys for c, p in [found[k]]]
        if name == "category":
            # the top categories first: the high-frequency problems of SPEC §7
            rows.sort(key=lambda r: -int(r.values[0] or 0))
        tables.append(Table(f"volume_{name}", name, _VOLUME_COLUMNS, tuple(rows), drill=True))
    return tables


_SLA_COLUMNS = (
    ("tickets", Kind.COUNT),
    ("response_met", Kind.COUNT),
    ("response_breached", Kind.COUNT),
    ("response_rate", Kind.PERCENT),
    ("response_late_avg", Kind.HOURS),
    ("response_late_max", Kind.HOURS),
    ("resolution_met", Kind.COUNT),
    ("resolution_breached", Kind.COUNT),
    ("resolution_rate", Kind.PERCENT),
    ("resolution_late_avg", Kind.HOURS),
    ("resolution_late_max", Kind.HOURS),
)


def _not_rejected() -> ColumnElement[bool]:
    return col(Ticket.status) != "rejected"


@dataclass
class _Tally:
    """Sums over tickets received in the period (one group of the received pass, or a roll-up).

    The lateness sums and maxima are in seconds, over the breached clocks only."""

    tickets: int = 0
    confirmed: int = 0
    response_met: int = 0
    response_breached: int = 0
    response_late: float = 0.0
    response_late_max: float | None = None
    resolution_met: int = 0
    resolution_breached: int = 0
    resolution_late: float = 0.0
    resolution_late_max: float | None = None
    breached: int = 0
    first_contact: int = 0
    reopened: int = 0
    minutes: int = 0
    """The minutes the tickets' worklog entries carry (their report facts' sums)."""

    def add(self, other: _Tally) -> None:
        for name in (
            "tickets",
            "confirmed",
            "response_met",
            "response_breached",
            "response_late",
            "resolution_met",
            "resolution_breached",
            "resolution_late",
            "breached",
            "first_contact",
            "reopened",
            "minutes",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("response_late_max", "resolution_late_max"):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, theirs if mine is None else max(mine, theirs or mine))

    def sla_row(self, key: str) -> ReportRow:
        r_br, v_br = self.response_breached, self.resolution_breached
        return ReportRow(
            key,
            (
                self.tickets,
                self.response_met,
                r_br,
                _rate(self.response_met, self.response_met + r_br),
                _hours(self.response_late / r_br if r_br else None),
                _hours(self.response_late_max),
                self.resolution_met,
                v_br,
                _rate(self.resolution_met, self.resolution_met + v_br),
                _hours(self.resolution_late / v_br if v_br else None),
                _hours(self.resolution_late_max),
            ),
        )


@dataclass(frozen=True)
class _Received:
    """The received pass rolled up: SLA by priority (rejected tickets left out), the workload
    by assignee and by group, and the whole period."""

    by_priority: dict[str, _Tally]
    by_assignee: dict[int, _Tally]
    total: _Tally
    sla_total: _Tally
    by_group: dict[int | None, _Tally]


def _received(q: _Query) -> _Received:
    """One grouped pass over the tickets received in the period: by priority, rejected or not,
    assignee and group, every count, lateness and minute the SLA, workload and summary tables
    need."""
    f = TicketReportFact
    r_late, v_late = q.response_late(), q.resolution_late()
    rejected = case((col(Ticket.status) == "rejected", 1), else_=0)
    keys = (col(Ticket.priority), rejected, col(Ticket.assignee_id), col(Ticket.group_id))
    statement = (
        select(
            *keys,
            func.count(),
            func.count(col(Ticket.confirmed_at)),
            _count_if(col(f.response) == "met"),
            _count_if(q.response_breached()),
            func.coalesce(func.sum(r_late), 0),
            func.max(r_late),
            _count_if(col(f.resolution) == "met"),
            _count_if(q.resolution_breached()),
            func.coalesce(func.sum(v_late), 0),
            func.max(v_late),
            _count_if(or_(q.response_breached(), q.resolution_breached())),
            _count_if(col(f.first_contact) == true()),
            _count_if(col(f.reopened) > 0),
            func.coalesce(func.sum(col(f.worked_minutes)), 0),
        )
        .select_from(Ticket)
        .join(f, col(f.ticket_id) == col(Ticket.id))
        .where(*q.received())
        .group_by(*keys)
    )
    result = _Received({}, {}, _Tally(), _Tally(), {})
    for priority, is_rejected, assignee, group, *m in q.session.execute(statement):
        ints = [int(v or 0) for v in m]
        tally = _Tally(
            tickets=ints[0],
            confirmed=ints[1],
            response_met=ints[2],
            response_breached=ints[3],
            response_late=float(m[4]),
            response_late_max=float(m[5]) if m[5] is not None else None,
            resolution_met=ints[6],
            resolution_breached=ints[7],
            resolution_late=float(m[8]),
            resolution_late_max=float(m[9]) if m[9] is not None else None,
            breached=ints[10],
            first_contact=ints[11],
            reopened=ints[12],
            minutes=ints[13],
        )
        result.total.add(tally)
        result.by_group.setdefault(group, _Tally()).add(tally)
        if is_rejected:
            # a rejection stopped the clocks on a judgement of scope: no SLA, no breach
            tally = _Tally(tickets=tally.tickets, confirmed=tally.confirmed, minutes=tally.minutes)
        else:
            result.by_priority.setdefault(str(priority), _Tally()).add(tally)
            result.sla_total.add(tally)
        if assignee is not None:
            result.by_assignee.setdefault(int(assignee), _Tally()).add(tally)
    return result


def _sla(received: _Received) -> Table:
    found = received.by_priority
    rows = [found[p].sla_row(p) for p in map(str, Priority) if p in found]
    sla_total = received.sla_total
    rows.append(sla_total.sla_row("all"))
    return Table("sla", "priority", _SLA_COLUMNS, tuple(rows), drill=True)


def _breaches(q: _Query) -> Table:
    """The latest breaches first: each ticket's clock that ran over, with how late.

    One pass: the tickets whose later clock ran over most (twice as many as listed, so the
    list's last places are right even when one ticket's two clocks both belong in it), each
    with both clocks' lateness; the list is the latest of those (ticket, clock) pairs."""
    f = TicketReportFact
    r_late, v_late = q.response_late(), q.resolution_late()
    worst = case((func.coalesce(r_late, 0) > func.coalesce(v_late, 0), r_late), else_=v_late)
    statement = (
        select(col(Ticket.number), col(Ticket.priority), r_late, v_late)
        .select_from(Ticket)
        .join(f, col(f.ticket_id) == col(Ticket.id))
        .where(*q.received(), _not_rejected(), or_(q.response_breached(), q.resolution_breached()))
        .order_by(worst.desc(), col(Ticket.number))
        .limit(2 * LIST_LIMIT)
    )
    rows: list[tuple[str, str, str, float]] = []
    for number, priority, response, resolution in q.session.execute(statement):
        for clock, late in (("response", response), ("resolution", resolution)):
            if late is not None:
                rows.append((number, str(priority), clock, float(late)))
    rows.sort(key=lambda r: (-r[3], r[0], r[2]))
    return Table(
        "breaches",
        "ticket",
        (("priority", Kind.TEXT), ("clock", Kind.TEXT), ("late", Kind.HOURS)),
        tuple(ReportRow(n, (p, c, _hours(s))) for n, p, c, s in rows[:LIST_LIMIT]),
    )


def _resolution_times(q: _Query) -> list[Table]:
    """Median and p90 (nearest rank) of the times to confirmation, pauses included and
    excluded, and their histogram, in one pass: the database ranks the times two ways and
    counts each bucket, and hands back only the ranked rows asked for and one row a bucket."""
    f = TicketReportFact
    gross = col(f.to_confirmation)
    net = col(f.to_confirmation) - col(f.paused)
    bounds = [h * 3600 for h in HISTOGRAM_HOURS]
    bucket = case(*((gross < b, i) for i, b in enumerate(bounds)), else_=len(bounds))
    inner = (
        select(
            gross.label("gross"),
            net.label("net"),
            bucket.label("bucket"),
            func.row_number().over(order_by=gross).label("rg"),
            func.row_number().over(order_by=net).label("rn"),
            func.row_number().over(partition_by=bucket, order_by=gross).label("rb"),
            func.count().over(partition_by=bucket).label("nb"),
            func.count().over().label("n"),
        )
        .select_from(Ticket)
        .join(f, col(f.ticket_id) == col(Ticket.id))
        .where(*q.confirmed(), gross.is_not(None))
        .subquery()
    )
    c = inner.c
    ranks = ((50 * c.n + 99) // 100, (90 * c.n + 99) // 100)
    found = q.session.execute(
        select(c.n, c.gross, c.net, c.rg, c.rn, c.bucket, c.rb, c.nb).where(
            or_(c.rg.in_(ranks), c.rn.in_(ranks), c.rb == 1)
        )
    ).all()
    count = int(found[0][0]) if found else 0
    by_gross = {int(r.rg): float(r.gross) for r in found}
    by_net = {int(r.rn): float(r.net) for r in found}
    counts = {int(r.bucket): int(r.nb) for r in found if r.rb == 1}
    median, p90 = nearest_rank(count, 50), nearest_rank(count, 90)
    rows = [
        ReportRow("gross", (count, _hours(by_gross.get(median)), _hours(by_gross.get(p90)))),
        ReportRow("net", (count, _hours(by_net.get(median)), _hours(by_net.get(p90)))),
    ]
    names = [f"lt{h}" for h in HISTOGRAM_HOURS] + [f"ge{HISTOGRAM_HOURS[-1]}"]
    histogram = tuple(ReportRow(n, (int(counts.get(i, 0)),)) for i, n in enumerate(names))
    return [
        Table(
            "resolution_time",
            "metric",
            (("tickets", Kind.COUNT), ("median", Kind.HOURS), ("p90", Kind.HOURS)),
            tuple(rows),
        ),
        Table("resolution_histogram", "bucket", (("tickets", Kind.COUNT),), histogram),
    ]


_STARS = (1, 2, 3, 4, 5)


def _satisfaction(q: _Query) -> Table:
    columns = [("overall", col(Ticket.satisfaction))] + [
        (a, col(getattr(Ticket, f"satisfaction_{a}"))) for a in SATISFACTION_ASPECTS
    ]
    measures: list[Any] = []
    for _, column in columns:
        measures += [func.count(column), func.avg(column)]
        measures += [_count_if(column == s) for s in _STARS]
    found = q.session.execute(select(*measures).where(*q.confirmed())).one()
    width = 2 + len(_STARS)
    rows = []
    for i, (name, _) in enumerate(columns):
        count, average, *stars = found[i * width : (i + 1) * width]
        rows.append(
            ReportRow(
                name,
                (int(count), round(float(average), 2) if average is not None else None)
                + tuple(int(s) for s in stars),
            )
        )
    return Table(
        "satisfaction",
        "aspect",
        (("answers", Kind.COUNT), ("average", Kind.NUMBER))
        + tuple((f"stars{s}", Kind.COUNT) for s in _STARS),
        tuple(rows),
    )


def _recurring(q: _Query) -> Table:
    summary = func.lower(func.trim(col(Ticket.summary)))
    statement = (
        select(func.min(col(Ticket.summary)), func.count())
        .where(*q.received())
        .group_by(summary)
        .having(func.count() > 1)
        .order_by(func.count().desc(), summary)
        .limit(LIST_LIMIT)
    )
    rows = tuple(ReportRow(s, (int(n),)) for s, n in q.session.execute(statement))
    return Table("recurring", "summary", (("tickets", Kind.COUNT),), rows, drill=True)


_WORKLOAD_COLUMNS = (
    ("handled", Kind.COUNT),
    ("confirmed", Kind.COUNT),
    ("breaches", Kind.COUNT),
    ("worklog_entries", Kind.COUNT),
    ("minutes", Kind.COUNT),
    ("open_now", Kind.COUNT),
)


def _workload(q: _Query, received: _Received, agents: dict[int, str]) -> Table:
    """Per agent: the tickets they were assigned, and the worklog entries and minutes each
    logged on the period's tickets (whoever held them)."""
    assignee = col(Ticket.assignee_id)
    handled = {a: (t.tickets, t.confirmed, t.breached) for a, t in received.by_assignee.items()}
    logged = {
        int(actor): (int(entries), int(minutes))
        for actor, entries, minutes in q.session.execute(
            select(
                col(TicketEvent.actor_id),
                _count_if(col(TicketEvent.kind) == "worklog"),
                func.coalesce(func.sum(col(TicketEvent.minutes)), 0),
            )
            .select_from(TicketEvent)
            .join(Ticket, col(Ticket.id) == col(TicketEvent.ticket_id))
            .where(
                *q.received(),
                or_(col(TicketEvent.kind) == "worklog", col(TicketEvent.minutes).is_not(None)),
                col(TicketEvent.actor_id).is_not(None),
            )
            .group_by(col(TicketEvent.actor_id))
        ).all()
    }
    open_now = dict(
        q.session.execute(
            select(assignee, func.count())
            .where(col(Ticket.is_open) == true(), assignee.is_not(None), *q.scope)
            .group_by(assignee)
        ).all()
    )
    ids = sorted(set(handled) | set(open_now) | set(logged), key=lambda i: agents.get(i, ""))
    rows = tuple(
        ReportRow(
            agents.get(i, "-"),
            (*handled.get(i, (0, 0, 0)), *logged.get(i, (0, 0)), int(open_now.get(i, 0))),
        )
        for i in ids
    )
    return Table("workload", "agent", _WORKLOAD_COLUMNS, rows, drill=True)


def _workload_group(q: _Query, received: _Received, groups: dict[int, str]) -> Table:
    """Per group: the tickets received, the minutes their worklog entries carry (the report
    facts' sums, from the received pass) and the tickets open now."""
    group = col(Ticket.group_id)
    found = {key: (t.tickets, t.minutes) for key, t in received.by_group.items()}
    open_now = dict(
        q.session.execute(
            select(group, func.count())
            .where(col(Ticket.is_open) == true(), *q.scope)
            .group_by(group)
        ).all()
    )
    keys = sorted(set(found) | set(open_now), key=lambda g: groups.get(g, "~") if g else "~")
    rows = []
    for key in keys:
        tickets, minutes = found.get(key, (0, 0))
        per_ticket = round(minutes / tickets, 2) if tickets else None
        rows.append(
            ReportRow(
                groups.get(key, "-") if key is not None else "-",
                (tickets, minutes, per_ticket, int(open_now.get(key, 0))),
            )
        )
    return Table(
        "workload_group",
        "group",
        (
            ("tickets", Kind.COUNT),
            ("minutes", Kind.COUNT),
            ("minutes_per_ticket", Kind.NUMBER),
            ("open_now", Kind.COUNT),
        ),
        tuple(rows),
        drill=True,
    )


def _lineage() -> Any:
    """An article version's lineage: its first version's id."""
    return func.coalesce(col(Article.lineage_id), col(Article.id))


def _knowledge(q: _Query) -> Table:
    """Articles written (first versions) and published in the period — the scope's group's,
    or the agent's own — and the period's tickets the scope's tickets were linked to an
    article in, and answered by one."""
    own: list[ColumnElement[bool]] = []
    if q.group_id is not None:
        own.append(col(Article.group_id) == q.group_id)
    if q.user_id is not None:
        own.append(col(Article.author_id) == q.user_id)
    created = q.session.execute(
        select(func.count())
        .select_from(Article)
        .where(col(Article.version) == 1, *q.within(col(Article.created_at), "kc"), *own)
    ).scalar_one()
    published = q.session.execute(
        select(func.count(func.distinct(_lineage())))
        .select_from(Article)
        .where(*q.within(col(Article.published_at), "kp"), *own)
    ).scalar_one()
    link = ArticleTicket
    linked, solved = q.session.execute(
        select(
            func.count(func.distinct(col(link.ticket_id))),
            func.count(func.distinct(case((col(link.solved) == true(), col(link.ticket_id))))),
        )
        .select_from(link)
        .join(Ticket, col(Ticket.id) == col(link.ticket_id))
        .where(*q.within(col(link.linked_at), "kl"), *q.scope)
    ).one()
    return Table(
        "knowledge",
        "metric",
        (("count", Kind.COUNT),),
        (
            ReportRow("articles_created", (int(created),)),
            ReportRow("articles_published", (int(published),)),
            ReportRow("tickets_linked", (int(linked or 0),)),
            ReportRow("tickets_solved", (int(solved or 0),)),
        ),
    )


def _knowledge_top(q: _Query) -> tuple[Table, dict[str, str]]:
    """The articles that answered most of the scope's tickets linked in the period, and each
    listed article's latest title."""
    link = ArticleTicket
    solved = _count_if(col(link.solved) == true())
    found = q.session.execute(
        select(col(link.lineage_id), solved, func.count())
        .select_from(link)
        .join(Ticket, col(Ticket.id) == col(link.ticket_id))
        .where(*q.within(col(link.linked_at), "ku"), *q.scope)
        .group_by(col(link.lineage_id))
        .order_by(solved.desc(), func.count().desc(), col(link.lineage_id))
        .limit(LIST_LIMIT)
    ).all()
    titles: dict[str, str] = {}
    if found:
        lineages = [int(r[0]) for r in found]
        for lineage, title in q.session.execute(
            select(_lineage(), col(Article.title))
            .where(_lineage().in_(lineages))
            .order_by(col(Article.version))
        ):
            titles[str(lineage)] = str(title)  # the latest version's title is the last
    rows = tuple(ReportRow(str(lineage), (int(s), int(n))) for lineage, s, n in found)
    table = Table(
        "knowledge_top",
        "article",
        (("tickets_solved", Kind.COUNT), ("tickets_linked", Kind.COUNT)),
        rows,
        drill=True,
    )
    return table, titles


def _outages(q: _Query) -> Table:
    """The outages of the period: each parent ticket received in it with its calls (the tickets
    linked under it, whenever they came) and how many of those are still open, the largest
    first. The calls are counted first, from the parent index (few tickets have a parent), and
    only then joined to their parents: never a probe for each ticket of the period."""
    calls = (
        select(
            col(Ticket.parent_id).label("parent_id"),
            func.count().label("calls"),
            _count_if(col(Ticket.is_open) == true()).label("open_calls"),
        )
        .where(col(Ticket.parent_id).is_not(None))
        .group_by(col(Ticket.parent_id))
        .subquery()
    )
    statement = (
        select(
            col(Ticket.number),
            col(Ticket.priority),
            col(Ticket.status),
            calls.c.calls,
            calls.c.open_calls,
            col(Ticket.summary),
        )
        .select_from(calls)
        .join(Ticket, col(Ticket.id) == calls.c.parent_id)
        .where(*q.received())
        .order_by(calls.c.calls.desc(), col(Ticket.number))
        .limit(LIST_LIMIT)
    )
    rows = tuple(
        ReportRow(number, (str(priority), str(status), int(n), int(o), summary))
        for number, priority, status, n, o, summary in q.session.execute(statement)
    )
    return Table(
        "outages",
        "ticket",
        (
            ("priority", Kind.TEXT),
            ("status", Kind.TEXT),
            ("calls", Kind.COUNT),
            ("open_calls", Kind.COUNT),
            ("summary", Kind.TEXT),
        ),
        rows,
        drill=True,
    )


def _trend(q: _Query) -> Table:
    weeks = q.period.trend_weeks()
    f = TicketReportFact
    bucket = case(
        *((col(Ticket.received_at) < q.instant(f"w{i}", w.end), i) for i, w in enumerate(weeks)),
        else_=literal(len(weeks)),
    )
    found = {
        int(b): r
        for b, *r in q.session.execute(
            select(
                bucket,
                func.count(),
                _count_if(col(f.response) == "met"),
                _count_if(q.response_breached()),
                _count_if(col(f.resolution) == "met"),
                _count_if(q.resolution_breached()),
            )
            .select_from(Ticket)
            .join(f, col(f.ticket_id) == col(Ticket.id))
            .where(
                col(Ticket.received_at) >= q.instant("t0", weeks[0].start),
                col(Ticket.received_at) < q.instant("t1", weeks[-1].end),
                _not_rejected(),
                *q.scope,
            )
            .group_by(bucket)
        )
    }
    rows = []
    for i, week in enumerate(weeks):
        n, r_met, r_br, v_met, v_br = found.get(i, (0, 0, 0, 0, 0))
        rows.append(
            ReportRow(week.label, (int(n), _rate(r_met, r_met + r_br), _rate(v_met, v_met + v_br)))
        )
    return Table(
        "sla_trend",
        "week",
        (
            ("tickets", Kind.COUNT),
            ("response_rate", Kind.PERCENT),
            ("resolution_rate", Kind.PERCENT),
        ),
        tuple(rows),
    )


def _summary(q: _Query, received: _Received, times: Table, satisfaction: Table) -> Table:
    whole = received.total
    total = received.sla_total.sla_row("all")
    previous = q.session.execute(
        select(func.count()).select_from(Ticket).where(*q.received(previous=True))
    ).scalar_one()
    gross = times.row("gross")
    overall = satisfaction.row("overall")
    assert gross and overall
    worked = whole.minutes
    return Table(
        "summary",
        "metric",
        (("value", Kind.NUMBER),),
        (
            ReportRow("received", (whole.tickets,), Kind.COUNT),
            ReportRow("received_previous", (int(previous),), Kind.COUNT),
            ReportRow("confirmed", (gross.values[0],), Kind.COUNT),
            ReportRow("response_rate", (total.values[3],), Kind.PERCENT),
            ReportRow("resolution_rate", (total.values[8],), Kind.PERCENT),
            ReportRow(
                "breaches", (int(total.values[2] or 0) + int(total.values[7] or 0),), Kind.COUNT
            ),
            ReportRow(
                "first_contact_rate", (_rate(whole.first_contact, whole.tickets),), Kind.PERCENT
            ),
            ReportRow("reopen_rate", (_rate(whole.reopened, whole.tickets),), Kind.PERCENT),
            ReportRow("satisfaction", (overall.values[1],), Kind.NUMBER),
            ReportRow("resolution_median", (gross.values[1],), Kind.HOURS),
            ReportRow("resolution_p90", (gross.values[2],), Kind.HOURS),
            ReportRow("worked_minutes", (int(worked),), Kind.COUNT),
        ),
    )


def build_report(
    *, session: Session, actor: Person, period: Period, scope: ReportScope, now: datetime
) -> Report:
    """Every table of the report for ``period`` and ``scope``, judged at ``now``.

    Raises:
        PermissionDenied: the actor may not read this scope (leads and admins read any; an
            agent reads their own).
        NotFound: no such group or agent.
    """
    require(actor, report_action(actor, scope.agent))
    q = _Query(session, period, scope, now)
    group_rows = session.execute(
        select(col(Group.id), col(Group.code), col(Group.name_zh), col(Group.name_en))
    ).all()
    groups: dict[int, str] = {gid: code for gid, code, _, _ in group_rows}
    agents: dict[int, str] = {
        i: login for i, login in session.execute(select(col(User.id), col(User.login)))
    }
    received = _received(q)
    sla = _sla(received)
    times = _resolution_times(q)
    satisfaction = _satisfaction(q)
    knowledge_top, articles = _knowledge_top(q)
    tables = [
        _summary(q, received, times[0], satisfaction),
        *_volume(q, groups),
        sla,
        _breaches(q),
        _trend(q),
        *times,
        satisfaction,
        _recurring(q),
        _workload(q, received, agents),
        _workload_group(q, received, groups),
        _knowledge(q),
        knowledge_top,
        _outages(q),
    ]
    assert tuple(t.key for t in tables) == TABLE_KEYS
    return Report(
        period=period,
        previous=period.previous(),
        scope=scope,
        generated_at=now,
        tables=tuple(tables),
        groups={code: (zh, en) for _, code, zh, en in group_rows},
        agents=dict(session.execute(select(col(User.login), col(User.name))).all()),
        articles=articles,
    )


@dataclass(frozen=True)
class ReportTicket:
    """One ticket behind a figure."""

    number: str
    priority: str
    status: str
    summary: str
    received_at: datetime


def report_tickets(
    *,
    session: Session,
    actor: Person,
    period: Period,
    scope: ReportScope,
    now: datetime,
    table: str,
    key: str,
    limit: int = 500,
) -> list[ReportTicket]:
    """The tickets behind one row of a drillable table, newest first.

    A volume row lists the tickets received with that value; an SLA row those of that priority
    (``all``: every one) that breached a clock; a recurring summary its tickets; a workload row
    the agent's (or the group's) tickets received in the period; an article the tickets linked to
    it in the period; an outage the calls under its parent.
    """
    require(actor, report_action(actor, scope.agent))
    q = _Query(session, period, scope, now)
    f = TicketReportFact
    where: list[ColumnElement[bool]] = list(q.received())
    dimension = table.removeprefix("volume_")
    if table == "outages":
        parent = session.execute(
            select(col(Ticket.id)).where(col(Ticket.number) == key.strip().upper())
        ).scalar()
        where = [col(Ticket.parent_id) == parent]
    elif table == "knowledge_top":
        linked = select(col(ArticleTicket.ticket_id)).where(
            col(ArticleTicket.lineage_id) == (int(key) if key.isdigit() else -1),
            *q.within(col(ArticleTicket.linked_at), "kd"),
        )
        where = [*q.scope, col(Ticket.id).in_(linked)]
    elif table in ("volume_group", "workload_group"):
        group_id = session.execute(select(col(Group.id)).where(col(Group.code) == key)).scalar()
        where.append(
            col(Ticket.group_id) == group_id if group_id else col(Ticket.group_id).is_(None)
        )
    elif table.startswith("volume_"):
        column = {"type": Ticket.type, "category": Ticket.category, "priority": Ticket.priority}
        column |= {"channel": Ticket.channel}
        where.append(col(column[dimension]) == key)
    elif table == "sla":
        where += [_not_rejected(), or_(q.response_breached(), q.resolution_breached())]
        if key != "all":
            where.append(col(Ticket.priority) == key)
    elif table == "recurring":
        where.append(func.lower(func.trim(col(Ticket.summary))) == key.strip().lower())
    elif table == "workload":
        user_id = session.execute(select(col(User.id)).where(col(User.login) == key)).scalar()
        where.append(col(Ticket.assignee_id) == user_id)
    else:
        return []
    statement = (
        select(
            col(Ticket.number),
            col(Ticket.priority),
            col(Ticket.status),
            col(Ticket.summary),
            col(Ticket.received_at),
        )
        .select_from(Ticket)
        .join(f, col(f.ticket_id) == col(Ticket.id))
        .where(*where)
        .order_by(col(Ticket.received_at).desc(), col(Ticket.id).desc())
        .limit(limit)
    )
    return [ReportTicket(*row) for row in session.execute(statement)]


__all__ = [
    "TABLE_KEYS",
    "Kind",
    "Report",
    "ReportRow",
    "ReportScope",
    "ReportTicket",
    "Table",
    "Value",
    "build_report",
    "read_period",
    "report_tickets",
]
