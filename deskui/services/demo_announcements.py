"""The demo desk's announcements: one the desk has published, one waiting for review.

The network group's VPN maintenance went the whole way — drafted by its member, approved by the
duty lead (an author never approves their own), published by the desk — and the software
group's OA patch waits for its lead's review. Both go through the same use cases as the
console's, so the demo's record verifies like any other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from deskui.core.permissions import Action
from deskui.services.announcements import (
    AnnouncementInput,
    act_on_announcement,
    draft_announcement,
)
from deskui.services.users import load_actor

#: How many announcements the demo desk gets.
DEMO_ANNOUNCEMENTS = 2


def seed_announcements(session: Session, now: datetime) -> int:
    """Add the demo announcements in the seed's transaction; returns how many."""
    author, duty, desk = (load_actor(session, login) for login in ("chenjie", "lead", "op"))
    vpn = draft_announcement(
        session=session,
        actor=author,
        now=now - timedelta(minutes=40),
        data=AnnouncementInput(
            title="VPN 网关升级，远程办公中断约一小时",
            body=(
                "网络组将在上述时段升级 VPN 网关，约一小时。其间在家或出差的同事无法连接内网，"
                "请提前保存工作；办公室内网络不受影响。维护结束后仍无法连接的，请重启 VPN "
                "客户端再试，仍不行请致电服务台。"
            ),
            group="network",
            services=("network", "VPN", "远程办公"),
            starts_at=now + timedelta(hours=2),
            ends_at=now + timedelta(hours=3),
            expires_at=now + timedelta(hours=5),
        ),
    )
    for actor, action, minutes_ago in (
        (author, Action.ANNOUNCE_SUBMIT, 35),
        (duty, Action.ANNOUNCE_APPROVE, 20),
        (desk, Action.ANNOUNCE_PUBLISH, 15),
    ):
        act_on_announcement(
            session=session,
            actor=actor,
            announcement_id=vpn.id,
            action=action,
            now=now - timedelta(minutes=minutes_ago),
        )
    software = load_actor(session, "sunli")
    oa = draft_announcement(
        session=session,
        actor=software,
        now=now - timedelta(minutes=10),
        data=AnnouncementInput(
            title="OA 系统安装安全补丁，停用半小时",
            body="软件组将在上述时段为 OA 系统安装安全补丁，其间无法登录和审批，请合理安排。",
            group="software",
            services=("software", "OA"),
            starts_at=now + timedelta(hours=21, minutes=30),
            ends_at=now + timedelta(hours=22),
            expires_at=now + timedelta(hours=24),
        ),
    )
    act_on_announcement(
        session=session,
        actor=software,
        announcement_id=oa.id,
        action=Action.ANNOUNCE_SUBMIT,
        now=now - timedelta(minutes=5),
    )
    return DEMO_ANNOUNCEMENTS
