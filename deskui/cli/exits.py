"""The exit codes of the ``deskui`` command, as the README documents them.

A script can tell what went wrong without reading the message: bad input, something that does
not exist, a conflict with another user, a refusal of the rules, or a database that cannot be
used right now (unreachable, or busy with another console's unfinished change).
"""

from __future__ import annotations

from deskui.services.errors import (
    AlreadyAcknowledged,
    ClaimConflict,
    CloseRefused,
    DatabaseUnavailable,
    DeskBusy,
    IdentityRefused,
    NotFound,
    NumberTaken,
    PasswordRequired,
    PermissionDenied,
    SaveConflict,
    SchemaMismatch,
    ServiceError,
    StaleEdit,
)

OK = 0
#: Bad input: a missing or malformed field, a value the rules refuse; nothing was written.
INPUT = 2
#: No such ticket, user, requester or group.
NOT_FOUND = 3
#: Someone else got there first: the ticket is held by another, or changed since it was read, or
#: another console saved the same thing at the same moment (nothing was saved; try again), or
#: someone acknowledged the board's alerts first.
CONFLICT = 4
#: The rules do not allow this person this action, or the person at the console is not who
#: ``--as`` names (nor someone they may act for), or is nobody at this desk.
NOT_ALLOWED = 5
#: The database cannot be used right now: it cannot be reached or opened, or another console's
#: unfinished change held it past the lock wait (the message says which). Nothing was written;
#: the same command may be run again. Also a schema this deskui cannot use: newer than it
#: (upgrade deskui), or a shared desk's that is behind (its owner runs ``deskui db upgrade``), or
#: one that cannot be told (a revision no deskui writes, or none on a desk that has tables). And
#: a shared desk's server that asks for a password not given (``PGPASSWORD``, ``~/.pgpass``) or
#: refuses the one given.
DATABASE = 6
#: ``deskui audit verify`` found the record broken: an event rewritten, deleted, inserted or
#: reordered, a ticket or setting changed without an event, or not the digest expected. Also an
#: intake refused because the day's number counter was lowered by hand (a retry fails alike).
AUDIT_BROKEN = 7
#: Standard output was closed by its reader before everything was written (``deskui ticket list |
#: head -1``): the command stops quietly, as a Unix tool killed by ``SIGPIPE`` does, with the code
#: a shell reports for one (128 + 13). Whatever the command changed was saved before its output
#: was cut short; a pipeline under ``set -o pipefail`` sees the same as with ``cat`` or ``grep``.
PIPE_CLOSED = 141


def exit_code(error: ServiceError) -> int:
    """The exit code that reports ``error``."""
    if isinstance(error, NumberTaken):
        return AUDIT_BROKEN
    if isinstance(error, DatabaseUnavailable | DeskBusy | SchemaMismatch | PasswordRequired):
        return DATABASE
    if isinstance(error, NotFound):
        return NOT_FOUND
    if isinstance(error, ClaimConflict | StaleEdit | SaveConflict | AlreadyAcknowledged):
        return CONFLICT
    if isinstance(error, PermissionDenied | IdentityRefused | CloseRefused):
        return NOT_ALLOWED
    return INPUT
