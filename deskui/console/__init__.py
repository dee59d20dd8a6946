"""The console's plumbing, beneath its screens: the typed desk context every screen and widget
uses (``context``), their base classes with one error funnel (``base``), how refusals are worded
(``errors``), the live bridge from the change feed (``live``), the app-wide messages
(``messages``), the garbage-collection policy (``gc_policy``) and the clipboard (``clipboard``).
"""
