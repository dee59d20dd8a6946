"""deskui: a keyboard-first terminal console for IT service desks."""

__version__ = "0.1.0"
