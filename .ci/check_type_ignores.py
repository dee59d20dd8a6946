"""Refuse a ``type: ignore`` comment that does not say what it silences and why.

Accepted: ``x = f()  # type: ignore[attr-defined]  # the stub lacks the 3.12 keyword`` — an
error code in brackets, then on the same line a comment giving the reason. Refused: a bare
ignore (no code: it would hide any error, including the next one), an ignore with codes and no
reason, and a "reason" that is only another tool's directive (``# noqa``).

Comments are found with :mod:`tokenize`, so the words inside a string are not comments.

Usage: ``python .ci/check_type_ignores.py [PATH ...]`` (default: ``deskui tests``). Prints
``path:line: problem`` for each offence and exits 1 if there is any.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path

DEFAULT_PATHS = ("deskui", "tests")

#: mypy's own spelling is lenient about spaces: ``#type:ignore`` is an ignore too
_IGNORE = re.compile(r"#\s*type\s*:\s*ignore\b")
#: codes in brackets right after the ignore, then what follows
_CODES = re.compile(r"\[\s*[a-z][a-z0-9-]*(\s*,\s*[a-z][a-z0-9-]*)*\s*\]")
#: a reason is a further comment with words in it, not another tool's directive
_REASON = re.compile(r"^\s*#\s*(?!(noqa|type\s*:|pragma|pyright\s*:)\b)\S.*[A-Za-z]")


def problems_in_source(source: str) -> Iterator[tuple[int, str]]:
    """The line and the complaint for each ``type: ignore`` in ``source`` that lacks a reason.

    Args:
        source: the text of a Python module.

    Raises:
        tokenize.TokenError, SyntaxError: the text is not Python.
    """
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        comment = token.string
        for found in _IGNORE.finditer(comment):
            line = token.start[0]
            rest = comment[found.end() :]
            codes = _CODES.match(rest)
            if codes is None:
                yield line, "bare `type: ignore`: name the error code (`type: ignore[arg-type]`)"
                continue
            if not _REASON.match(rest[codes.end() :]):
                yield line, "`type: ignore` without a reason: add `  # why` on the same line"


def python_files(paths: Iterable[str]) -> Iterator[Path]:
    """Every ``.py`` file under ``paths`` (files are taken as they are), in a stable order."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        else:
            yield path


def main(argv: list[str]) -> int:
    """Check the files; print each offence; 1 if there was any, else 0."""
    offences = 0
    for path in python_files(argv or DEFAULT_PATHS):
        try:
            found = list(problems_in_source(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, SyntaxError, tokenize.TokenError) as exc:
            found = [(1, f"cannot be read as Python: {exc}")]
        for line, problem in found:
            print(f"{path}:{line}: {problem}")
        offences += len(found)
    if offences:
        print(f"{offences} `type: ignore` comment(s) without a code and a reason", file=sys.stderr)
    return 1 if offences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
