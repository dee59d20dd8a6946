"""Typed settings (DESKUI_* environment, command-line flags, defaults) and file locations."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "deskui"
RULE_FILES = ("desk", "matrix", "sla", "calendar", "routing", "groups")


def data_dir() -> Path:
    """Where the shipped configuration lives: inside the wheel, or the repository's data/."""
    packaged = Path(__file__).parent / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "data"


def user_data_dir() -> Path:
    """The user's own data directory, where the embedded database lives."""
    override = os.environ.get("DESKUI_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def default_database_path() -> Path:
    """The embedded SQLite database of a one-machine desk."""
    return user_data_dir() / "deskui.db"


def database_url(value: str | None) -> str:
    """Turn ``--db`` / ``DESKUI_DATABASE_URL`` into an SQLAlchemy URL.

    A bare path is a SQLite file; ``postgresql://`` gets the psycopg 3 driver.
    """
    raw = value or os.environ.get("DESKUI_DATABASE_URL") or str(default_database_path())
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if "://" in raw:
        return raw
    if raw == ":memory:":
        return "sqlite://"
    return f"sqlite:///{Path(raw).expanduser().resolve()}"


def load_toml(name: str, directory: Path | None = None) -> dict[str, Any]:
    """Read one rule file of data/ (``matrix`` → ``data/matrix.toml``).

    Raises:
        ValueError: the file is not valid TOML, naming the file.
    """
    path = (directory or data_dir()) / f"{name}.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: {exc}") from exc


def load_rule_files(directory: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every rule file of data/, by name."""
    return {name: load_toml(name, directory) for name in RULE_FILES}


@dataclass
class Settings:
    """What a run of deskui is pointed at.

    Attributes:
        database_url: SQLAlchemy URL of the desk's database.
        user: login of the person at the keyboard (``--as`` / ``DESKUI_USER``).
        lang: ``zh`` or ``en`` (``--lang`` / ``DESKUI_LANG``), ``None`` to follow the locale.
        theme: ``dark`` or ``light``.
        extra: anything else a command wants to carry.
    """

    database_url: str
    user: str | None = None
    lang: str | None = None
    theme: str = "dark"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(
        cls, *, db: str | None = None, user: str | None = None, lang: str | None = None
    ) -> Settings:
        """Flags win over the environment, which wins over defaults."""
        return cls(
            database_url=database_url(db),
            user=user or os.environ.get("DESKUI_USER") or None,
            lang=lang or os.environ.get("DESKUI_LANG") or None,
            theme=os.environ.get("DESKUI_THEME", "dark"),
        )

    @property
    def is_sqlite(self) -> bool:
        """The database is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")
