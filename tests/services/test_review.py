"""The review view and the close dialog's reading of each ticket, on SQLite and PostgreSQL."""

from __future__ import annotations

from deskui.core.enums import Status
from deskui.core.review import Gap
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.intake import IntakeRequest
from deskui.services.queue import QueueQuery, QueueReader, QueueView
from tests.services.test_queue import fill_desk


def test_each_ticket_is_reviewed_for_what_its_record_lacks(desk: DeskService) -> None:
    names = fill_desk(desk)
    op = desk.actor("op")
    # worked without one worklog entry: the reviewer is told, and may still close it
    items = {i.number: i for i in desk.review([names["resolved"], names["awaiting"]])}
    resolved = items[names["resolved"]]
    assert resolved.gaps == (Gap.WORKLOG,) and resolved.closable
    awaiting = items[names["awaiting"]]
    assert awaiting.status == Status.AWAITING_CONFIRMATION and not awaiting.closable
    assert awaiting.gaps == (Gap.CONFIRMATION, Gap.WORKLOG)
    # a first-contact ticket reaches the review view complete
    fcr = desk.create_ticket(
        op,
        IntakeRequest(
            type="consultation",
            category="software",
            channel="phone",
            impact=3,
            urgency=4,
            summary="如何设置邮件签名",
            description="电话中指导完成",
            requester=RequesterInput(name="张三", phone="13800138000"),
            resolve_now=True,
            solution="已在电话中指导设置",
        ),
    )
    [item] = desk.review([fcr.number])
    assert item.gaps == () and item.closable
    review = QueueQuery.for_actor(op, QueueView.REVIEW)
    numbers = [r.number for r in QueueReader.of(desk).after(review, None, 50)]
    assert sorted(numbers) == sorted([names["resolved"], fcr.number])
    desk.set_status(op, fcr.number, "closed", note="已审核")
    numbers = [r.number for r in QueueReader.of(desk).after(review, None, 50)]
    assert numbers == [names["resolved"]]
    closed = QueueQuery.for_actor(op, QueueView.CLOSED)
    assert {r.number for r in QueueReader.of(desk).after(closed, None, 50)} == {
        names["closed"],
        fcr.number,
    }
