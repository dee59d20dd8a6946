"""What went wrong, in the operator's language.

The services refuse with a code, the field at fault and parameters
(:class:`~deskui.services.errors.ServiceError`); the catalog words each code (``error.<code>``)
in Chinese and English. Nothing here reads an error's English message: an unexpected failure is
named by its kind only, and the details go to the log.
"""

from __future__ import annotations

from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.errors import ServiceError

#: Parameters that hold one of the desk's identifiers, worded through the catalog
#: (``role`` = ``agent`` → ``role.agent`` → 技术支持工程师).
WORDED_PARAMS = {
    "role": "role",
    "action": "action",
    "status": "status",
    "source": "status",
    "target": "status",
    "priority": "priority",
}


def _param(t: Catalog, name: str, value: object) -> str:
    text = sanitize_line("" if value is None else str(value))
    prefix = WORDED_PARAMS.get(name)
    if prefix is not None and t.has(f"{prefix}.{text}"):
        return t(f"{prefix}.{text}")
    return text


def describe(error: BaseException, t: Catalog) -> str:
    """One sentence for ``error`` in the catalog's language.

    A refusal of the desk is worded from its code and parameters (which may quote what someone
    typed: they are made safe to show). Anything else is an unexpected failure, named by its
    kind; the traceback is for the log.
    """
    if isinstance(error, ServiceError):
        params = {name: _param(t, name, value) for name, value in error.params.items()}
        key = f"error.{error.code}"
        if t.has(key):
            return t(key, **params)
        return t("shell.error.refused", code=error.code)
    return t("shell.error.unexpected", kind=type(error).__name__)


def describe_field(error: ServiceError, t: Catalog) -> str:
    """The field at fault, as the form labels it (empty when the refusal names no field)."""
    if not error.field:
        return ""
    key = f"field.{error.field.split('.')[-1]}"
    return t(key) if t.has(key) else sanitize_line(error.field)
