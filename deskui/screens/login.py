"""The login screen of a shared desk whose server asks for a password.

PostgreSQL decides who is at the console (:mod:`deskui.services.identity`); when its
``pg_hba.conf`` asks for a password (scram-sha-256, LDAP…) and neither ``~/.pgpass`` nor
``PGPASSWORD`` gave one, the console asks here before it opens. The password is passed to the
server and kept only in this process's memory; a refused one is said plainly and asked again.

It is a small app of its own, run before the console: nothing of the desk can be read until the
server has let the person in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from deskui.console.errors import describe
from deskui.i18n import Catalog
from deskui.services.errors import PasswordRequired


class LoginApp(App[str | None]):
    """Ask for the password of ``role`` at ``database``; returns it once the server accepts it,
    None when the person leaves (escape or ctrl+q).

    Args:
        t: the catalog.
        database: the database's name, without a password.
        role: the role logging in.
        attempt: logs in with a password; raises
            :class:`~deskui.services.errors.PasswordRequired` when it is refused (or any other
            :class:`~deskui.services.errors.ServiceError`: the server cannot be reached…).
        wrong: the password from ``PGPASSWORD`` or ``~/.pgpass`` was already refused.
    """

    TITLE = "deskui"
    CSS_PATH = "login.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,ctrl+q", "leave", "shell.login.leave", priority=True),
    ]

    def __init__(
        self,
        *,
        t: Catalog,
        database: str,
        role: str,
        attempt: Callable[[str], None],
        wrong: bool = False,
    ) -> None:
        super().__init__()
        self.t = t
        self.database = database
        self.role = role
        self.attempt = attempt
        self._first_wrong = wrong

    def compose(self) -> ComposeResult:
        """The title, who logs in where, the password field and the message line."""
        t = self.t
        with Vertical(id="login-box"):
            yield Static(t("shell.login.title"), id="login-title")
            yield Static(t("shell.login.who", role=self.role, database=self.database))
            yield Input(password=True, placeholder=t("shell.login.password"), id="login-password")
            message = t("shell.login.wrong") if self._first_wrong else ""
            yield Static(message, id="login-message")
            yield Static(t("shell.login.hint"), id="login-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: try the password (in a worker: the server may take a moment)."""
        if not event.value:
            self.say(self.t("shell.login.empty"))
            return
        event.input.disabled = True
        self.say(self.t("shell.login.checking"))
        self.check(event.value)

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def check(self, password: str) -> str:
        """Log in with ``password``; returns it when the server accepts it."""
        self.attempt(password)
        return password

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Accepted: leave with the password. Refused: say why, and ask again."""
        if event.worker.group != "login":
            return
        field = self.query_one("#login-password", Input)
        if event.state == WorkerState.SUCCESS:
            self.exit(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, PasswordRequired):
                text = self.t("shell.login.wrong")
            else:
                text = describe(error, self.t) if error is not None else ""
            field.disabled = False
            field.value = ""
            field.focus()
            self.say(text)

    def say(self, text: str) -> None:
        """Show ``text`` on the message line."""
        self.query_one("#login-message", Static).update(text)

    def action_leave(self) -> None:
        """Leave without logging in."""
        self.exit(None)
