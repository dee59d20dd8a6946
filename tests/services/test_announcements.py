"""Announcements through the services, on SQLite and PostgreSQL: the whole flow per role, the
refusals, lateness, expiry with a frozen clock, and the audit record of it all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from deskui.core.announcements import AnnouncementState
from deskui.core.clock import FrozenClock
from deskui.core.permissions import Action
from deskui.services.announcements import AnnouncementInput, Announcements, AnnouncementView
from deskui.services.desk import DeskService
from deskui.services.errors import NotFound, PermissionDenied, ServiceError, ValidationFailed
from deskui.services.groups import edit_group
from deskui.services.verify import Problem, verify_record

A = Action
S = AnnouncementState


def outage(desk: DeskService, **changes: object) -> AnnouncementInput:
    """Tonight's hardware maintenance, starting in an hour."""
    now = desk.clock.now()
    fields: dict[str, object] = {
        "title": "三号楼打印机维护",
        "body": "今晚 19:00–21:00 三号楼全部打印机停机维护，请提前打印。",
        "group": "hardware",
        "services": ("hardware", "三号楼"),
        "starts_at": now + timedelta(hours=1),
        "ends_at": now + timedelta(hours=3),
        "expires_at": now + timedelta(hours=4),
    }
    fields.update(changes)
    return AnnouncementInput(**fields)  # type: ignore[arg-type]  # the test's own keywords


def lead_hardware(desk: DeskService, login: str = "agent2") -> None:
    """Make ``login`` the hardware group's lead (on the record, as an admin would)."""
    now = desk.clock.now()
    desk.write(lambda s: edit_group(session=s, code="hardware", lead=login, now=now, actor=None))


@pytest.fixture
def news(desk: DeskService) -> Announcements:
    lead_hardware(desk)
    return Announcements(desk)


def refused(call: object, code: str) -> None:
    assert callable(call)
    with pytest.raises(ServiceError) as info:
        call()
    assert info.value.code == code, info.value


def test_the_whole_flow_by_role(desk: DeskService, news: Announcements) -> None:
    clock = desk.clock
    assert isinstance(clock, FrozenClock)
    author, group_lead = desk.actor("agent1"), desk.actor("agent2")
    op, duty = desk.actor("op"), desk.actor("lead")

    draft = news.draft(author, outage(desk))
    assert (draft.state, draft.author, draft.version) == (S.DRAFT, "agent1", 1)
    assert draft.content.services == ("hardware", "三号楼")
    # a draft is not reviewed before it is submitted; the author never approves their own
    refused(
        lambda: news.act(group_lead, draft.id, A.ANNOUNCE_APPROVE), "permission.announcement_state"
    )
    submitted = news.act(author, draft.id, A.ANNOUNCE_SUBMIT)
    assert submitted.state == S.IN_REVIEW
    refused(lambda: news.act(author, draft.id, A.ANNOUNCE_APPROVE), "permission.own_announcement")
    refused(lambda: news.act(op, draft.id, A.ANNOUNCE_APPROVE), "permission.not_reviewer")
    refused(lambda: news.act(group_lead, draft.id, A.ANNOUNCE_RETURN), "note.required")

    # the group's lead returns it with a question; the author corrects and resubmits
    returned = news.act(group_lead, draft.id, A.ANNOUNCE_RETURN, note="几点恢复？请写明。")
    assert (returned.state, returned.question) == (S.DRAFT, "几点恢复？请写明。")
    news.edit(author, draft.id, outage(desk, body="今晚 19:00 起停机，21:00 恢复。"))
    news.act(author, draft.id, A.ANNOUNCE_SUBMIT)
    approved = news.act(group_lead, draft.id, A.ANNOUNCE_APPROVE)
    assert approved.state == S.APPROVED
    assert approved.approved_hash == approved.content_hash
    assert (approved.approved_by, approved.question) == ("agent2", None)

    # the desk may not change a word; an edit by the group sends it back to review
    refused(
        lambda: news.edit(op, draft.id, outage(desk, title="改过的标题")),
        "permission.announcement_group",
    )
    edited = news.edit(author, draft.id, outage(desk, title="三号楼打印机停机维护"))
    assert (edited.state, edited.approved_hash) == (S.IN_REVIEW, None)
    refused(lambda: news.act(op, draft.id, A.ANNOUNCE_PUBLISH), "permission.announcement_state")
    # a duty lead reviews any group's announcement
    news.act(duty, draft.id, A.ANNOUNCE_APPROVE)

    # only the service desk publishes
    refused(lambda: news.act(author, draft.id, A.ANNOUNCE_PUBLISH), "permission.role")
    refused(lambda: news.act(group_lead, draft.id, A.ANNOUNCE_PUBLISH), "permission.role")
    clock.advance(minutes=75)  # fifteen minutes after the announced start
    published = news.act(op, draft.id, A.ANNOUNCE_PUBLISH)
    assert (published.state, published.published_by) == (S.PUBLISHED, "op")
    assert (published.late, published.late_seconds) == (True, 15 * 60)
    assert [v.id for v in news.active()] == [draft.id]
    assert [v.id for v in news.listing(S.PUBLISHED)] == [draft.id]

    # a withdrawal needs a reason
    refused(lambda: news.act(op, draft.id, A.ANNOUNCE_WITHDRAW), "note.required")
    gone = news.act(op, draft.id, A.ANNOUNCE_WITHDRAW, note="维护取消")
    assert (gone.state, gone.withdraw_reason, gone.withdrawn_by) == (S.WITHDRAWN, "维护取消", "op")
    assert news.active() == []

    report = desk.read(lambda s: verify_record(s))
    assert report.ok, report.findings
    assert report.announcement_events == 10


def test_an_announcement_published_on_time_is_not_late(
    desk: DeskService, news: Announcements
) -> None:
    view = _published(desk, news)
    assert (view.late, view.late_seconds) == (False, None)


def _published(desk: DeskService, news: Announcements, **changes: object) -> AnnouncementView:
    draft = news.draft(desk.actor("agent1"), outage(desk, **changes))
    news.act(desk.actor("agent1"), draft.id, A.ANNOUNCE_SUBMIT)
    news.act(desk.actor("agent2"), draft.id, A.ANNOUNCE_APPROVE)
    return news.act(desk.actor("lead"), draft.id, A.ANNOUNCE_PUBLISH)


def test_expiry_with_a_frozen_clock(desk: DeskService, news: Announcements) -> None:
    clock = desk.clock
    assert isinstance(clock, FrozenClock)
    first = _published(desk, news)
    clock.advance(minutes=1)
    second = _published(desk, news, title="网络割接", expires_at=clock.now() + timedelta(hours=8))
    # the most recently published first
    assert [v.id for v in news.active()] == [second.id, first.id]
    clock.advance(hours=4)  # the first's expiry has passed
    assert [v.id for v in news.active()] == [second.id]
    expired = news.get(first.id)
    assert (expired.state, expired.stored_state) == (S.EXPIRED, S.PUBLISHED)
    assert [v.id for v in news.listing(S.EXPIRED)] == [first.id]
    # nothing is done with an expired announcement but to read it
    refused(
        lambda: news.act(desk.actor("op"), first.id, A.ANNOUNCE_WITHDRAW, note="x"),
        "permission.announcement_state",
    )


def test_who_drafts(desk: DeskService, news: Announcements) -> None:
    refused(
        lambda: news.draft(desk.actor("op"), outage(desk, group="network")),
        "permission.announcement_group",
    )
    with pytest.raises(NotFound):
        news.draft(desk.actor("op"), outage(desk, group="nowhere"))
    with pytest.raises(ValidationFailed) as info:
        news.draft(
            desk.actor("agent1"),
            outage(desk, title=" ", expires_at=desk.clock.now() + timedelta(minutes=30)),
        )
    assert [(p.field, p.code) for p in info.value.problems] == [
        ("title", "field.required"),
        ("expires_at", "announce.window"),
    ]
    with pytest.raises(NotFound):
        news.get(999)


def test_a_group_lead_who_is_a_plain_agent_reviews_only_their_group(
    desk: DeskService, news: Announcements
) -> None:
    software = news.draft(desk.actor("agent2"), outage(desk, group="software"))
    news.act(desk.actor("agent2"), software.id, A.ANNOUNCE_SUBMIT)
    # agent2 leads hardware, not software; and it is their own anyway
    refused(
        lambda: news.act(desk.actor("agent2"), software.id, A.ANNOUNCE_APPROVE),
        "permission.own_announcement",
    )
    refused(
        lambda: news.act(desk.actor("agent1"), software.id, A.ANNOUNCE_APPROVE),
        "permission.not_reviewer",
    )


def test_the_desk_returns_an_approved_announcement_with_a_doubt(
    desk: DeskService, news: Announcements
) -> None:
    draft = news.draft(desk.actor("agent1"), outage(desk))
    news.act(desk.actor("agent1"), draft.id, A.ANNOUNCE_SUBMIT)
    news.act(desk.actor("agent2"), draft.id, A.ANNOUNCE_APPROVE)
    back = news.act(desk.actor("op"), draft.id, A.ANNOUNCE_RETURN, note="影响哪几层？")
    assert (back.state, back.approved_hash, back.question) == (S.DRAFT, None, "影响哪几层？")


def test_content_changed_by_hand_is_not_published_and_verify_names_it(
    desk: DeskService, news: Announcements
) -> None:
    draft = news.draft(desk.actor("agent1"), outage(desk))
    news.act(desk.actor("agent1"), draft.id, A.ANNOUNCE_SUBMIT)
    news.act(desk.actor("agent2"), draft.id, A.ANNOUNCE_APPROVE)

    def tamper(session: Session) -> None:
        session.execute(
            text("UPDATE announcement SET body = '已改' WHERE id = :id"), {"id": draft.id}
        )

    desk.write(tamper)
    refused(lambda: news.act(desk.actor("op"), draft.id, A.ANNOUNCE_PUBLISH), "announce.changed")
    report = desk.read(lambda s: verify_record(s))
    found = [(f.problem, f.announcement, f.fields) for f in report.findings]
    assert found == [(Problem.ANNOUNCEMENT, draft.id, ("announcement_content",))]
    assert report.findings[0].chain == "announcement"


def test_a_rewritten_event_breaks_the_chain(desk: DeskService, news: Announcements) -> None:
    if not desk.db.is_sqlite:
        pytest.skip("PostgreSQL refuses rewriting an event (the append-only trigger)")
    draft = news.draft(desk.actor("agent1"), outage(desk))
    news.act(desk.actor("agent1"), draft.id, A.ANNOUNCE_SUBMIT)
    before = desk.read(lambda s: verify_record(s)).digest
    desk.write(
        lambda s: s.execute(text("UPDATE announcement_event SET note = 'x' WHERE kind = 'drafted'"))
    )
    report = desk.read(lambda s: verify_record(s))
    assert [(f.problem, f.announcement) for f in report.findings] == [(Problem.REWRITTEN, draft.id)]
    assert report.digest == before  # the stored hashes are unchanged; the content is not


def test_postgres_refuses_rewriting_announcement_events(
    desk: DeskService, news: Announcements
) -> None:
    if desk.db.is_sqlite:
        pytest.skip("the append-only trigger is PostgreSQL's")
    news.draft(desk.actor("agent1"), outage(desk))
    with pytest.raises(Exception, match="append-only"):
        desk.write(lambda s: s.execute(text("DELETE FROM announcement_event")))


def test_permission_refusals_are_permission_denied(desk: DeskService, news: Announcements) -> None:
    draft = news.draft(desk.actor("agent1"), outage(desk))
    with pytest.raises(PermissionDenied) as info:
        news.act(desk.actor("agent1"), draft.id, A.ANNOUNCE_PUBLISH)
    assert info.value.params == {"action": "announce_publish", "role": "agent"}


def test_whoever_changed_the_words_does_not_approve_them(
    desk: DeskService, news: Announcements
) -> None:
    author, group_lead, duty = desk.actor("agent1"), desk.actor("agent2"), desk.actor("lead")
    draft = news.draft(author, outage(desk))
    news.act(author, draft.id, A.ANNOUNCE_SUBMIT)
    news.act(group_lead, draft.id, A.ANNOUNCE_APPROVE)
    # the group's lead changes the approved words: back to review, and not theirs to approve
    edited = news.edit(group_lead, draft.id, outage(desk, body="改为 20:00 开始。"))
    assert (edited.state, edited.editors) == (S.IN_REVIEW, frozenset({"agent2"}))
    refused(
        lambda: news.act(group_lead, draft.id, A.ANNOUNCE_APPROVE), "permission.own_announcement"
    )
    approved = news.act(duty, draft.id, A.ANNOUNCE_APPROVE)
    # once someone else approved them, the change is reviewed: the next round starts afresh
    assert (approved.state, approved.editors) == (S.APPROVED, frozenset())


def test_the_desk_in_the_group_does_not_change_its_words(
    desk: DeskService, news: Announcements
) -> None:
    # the duty lead belongs to hardware too, but publishes for the desk: a doubt goes back
    author, duty = desk.actor("agent1"), desk.actor("lead")
    draft = news.draft(author, outage(desk))
    refused(lambda: news.edit(duty, draft.id, outage(desk, body="改")), "permission.desk_no_edit")
    news.act(author, draft.id, A.ANNOUNCE_SUBMIT)
    news.act(desk.actor("agent2"), draft.id, A.ANNOUNCE_APPROVE)
    refused(lambda: news.edit(duty, draft.id, outage(desk, body="改")), "permission.desk_no_edit")
    back = news.act(duty, draft.id, A.ANNOUNCE_RETURN, note="几点恢复？")
    assert back.state == S.DRAFT
    # what the duty lead drafts for the group is theirs to change
    own = news.draft(duty, outage(desk, title="自己起草"))
    changed = news.edit(duty, own.id, outage(desk, title="自己起草（改）"))
    assert changed.content.title == "自己起草（改）"


def test_a_withdrawal_refused_says_who_may(desk: DeskService, news: Announcements) -> None:
    draft = news.draft(desk.actor("agent2"), outage(desk, group="software"))
    news.act(desk.actor("agent2"), draft.id, A.ANNOUNCE_SUBMIT)
    news.act(desk.actor("lead"), draft.id, A.ANNOUNCE_APPROVE)
    news.act(desk.actor("op"), draft.id, A.ANNOUNCE_PUBLISH)
    # agent1 is neither the desk, nor the software group's lead, nor the author
    refused(
        lambda: news.act(desk.actor("agent1"), draft.id, A.ANNOUNCE_WITHDRAW, note="x"),
        "permission.not_withdrawer",
    )
