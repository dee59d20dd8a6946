"""How soon a published announcement is in another console's hands (the banner's "within a
second").

One process publishes announcements through the services (draft, submit, approve, publish, as
each person would); a change feed on its own connection (what every console runs) waits; on each
change it reads the active announcements, as the console does before it draws the banner. Each
sample is the wall time from the publishing transaction's commit to that read returning with the
new announcement. Printed: p50, p95 and the worst, per database; nothing is asserted.

Run::

    python -m benchmarks.announcement_feed
    python -m benchmarks.announcement_feed --pg postgresql://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from datetime import timedelta

from sqlmodel import Session

from benchmarks.propagation import postgres_desk, sqlite_desk
from deskui.core.clock import SystemClock
from deskui.core.permissions import Action
from deskui.services.announcements import AnnouncementInput, Announcements
from deskui.services.desk import DeskService, prepare_database
from deskui.services.groups import edit_group
from deskui.services.users import add_user
from deskui.store.db import Database
from deskui.store.feed import Changed, FeedEvent, open_feed
from deskui.store.migrate import upgrade

STAFF = (
    ("op", "operator", ["desk"]),
    ("author", "agent", ["network"]),
    ("netlead", "agent", ["network"]),
)


def staffed(url: str) -> DeskService:
    """A migrated desk with an operator, a network agent and the network group's lead."""
    db = Database(url)
    upgrade(db)
    prepare_database(db)
    desk = DeskService(db, SystemClock())
    now = desk.clock.now()

    def staff(session: Session) -> None:
        for login, role, groups in STAFF:
            add_user(session=session, login=login, name=login, role=role, groups=groups, now=now)
        edit_group(session=session, code="network", lead="netlead", now=now, actor=None)

    desk.write(staff)
    return desk


def measure(url: str, samples: int) -> list[float]:
    """Seconds from each publication's commit to the watcher's read that shows it."""
    writer = staffed(url)
    reader = DeskService(Database(url), SystemClock())
    news, seen_by = Announcements(writer), Announcements(reader)
    author, lead, op = (writer.actor(login) for login in ("author", "netlead", "op"))
    arrived: dict[int, float] = {}
    changed = threading.Event()

    def listen(item: FeedEvent) -> None:
        if isinstance(item, Changed):
            changed.set()

    feed = open_feed(url)
    thread = threading.Thread(target=feed.run, args=(listen,), daemon=True)
    thread.start()
    time.sleep(0.5)  # the feed connects and takes its first reading
    delays: list[float] = []
    for i in range(samples):
        now = writer.clock.now()
        data = AnnouncementInput(
            title=f"维护 {i}",
            body="网络维护",
            group="network",
            services=("network",),
            starts_at=None,
            ends_at=None,
            expires_at=now + timedelta(hours=1),
        )
        view = news.draft(author, data)
        news.act(author, view.id, Action.ANNOUNCE_SUBMIT)
        news.act(lead, view.id, Action.ANNOUNCE_APPROVE)
        time.sleep(0.2)  # the feed reports the review's changes before the publication
        changed.clear()
        news.act(op, view.id, Action.ANNOUNCE_PUBLISH)
        committed = time.perf_counter()
        while view.id not in arrived:
            if not changed.wait(5):
                raise RuntimeError("no change reached the feed within 5 s")
            changed.clear()
            if any(a.id == view.id for a in seen_by.active()):
                arrived[view.id] = time.perf_counter()
        delays.append(arrived[view.id] - committed)
    feed.stop()
    thread.join(2)
    writer.db.dispose()
    reader.db.dispose()
    return delays


def report(name: str, delays: list[float]) -> None:
    """One line of figures, in milliseconds."""
    ordered = sorted(delays)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{name:10} n={len(ordered)}  p50 {statistics.median(ordered) * 1000:.1f} ms  "
        f"p95 {p95 * 1000:.1f} ms  worst {ordered[-1] * 1000:.1f} ms"
    )


def main() -> None:
    """Measure on SQLite, and on PostgreSQL when a server is named."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    with sqlite_desk() as url:
        report("SQLite", measure(url, args.samples))
    if args.pg:
        with postgres_desk(args.pg) as url:
            report("PostgreSQL", measure(url, args.samples))


if __name__ == "__main__":
    main()
