"""A change on its way to the desk that its sender may stop while it waits (another console
holds the write lock): the console's side of :mod:`deskui.store.cancel`.

The console makes a :class:`CancelToken` for each change it sends and runs the change's calls
inside :func:`cancellable`; every write of the desk (:meth:`deskui.store.db.Database.write`)
then obeys the token, and a cancelled change ends with
:class:`~deskui.services.errors.ChangeCancelled`, nothing written.
"""

from __future__ import annotations

from deskui.store.cancel import CancelToken, cancellable

__all__ = ["CancelToken", "cancellable"]
