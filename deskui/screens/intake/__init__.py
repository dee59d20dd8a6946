"""The intake form (F2): the screen and its parts.

* :mod:`.screen` — :class:`IntakeScreen`, the form on the desk;
* :mod:`.form` — the form's widgets read as an :class:`~.drafts.IntakeDraft` and filled from one;
* :mod:`.request` — the draft as the desk's intake request (no Textual);
* :mod:`.feedback` — what the form says when a call is refused or a save fails;
* :mod:`.drafts` — the draft as data and as a file (no Textual);
* :mod:`.draft_keeper` — the draft file kept up to date while the operator types;
* :mod:`.draft_prompt` — the offer to restore a draft left by an earlier run.
"""

from deskui.screens.intake.screen import IntakeScreen

__all__ = ["IntakeScreen"]
