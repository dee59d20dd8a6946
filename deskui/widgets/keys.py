"""Key bindings in the operator's language.

Bindings are declared once, on the class, with catalog keys as their description and tooltip::

    Binding("ctrl+s", "save", "intake.key.save", tooltip="intake.key.save.tip", id="desk.save")

and :func:`localize_bindings` replaces those keys by their text when the node is set up. The
app does it for the app itself and for every screen it shows; a widget with its own bindings
calls it from ``on_mount``. Descriptions that are not catalog keys are left as they are.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from deskui.i18n import Catalog


def _text(value: str | None, t: Catalog) -> str | None:
    return t(value) if value and t.has(value) else value


def localize_binding(binding: Binding, t: Catalog) -> Binding:
    """A copy of ``binding`` with its description and tooltip translated.

    Textual's own bindings (tab, shift+tab …) are translated by action, from
    ``shell.textual.<action>`` entries.
    """
    description = _text(binding.description, t) or ""
    textual_key = f"shell.textual.{binding.action}"
    if description == binding.description and t.has(textual_key):
        description = t(textual_key)
    tooltip = _text(binding.tooltip, t) or ""
    if description == binding.description and tooltip == binding.tooltip:
        return binding
    return replace(binding, description=description, tooltip=tooltip)


def localize_bindings(node: DOMNode, t: Catalog) -> None:
    """Translate the bindings of one node (the app, a screen or a widget) in place.

    Textual keeps each node's bindings in a per-instance map; it is replaced by a translated
    copy, so the class's declarations stay untouched. Calling it twice changes nothing.
    """
    # Textual has no public setter for a node's bindings; the per-instance map is the one the
    # footer, the help screen and the key dispatcher all read.
    current = node._bindings
    node._bindings = BindingsMap.from_keys(
        {
            key: [localize_binding(binding, t) for binding in bindings]
            for key, bindings in current.key_to_bindings.items()
        }
    )
