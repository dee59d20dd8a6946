"""What a form does with escape while its change is on its way to the desk.

Escape asks the change to stop (:class:`~deskui.services.sending.CancelToken`): a change still
waiting for the desk ends with nothing written, and the form, which stays, says so when the
answer comes; a change already committing cannot be stopped, and the form says it is being
saved (never a cancel that did not happen).
"""

from __future__ import annotations

from deskui.i18n import Catalog
from deskui.services.sending import CancelToken


def stop_sending(token: CancelToken, t: Catalog) -> str:
    """Ask the change of ``token`` to stop; what the form says meanwhile."""
    return t("shell.send.cancelling") if token.cancel() else t("shell.send.too_late")
