"""The half-typed call as plain data, and kept on disk so that a crash or ``kill -9`` never
loses it.

:class:`IntakeDraft` is the one list of what the intake form holds: the form reads and fills its
widgets by these field names (:mod:`.form`), and a draft file is checked against their types.
No Textual here.

The intake form writes its whole state to the file at most a second after every change; a successful
save deletes it; on the next start the form offers it back. One draft per user and database
(two operators sharing a machine, or one operator on two desks, never see each other's draft).
The file is replaced atomically — written to a temporary file beside it, flushed to disk, then
renamed over the old one — so a crash in the middle of a write leaves the previous draft whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import types
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import get_args, get_origin, get_type_hints

from deskui.config import make_private_dirs, user_data_dir
from deskui.core.masking import mask_secrets

FORMAT = 1


@dataclass
class IntakeDraft:
    """Everything the intake form holds, as plain data.

    Attributes:
        lookup: what is typed in the caller field.
        requester: the picked caller (the fields of ``RequesterView``), or None.
        new_caller: the caller is being added inline.
        caller_name: inline caller's name.
        caller_phone: inline caller's phone.
        caller_department: inline caller's department.
        type: ticket type identifier.
        category: category identifier, None until chosen.
        channel: channel identifier.
        impact: 1–3.
        urgency: 1–4.
        frequency: ``continuous``/``intermittent``/``sporadic`` or None.
        resolve_now: resolved on the call (first-contact resolution).
        saved_at: ISO time of the last write (filled by the store).
    """

    lookup: str = ""
    requester: dict[str, object] | None = None
    new_caller: bool = False
    caller_name: str = ""
    caller_phone: str = ""
    caller_department: str = ""
    type: str = "incident"
    category: str | None = None
    channel: str = "phone"
    impact: int = 3
    urgency: int = 3
    summary: str = ""
    description: str = ""
    started_when: str = ""
    frequency: str | None = None
    impact_scope: str = ""
    error_message: str = ""
    tried: str = ""
    device: str = ""
    location: str = ""
    attachments: str = ""
    expected_by: str = ""
    resolve_now: bool = False
    solution: str = ""
    saved_at: str | None = field(default=None, compare=False)

    @property
    def is_blank(self) -> bool:
        """Nothing was typed or chosen: the form as it opens."""
        return self == IntakeDraft()

    def to_json(self) -> dict[str, object]:
        """The file's content."""
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: object) -> IntakeDraft | None:
        """A draft read back; None when the file holds something else.

        Unknown keys are ignored and values of the wrong kind fall back to the default, so a
        draft written by another version of the console still restores what it can.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        draft = cls()
        for name, kind in FIELD_TYPES.items():
            if name in data and fits(kind, data[name]):
                setattr(draft, name, data[name])
        return draft


#: Every field of the draft and the type it holds (the draft file is checked against these).
FIELD_TYPES: dict[str, object] = get_type_hints(IntakeDraft)


#: The draft's free-text fields (every text field but the caller's and the chosen identifiers): a
#: password read out on the call is masked in them before the draft reaches the disk, as it is
#: before the ticket reaches the database.
FREE_TEXT = tuple(
    name
    for name, kind in FIELD_TYPES.items()
    if kind is str
    and name
    not in ("lookup", "caller_name", "caller_phone", "caller_department", "type", "channel")
)


def fits(kind: object, value: object) -> bool:
    """``value`` is of the type ``kind`` (one of :data:`FIELD_TYPES`)."""
    if isinstance(kind, types.UnionType):
        return any(fits(option, value) for option in get_args(kind))
    if kind is type(None):
        return value is None
    if kind is int:
        return type(value) is int  # a bool is an int too, and is not a choice
    origin = get_origin(kind)
    if isinstance(origin, type):
        return isinstance(value, origin)
    return isinstance(kind, type) and isinstance(value, kind)


def masked(draft: IntakeDraft) -> IntakeDraft:
    """A copy of ``draft`` with the secrets in its free text masked (:func:`mask_secrets`)."""
    copy = replace(draft)
    for name in FREE_TEXT:
        setattr(copy, name, mask_secrets(getattr(draft, name)))
    return copy


def draft_path(login: str, database_url: str, directory: Path | None = None) -> Path:
    """Where the draft of ``login`` on the database at ``database_url`` lives.

    The database is named by a hash of its URL: the URL may carry a password and does not make
    a valid file name.
    """
    digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:12]
    safe_login = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in login)
    return (directory or user_data_dir() / "drafts") / f"intake-{safe_login}-{digest}.json"


class DraftStore:
    """Reads, writes and deletes one draft file; safe to call from worker threads.

    Writes carry a sequence number so that a slow write of an older state can never land after
    a newer one, even when two worker threads overlap.

    Args:
        path: the draft file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._written = 0

    @property
    def written(self) -> int:
        """The newest form state this store has written or cleared."""
        with self._lock:
            return self._written

    def save(self, draft: IntakeDraft, sequence: int, saved_at: str) -> bool:
        """Replace the file with ``draft`` unless a newer state was already written.

        Returns:
            True when this state was written.
        """
        with self._lock:
            if sequence <= self._written:
                return False
            self._written = sequence
            draft.saved_at = saved_at
            self._write(json.dumps(masked(draft).to_json(), ensure_ascii=False, indent=1))
            return True

    def _write(self, text: str) -> None:
        make_private_dirs(self.path.parent)
        handle, temporary = tempfile.mkstemp(
            prefix=self.path.stem + ".", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            # a draft holds callers' personal data: readable by its owner only
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        self._sync_directory()

    def _sync_directory(self) -> None:
        # the rename is only durable once the directory entry is on disk too
        with contextlib.suppress(OSError):
            fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def load(self) -> IntakeDraft | None:
        """The saved draft, or None if there is none (or it cannot be read)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return None
        try:
            draft = IntakeDraft.from_json(json.loads(text))
        except ValueError:
            return None
        return None if draft is None or draft.is_blank else draft

    def clear(self, sequence: int) -> None:
        """Delete the draft (the call was saved, or the form emptied).

        Args:
            sequence: the form state this clearing belongs to; older writes still in flight
                are then refused.
        """
        with self._lock:
            self._written = max(self._written, sequence)
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
