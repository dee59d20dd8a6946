"""A consistent copy of a SQLite desk while consoles keep writing.

A plain file copy is not a backup of a WAL database: what is committed but still in the
``-wal`` file is missed, and a copy taken mid-write can be torn. SQLite's online backup API
copies the pages of one read snapshot instead; the copy is then switched out of WAL mode so it
is a complete single file, and it appears at its path only once whole (written beside it, then
renamed), readable by its owner alone.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path
from urllib.request import pathname2url


def backup_sqlite(
    source: Path, target: Path, *, force: bool = False, lock_wait: float = 10.0
) -> Path:
    """Copy the SQLite database at ``source`` to ``target``.

    Args:
        source: the desk's database file (it must exist; it is never created).
        target: where the copy goes.
        force: replace ``target`` if it exists.
        lock_wait: seconds to wait for a writer holding the database (SQLite's busy timeout).

    Returns:
        ``target``, absolute.

    Raises:
        FileExistsError: ``target`` exists and ``force`` is not given.
        sqlite3.Error: the source cannot be read.
    """
    target = target.absolute()
    if target.exists() and not force:
        raise FileExistsError(str(target))
    # mkstemp makes the file with mode 0600, in the target's directory so the rename is atomic
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        uri = f"file:{pathname2url(str(source.absolute()))}?mode=rw"
        with (
            contextlib.closing(sqlite3.connect(uri, uri=True, timeout=lock_wait)) as src,
            contextlib.closing(sqlite3.connect(temporary)) as dst,
        ):
            # one step (pages=-1): the whole copy comes from a single read snapshot
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
