"""Typed settings (DESKUI_* environment, command-line flags, defaults) and file locations."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from deskui.core.data_files import data_dir

APP_NAME = "deskui"
RULE_FILES = ("desk", "matrix", "sla", "calendar", "routing", "groups")


def user_data_dir() -> Path:
    """The user's own data directory, where the embedded database lives."""
    override = os.environ.get("DESKUI_HOME")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


#: The operating-system group that shares a new SQLite desk among several accounts.
SHARED_GROUP_ENV = "DESKUI_DB_GROUP"
#: A shared desk's folders: the group's members read, write and enter them, nobody else; the
#: setgid bit makes every file created in them (the -wal and -shm files too) the group's.
SHARED_FOLDER_MODE = 0o2770


class DeskGroupRefused(ValueError):
    """``DESKUI_DB_GROUP`` names a group this account cannot share a desk through.

    Attributes:
        group: the group named.
        reason: ``unknown`` (no such group), ``not_member`` (this account is not in it),
            ``folder`` (the desk's folder exists but is not the group's, with its setgid bit) or
            ``unsupported`` (no operating-system groups here).
        folder: the folder at fault, for ``folder``.
    """

    def __init__(self, group: str, reason: str, folder: str = "") -> None:
        super().__init__(f"{SHARED_GROUP_ENV}={group}: {reason} {folder}".strip())
        self.group = group
        self.reason = reason
        self.folder = folder


def shared_group(environ: Mapping[str, str] | None = None) -> int | None:
    """The group id ``DESKUI_DB_GROUP`` names, None when it is not set.

    Raises:
        DeskGroupRefused: no such group, or this account is not a member.
    """
    name = (os.environ if environ is None else environ).get(SHARED_GROUP_ENV, "").strip()
    if not name:
        return None
    try:
        import grp
    except ImportError as exc:  # Windows
        raise DeskGroupRefused(name, "unsupported") from exc
    try:
        gid = grp.getgrnam(name).gr_gid
    except KeyError as exc:
        raise DeskGroupRefused(name, "unknown") from exc
    if gid != os.getegid() and gid not in os.getgroups():
        raise DeskGroupRefused(name, "not_member")
    return gid


def check_shared_folder(folder: Path, group: int, name: str) -> None:
    """A shared desk's existing folder must be the group's, with its setgid bit (what
    :func:`make_private_dirs` makes); otherwise files SQLite adds later would not be.

    Raises:
        DeskGroupRefused: ``folder`` is not so.
    """
    info = folder.stat()
    if info.st_gid != group or not info.st_mode & 0o2000:
        raise DeskGroupRefused(name, "folder", str(folder))


def make_private_dirs(path: Path, mode: int = 0o700, group: int | None = None) -> None:
    """Create the folder ``path`` and its missing parents, each new one with ``mode`` exactly
    (0700: this account alone, whatever the umask). Folders that already exist keep theirs.

    With ``group`` (a shared desk, ``DESKUI_DB_GROUP``), each new folder belongs to that group
    with mode 2770 (:data:`SHARED_FOLDER_MODE`) instead.
    """
    if group is not None:
        mode = SHARED_FOLDER_MODE
    missing: list[Path] = []
    folder = path.absolute()
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode)
        except FileExistsError:
            continue  # made meanwhile by another process, which sets its mode
        if group is not None:
            os.chown(new, -1, group)
        os.chmod(new, mode)  # after the group: a change of group may clear the setgid bit


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


class SettingInvalid(ValueError):
    """A setting's value cannot be used; names the setting (its environment variable).

    Attributes:
        name: the environment variable (``DESKUI_DB_LOCK_WAIT``).
        value: the value as given.
        whole: a whole number was expected (a count, or libpq's whole seconds).
    """

    def __init__(self, name: str, value: str, *, whole: bool = False) -> None:
        kind = "whole number" if whole else "number of seconds"
        super().__init__(f"{name}: {value!r} is not a {kind} above zero")
        self.name = name
        self.value = value
        self.whole = whole


@dataclass(frozen=True)
class DatabaseWaits:
    """How long anything that waits on the database may wait, in seconds; nothing waits forever.

    A console that stops inside its transaction (a laptop lid closed, a process stopped) holds the
    desk's write lock: every other writer waits at most :attr:`lock` for it and then is told that
    the desk is busy and nothing was saved; on PostgreSQL the server ends the stalled transaction
    after :attr:`idle_in_transaction`, which frees its locks.

    Attributes:
        lock: a writer's wait for the write lock (SQLite: the writers' turn and the busy
            timeout, together; PostgreSQL: ``lock_timeout``). Normal waits are milliseconds
            (p99 137 ms with 4 writers on one SQLite file); 10 s is well past any of them and
            still short enough to tell an agent with a caller on the line to try again.
        statement: one statement's run (PostgreSQL ``statement_timeout``). The slowest
            statement a console runs, a search's count on a million tickets, takes about a
            second; migrations are exempt. Longer than :attr:`lock`, so a lock wait is reported
            as one.
        idle_in_transaction: how long a transaction may sit with nothing to do before the server
            ends it (PostgreSQL ``idle_in_transaction_session_timeout``). deskui never waits for
            a person inside a transaction, so only a stalled console is ever idle there; 30 s
            frees the desk quickly while a collector pause (under a second) is far from it.
        connect: reaching the server (libpq ``connect_timeout``, whole seconds, at least 2).
            The server is on the desk's own network and answers in milliseconds.
        keepalive_idle: seconds of silence before TCP asks whether the server is still there
            (libpq ``keepalives_idle``).
        keepalive_interval: seconds between unanswered probes (``keepalives_interval``).
        keepalive_count: unanswered probes after which the connection is given up
            (``keepalives_count``): a server gone without a word is noticed in
            ``idle + interval × count`` = 25 s by default.
    """

    lock: float = 10.0
    statement: float = 30.0
    idle_in_transaction: float = 30.0
    connect: int = 5
    keepalive_idle: int = 10
    keepalive_interval: int = 5
    keepalive_count: int = 3

    def __post_init__(self) -> None:
        for name, variable in WAIT_VARIABLES.items():
            value = getattr(self, name)
            if not 0 < value < float("inf"):  # NaN fails this too
                whole = isinstance(getattr(type(self), name), int)
                raise SettingInvalid(variable, str(value), whole=whole)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DatabaseWaits:
        """The defaults, each replaced by its ``DESKUI_DB_*`` variable when that is set.

        Raises:
            SettingInvalid: a variable is not a number above zero (whole for the integer ones).
        """
        env = os.environ if environ is None else environ
        given: dict[str, Any] = {}
        for name, variable in WAIT_VARIABLES.items():
            raw = env.get(variable, "").strip()
            if not raw:
                continue
            whole = isinstance(getattr(cls, name), int)
            try:
                given[name] = int(raw) if whole else float(raw)
            except ValueError:
                raise SettingInvalid(variable, raw, whole=whole) from None
        return cls(**given)


#: Each of :class:`DatabaseWaits`' attributes → its environment variable.
WAIT_VARIABLES = {
    "lock": "DESKUI_DB_LOCK_WAIT",
    "statement": "DESKUI_DB_STATEMENT_TIMEOUT",
    "idle_in_transaction": "DESKUI_DB_IDLE_IN_TRANSACTION_TIMEOUT",
    "connect": "DESKUI_DB_CONNECT_TIMEOUT",
    "keepalive_idle": "DESKUI_DB_KEEPALIVES_IDLE",
    "keepalive_interval": "DESKUI_DB_KEEPALIVES_INTERVAL",
    "keepalive_count": "DESKUI_DB_KEEPALIVES_COUNT",
}


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
        waits: how long database operations may wait (``DESKUI_DB_*``, :class:`DatabaseWaits`).
        extra: anything else a command wants to carry.
    """

    database_url: str
    user: str | None = None
    lang: str | None = None
    theme: str = "dark"
    waits: DatabaseWaits = field(default_factory=DatabaseWaits)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(
        cls, *, db: str | None = None, user: str | None = None, lang: str | None = None
    ) -> Settings:
        """Flags win over the environment, which wins over defaults.

        Raises:
            SettingInvalid: a ``DESKUI_DB_*`` wait is not a positive number.
        """
        return cls(
            database_url=database_url(db),
            user=user or os.environ.get("DESKUI_USER") or None,
            lang=lang or os.environ.get("DESKUI_LANG") or None,
            theme=os.environ.get("DESKUI_THEME", "dark"),
            waits=DatabaseWaits.from_env(),
        )

    @property
    def is_sqlite(self) -> bool:
        """The database is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")
