"""The administration (F8): the desk's users, groups and rules, for admins (duty leads read)."""

from deskui.screens.admin.screen import AdminScreen

__all__ = ["AdminScreen"]
