"""One translation catalog for Chinese (简体) and English.

Every user-visible string is looked up here by key. The catalog is the union of the TOML files
in ``deskui/locales/``, one file per part of the console, each entry giving ``zh`` and ``en``::

    ["status.in_progress"]
    zh = "处理中"
    en = "In progress"

A sentence that counts something has its singular beside it, ``en_one``, used when the value
``count`` is 1 (Chinese has no plural: ``zh`` serves every count)::

    ["queue.count"]
    zh = "共 {count} 张"
    en = "{count} tickets"
    en_one = "{count} ticket"
"""

from __future__ import annotations

import locale
import os
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LANGUAGES = ("zh", "en")
LOCALES = Path(__file__).parent / "locales"


@cache
def _entries() -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES.glob("*.toml")):
        with path.open("rb") as handle:
            for key, value in tomllib.load(handle).items():
                if key in entries:
                    raise ValueError(f"{path.name}: {key!r} is defined twice in the catalog")
                entries[key] = value
    return entries


def detect_language(explicit: str | None = None) -> str:
    """``--lang`` / ``DESKUI_LANG`` if given, else the locale (Chinese locales give ``zh``)."""
    if explicit:
        if explicit not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        return explicit
    for name in ("DESKUI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    found = locale.getlocale()[0] or ""
    return "zh" if found.lower().startswith("zh") else "en"


class Catalog:
    """Translations in one language.

    Args:
        lang: ``zh`` or ``en``.
    """

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
        self.lang = lang
        self._entries = _entries()

    def __call__(self, key: str, **values: object) -> str:
        """The text of ``key`` with ``{placeholders}`` filled (the singular of a ``count`` of 1,
        where the language has one); a missing key shows as itself."""
        entry = self._entries.get(key)
        if entry is None:
            return key
        text = entry.get(self.lang) or entry.get("en") or key
        if values.get("count") == 1:
            text = entry.get(f"{self.lang}_one", text)
        return text.format(**values) if values else text

    def pick(self, zh: str, en: str) -> str:
        """Of a value the desk keeps in both languages (a group's name), the one to show."""
        return zh if self.lang == "zh" else en

    def join(self, items: Iterable[str], key: str = "shell.sep.list") -> str:
        """Items joined as the language lists them (``、`` or ``, ``; ``key`` names another
        separator, e.g. ``shell.sep.clause``)."""
        return self(key).join(items)

    def has(self, key: str) -> bool:
        """The catalog knows ``key``."""
        return key in self._entries

    @staticmethod
    def keys() -> list[str]:
        """Every key of the catalog."""
        return list(_entries())


def minutes_text(minutes: int, t: Catalog) -> str:
    """Time worked as the desk says it: ``45 分钟`` / ``45 min``, ``2 小时 5 分钟`` /
    ``2 h 5 min``."""
    if minutes < 60:
        return t("detail.worked.minutes", minutes=minutes)
    return t("detail.worked.hours", hours=minutes // 60, minutes=minutes % 60)
