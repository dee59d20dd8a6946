"""What a use case refuses, with a message a person can act on."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused use case. Nothing was written.

    Attributes:
        field: the input field at fault, when one is.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ValidationFailed(ServiceError):
    """Input that the rules refuse; ``errors`` lists every field at fault."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        first_field, first_message = errors[0]
        super().__init__(first_message, field=first_field)

    def __str__(self) -> str:
        return "; ".join(f"{f}: {m}" for f, m in self.errors)


class NotFound(ServiceError):
    """No such ticket, user, requester or group."""


class PermissionDenied(ServiceError):
    """The actor's role does not allow this."""


class StaleEdit(ServiceError):
    """The ticket changed since the edit was started; nothing was overwritten.

    Attributes:
        current_version: the version now in the database.
    """

    def __init__(self, message: str, *, current_version: int) -> None:
        super().__init__(message)
        self.current_version = current_version


class ClaimConflict(ServiceError):
    """Someone else holds the ticket.

    Attributes:
        holder: the login of whoever has it.
    """

    def __init__(self, message: str, *, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


# interim: the structured DatabaseUnavailable of the services replaces this re-export
from deskui.store.db import DatabaseUnavailable as DatabaseUnavailable  # noqa: E402
