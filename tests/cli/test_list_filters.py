"""``deskui ticket list``: every filter of the queue's filter bar, the search included (the
desk's Chinese-aware text index), alone and together, and bad values as bad input."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import db, run
from tests.cli.test_lifecycle import create, listed

__all__ = ["db"]  # the fixture, shared with the other command-line tests


def test_list_searches_words_names_phones_and_numbers(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    floor = create(capsys, monkeypatch, db)  # 张三 +86 138-0013-8000: 五楼无法上网
    printer = create(
        capsys,
        monkeypatch,
        db,
        requester={"name": "李四", "phone": "13911112222"},
        summary="会议室打印机卡纸",
        description="打印到一半就停住，电脑也无法访问内网和外网",
        category="hardware",
    )

    def found(*args: str) -> list[str]:
        code, numbers, err = listed(capsys, monkeypatch, db, *args)
        assert code == 0, err
        return sorted(numbers)

    assert found("--search", "打印") == [printer]  # a word inside a sentence
    assert found("--search", "上网") == [floor]
    assert found("--search", "zhangsan") == [floor]  # the requester's name in pinyin
    assert found("--search", "lisi") == [printer]
    assert found("--search", "138 0013 8000") == [floor]  # a phone in any format
    assert found("--search", "+86-139-1111-2222") == [printer]
    assert found("--search", printer.lower()) == [printer]
    assert found("--search", floor[-3:]) == [floor]  # a number's tail
    assert found("--search", "交换机 五楼") == [floor]  # every word
    assert found("--search", "打印", "--category", "network") == []
    assert found("--search", "打印", "--status", "new", "--status", "to_assign") == [printer]
    assert found("--search", "内网") == [printer]  # two characters a segmenter cut apart
    assert found("--search", "(+86)13911112222") == [printer]


def test_a_search_looks_through_closed_tickets_too(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = create(capsys, monkeypatch, db, summary="密码重置", category="account")
    code, _, err = run(
        capsys,
        monkeypatch,
        ["ticket", "status", number, "rejected", "--note", "重复来电", "--db", db, "--as", "op"],
    )
    assert code == 0, err
    assert listed(capsys, monkeypatch, db, "--search", "密码")[1] == [number]
    assert listed(capsys, monkeypatch, db)[1] == [], "without a search: the open tickets"
    assert listed(capsys, monkeypatch, db, "--search", "密码", "--status", "new")[1] == []


def test_list_filters_by_group_and_assignee(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    held = create(capsys, monkeypatch, db)
    free = create(capsys, monkeypatch, db, summary="六楼无法上网")
    code, _, err = run(capsys, monkeypatch, ["ticket", "claim", held, "--db", db, "--as", "agent1"])
    assert code == 0, err
    assert listed(capsys, monkeypatch, db, "--assignee", "agent1")[1] == [held]
    assert listed(capsys, monkeypatch, db, "--assignee", "-")[1] == [free]
    both = listed(capsys, monkeypatch, db, "--group", "network", "--priority", "P1")[1]
    assert sorted(both) == sorted([held, free])
    assert listed(capsys, monkeypatch, db, "--group", "network", "--priority", "P4")[1] == []


@pytest.mark.parametrize(
    ("args", "code", "field"),
    [
        (["--from", "2026-02-30"], 2, "from"),
        (["--to", "2026-11-02T25:00"], 2, "to"),
        (["--status", "open"], 2, "status"),
        (["--priority", "P0"], 2, "priority"),
        (["--group", "nosuch"], 3, "group"),
        (["--assignee", "nobody"], 3, "assignee"),
        (["--search", "%"], 2, "search"),  # no word to search for: said, not silence
        (["--search", "网"], 2, "search"),
    ],
)
def test_a_bad_filter_exits_with_its_code(
    db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    code: int,
    field: str,
) -> None:
    exit_code, _, err = listed(capsys, monkeypatch, db, *args)
    assert exit_code == code and field in err, err
