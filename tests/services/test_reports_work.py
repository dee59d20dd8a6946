"""The reports' time worked, knowledge-base and outage figures, on SQLite and PostgreSQL, each
worked out by hand from the scenario below with a frozen clock.

The scenario (November 2026 unless said; groups by category: hardware, network):

* P0, received 2026-10-20: last month's hardware call, open.
* A, B hardware: agent1 holds A and logs 20 and 40 minutes, the lead logs 10 on it; agent2 holds
  B and logs 30 and an entry without minutes.
* C network: the operator notes a repeat call on it, 25 minutes.
* D network, the outage's parent; E and F network calls linked under it (E claimed by the lead).
* Articles: X (hardware) written and published in November; Y (network) written and approved in
  October, published in November; Z written in November, never published. A and B were solved
  by X; C was linked to Y (not solved by it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from deskui.core.clock import FrozenClock
from deskui.core.report_periods import parse_period
from deskui.services.desk import DeskService
from deskui.services.knowledge import ArticleDraft, KnowledgeBase
from deskui.services.reports import Report, ReportScope
from tests.services.test_intake import call
from tests.services.test_reports import values

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
OCTOBER = datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)


def article(title: str, category: str) -> ArticleDraft:
    return ArticleDraft(title, f"{title}的现象", "原因", "解决办法", category, ("标签",))


@pytest.fixture
def worked(desk: DeskService, clock: FrozenClock) -> tuple[DeskService, dict[str, str], dict]:
    op, lead = desk.actor("op"), desk.actor("lead")
    agent1, agent2 = desk.actor("agent1"), desk.actor("agent2")
    kb = KnowledgeBase.of(desk)
    n: dict[str, str] = {}
    clock.instant = OCTOBER
    n["P0"] = desk.create_ticket(op, call()).number
    y = kb.add(agent1, article("交换机端口故障", "network")).id
    kb.submit(agent1, y)
    kb.review(lead, y, approve=True, comment=None)
    clock.instant = NOVEMBER
    n["A"] = desk.create_ticket(op, call()).number
    n["B"] = desk.create_ticket(op, call(summary="显示器不亮")).number
    network = {"category": "network", "impact": 2, "urgency": 2}
    n["C"] = desk.create_ticket(op, call(summary="网速慢", **network)).number
    n["D"] = desk.create_ticket(op, call(summary="整层断网", **network)).number
    n["E"] = desk.create_ticket(op, call(summary="五楼断网", **network)).number
    n["F"] = desk.create_ticket(op, call(summary="五楼也断网", **network)).number
    clock.instant = NOVEMBER + timedelta(minutes=10)
    desk.claim(agent1, n["A"])
    desk.claim(agent2, n["B"])
    desk.worklog(agent1, n["A"], "查看", minutes=20)
    desk.worklog(agent1, n["A"], "更换硒鼓", minutes=40)
    desk.worklog(lead, n["A"], "协助", minutes=10)
    desk.worklog(agent2, n["B"], "换线", minutes=30)
    desk.worklog(agent2, n["B"], "等用户确认")
    desk.worklog(op, n["C"], "用户再次来电", minutes=25)
    desk.link(lead, n["E"], n["D"])
    desk.link(lead, n["F"], n["D"])
    desk.claim(lead, n["E"])
    x = kb.add(agent1, article("打印机卡纸处理", "hardware")).id
    kb.submit(agent1, x)
    kb.review(lead, x, approve=True, comment=None)
    kb.publish(lead, x)
    kb.publish(lead, y)
    kb.add(agent2, article("显示器无信号", "hardware"))
    kb.link(lead, x, n["A"], solved=True)
    kb.link(lead, x, n["B"], solved=True)
    kb.link(lead, y, n["C"], solved=False)
    return desk, n, {"X": str(x), "Y": str(y)}


def report(desk: DeskService, login: str = "lead", **scope: str) -> Report:
    return desk.report(
        desk.actor(login), parse_period("2026-11", desk.rules.tz), ReportScope(**scope)
    )


def test_minutes_per_agent_and_per_group(worked: tuple[DeskService, dict[str, str], dict]) -> None:
    desk, _, _ = worked
    whole = report(desk)
    # handled, confirmed, breaches, worklog entries, minutes, open now
    workload = values(whole, "workload")
    assert {k: v[3:5] for k, v in workload.items()} == {
        "agent1": (2, 60),
        "agent2": (2, 30),
        "lead": (1, 10),
        "op": (1, 25),
    }
    # tickets received, minutes, minutes per ticket, open now (last month's P0 too)
    assert values(whole, "workload_group") == {
        "hardware": (2, 100, 50.0, 3),
        "network": (4, 25, 6.25, 4),
    }
    assert values(whole, "summary")["worked_minutes"] == (125,)
    hardware = report(desk, group="hardware")
    assert values(hardware, "workload_group") == {"hardware": (2, 100, 50.0, 3)}
    assert values(hardware, "summary")["worked_minutes"] == (100,)
    mine = report(desk, login="agent1", agent="agent1")
    # only A is agent1's: what each person logged on it
    assert {k: v[3:5] for k, v in values(mine, "workload").items()} == {
        "agent1": (2, 60),
        "lead": (1, 10),
    }
    assert values(report(desk), "workload")["agent1"][4] == 60
    last_month = desk.report(
        desk.actor("lead"), parse_period("2026-10", desk.rules.tz), ReportScope()
    )
    assert values(last_month, "summary")["worked_minutes"] == (0,)


def test_knowledge_figures(worked: tuple[DeskService, dict[str, str], dict]) -> None:
    desk, _, articles = worked
    whole = report(desk)
    assert values(whole, "knowledge") == {
        "articles_created": (2,),  # X and Z (Y was written in October)
        "articles_published": (2,),  # X and Y
        "tickets_linked": (3,),
        "tickets_solved": (2,),
    }
    top = whole.table("knowledge_top")
    assert [(r.key, r.values) for r in top.rows] == [
        (articles["X"], (2, 2)),
        (articles["Y"], (0, 1)),
    ]
    assert whole.articles == {articles["X"]: "打印机卡纸处理", articles["Y"]: "交换机端口故障"}
    network = report(desk, group="network")
    assert values(network, "knowledge") == {
        "articles_created": (0,),
        "articles_published": (1,),
        "tickets_linked": (1,),
        "tickets_solved": (0,),
    }
    october = desk.report(desk.actor("lead"), parse_period("2026-10", desk.rules.tz), ReportScope())
    assert values(october, "knowledge")["articles_created"] == (1,)
    assert october.table("knowledge_top").rows == ()


def test_outages_with_their_calls(worked: tuple[DeskService, dict[str, str], dict]) -> None:
    desk, n, _ = worked
    outages = report(desk).table("outages")
    assert [(r.key, r.values) for r in outages.rows] == [
        (n["D"], ("P2", "to_assign", 2, 2, "整层断网")),
    ]
    assert report(desk, group="hardware").table("outages").rows == ()


def test_the_tickets_behind_the_new_figures(
    worked: tuple[DeskService, dict[str, str], dict],
) -> None:
    desk, n, articles = worked
    lead, month = desk.actor("lead"), parse_period("2026-11", desk.rules.tz)

    def numbers(table: str, key: str, **scope: str) -> set[str]:
        found = desk.report_tickets(lead, month, ReportScope(**scope), table, key)
        return {t.number for t in found}

    assert numbers("outages", n["D"]) == {n["E"], n["F"]}
    assert numbers("knowledge_top", articles["X"]) == {n["A"], n["B"]}
    assert numbers("knowledge_top", articles["X"], group="network") == set()
    assert numbers("knowledge_top", "nonsense") == set()
    assert numbers("workload_group", "network") == {n["C"], n["D"], n["E"], n["F"]}
