"""The knowledge base's use cases and the shared text index, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from deskui.core.permissions import Action, ArticleState
from deskui.i18n import Catalog
from deskui.services.desk import DeskService
from deskui.services.errors import NotFound, PermissionDenied, ValidationFailed
from deskui.services.knowledge import ArticleDraft, KnowledgeBase
from deskui.services.verify import Problem, verify_record
from deskui.store.models import Article, Group, User
from deskui.widgets.article_text import article_text
from tests.services.test_intake import call

#: One corpus for both databases: (title, symptom, cause, solution, category, tags).
CORPUS = [
    (
        "打印机脱机无法打印",
        "打印任务一直排队，打印机显示脱机",
        "驱动服务停止",
        "重启打印后台处理程序服务",
        "hardware",
        ("打印机",),
    ),
    (
        "VPN 频繁断线",
        "在家连接公司 VPN 几分钟就断开",
        "客户端版本过旧",
        "升级 VPN 客户端到最新版本",
        "network",
        ("VPN", "远程办公"),
    ),
    (
        "Outlook 无法收信",
        "Outlook 一直提示正在连接服务器，收不到新邮件",
        "邮箱已满",
        "清理邮箱或申请扩容",
        "software",
        ("邮件",),
    ),
    (
        "忘记 ERP 登录密码",
        "ERP 登录提示用户名或密码错误",
        "密码过期",
        "通过自助门户重置密码",
        "account",
        ("ERP", "密码"),
    ),
    (
        "共享盘没有写入权限",
        "访问部门共享盘时提示拒绝访问",
        "不在部门权限组中",
        "提交权限申请，加入部门共享盘权限组",
        "account",
        ("共享盘",),
    ),
    (
        "会议室投影仪无信号",
        "笔记本接上投影仪后显示无信号",
        "未切换输出模式",
        "按 Win+P 选择复制模式",
        "hardware",
        ("投影仪",),
    ),
    (
        "网络很慢",
        "整个部门上网很慢，网页打开要一分钟",
        "交换机端口故障，网络打印也受影响",
        "更换交换机端口",
        "network",
        ("网络",),
    ),
]


def kb_of(desk: DeskService) -> KnowledgeBase:
    return KnowledgeBase.of(desk)


def draft(i: int) -> ArticleDraft:
    title, symptom, cause, solution, category, tags = CORPUS[i]
    return ArticleDraft(title, symptom, cause, solution, category, tags)


def published(desk: DeskService, i: int) -> int:
    kb = kb_of(desk)
    article = kb.add(desk.actor("agent1"), draft(i))
    kb.submit(desk.actor("agent1"), article.id)
    kb.review(desk.actor("lead"), article.id, approve=True, comment=None)
    return kb.publish(desk.actor("lead"), article.id).id


def corpus(desk: DeskService) -> list[int]:
    return [published(desk, i) for i in range(len(CORPUS))]


def titles(desk: DeskService, query: str) -> list[str]:
    return [hit.title for hit in kb_of(desk).search(query)]


def test_article_lifecycle(desk: DeskService) -> None:
    kb = kb_of(desk)
    agent1, lead = desk.actor("agent1"), desk.actor("lead")
    article = kb.add(agent1, draft(0))
    assert (article.state, article.version, article.author, article.group) == (
        ArticleState.DRAFT,
        1,
        "agent1",
        "hardware",
    )
    assert kb.submit(agent1, article.id).state == ArticleState.IN_REVIEW
    returned = kb.review(lead, article.id, approve=False, comment="请补充原因")
    assert (returned.state, returned.review_comment, returned.reviewer) == (
        ArticleState.DRAFT,
        "请补充原因",
        "lead",
    )
    kb.submit(agent1, article.id)
    approved = kb.review(lead, article.id, approve=True, comment=None)
    assert approved.approved and approved.state == ArticleState.IN_REVIEW
    # the reader names the reviewer, not their login
    assert (approved.reviewer, approved.reviewer_name) == ("lead", "赵敏")
    assert "赵敏" in article_text(approved, Catalog("zh")).plain
    live = kb.publish(agent1, article.id)
    assert live.state == ArticleState.PUBLISHED and live.published_at is not None
    # a new version is reviewed again while the published one stays found
    newer = kb.edit(
        agent1, article.id, ArticleDraft(**{**draft(0).__dict__, "cause": "后台服务崩溃"})
    )
    assert (newer.id != article.id, newer.version, newer.lineage_id) == (True, 2, article.id)
    assert kb.article(article.id).state == ArticleState.PUBLISHED
    assert kb.article(article.id).newer == newer.id
    assert [h.id for h in kb.search("打印机")] == [article.id]
    kb.submit(agent1, newer.id)
    kb.review(lead, newer.id, approve=True, comment="好")
    kb.publish(lead, newer.id)
    assert kb.article(article.id).state == ArticleState.RETIRED
    assert [h.id for h in kb.search("打印机")] == [newer.id]
    assert kb.retire(lead, newer.id).state == ArticleState.RETIRED
    assert kb.search("打印机") == []


def refused(run: object, code: str, action: Action) -> None:
    with pytest.raises(PermissionDenied) as info:
        run()  # type: ignore[operator]  # a callable given by each case
    assert (info.value.code, info.value.action) == (code, action)


def test_review_rules_per_role(desk: DeskService) -> None:
    kb = kb_of(desk)
    op, agent1, agent2, lead = (desk.actor(x) for x in ("op", "agent1", "agent2", "lead"))
    article = kb.add(agent1, draft(0))
    refused(lambda: kb.submit(agent2, article.id), "permission.kb_owner", Action.KB_SUBMIT)
    refused(
        lambda: kb.review(lead, article.id, approve=True, comment=None),
        "permission.kb_state",
        Action.KB_REVIEW,
    )
    kb.submit(agent1, article.id)
    refused(
        lambda: kb.review(agent1, article.id, approve=True, comment=None),
        "permission.kb_author",
        Action.KB_REVIEW,
    )
    for person in (op, agent2):
        refused(
            lambda p=person: kb.review(p, article.id, approve=True, comment=None),
            "permission.kb_reviewer",
            Action.KB_REVIEW,
        )
    refused(lambda: kb.publish(lead, article.id), "permission.kb_unapproved", Action.KB_PUBLISH)
    with pytest.raises(ValidationFailed):
        kb.review(lead, article.id, approve=False, comment=" ")

    # the lead of the article's group reviews, though an agent
    def lead_hardware(session: Session) -> None:
        group = session.exec(select(Group).where(Group.code == "hardware")).one()
        group.lead_id = session.exec(select(User.id).where(User.login == "agent2")).one()
        session.add(group)

    desk.write(lead_hardware)
    assert kb.review(agent2, article.id, approve=True, comment=None).reviewer == "agent2"
    refused(lambda: kb.publish(op, article.id), "permission.kb_reviewer", Action.KB_PUBLISH)
    kb.publish(agent1, article.id)
    refused(lambda: kb.retire(agent1, article.id), "permission.kb_reviewer", Action.KB_RETIRE)
    # a lead's own article is reviewed by another lead, never by its author
    own = kb.add(lead, draft(1))
    kb.submit(lead, own.id)
    refused(
        lambda: kb.review(lead, own.id, approve=True, comment=None),
        "permission.kb_author",
        Action.KB_REVIEW,
    )
    assert kb.review(desk.actor("admin"), own.id, approve=True, comment=None).approved


def test_validation_and_unknown(desk: DeskService) -> None:
    kb = kb_of(desk)
    with pytest.raises(ValidationFailed) as info:
        kb.add(desk.actor("op"), ArticleDraft("", "x", "", "", "printers"))
    assert {f for f, _ in info.value.errors} == {"title", "solution", "category"}
    with pytest.raises(NotFound):
        kb.article(999)
    masked = kb.add(
        desk.actor("op"), ArticleDraft("重置密码", "临时密码: Abc12345", "", "改密", "account")
    )
    assert "Abc12345" not in masked.symptom


def test_ranking_and_words_inside_sentences(desk: DeskService) -> None:
    ids = corpus(desk)
    # a two-character word found inside longer text: 网络 in 交换机端口故障，网络打印也受影响
    assert titles(desk, "网络")[0] == "网络很慢"
    # a title hit outranks a body hit: 打印 is in one title and in another's cause
    assert titles(desk, "打印") == ["打印机脱机无法打印", "网络很慢"]
    assert titles(desk, "密码") == ["忘记 ERP 登录密码"]
    # mixed text; English in any case; a prefix while typing
    assert titles(desk, "vpn 频繁断线") == ["VPN 频繁断线"]
    assert titles(desk, "OUTLOOK 无法收信")[0] == "Outlook 无法收信"
    assert titles(desk, "outl") == ["Outlook 无法收信"]
    # traditional characters fold to simplified ones
    assert titles(desk, "印表機 脫機")[0] == "打印机脱机无法打印"
    assert titles(desk, "投影儀") == ["会议室投影仪无信号"]
    # words not all present: the closest matches, ranked, rather than nothing
    assert titles(desk, "投影仪 蓝屏")[0] == "会议室投影仪无信号"
    assert len(ids) == len(CORPUS)
    hit = kb_of(desk).search("拒绝访问")[0]
    assert "拒绝访问" in hit.snippet.text and hit.snippet.marks


def test_tickets_are_indexed_with_every_write(desk: DeskService) -> None:
    kb = kb_of(desk)
    op = desk.actor("op")
    ticket = desk.create_ticket(op, call(summary="财务部打印机卡纸", description="打印到一半卡纸"))
    found = kb.search_tickets("卡纸")
    assert [h.number for h in found] == [ticket.number]
    assert [h.number for h in kb.search_tickets(ticket.number.lower())] == [ticket.number]
    # the requester 张三: by name, full pinyin, initials
    for who in ("张三", "zhangsan", "ZS"):
        assert [h.number for h in kb.search_tickets(who)] == [ticket.number]
    assert kb.suggest("卡纸").tickets == ()  # not solved yet
    desk.claim(desk.actor("agent1"), ticket.number)
    desk.set_status(desk.actor("agent1"), ticket.number, "awaiting_confirmation", note="更换搓纸轮")
    assert [h.number for h in kb.search_tickets("搓纸轮")] == [ticket.number]
    desk.confirm(op, ticket.number, 5, channel="phone")
    suggestions = kb.suggest("打印机又卡纸了")
    assert [h.number for h in suggestions.tickets] == [ticket.number]
    assert kb.suggest("打印机又卡纸了", exclude=ticket.number).tickets == ()


def test_phone_in_any_format(desk: DeskService) -> None:
    kb = kb_of(desk)
    ticket = desk.create_ticket(desk.actor("op"), call())
    requester = ticket.requester
    assert requester is not None and requester.phone
    digits = "".join(c for c in requester.phone if c.isdigit())
    spaced = f"{digits[:3]} {digits[3:7]}-{digits[7:]}"
    assert [h.number for h in kb.search_tickets(spaced)] == [ticket.number]


def test_solved_count_and_links(desk: DeskService) -> None:
    kb = kb_of(desk)
    article_id = published(desk, 0)
    number = desk.create_ticket(desk.actor("op"), call()).number
    kb.link(desk.actor("op"), article_id, number, solved=True)
    kb.link(desk.actor("op"), article_id, number, solved=True)
    view = kb.article(article_id)
    assert (view.tickets, view.solved) == ((number,), 1)
    assert kb.search("打印机")[0].solved == 1
    with pytest.raises(NotFound):
        kb.link(desk.actor("op"), article_id, "IT20000101001", solved=True)


def test_draft_from_ticket(desk: DeskService) -> None:
    number = desk.create_ticket(
        desk.actor("op"),
        call(
            summary="投影仪无信号",
            description="会议室投影仪接笔记本无信号",
            resolve_now=True,
            solution="按 Win+P 切换到复制模式",
            type="consultation",
        ),
    ).number
    kb = kb_of(desk)
    text = kb.draft_from_ticket(number)
    assert (text.title, text.symptom, text.solution) == (
        "投影仪无信号",
        "会议室投影仪接笔记本无信号",
        "按 Win+P 切换到复制模式",
    )
    article = kb.add(desk.actor("op"), text, link=number)
    assert article.tickets == (number,) and article.solved == 0


def test_audit_verify_checks_articles(desk: DeskService) -> None:
    article_id = published(desk, 2)
    kb_of(desk).link(
        desk.actor("op"),
        article_id,
        desk.create_ticket(desk.actor("op"), call()).number,
        solved=True,
    )
    assert desk.read(lambda s: verify_record(s)).ok

    def tamper(session: Session) -> None:
        article = session.get(Article, article_id)
        assert article is not None
        article.solution = "随便写的"
        session.add(article)

    desk.write(tamper)
    findings = desk.read(lambda s: verify_record(s)).findings
    assert [(f.problem, f.key, f.fields) for f in findings] == [
        (Problem.ARTICLE, str(article_id), ("solution",))
    ]
