"""The console speaks from one catalog, in both languages, and no English reaches the Chinese UI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deskui.core.permissions import Action
from deskui.i18n import Catalog

PACKAGE = Path(__file__).resolve().parents[2] / "deskui"
CONSOLE = [
    PACKAGE / "app.py",
    *PACKAGE.glob("console/**/*.py"),
    *PACKAGE.glob("screens/**/*.py"),
    *PACKAGE.glob("widgets/**/*.py"),
]
NAMESPACES = ("shell", "queue", "detail", "board", "intake", "field", "status", "priority")
LITERAL = re.compile(r"(?<!id=)[\"']((?:" + "|".join(NAMESPACES) + r")\.[a-z0-9_.]*[a-z0-9_])[\"']")
DESK_KEY = re.compile(r"desk_key\(\s*\"[^\"]+\",\s*\"[^\"]+\",\s*\"([a-z_.]+)\"")
#: Latin words a Chinese desk writes as they are.
LATIN_IN_CHINESE = {"VIP", "IT", "Ctrl", "ctrl", "Alt", "Enter", "Esc", "Tab", "Space", "IM", "SLA"}
LATIN_IN_CHINESE |= {"YYYY", "ISO", "JSON", "true", "false"}  # formats and literal values
LATIN_IN_CHINESE |= {"deskui", "PostgreSQL"}  # the program's name, the database's
#: Entries that quote a command line (commands and flags are typed as they are).
COMMAND_LINES = ("shell.cli.", "shell.textual.", "error.user.missing", "error.user.unknown")


def catalog_keys_in_code() -> set[str]:
    keys: set[str] = set()
    for path in CONSOLE:
        text = path.read_text(encoding="utf-8")
        keys |= {k for k in LITERAL.findall(text) if not k.endswith(".tcss")}
        for name in DESK_KEY.findall(text):
            keys |= {name, f"{name}.tip"}
    return keys


def test_the_console_code_names_catalog_entries_that_exist_in_both_languages() -> None:
    keys = catalog_keys_in_code()
    assert len(keys) > 150, "the scan found the console's keys"
    for lang in ("zh", "en"):
        t = Catalog(lang)
        assert not sorted(k for k in keys if not t.has(k)), lang


@pytest.mark.parametrize("action", list(Action))
def test_every_action_has_a_name_in_both_languages(action: Action) -> None:
    for lang in ("zh", "en"):
        assert Catalog(lang).has(f"error.action.{action}")


def test_no_english_in_the_chinese_catalog() -> None:
    zh = Catalog("zh")
    offenders = []
    for key in Catalog.keys():  # noqa: SIM118 - keys() is the catalog's own listing
        text = re.sub(r"\{[a-z_]+\}", "", zh(key))  # placeholders are filled at run time
        # commands are typed as they are: quoted ones, flags, and names like pg_dump
        text = re.sub(r"`[^`]*`|--[\w-]+|\b\w*_\w*\b", "", text)
        words = set(re.findall(r"[A-Za-z]{3,}", text)) - LATIN_IN_CHINESE
        if words and not key.startswith(COMMAND_LINES):
            offenders.append((key, sorted(words)))
    assert not offenders


def test_a_count_of_one_reads_in_the_singular_in_english_only() -> None:
    en, zh = Catalog("en"), Catalog("zh")
    assert en("queue.count", count=1) == "1 ticket"
    assert en("queue.count", count=2) == "2 tickets"
    assert en("queue.count", count=0) == "0 tickets"
    assert en("lifecycle.close.title", count=1) == "Review and close 1 ticket"
    assert en("lifecycle.close.title", count=3) == "Review and close 3 tickets"
    assert zh("queue.count", count=1) == "共 1 张"  # Chinese has no plural
    assert zh("queue.count", count=2) == "共 2 张"
