"""Reports on SQLite and PostgreSQL: every figure checked against what the scenario's timeline
says it must be, worked out by hand below (not by the report's code), with a frozen clock.

The scenario (all received Monday 2026-11-02 10:00 Shanghai unless said):

* T0, received 2026-10-20: the previous period's one ticket (hardware, P4, open).
* A  P4 hardware: claimed +10 min, solved +2 h, confirmed +3 h (5 stars; aspects 4/5/5/3).
* B  P1 network: claimed +20 min (response 5 min late), solved at +4 h exactly (the resolution's
  due: met), confirmed +5 h (3 stars).
* C  P2 software: claimed +10 min, pending +1 h, resumed +5 h, solved +9 h, refused +10 h,
  solved +11 h, confirmed +12 h (4 stars): paused 4 + 1 + 1 h, reopened once, resolution met
  (1 + 4 + 1 = 6 h counted of 8).
* D  P1 network, received +8 h, untouched: at the report (+12 h) its response is 3 h 45 min
  late and still running; its resolution is due exactly now (not breached).
* E  consultation resolved at intake (first contact).
* F  data, rejected at once (volume only).
* H  P4 hardware claimed at +60 min exactly (response met at the boundary).
* I  P4 hardware claimed at +60 min 1 s (response missed by 1 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskui.core.clock import FrozenClock
from deskui.core.report_periods import parse_period
from deskui.services.desk import DeskService
from deskui.services.errors import NotFound, PermissionDenied, ServiceError
from deskui.services.reports import Report, ReportScope, read_period
from tests.services.test_intake import call

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def at(clock: FrozenClock, offset: timedelta, base: datetime = RECEIVED) -> None:
    clock.instant = base + offset


def h(hours: float = 0, minutes: float = 0, seconds: float = 0) -> timedelta:
    return timedelta(hours=hours, minutes=minutes, seconds=seconds)


@dataclass
class Scenario:
    desk: DeskService
    numbers: dict[str, str]

    def report(self, period: str = "2026-11", login: str = "lead", **scope: str) -> Report:
        return self.desk.report(
            self.desk.actor(login),
            parse_period(period, self.desk.rules.tz),
            ReportScope(**scope),
        )


@pytest.fixture
def scenario(desk: DeskService, clock: FrozenClock) -> Scenario:
    op, agent1, agent2 = desk.actor("op"), desk.actor("agent1"), desk.actor("agent2")
    numbers: dict[str, str] = {}

    def new(name: str, **fields: object) -> None:
        numbers[name] = desk.create_ticket(op, call(**fields)).number

    at(clock, h(), datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI))
    new("T0")
    at(clock, h())
    new("A")
    new("B", impact=1, urgency=1, category="network", summary="整层断网")
    new("C", impact=1, urgency=3, category="software", summary="ERP 报错")
    new(
        "E",
        type="consultation",
        category="other",
        summary="投影",
        resolve_now=True,
        solution="已指导",
    )
    new("F", category="data", summary="重复来电")
    new("H")
    new("I")
    desk.set_status(op, numbers["F"], "rejected", note="重复")
    at(clock, h(minutes=10))
    desk.claim(agent1, numbers["A"])
    desk.claim(agent2, numbers["C"])
    at(clock, h(minutes=20))
    desk.claim(agent1, numbers["B"])
    at(clock, h(minutes=60))
    desk.claim(agent2, numbers["H"])
    desk.set_status(agent2, numbers["C"], "pending", note="等备件")
    at(clock, h(minutes=60, seconds=1))
    desk.claim(agent2, numbers["I"])
    at(clock, h(2))
    desk.set_status(agent1, numbers["A"], "awaiting_confirmation", note="换了硒鼓")
    at(clock, h(3))
    desk.confirm(
        op,
        numbers["A"],
        5,
        channel="phone",
        aspects={"speed": 4, "professionalism": 5, "effect": 5, "attitude": 3},
    )
    at(clock, h(4))
    desk.set_status(agent1, numbers["B"], "awaiting_confirmation", note="换了交换机")
    at(clock, h(5))
    desk.confirm(op, numbers["B"], 3, channel="phone")
    desk.set_status(agent2, numbers["C"], "in_progress", note="备件到了")
    at(clock, h(8))
    new("D", impact=1, urgency=1, category="network", summary="机房断电")
    at(clock, h(9))
    desk.set_status(agent2, numbers["C"], "awaiting_confirmation", note="重装")
    at(clock, h(10))
    desk.refuse(op, numbers["C"], "还是报错", "phone")
    at(clock, h(11))
    desk.set_status(agent2, numbers["C"], "awaiting_confirmation", note="打了补丁")
    at(clock, h(12))
    desk.confirm(op, numbers["C"], 4, channel="phone")
    return Scenario(desk, numbers)


def values(report: Report, table: str) -> dict[str, tuple[object, ...]]:
    return {row.key: row.values for row in report.table(table).rows}


def test_volume_against_the_previous_period(scenario: Scenario) -> None:
    report = scenario.report()
    assert values(report, "volume_type") == {
        "incident": (7, 1, 6.0),
        "consultation": (1, 0, None),
    }
    # the top categories first
    assert list(values(report, "volume_category").items()) == [
        ("hardware", (3, 1, 2.0)),
        ("network", (2, 0, None)),
        ("software", (1, 0, None)),
        ("data", (1, 0, None)),
        ("other", (1, 0, None)),
    ]
    assert values(report, "volume_priority") == {
        "P1": (2, 0, None),
        "P2": (1, 0, None),
        "P4": (5, 1, 4.0),
    }
    assert values(report, "volume_channel") == {"phone": (8, 1, 7.0)}
    assert values(report, "volume_group")["hardware"] == (3, 1, 2.0)


def test_sla_met_and_breaches_per_priority(scenario: Scenario) -> None:
    report = scenario.report()
    sla = values(report, "sla")
    # tickets, response met/breached/rate/avg late/max late, resolution the same
    assert sla["P1"] == (2, 0, 2, 0.0, 1.92, 3.75, 1, 0, 1.0, None, None)
    assert sla["P2"] == (1, 1, 0, 1.0, None, None, 1, 0, 1.0, None, None)
    # A and H met (H at the boundary), I missed by a second; E (first contact) met at receipt
    assert sla["P4"] == (4, 3, 1, 0.75, 0.0, 0.0, 2, 0, 1.0, None, None)
    assert sla["all"][:4] == (7, 4, 3, 0.5714)
    assert sla["all"][6:9] == (4, 0, 1.0)
    breaches = report.table("breaches").rows
    n = scenario.numbers
    assert [(r.key, r.values) for r in breaches] == [
        (n["D"], ("P1", "response", 3.75)),
        (n["B"], ("P1", "response", 0.08)),
        (n["I"], ("P4", "response", 0.0)),
    ]


def test_resolution_times_and_histogram(scenario: Scenario) -> None:
    report = scenario.report()
    # confirmed in November: E 0 h, A 3 h, B 5 h, C 12 h; less pauses 0, 2, 4, 6 h
    assert values(report, "resolution_time") == {
        "gross": (4, 3.0, 12.0),
        "net": (4, 2.0, 6.0),
    }
    histogram = values(report, "resolution_histogram")
    assert [histogram[k][0] for k in ("lt1", "lt4", "lt8", "lt24", "lt72")] == [1, 1, 1, 1, 0]


def test_rates_and_satisfaction(scenario: Scenario) -> None:
    report = scenario.report()
    summary = values(report, "summary")
    assert summary["received"] == (8,) and summary["received_previous"] == (1,)
    assert summary["confirmed"] == (4,)
    assert summary["first_contact_rate"] == (0.125,)
    assert summary["reopen_rate"] == (0.125,)
    assert summary["resolution_median"] == (3.0,) and summary["resolution_p90"] == (12.0,)
    satisfaction = values(report, "satisfaction")
    assert satisfaction["overall"] == (3, 4.0, 0, 0, 1, 1, 1)
    assert satisfaction["speed"] == (1, 4.0, 0, 0, 0, 1, 0)
    assert satisfaction["attitude"] == (1, 3.0, 0, 0, 1, 0, 0)


def test_recurring_workload_and_trend(scenario: Scenario) -> None:
    report = scenario.report()
    assert values(report, "recurring") == {"打印机卡纸": (3,)}
    # handled, confirmed, breaches, worklog entries, minutes, open now
    assert values(report, "workload") == {
        "agent1": (2, 2, 1, 0, 0, 0),
        "agent2": (3, 1, 1, 0, 0, 2),
        "op": (1, 1, 0, 0, 0, 0),
    }
    trend = values(report, "sla_trend")
    assert list(trend) == ["2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48", "2026-W49"]
    assert trend["2026-W45"] == (7, 0.5714, 1.0)
    assert trend["2026-W46"] == (0, None, None)


def test_a_group_and_an_agent(scenario: Scenario) -> None:
    network = scenario.report(group="network")
    assert values(network, "summary")["received"] == (2,)
    assert values(network, "sla")["all"][:4] == (2, 0, 2, 0.0)
    mine = scenario.report(login="agent2", agent="agent2")
    assert values(mine, "workload") == {"agent2": (3, 1, 1, 0, 0, 2)}
    with pytest.raises(PermissionDenied):
        scenario.report(login="agent1", agent="agent2")
    with pytest.raises(PermissionDenied):
        scenario.report(login="op")
    with pytest.raises(NotFound):
        scenario.report(group="nosuch")


def test_the_tickets_behind_a_figure(scenario: Scenario) -> None:
    desk, n = scenario.desk, scenario.numbers
    lead, month = desk.actor("lead"), parse_period("2026-11", desk.rules.tz)
    scope = ReportScope()

    def numbers(table: str, key: str) -> set[str]:
        return {t.number for t in desk.report_tickets(lead, month, scope, table, key)}

    assert numbers("sla", "P1") == {n["B"], n["D"]}
    assert numbers("sla", "all") == {n["B"], n["D"], n["I"]}
    assert numbers("volume_category", "hardware") == {n["A"], n["H"], n["I"]}
    assert numbers("volume_group", "network") == {n["B"], n["D"]}
    assert numbers("recurring", "打印机卡纸") == {n["A"], n["H"], n["I"]}
    assert numbers("workload", "agent2") == {n["C"], n["H"], n["I"]}


def test_an_empty_period(scenario: Scenario) -> None:
    report = scenario.report("2026-08")
    summary = values(report, "summary")
    assert summary["received"] == (0,) and summary["confirmed"] == (0,)
    assert summary["response_rate"] == (None,) and summary["resolution_median"] == (None,)
    assert values(report, "sla") == {"all": (0, 0, 0, None, None, None, 0, 0, None, None, None)}
    assert values(report, "volume_category") == {}
    assert values(report, "satisfaction")["overall"] == (0, None, 0, 0, 0, 0, 0)


def test_a_period_crossing_a_holiday(desk: DeskService, clock: FrozenClock) -> None:
    """Received the day before National Day, solved the day after the week off: the P4 ticket's
    three working days skip the holiday (met); the P3 ticket's 24 wall-clock hours do not."""
    op, agent = desk.actor("op"), desk.actor("agent1")
    start = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    at(clock, h(), start)
    p4 = desk.create_ticket(op, call()).number
    p3 = desk.create_ticket(op, call(impact=2, urgency=3, summary="显示器闪烁")).number
    at(clock, h(minutes=5), start)
    desk.claim(agent, p4)
    desk.claim(agent, p3)
    solved = datetime(2026, 10, 9, 9, 30, tzinfo=SHANGHAI)
    at(clock, h(), solved)
    desk.set_status(agent, p4, "awaiting_confirmation", note="换了电源")
    desk.set_status(agent, p3, "awaiting_confirmation", note="换了线")
    report = desk.report(
        desk.actor("lead"), parse_period("2026-09-28..2026-10-09", desk.rules.tz), ReportScope()
    )
    sla = values(report, "sla")
    late = (solved - (start + timedelta(hours=24))).total_seconds() / 3600
    assert sla["P4"][6:9] == (1, 0, 1.0)
    assert sla["P3"][6:11] == (0, 1, 0.0, round(late, 2), round(late, 2))


def test_a_period_is_read_or_refused() -> None:
    tz = SHANGHAI
    assert read_period("2026-W48", tz).first.isoformat() == "2026-11-23"
    with pytest.raises(ServiceError) as info:
        read_period("2026-13", tz)
    assert info.value.code == "report.period"


def test_the_migration_backfills_the_facts_every_change_keeps(scenario: Scenario) -> None:
    """Migration 0010 computes existing tickets' facts from their events: the same as the
    changes themselves stored."""
    from alembic import command
    from sqlmodel import select

    from deskui.store.migrate import alembic_config, upgrade
    from deskui.store.models import TicketReportFact

    def facts() -> list[tuple[object, ...]]:
        rows = scenario.desk.read(lambda s: list(s.exec(select(TicketReportFact))))
        names = list(TicketReportFact.model_fields)  # ticket_id first
        return sorted((tuple(getattr(r, n) for n in names) for r in rows), key=lambda f: f[0])

    kept = facts()
    assert len(kept) == len(scenario.numbers)
    db = scenario.desk.db
    config = alembic_config(db)
    with db.write_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")  # the schema just before the facts
    upgrade(db)
    assert facts() == kept
