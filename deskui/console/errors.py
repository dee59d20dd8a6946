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


def describe(error: BaseException, t: Catalog) -> str:
    """One sentence for ``error`` in the catalog's language.

    A refusal of the desk is worded from its code and parameters (which may quote what someone
    typed: they are made safe to show). Anything else is an unexpected failure, named by its
    kind; the traceback is for the log.
    """
    if isinstance(error, ServiceError):
        return sanitize_line(error.words(t))
    return t("shell.error.unexpected", kind=type(error).__name__)
