"""Announcement rules as pure tables: who may do what from which state, the content hash,
lateness, expiry and which calls an announcement concerns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from deskui.core.announcements import (
    AnnouncementContent,
    AnnouncementFacts,
    AnnouncementState,
    after_edit,
    announcement_refusal,
    content_hash,
    content_problems,
    effective_state,
    is_active,
    lateness,
    matches_call,
)
from deskui.core.enums import Role
from deskui.core.permissions import Action, Refusal

A, S, R = Action, AnnouncementState, Refusal
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    login: str
    role: Role
    group_codes: frozenset[str] = field(default_factory=frozenset)


#: The people of the tables: the author (a hardware agent), another hardware agent, the
#: hardware group's lead (an agent), the desk's operator, a duty lead, an admin.
AUTHOR = Person("agent1", Role.AGENT, frozenset({"hardware"}))
PEER = Person("agent3", Role.AGENT, frozenset({"hardware"}))
GROUP_LEAD = Person("agent2", Role.AGENT, frozenset({"hardware", "software"}))
OPERATOR = Person("op", Role.OPERATOR, frozenset({"desk"}))
DUTY = Person("lead", Role.DUTY_LEAD, frozenset({"desk"}))
ADMIN = Person("admin", Role.ADMIN, frozenset({"desk"}))
PEOPLE = (AUTHOR, PEER, GROUP_LEAD, OPERATOR, DUTY, ADMIN)


def facts(state: AnnouncementState) -> AnnouncementFacts:
    return AnnouncementFacts(state, "hardware", "agent1", "agent2")


#: action, state → the answer for author, peer, group lead, operator, duty lead, admin.
TABLE: dict[tuple[Action, AnnouncementState], str] = {
    (A.ANNOUNCE_DRAFT, S.DRAFT): "ok ok ok group group group",
    (A.ANNOUNCE_EDIT, S.DRAFT): "ok ok ok group group group",
    (A.ANNOUNCE_EDIT, S.APPROVED): "ok ok ok group group group",
    (A.ANNOUNCE_EDIT, S.PUBLISHED): "state state state state state state",
    (A.ANNOUNCE_SUBMIT, S.DRAFT): "ok ok ok group group group",
    (A.ANNOUNCE_SUBMIT, S.IN_REVIEW): "state state state state state state",
    (A.ANNOUNCE_APPROVE, S.IN_REVIEW): "own reviewer ok reviewer ok ok",
    (A.ANNOUNCE_APPROVE, S.DRAFT): "state state state state state state",
    (A.ANNOUNCE_RETURN, S.IN_REVIEW): "reviewer reviewer ok reviewer ok ok",
    (A.ANNOUNCE_RETURN, S.APPROVED): "reviewer reviewer ok ok ok ok",
    (A.ANNOUNCE_PUBLISH, S.APPROVED): "role role role ok ok ok",
    (A.ANNOUNCE_PUBLISH, S.IN_REVIEW): "role role role state state state",
    (A.ANNOUNCE_PUBLISH, S.EXPIRED): "role role role state state state",
    (A.ANNOUNCE_WITHDRAW, S.PUBLISHED): "ok withdrawer ok ok ok ok",
    (A.ANNOUNCE_WITHDRAW, S.WITHDRAWN): "state state state state state state",
}
WORDS = {
    "ok": None,
    "group": R.ANNOUNCEMENT_GROUP,
    "state": R.ANNOUNCEMENT_STATE,
    "own": R.OWN_ANNOUNCEMENT,
    "reviewer": R.NOT_REVIEWER,
    "role": R.ROLE,
    "withdrawer": R.NOT_WITHDRAWER,
    "desk": R.DESK_NO_EDIT,
}
CASES = [
    (action, state, person, answer)
    for (action, state), row in TABLE.items()
    for person, answer in zip(PEOPLE, row.split(), strict=True)
]


@pytest.mark.parametrize(("action", "state", "person", "answer"), CASES)
def test_who_may_do_what(
    action: Action, state: AnnouncementState, person: Person, answer: str
) -> None:
    assert announcement_refusal(person, action, facts(state)) == WORDS[answer]


#: The desk in every group, as the demo desk has its duty lead: membership alone does not let
#: the desk change another group's words.
EVERYWHERE = frozenset({"desk", "hardware", "software"})
DESK_PEOPLE = (
    Person("op", Role.OPERATOR, EVERYWHERE),
    Person("lead", Role.DUTY_LEAD, EVERYWHERE),
    Person("admin", Role.ADMIN, EVERYWHERE),
)


@pytest.mark.parametrize("person", DESK_PEOPLE, ids=lambda p: str(p.role))
@pytest.mark.parametrize("state", [S.DRAFT, S.IN_REVIEW, S.APPROVED])
def test_the_desk_does_not_change_another_groups_words(person: Person, state: S) -> None:
    hardware = facts(state)
    assert announcement_refusal(person, A.ANNOUNCE_EDIT, hardware) == R.DESK_NO_EDIT
    # a doubt goes back instead (once approved the desk may return it)
    if state == S.APPROVED:
        assert announcement_refusal(person, A.ANNOUNCE_RETURN, hardware) is None
    # as the drafter, or as the group's lead, they answer for the words: they may
    as_author = replace(hardware, author=person.login)
    assert announcement_refusal(person, A.ANNOUNCE_EDIT, as_author) is None
    as_lead = replace(hardware, group_lead=person.login)
    assert announcement_refusal(person, A.ANNOUNCE_EDIT, as_lead) is None
    # the desk's own announcements are the desk's to write
    own = replace(hardware, group="desk", desk_group=True)
    assert announcement_refusal(person, A.ANNOUNCE_EDIT, own) is None


@pytest.mark.parametrize(
    ("person", "answer"),
    [(AUTHOR, None), (PEER, None), (GROUP_LEAD, None), (OPERATOR, R.ANNOUNCEMENT_GROUP)],
    ids=["author", "peer", "group_lead", "operator"],
)
def test_members_who_are_not_the_desk_edit(person: Person, answer: Refusal | None) -> None:
    assert announcement_refusal(person, A.ANNOUNCE_EDIT, facts(S.APPROVED)) == answer


@pytest.mark.parametrize("person", [GROUP_LEAD, DUTY, ADMIN], ids=["group_lead", "duty", "admin"])
def test_whoever_changed_the_words_may_not_approve_them(person: Person) -> None:
    changed = replace(facts(S.IN_REVIEW), editors=frozenset({person.login}))
    assert announcement_refusal(person, A.ANNOUNCE_APPROVE, changed) == R.OWN_ANNOUNCEMENT
    # another reviewer may
    other = replace(changed, editors=frozenset({"someone"}))
    assert announcement_refusal(person, A.ANNOUNCE_APPROVE, other) is None


def test_without_facts_only_the_role_counts() -> None:
    assert announcement_refusal(AUTHOR, A.ANNOUNCE_PUBLISH) == R.ROLE
    assert announcement_refusal(OPERATOR, A.ANNOUNCE_PUBLISH) is None


CONTENT = AnnouncementContent(
    title="网络割接",
    body="今晚核心交换机割接",
    group="network",
    services=("network", "VPN"),
    starts_at=NOW + timedelta(hours=1),
    ends_at=NOW + timedelta(hours=2),
    expires_at=NOW + timedelta(hours=3),
)


def test_the_content_hash_fixes_every_word_and_time() -> None:
    digest = content_hash(CONTENT)
    assert len(digest) == 64
    assert content_hash(replace(CONTENT)) == digest
    # the same instant in another zone is the same content
    local = CONTENT.expires_at.astimezone(datetime.now().astimezone().tzinfo)
    assert content_hash(replace(CONTENT, expires_at=local)) == digest
    for change in (
        {"title": "网络割接。"},
        {"body": "今晚核心交换机割接 "},
        {"group": "desk"},
        {"services": ("network",)},
        {"starts_at": None},
        {"ends_at": NOW + timedelta(hours=2, seconds=1)},
        {"expires_at": NOW + timedelta(hours=4)},
    ):
        assert content_hash(replace(CONTENT, **change)) != digest, change


def test_content_problems() -> None:
    assert content_problems(CONTENT, NOW) == []
    backwards = replace(CONTENT, ends_at=NOW)
    assert content_problems(backwards, NOW) == [("ends_at", "announce.window")]
    expiring_first = replace(CONTENT, expires_at=NOW + timedelta(minutes=30))
    assert content_problems(expiring_first, NOW) == [("expires_at", "announce.window")]
    over = replace(CONTENT, starts_at=None, ends_at=None, expires_at=NOW)
    assert content_problems(over, NOW) == [("expires_at", "announce.expires_past")]
    empty = replace(CONTENT, title=" ", body="", group="")
    assert [f for f, _ in content_problems(empty, NOW)] == ["title", "body", "group"]


def test_states_in_time() -> None:
    expiry = NOW + timedelta(hours=1)
    assert effective_state(S.PUBLISHED, expiry, NOW) == S.PUBLISHED
    assert effective_state(S.PUBLISHED, expiry, expiry) == S.EXPIRED
    assert effective_state(S.APPROVED, expiry, expiry) == S.EXPIRED
    assert effective_state(S.DRAFT, expiry, expiry) == S.DRAFT
    assert effective_state(S.WITHDRAWN, expiry, expiry) == S.WITHDRAWN
    assert is_active(S.PUBLISHED, NOW, expiry, NOW)
    assert not is_active(S.PUBLISHED, NOW, expiry, expiry)
    assert not is_active(S.APPROVED, None, expiry, NOW)
    assert not is_active(S.WITHDRAWN, NOW, expiry, NOW)


def test_lateness_and_edits() -> None:
    assert lateness(None, NOW) is None
    assert lateness(NOW, NOW) is None
    assert lateness(NOW, NOW + timedelta(minutes=7)) == timedelta(minutes=7)
    assert after_edit(S.APPROVED) == S.IN_REVIEW
    assert after_edit(S.DRAFT) == S.DRAFT
    assert after_edit(S.IN_REVIEW) == S.IN_REVIEW


def test_which_calls_an_announcement_concerns() -> None:
    assert matches_call(("Network", "三号楼"), "network", "network", None)
    assert matches_call((), "network", "network", "network")
    assert not matches_call(("三号楼",), "network", "software", "software")
    assert not matches_call(("三号楼",), "network", "other", None)
