"""Key bindings in the operator's language.

Bindings are declared once, on the class, with catalog keys as their description and tooltip::

    Binding("ctrl+s", "save", "intake.key.save", tooltip="intake.key.save.tip", id="desk.save")

and whatever shows a key — the footer, the help screen, the command palette — words it through
:func:`binding_text` when it draws. Textual's own bindings (tab, the editing keys of a text
field) are worded by action, from ``shell.textual.<action>`` entries; a description that is
neither stays as it is.
"""

from __future__ import annotations

from textual.binding import Binding

from deskui.i18n import Catalog


def _text(value: str | None, t: Catalog) -> str:
    return t(value) if value and t.has(value) else (value or "")


def binding_text(binding: Binding, t: Catalog) -> tuple[str, str]:
    """The description and the tooltip of ``binding``, in the catalog's language."""
    description = _text(binding.description, t)
    textual_key = f"shell.textual.{binding.action}"
    if description == binding.description and t.has(textual_key):
        description = t(textual_key)
    return description, _text(binding.tooltip, t)


def desk_key(
    key: str, action: str, name: str, *, show: bool = True, priority: bool = False
) -> Binding:
    """A binding of the desk: described by the catalog entry ``name``, explained by ``name.tip``.

    Its id (which a user's key map would name) is ``name`` without ``.key``:
    ``desk_key("a", "claim", "queue.key.claim")`` has the id ``queue.claim``.
    """
    return Binding(
        key,
        action,
        name,
        tooltip=f"{name}.tip",
        show=show,
        priority=priority,
        id=name.replace(".key.", ".", 1),
    )
