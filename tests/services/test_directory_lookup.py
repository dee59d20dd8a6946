"""The caller directory against hostile and unusual input, on SQLite and PostgreSQL: any spelling
of a phone number, ``%`` and ``_`` taken literally, extensions in other scripts' digits, and a VIP
flag the directory contradicts."""

from __future__ import annotations

from typing import Any

import pytest

from deskui.core.enums import EventKind
from deskui.services.desk import DeskService
from deskui.services.directory import RequesterInput
from deskui.services.errors import ValidationFailed
from tests.core.test_phone import ONE_MOBILE_SPELLED
from tests.services.test_intake import call


def _log(desk: DeskService, **caller: Any) -> None:
    desk.create_ticket(desk.actor("op"), call(requester=RequesterInput(**caller)))


def _names(desk: DeskService, query: str) -> list[str]:
    return [view.name for view in desk.search_requesters(query)]


@pytest.mark.parametrize("query", [*ONE_MOBILE_SPELLED, "6759-5473", "155-67"])
def test_any_spelling_of_a_number_finds_the_caller(desk: DeskService, query: str) -> None:
    _log(desk, name="李雷", phone="155 6759 5473")
    _log(desk, name="韩梅梅", phone="139 0000 1111")
    assert _names(desk, query) == ["李雷"]


def test_percent_and_underscore_are_matched_as_themselves(desk: DeskService) -> None:
    _log(desk, name="A_B", phone="13800000001", employee_id="E_1")
    _log(desk, name="AxB", phone="13800000002", employee_id="EX1")
    _log(desk, name="100%满意", phone="13800000003")
    assert _names(desk, "A_B") == ["A_B"]
    assert _names(desk, "E_") == ["A_B"]
    assert _names(desk, "%") == ["100%满意"]
    assert _names(desk, "_") == ["A_B"]
    assert _names(desk, "/") == []  # the escape character itself is literal too


def test_an_extension_in_arabic_indic_digits_is_accepted(desk: DeskService) -> None:
    _log(desk, name="Omar", phone="13800000004", extension="٨٠٠١")
    views = desk.search_requesters("8001")
    assert [(v.name, v.extension) for v in views] == [("Omar", "8001")]
    assert _names(desk, "٨٠٠١") == ["Omar"]


def test_an_extension_that_is_not_digits_is_refused(desk: DeskService) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _log(desk, name="Omar", phone="13800000004", extension="80a1")
    assert [p.field for p in caught.value.problems] == ["requester.extension"]


def test_a_vip_claim_the_directory_contradicts_is_kept_on_the_ticket(desk: DeskService) -> None:
    _log(desk, name="张三", phone="138-0013-8000")
    claimed = desk.create_ticket(
        desk.actor("op"),
        call(requester=RequesterInput(name="张三", phone="13800138000", vip=True, vip_claim=True)),
    )
    assert claimed.vip is False and claimed.requester.vip is False
    claims = [e for e in claimed.events if e.kind == EventKind.VIP_CLAIM]
    assert [(e.field, e.old_value, e.new_value) for e in claims] == [("vip", "no", "yes")]
    # a claim that agrees, or no claim at all, leaves nothing to look at
    for agreeing in (False, None):
        view = desk.create_ticket(
            desk.actor("op"),
            call(requester=RequesterInput(name="张三", phone="13800138000", vip_claim=agreeing)),
        )
        assert not [e for e in view.events if e.kind == EventKind.VIP_CLAIM]


def test_a_new_caller_takes_the_claimed_flag(desk: DeskService) -> None:
    view = desk.create_ticket(
        desk.actor("op"),
        call(requester=RequesterInput(name="王五", phone="13700000000", vip=True, vip_claim=True)),
    )
    assert view.vip is True
    assert not [e for e in view.events if e.kind == EventKind.VIP_CLAIM]
