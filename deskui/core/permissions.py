"""Who may do what at the desk: one role × action matrix, plus the rules about a ticket's holder.

Every layer reads this module and nothing else: the services enforce it (and refuse with the
code :func:`refusal` returns), each screen's ``check_action`` greys out what it refuses, the
help screen and the command line say the same. A rule changed here changes everywhere at once.

The rules, in the desk's words (SPEC §1, §4, §6):

* the operator logs calls, dispatches, triages and escalates what nobody holds yet, notes a
  repeat call on any ticket, records the requester's confirmation or refusal, and closes
  (reviews) resolved tickets; an operator works no ticket as its owner (no claim);
* an agent works a ticket they hold, or one nobody holds; never one held by someone else;
  a ticket nobody holds is re-triaged, and given a new estimate, by its own group's members,
  the desk that took the call (an operator) or a lead, never by an agent of another group;
* a duty lead (and an admin) may act on any ticket, take over a claimed one, assign, and
  override a priority; only an admin changes the desk's rules and its users;
* the requester's answer to a solution is recorded by the desk (an operator or a lead), never
  by whoever gave the solution;
* the emergency board's alerts are acknowledged by a duty lead (or an admin), on an open
  ticket, once for every console;
* a progress update (contact with the requester, which stops the response clock) comes from
  whoever holds the ticket, or a lead on a held one: on a ticket nobody holds it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from deskui.core.enums import Role, Status

ALL_ROLES = frozenset(Role)
HANDLERS = frozenset({Role.AGENT, Role.DUTY_LEAD, Role.ADMIN})
LEADS = frozenset({Role.DUTY_LEAD, Role.ADMIN})
DESK = frozenset({Role.OPERATOR, Role.DUTY_LEAD, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

#: Statuses in which a ticket can be claimed (or taken over).
CLAIMABLE = frozenset({Status.NEW, Status.TO_ASSIGN, Status.IN_PROGRESS, Status.PENDING})
#: The highest tier: L3, the vendor or developer.
TOP_TIER = 3


class Action(StrEnum):
    """Everything a person can do at the desk that the rules may refuse."""

    LOG_CALL = "log_call"
    DISPATCH = "dispatch"
    RESOLVE_AT_INTAKE = "resolve_at_intake"
    CLAIM = "claim"
    TAKE_OVER = "take_over"
    ASSIGN = "assign"
    TRIAGE = "triage"
    OVERRIDE_PRIORITY = "override_priority"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    WORKLOG = "worklog"
    PROGRESS = "progress"
    ESTIMATE = "estimate"
    PEND = "pend"
    RESUME = "resume"
    RELEASE = "release"
    SOLVE = "solve"
    CONFIRM = "confirm"
    REFUSE = "refuse"
    REJECT = "reject"
    REOPEN = "reopen"
    CLOSE = "close"
    LINK = "link"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    CHANGE_RULES = "change_rules"
    MANAGE_USERS = "manage_users"
    EXPORT_DESK = "export_desk"
    IMPORT_DESK = "import_desk"
    BACKUP_DESK = "backup_desk"
    ANNOUNCE_DRAFT = "announce_draft"
    ANNOUNCE_EDIT = "announce_edit"
    ANNOUNCE_SUBMIT = "announce_submit"
    ANNOUNCE_APPROVE = "announce_approve"
    ANNOUNCE_RETURN = "announce_return"
    ANNOUNCE_PUBLISH = "announce_publish"
    ANNOUNCE_WITHDRAW = "announce_withdraw"
    VIEW_SETTINGS = "view_settings"
    KB_DRAFT = "kb_draft"
    KB_SUBMIT = "kb_submit"
    KB_REVIEW = "kb_review"
    KB_PUBLISH = "kb_publish"
    KB_RETIRE = "kb_retire"
    READ_REPORTS = "read_reports"
    READ_OWN_REPORT = "read_own_report"
    REVEAL_PHONE = "reveal_phone"


#: The role × action matrix (SPEC §1–§7): who may take each action at all, on some ticket.
#: Whether they may on a given ticket is then the holder rules' and the ticket state's
#: (:func:`refusal`). A ticket's review (SPEC §4: "the desk may review it first") is the desk's
#: close: closing checks the record is complete, and only the desk closes.
ROLES: dict[Action, frozenset[Role]] = {
    # intake: anyone at the desk logs a call, dispatches it, or answers it on the spot
    Action.LOG_CALL: ALL_ROLES,
    Action.DISPATCH: ALL_ROLES,
    Action.RESOLVE_AT_INTAKE: ALL_ROLES,
    # ownership: those who work tickets claim; leads take over and assign
    Action.CLAIM: HANDLERS,
    Action.TAKE_OVER: LEADS,
    Action.ASSIGN: LEADS,
    # priority: anyone triages (the holder rule narrows it on a held ticket); leads override
    Action.TRIAGE: ALL_ROLES,
    Action.OVERRIDE_PRIORITY: LEADS,
    # routing: the desk dispatches to groups and escalates what it cannot answer
    Action.TRANSFER: ALL_ROLES,
    Action.ESCALATE: ALL_ROLES,
    # notes: the desk notes a repeat call on any ticket; updates go from whoever works it
    Action.WORKLOG: ALL_ROLES,
    Action.PROGRESS: HANDLERS,
    Action.ESTIMATE: HANDLERS,
    # the work itself
    Action.PEND: ALL_ROLES,
    Action.RESUME: ALL_ROLES,
    Action.RELEASE: HANDLERS,
    Action.SOLVE: HANDLERS,
    # the requester's answer is recorded by the desk (never by the solver: see refusal())
    Action.CONFIRM: DESK,
    Action.REFUSE: DESK,
    Action.REJECT: ALL_ROLES,
    Action.REOPEN: ALL_ROLES,
    Action.CLOSE: DESK,
    # outages: whoever takes the calls puts a call under its outage, or takes it out
    Action.LINK: ALL_ROLES,
    # the emergency board (SPEC §1: the duty lead watches it): a lead acknowledges its alerts
    # for every console, in the ticket's record
    Action.ACKNOWLEDGE_ALERT: LEADS,
    # the desk itself
    Action.CHANGE_RULES: ADMINS,
    Action.MANAGE_USERS: ADMINS,
    # the whole desk as one file, and back into an empty desk
    Action.EXPORT_DESK: ADMINS,
    Action.IMPORT_DESK: ADMINS,
    # a copy of the database file holds every caller's whole phone number, as an export does
    Action.BACKUP_DESK: ADMINS,
    # announcements (SPEC seed 004): a group's members draft them and its lead (or a duty
    # lead) reviews them, whatever their desk role, so those are narrowed by the owning group
    # (:mod:`deskui.core.announcements`); only the service desk publishes
    Action.ANNOUNCE_DRAFT: ALL_ROLES,
    Action.ANNOUNCE_EDIT: ALL_ROLES,
    Action.ANNOUNCE_SUBMIT: ALL_ROLES,
    Action.ANNOUNCE_APPROVE: ALL_ROLES,
    Action.ANNOUNCE_RETURN: ALL_ROLES,
    Action.ANNOUNCE_PUBLISH: DESK,
    Action.ANNOUNCE_WITHDRAW: ALL_ROLES,
    # the administration screen: admins edit there, duty leads read the desk's rules and people
    Action.VIEW_SETTINGS: LEADS,
    # the knowledge base: anyone drafts and submits; who reviews, publishes and retires a given
    # article is the article rules' (article_refusal: a duty lead or the lead of its group)
    Action.KB_DRAFT: ALL_ROLES,
    Action.KB_SUBMIT: ALL_ROLES,
    Action.KB_REVIEW: ALL_ROLES,
    Action.KB_PUBLISH: ALL_ROLES,
    Action.KB_RETIRE: ALL_ROLES,
    # reports (SPEC §1: the duty lead reads them): the desk's or any group's for leads and
    # admins; an agent reads the report of their own work
    Action.READ_REPORTS: LEADS,
    Action.READ_OWN_REPORT: HANDLERS,
    # personal data (脱敏): a ticket's holder sees its requester's phone; anyone else at the
    # desk may reveal it (a call back, an escalation), and that reading is on the record
    Action.REVEAL_PHONE: ALL_ROLES,
}

#: The holder rule: on a held ticket only its holder or a lead takes these actions; anyone
#: the matrix allows takes them on a ticket nobody holds (a progress update aside: see
#: :data:`NEEDS_HOLDER`).
HOLDER_ONLY = frozenset(
    {
        Action.TRIAGE,
        Action.TRANSFER,
        Action.ESCALATE,
        Action.WORKLOG,
        Action.PROGRESS,
        Action.ESTIMATE,
        Action.PEND,
        Action.RESUME,
        Action.RELEASE,
        Action.SOLVE,
        Action.REJECT,
    }
)
#: Held-ticket actions the desk's operators also take: a repeat call is noted on the caller's
#: ticket whoever holds it (it is what the caller said, not work on the ticket).
DESK_NOTES = frozenset({Action.WORKLOG})
#: Actions that need somebody to hold the ticket. A progress update counts as contact with the
#: requester and stops the response clock (SPEC §5): on a ticket nobody holds, that would tell
#: the clock the desk has responded while nobody has taken the ticket. It is refused rather than
#: recorded as not counting, so that every progress event means what the clocks read it as, and
#: the person is told what to do (claim it first; a worklog note needs no claim).
NEEDS_HOLDER = frozenset({Action.PROGRESS})
#: On a ticket nobody holds, these are decided by its own group (a member), the desk that takes
#: the calls and dispatches them (an operator) or a lead: an agent of another group neither
#: re-triages a ticket it does not work (lowering another group's P1) nor promises its requester
#: a date for work it does not do.
GROUP_WHEN_UNHELD = frozenset({Action.TRIAGE, Action.ESTIMATE})
#: Actions on a ticket that need it open (not resolved, closed or rejected).
NEEDS_OPEN = frozenset(
    {
        Action.TRIAGE,
        Action.OVERRIDE_PRIORITY,
        Action.TRANSFER,
        Action.ESCALATE,
        Action.PROGRESS,
        Action.ESTIMATE,
        Action.ASSIGN,
        Action.LINK,
        Action.ACKNOWLEDGE_ALERT,
    }
)
#: Actions that wait while a solution awaits the requester's answer: the ticket stays with
#: whoever solved it until the desk records the confirmation or the refusal.
NOT_AWAITING = frozenset({Action.TRANSFER, Action.ESCALATE, Action.ASSIGN})


class Person(Protocol):
    """Who acts, as far as the rules care."""

    @property
    def login(self) -> str:
        """The person's login."""
        ...

    @property
    def role(self) -> Role:
        """The person's role at the desk."""
        ...

    @property
    def group_codes(self) -> frozenset[str]:
        """The codes of the person's groups."""
        ...


@dataclass(frozen=True)
class TicketFacts:
    """What the rules need to know of a ticket.

    Attributes:
        status: where it is in the workflow.
        holder: the login of whoever holds it, None if nobody does.
        tier: 1 (service desk), 2 (specialists) or 3 (vendor).
        solver: the login of whoever gave the solution now awaiting the requester's answer
            (from the ticket's events), None when there is none or it is not known.
        group: the code of the group the ticket is with, None when it is with none.
    """

    status: Status
    holder: str | None = None
    tier: int = 1
    solver: str | None = None
    group: str | None = None


class Refusal(StrEnum):
    """Why the rules refuse an action (each is an error code the catalog words)."""

    ROLE = "permission.role"
    """The person's role may not do this at all."""
    HOLDER = "permission.holder"
    """Someone else holds the ticket, and the person is an agent."""
    CLOSED = "permission.closed"
    """The ticket is no longer open (resolved, closed or rejected)."""
    NOT_CLAIMABLE = "permission.not_claimable"
    """The ticket's status does not allow a claim or a takeover."""
    HELD = "permission.held"
    """Someone else holds the ticket: a claim conflicts (a lead may take it over instead)."""
    YOURS = "permission.yours"
    """The person already holds the ticket."""
    NOBODY_HOLDS = "permission.nobody_holds"
    """A takeover of a ticket nobody holds: claim it instead."""
    TOP_TIER = "permission.top_tier"
    """The ticket is already with the vendor (L3): there is no tier above."""
    UNHELD = "permission.unheld"
    """Nobody holds the ticket, and the action needs a holder: claim it first."""
    GROUP = "permission.group"
    """Nobody holds the ticket, and the person (an agent) is not in its group."""
    SOLVER = "permission.solver"
    """The person gave the solution: the requester's answer is recorded by someone else."""
    AWAITING = "permission.awaiting"
    """The solution awaits the requester's answer: record it first."""
    ANNOUNCEMENT_STATE = "permission.announcement_state"
    """The announcement's state does not allow this (a draft is not published, …)."""
    ANNOUNCEMENT_GROUP = "permission.announcement_group"
    """Only the owning group's members write its announcements (the desk does not edit them)."""
    OWN_ANNOUNCEMENT = "permission.own_announcement"
    """Whoever wrote the words under review (the author, or anyone who changed them since the
    last approval) may not approve them."""
    DESK_NO_EDIT = "permission.desk_no_edit"
    """The desk publishes another group's announcement as written: it returns a doubt instead."""
    NOT_WITHDRAWER = "permission.not_withdrawer"
    """Only the desk, the owning group's lead or the author withdraws an announcement."""
    NOT_REVIEWER = "permission.not_reviewer"
    """Only the owning group's lead or a duty lead reviews an announcement."""
    KB_AUTHOR = "permission.kb_author"
    """The person wrote the article: someone else reviews it."""
    KB_REVIEWER = "permission.kb_reviewer"
    """Neither a duty lead nor the lead of the article's group."""
    KB_OWNER = "permission.kb_owner"
    """Someone else's draft: only its author or a duty lead changes or submits it."""
    KB_STATE = "permission.kb_state"
    """The article's state does not allow this (a retired article, a draft under review …)."""
    KB_UNAPPROVED = "permission.kb_unapproved"
    """The article has not been approved by a reviewer: it cannot be published yet."""
    KB_PUBLISHED = "permission.kb_published"
    """The article is published already."""


def role_may(role: Role, action: Action) -> bool:
    """The role may take the action at all (on some ticket)."""
    return Role(role) in ROLES[action]


def refusal(person: Person, action: Action, ticket: TicketFacts | None = None) -> Refusal | None:
    """Why ``person`` may not take ``action`` (on ``ticket``), or None when they may.

    The workflow's own conditions (which status may follow which, a required note) are
    :mod:`deskui.core.workflow`'s; this decides the person's part and the ticket's state.
    """
    if not role_may(person.role, action):
        return Refusal.ROLE
    if ticket is None:
        return None
    holder = ticket.holder
    if action in NEEDS_OPEN and not ticket.status.is_open:
        return Refusal.CLOSED
    if action == Action.WORKLOG and ticket.status == Status.CLOSED:
        return Refusal.CLOSED
    if action in NOT_AWAITING and ticket.status == Status.AWAITING_CONFIRMATION:
        return Refusal.AWAITING
    if action in (Action.CLAIM, Action.TAKE_OVER):
        return _claim_refusal(person, action, ticket)
    if action == Action.ESCALATE and ticket.tier >= TOP_TIER:
        return Refusal.TOP_TIER
    if action == Action.CONFIRM and ticket.solver == person.login:
        return Refusal.SOLVER
    if action in NEEDS_HOLDER and holder is None:
        return Refusal.UNHELD
    if action in GROUP_WHEN_UNHELD and holder is None and not answers_for(person, ticket.group):
        return Refusal.GROUP
    desk_note = action in DESK_NOTES and Role(person.role) == Role.OPERATOR
    if action in HOLDER_ONLY and not desk_note and not holds_or_leads(person, holder):
        return Refusal.HOLDER
    return None


def sees_phone(person: Person, ticket: TicketFacts) -> bool:
    """The person holds the ticket: its requester's phone is shown them whole, unasked."""
    return ticket.holder is not None and ticket.holder == person.login


def report_action(person: Person, agent: str | None) -> Action:
    """The action reading a report is: one's own (scoped to oneself), or anybody's."""
    return (
        Action.READ_OWN_REPORT
        if agent is not None and agent == person.login
        else Action.READ_REPORTS
    )


def reports_only_own(person: Person) -> bool:
    """The person reads their own figures and nobody else's: the report's scope is them."""
    return role_may(person.role, Action.READ_OWN_REPORT) and not role_may(
        person.role, Action.READ_REPORTS
    )


def works_own_groups_first(person: Person) -> bool:
    """The person's queue opens on their groups' tickets: an agent works what their groups get."""
    return Role(person.role) == Role.AGENT


def sees_calendar_warning(person: Person) -> bool:
    """The person is told the desk's holiday schedule for a coming year is missing: an admin,
    who can enter it, or a duty lead, who must know the clocks will run on those days."""
    return Role(person.role) in LEADS


def holds_or_leads(person: Person, holder: str | None) -> bool:
    """The holder rule's test: nobody holds the ticket, the person does, or they are a lead."""
    return holder in (None, person.login) or Role(person.role) in LEADS


def answers_for(person: Person, group: str | None) -> bool:
    """The person speaks for a ticket of ``group`` that nobody holds: a member of the group, the
    desk's operator who dispatched it, or a lead (a ticket with no group is anyone's)."""
    role = Role(person.role)
    return group is None or role in LEADS or role == Role.OPERATOR or group in person.group_codes


def _claim_refusal(person: Person, action: Action, ticket: TicketFacts) -> Refusal | None:
    if ticket.status not in CLAIMABLE:
        return Refusal.NOT_CLAIMABLE
    if action == Action.CLAIM:
        return Refusal.HELD if ticket.holder not in (None, person.login) else None
    if ticket.holder is None:
        return Refusal.NOBODY_HOLDS
    return Refusal.YOURS if ticket.holder == person.login else None


def allows(person: Person, action: Action, ticket: TicketFacts | None = None) -> bool:
    """``person`` may take ``action`` (on ``ticket``) now."""
    return refusal(person, action, ticket) is None


def may_claim_now(person: Person, ticket: TicketFacts) -> bool:
    """A claim would make ``person`` the owner now: allowed, and not already theirs.

    A ticket routed straight to a person (a complaint to a lead) still waits for them to
    accept it by claiming, so one they hold that is new or to be assigned counts as claimable.
    """
    if not allows(person, Action.CLAIM, ticket):
        return False
    return ticket.holder != person.login or ticket.status in (Status.NEW, Status.TO_ASSIGN)


class ArticleState(StrEnum):
    """A knowledge-base article's state: draft → in review → published → retired."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETIRED = "retired"


@dataclass(frozen=True)
class ArticleFacts:
    """What the rules need to know of an article.

    Attributes:
        state: where it stands.
        author: its author's login.
        group_lead: the login of the lead of the article's group, if it has one.
        approved: a reviewer approved this version.
    """

    state: ArticleState
    author: str
    group_lead: str | None = None
    approved: bool = False


def may_review(person: Person, article: ArticleFacts) -> bool:
    """A duty lead (or admin), or the lead of the article's group."""
    return Role(person.role) in LEADS or (
        article.group_lead is not None and article.group_lead == person.login
    )


def article_refusal(
    person: Person, action: Action, article: ArticleFacts | None = None
) -> Refusal | None:
    """Why ``person`` may not take the knowledge-base ``action`` (on ``article``), or None.

    - Anyone drafts; a draft is changed and submitted by its author or a duty lead; editing a
      published article makes a new version (anyone), reviewed again.
    - Reviewing (approve, or return with a comment) is a duty lead's or the lead of the
      article's group, never the author's, on an article in review not yet approved.
    - An approved article is published by whoever may review it, or its author.
    - A published article is retired by whoever may review it.
    """
    if not role_may(person.role, action):
        return Refusal.ROLE
    if article is None:
        return None
    state, author = article.state, article.author == person.login
    lead = Role(person.role) in LEADS
    if action == Action.KB_DRAFT:
        if state == ArticleState.PUBLISHED:
            return None
        if state != ArticleState.DRAFT:
            return Refusal.KB_STATE
        return None if author or lead else Refusal.KB_OWNER
    if action == Action.KB_SUBMIT:
        if state != ArticleState.DRAFT:
            return Refusal.KB_STATE
        return None if author or lead else Refusal.KB_OWNER
    if action == Action.KB_REVIEW:
        if state != ArticleState.IN_REVIEW or article.approved:
            return Refusal.KB_STATE
        if author:
            return Refusal.KB_AUTHOR
        return None if may_review(person, article) else Refusal.KB_REVIEWER
    if action == Action.KB_PUBLISH:
        if state == ArticleState.PUBLISHED:
            return Refusal.KB_PUBLISHED
        if state != ArticleState.IN_REVIEW:
            return Refusal.KB_STATE
        if not article.approved:
            return Refusal.KB_UNAPPROVED
        return None if author or may_review(person, article) else Refusal.KB_REVIEWER
    if action == Action.KB_RETIRE:
        if state != ArticleState.PUBLISHED:
            return Refusal.KB_STATE
        return None if may_review(person, article) else Refusal.KB_REVIEWER
    return None
