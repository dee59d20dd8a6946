"""A demo desk: users, a directory of a few hundred callers, and tickets in every state."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, func, select

from deskui.config import load_toml
from deskui.core.enums import Channel, Status
from deskui.services.demo_announcements import seed_announcements
from deskui.services.demo_knowledge import seed_knowledge
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput, add_requester
from deskui.services.errors import ServiceError
from deskui.services.groups import edit_group
from deskui.services.identity import mark_demo_desk
from deskui.services.intake import RESOLVED_AT_INTAKE, IntakeRequest, create_ticket
from deskui.services.rules import DeskRules
from deskui.services.skills import set_skills
from deskui.services.users import Actor, add_user, load_actor
from deskui.services.workflow import (
    add_worklog,
    change_status,
    claim_ticket,
    confirm_ticket,
    escalate_ticket,
)
from deskui.store.models import Requester, Ticket, User

DEMO_OPERATOR = "op"
SEED = 20231001
#: The share of tickets left in each state (the rest stays waiting in the queue).
JOURNEYS = (
    ("to_assign", 20),
    ("in_progress", 25),
    ("pending", 8),
    ("awaiting_confirmation", 8),
    ("resolved", 10),
    ("closed", 12),
    ("rejected", 4),
    ("escalated", 6),
    ("first_contact", 7),
)


class DeskHoldsData(ServiceError):
    """The desk already has users (demo or real): the demo fills only an empty desk, and
    nothing was added."""

    def __init__(self, *, users: int, tickets: int) -> None:
        self._start("seed.in_use", None, {"users": users, "tickets": tickets})


def is_seeded(session: Session) -> bool:
    """The desk already has users (demo or real)."""
    return session.exec(select(User).limit(1)).first() is not None


def _callers(rng: random.Random, count: int, demo: dict[str, Any]) -> list[RequesterInput]:
    d = demo["directory"]
    surnames, given, departments = d["surnames"], d["given"], d["departments"]
    seen: set[str] = set()
    callers: list[RequesterInput] = []
    while len(callers) < count:
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
        if name in seen:
            continue
        seen.add(name)
        n = len(callers)
        callers.append(
            RequesterInput(
                name=name,
                phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                department=rng.choice(departments),
                company="总部" if n % 9 else "华东分公司",
                extension=f"{8000 + n}",
                employee_id=f"E{10001 + n}",
                email=f"e{10001 + n}@example.com",
                vip=n % 23 == 0,
            )
        )
    return callers


def seed_demo(
    desk: DeskService, *, callers: int = 300, tickets: int = 120, announcements: bool = True
) -> dict[str, int]:
    """Fill an empty desk with demo data; a desk that already has users is left alone.

    Everything is written in one transaction: a seed that fails anywhere leaves the desk as it
    was (empty), so running it again seeds the whole desk.

    Returns:
        What was added.

    Raises:
        DeskHoldsData: the desk already has users; nothing was added.
    """
    demo = load_toml("demo")
    rules = desk.rules
    now = desk.clock.now()

    def run(session: Session) -> dict[str, int]:
        if is_seeded(session):
            held = (session.exec(select(func.count()).select_from(t)).one() for t in (User, Ticket))
            raise DeskHoldsData(users=next(held), tickets=next(held))
        rng = random.Random(SEED)
        _people(session, demo, rng, callers, now)
        made = _tickets(session, demo, rng, tickets, now, rules)
        if announcements:  # one published, one in review (deskui/services/demo_announcements)
            seed_announcements(session, now)
        articles = seed_knowledge(session, now=now, rules=rules)
        return {
            "users": len(demo["users"]),
            "callers": callers,
            "tickets": made,
            "articles": articles,
        }

    return desk.write(run)


def _people(
    session: Session, demo: dict[str, Any], rng: random.Random, callers: int, now: datetime
) -> None:
    """The demo users, their groups' leads, and the directory of callers."""
    mark_demo_desk(session, now)
    for spec in demo["users"]:
        user = add_user(
            session=session,
            login=spec["login"],
            name=spec["name"],
            role=spec["role"],
            groups=spec["groups"],
            now=now,
        )
        for code in spec.get("leads", []):
            edit_group(session=session, code=code, lead=user.login, now=now, actor=None)
        if spec.get("skills"):  # the skill matrix that suggests whom to give a ticket to
            set_skills(
                session=session, login=user.login, skills=spec["skills"], now=now, actor=None
            )
    for caller in _callers(rng, callers, demo):
        add_requester(session=session, data=caller, now=now)
    session.flush()


def _tickets(
    session: Session,
    demo: dict[str, Any],
    rng: random.Random,
    tickets: int,
    now: datetime,
    rules: DeskRules,
) -> int:
    """Log ``tickets`` demo tickets and walk each to its journey's state; returns how many."""
    requester_ids = list(session.exec(select(Requester.id)))
    actors: dict[str, Actor] = {}

    def actor(login: str) -> Actor:
        if login not in actors:
            actors[login] = load_actor(session, login)
        return actors[login]

    weights = [w for _, w in JOURNEYS]
    # only these can be answered on the call (first-contact resolution)
    resolvable = [t for t in demo["tickets"] if t["type"] in RESOLVED_AT_INTAKE]
    made = 0
    # tickets still open arrived in the last hours (a desk that keeps up, with a few
    # stragglers); finished ones spread over the last four days; logged oldest first, so numbers
    # follow receipt order day by day
    plan = []
    for _ in range(tickets):
        journey = rng.choices([j for j, _ in JOURNEYS], weights)[0]
        finished = journey in ("resolved", "closed", "rejected", "first_contact")
        late = rng.random() < 0.15
        minutes = rng.randrange(60 * 8, 60 * 96) if finished or late else rng.randrange(3, 60 * 5)
        plan.append((now - timedelta(minutes=minutes), journey))
    for received, journey in sorted(plan):
        template = rng.choice(demo["tickets"])
        if journey == "first_contact" and template["type"] not in RESOLVED_AT_INTAKE:
            template = rng.choice(resolvable)
        request = IntakeRequest(
            type=template["type"],
            category=template["category"],
            channel=rng.choice([c.value for c in Channel]),
            impact=template["impact"],
            urgency=template["urgency"],
            summary=template["summary"],
            description=template["description"],
            requester_id=rng.choice(requester_ids),
            received_at=received,
            resolve_now=journey == "first_contact",
            solution="电话中已指导用户完成操作。" if journey == "first_contact" else None,
        )
        _play(session, request, journey, received, now, rng, actor, rules)
        made += 1
    return made


def _play(
    session: Session,
    request: IntakeRequest,
    journey: str,
    received: datetime,
    now: datetime,
    rng: random.Random,
    actor: Callable[[str], Actor],
    rules: DeskRules,
) -> None:
    """Log one ticket and walk it to its journey's state, events spread after receipt."""
    span = max(60.0, (now - received).total_seconds())
    steps = iter(sorted(received + timedelta(seconds=span * f) for f in (0.02, 0.2, 0.4, 0.6, 0.8)))
    op = actor(DEMO_OPERATOR)
    ticket = create_ticket(session=session, data=request, actor=op, rules=rules, now=next(steps))
    number = ticket.number
    if journey in ("to_assign", "first_contact"):
        return
    group_lead = {"hardware": "zhangwei", "network": "chenjie", "account": "sunli"}
    # complaints are already with the lead of the group complained about
    agent = actor(
        "lead" if request.type == "complaint" else group_lead.get(request.category, "lina")
    )
    kw: dict[str, Any] = {"session": session, "number": number, "rules": rules}
    claim_ticket(**kw, actor=agent, now=next(steps))
    add_worklog(
        **kw,
        actor=agent,
        now=next(steps),
        text="已联系用户，远程查看现象。",
        progress=rng.random() < 0.5,
    )
    at = next(steps)
    if journey == "pending":
        change_status(**kw, actor=agent, now=at, target=Status.PENDING, note="等待用户提供错误截图")
    elif journey == "escalated":
        escalate_ticket(
            **kw,
            actor=agent,
            now=at,
            note="一线排查无果：已重启、已重装驱动，需厂商介入。",
            group="vendor",
        )
    elif journey == "rejected":
        change_status(
            **kw,
            actor=agent,
            now=at,
            target=Status.REJECTED,
            note="与工单 IT 重复，请在原工单跟进，谢谢。",
        )
    elif journey in ("awaiting_confirmation", "resolved", "closed"):
        change_status(
            **kw,
            actor=agent,
            now=at,
            target=Status.AWAITING_CONFIRMATION,
            note="已更换配件并测试正常。",
        )
        if journey != "awaiting_confirmation":
            at = next(steps)
            confirm_ticket(
                **kw,
                actor=op,
                now=at,
                satisfaction=rng.choice((3, 4, 5, 5)),
                # the answer comes back the way the call came (no draw: the demo is as it was)
                channel="in_person" if request.channel == "walk_in" else request.channel,
                remark="处理及时",
            )
            if journey == "closed":
                change_status(**kw, actor=op, now=at + timedelta(seconds=30), target=Status.CLOSED)


def demo_actor(session: Session) -> Actor:
    """The demo operator who sits at the console of a demo desk."""
    return load_actor(session, DEMO_OPERATOR)
