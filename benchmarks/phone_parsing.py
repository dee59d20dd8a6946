"""The phone parser on the numbering plan of ``phonenumbers`` against the hand-written one it
replaced: speed, and where their answers differ.

The hand-written parser is read from git (``--old-rev``, by default the last commit before the
change) into a module of its own; both parse the same corpus:

``spellings``  every spelling of numbers the tests know (mobiles, landlines with extensions,
    service numbers, internal extensions), each parsed many times: microseconds per parse,
    first parse (the metadata loaded) apart; the new parser from scratch each time, and then
    answering from what it remembers of the texts it saw last (as a list's repaint does);
``plan``       random landlines over every area code of both plans' knowledge and random
    mobiles over every 1xx prefix: how many each accepts without a warning, and the
    differences, grouped.

Run::

    python -m benchmarks.phone_parsing
    python -m benchmarks.phone_parsing --old-rev 5be3960 --repeat 20000
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
import types
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deskui.core import phone as current

SPELLINGS = [
    "13800138000",
    "+86 138-0013-8000",
    "0086 13800138000",
    "8613800138000",
    "155-6759-5473",
    "+86 155-6759-5473",
    "１３８００１３８０００",
    "手机：13800138000",
    "010-88888888",
    "(010) 8888-8888",
    "+86 10 8888 8888",
    "0755-88888888",
    "0755-8888888",
    "0571-87654321",
    "010-88888888 转 123",
    "010-88888888-8001",
    "010-88888888 ext 12",
    "1088888888",
    "88888888",
    "95588",
    "12345",
    "110",
    "4008108888",
    "8001",
    "分机 12",
    "0300-2345678",
]


def _old_module(rev: str) -> types.ModuleType:
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(
        ["git", "show", f"{rev}:deskui/core/phone.py"],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("deskui_core_phone_before")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:deskui/core/phone.py", "exec"), module.__dict__)
    return module


def _outcome(parse: Callable[[str], Any], text: str) -> tuple[str, ...]:
    try:
        number = parse(text)
    except ValueError as exc:
        return ("refused", str(getattr(exc, "code", type(exc).__name__)))
    return (number.kind, number.national, str(number.area_code), *number.warnings)


def _speed(
    name: str, parse: Callable[[str], Any], repeat: int, forget: Callable[[], None] | None = None
) -> None:
    started = time.perf_counter()
    for text in SPELLINGS:
        _outcome(parse, text)
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(repeat):
        if forget is not None:
            forget()  # every parse from scratch: the remembered answers measured apart
        for text in SPELLINGS:
            _outcome(parse, text)
    per = (time.perf_counter() - started) / (repeat * len(SPELLINGS)) * 1e6
    print(f"{name:22} first pass {first * 1000:8.1f} ms   then {per:7.1f} µs a parse")


def _plan_corpus(rng: random.Random, count: int) -> list[str]:
    corpus = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.4:
            corpus.append(f"1{rng.randint(30, 99)}{rng.randint(0, 99_999_999):08d}")
        elif kind < 0.7:
            area = f"0{rng.choice('12')}{rng.randint(0, 9)}"
            corpus.append(f"{area}-{rng.randint(2_000_000, 89_999_999)}")
        else:
            area = f"0{rng.randint(300, 999)}"
            corpus.append(f"{area}-{rng.randint(2_000_000, 89_999_999)}")
    return corpus


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-rev", default="5be3960", help="the commit of the old parser")
    parser.add_argument("--repeat", type=int, default=5000)
    parser.add_argument("--plan", type=int, default=20000, help="random numbers to compare")
    args = parser.parse_args()
    old = _old_module(args.old_rev)
    print(f"corpus: {len(SPELLINGS)} spellings × {args.repeat}")
    _speed("hand-written", old.parse_phone, args.repeat)
    _speed("phonenumbers", current.parse_phone, args.repeat, current._parse_remembered.cache_clear)
    _speed("phonenumbers, seen before", current.parse_phone, args.repeat)

    same = sum(_outcome(old.parse_phone, t) == _outcome(current.parse_phone, t) for t in SPELLINGS)
    print(f"spellings answered alike: {same}/{len(SPELLINGS)}")
    for text in SPELLINGS:
        before, now = _outcome(old.parse_phone, text), _outcome(current.parse_phone, text)
        if before != now:
            print(f"  {text!r}: {before} → {now}")

    corpus = _plan_corpus(random.Random(11), args.plan)
    differences: Counter[tuple[str, str]] = Counter()
    clean = {"hand-written": 0, "phonenumbers": 0}
    for text in corpus:
        before, now = _outcome(old.parse_phone, text), _outcome(current.parse_phone, text)
        clean["hand-written"] += before[0] != "refused" and len(before) == 3
        clean["phonenumbers"] += now[0] != "refused" and len(now) == 3
        if before != now:
            differences[(" ".join(before[:1] + before[3:]), " ".join(now[:1] + now[3:]))] += 1
    print(f"random numbers: {len(corpus)}; accepted without a warning: {clean}")
    for (before_kind, now_kind), count in differences.most_common(12):
        print(f"  {count:6}  {before_kind:40} → {now_kind}")


if __name__ == "__main__":
    main()
