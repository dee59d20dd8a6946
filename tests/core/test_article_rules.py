"""Who may draft, submit, review, publish and retire a knowledge-base article (pure rules)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from deskui.core.enums import Role
from deskui.core.permissions import Action, ArticleFacts, ArticleState, Refusal, article_refusal


@dataclass(frozen=True)
class P:
    login: str
    role: Role


OP, AGENT, GROUP_LEAD, LEAD, ADMIN = (
    P("op", Role.OPERATOR),
    P("agent", Role.AGENT),
    P("glead", Role.AGENT),
    P("lead", Role.DUTY_LEAD),
    P("admin", Role.ADMIN),
)
D, R, PUB, RET = (
    ArticleState.DRAFT,
    ArticleState.IN_REVIEW,
    ArticleState.PUBLISHED,
    ArticleState.RETIRED,
)


def facts(state: ArticleState, author: str = "agent", approved: bool = False) -> ArticleFacts:
    return ArticleFacts(state, author, group_lead="glead", approved=approved)


@pytest.mark.parametrize(
    ("person", "action", "article", "expected"),
    [
        # drafts: the author or a duty lead
        (AGENT, Action.KB_DRAFT, facts(D), None),
        (OP, Action.KB_DRAFT, facts(D), Refusal.KB_OWNER),
        (LEAD, Action.KB_DRAFT, facts(D), None),
        (OP, Action.KB_DRAFT, facts(PUB), None),  # a new version of a published article
        (AGENT, Action.KB_DRAFT, facts(R), Refusal.KB_STATE),
        (AGENT, Action.KB_DRAFT, facts(RET), Refusal.KB_STATE),
        (AGENT, Action.KB_SUBMIT, facts(D), None),
        (GROUP_LEAD, Action.KB_SUBMIT, facts(D), Refusal.KB_OWNER),
        (AGENT, Action.KB_SUBMIT, facts(R), Refusal.KB_STATE),
        # review: a duty lead or the group's lead, never the author, once
        (LEAD, Action.KB_REVIEW, facts(R), None),
        (ADMIN, Action.KB_REVIEW, facts(R), None),
        (GROUP_LEAD, Action.KB_REVIEW, facts(R), None),
        (OP, Action.KB_REVIEW, facts(R), Refusal.KB_REVIEWER),
        (AGENT, Action.KB_REVIEW, facts(R), Refusal.KB_AUTHOR),
        (LEAD, Action.KB_REVIEW, facts(R, author="lead"), Refusal.KB_AUTHOR),
        (GROUP_LEAD, Action.KB_REVIEW, facts(R, author="glead"), Refusal.KB_AUTHOR),
        (LEAD, Action.KB_REVIEW, facts(R, approved=True), Refusal.KB_STATE),
        (LEAD, Action.KB_REVIEW, facts(D), Refusal.KB_STATE),
        # publish: approved first; by its author or a reviewer
        (LEAD, Action.KB_PUBLISH, facts(R), Refusal.KB_UNAPPROVED),
        (AGENT, Action.KB_PUBLISH, facts(R, approved=True), None),
        (GROUP_LEAD, Action.KB_PUBLISH, facts(R, approved=True), None),
        (OP, Action.KB_PUBLISH, facts(R, approved=True), Refusal.KB_REVIEWER),
        (LEAD, Action.KB_PUBLISH, facts(PUB), Refusal.KB_PUBLISHED),
        (OP, Action.KB_PUBLISH, facts(PUB), Refusal.KB_PUBLISHED),
        # retire: a reviewer, a published article
        (LEAD, Action.KB_RETIRE, facts(PUB), None),
        (GROUP_LEAD, Action.KB_RETIRE, facts(PUB), None),
        (AGENT, Action.KB_RETIRE, facts(PUB), Refusal.KB_REVIEWER),
        (LEAD, Action.KB_RETIRE, facts(RET), Refusal.KB_STATE),
    ],
)
def test_article_rules(
    person: P, action: Action, article: ArticleFacts, expected: Refusal | None
) -> None:
    assert article_refusal(person, action, article) == expected


def test_anyone_drafts() -> None:
    for person in (OP, AGENT, LEAD, ADMIN):
        assert article_refusal(person, Action.KB_DRAFT) is None
