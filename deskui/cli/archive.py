"""``deskui export --out FILE`` and ``deskui import FILE``: a whole desk as one portable file.

The file's format and what an import checks are :mod:`deskui.services.archive`'s. An import whose
restored desk does not verify prints the findings as ``deskui audit verify`` does, restores
nothing, and exits 7 like it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from deskui.cli.audit_report import print_report, report_json
from deskui.cli.exits import AUDIT_BROKEN
from deskui.cli.files import unwritable
from deskui.cli.intake_json import InputError
from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog, detect_language
from deskui.services.archive import (
    ArchiveBroken,
    ArchiveSummary,
    export_desk,
    import_desk,
    write_archive,
)

if TYPE_CHECKING:
    from deskui.cli.commands import Cli


def export_command(cli: Cli) -> int:
    """Write the desk to ``--out`` (refused when the file exists, unless ``--force``).

    Callers' phone numbers are written whole: the archive is the desk itself, which an import
    restores and verifies against its digest, and a masked number would be lost for good. The
    rules keep it to admins, and the file is readable by its owner only.
    """
    who = cli.who()
    target = Path(cli.args.out)
    now = cli.desk.clock.now()
    written: list[ArchiveSummary] = []

    def write(out: IO[str]) -> None:
        written.append(cli.desk.read(lambda s: export_desk(session=s, who=who, out=out, now=now)))

    try:
        write_archive(target, write, force=cli.args.force)
    except FileExistsError as exc:
        raise InputError("out", "archive.exists", path=str(target)) from exc
    except OSError as exc:
        raise unwritable("out", target, exc) from exc
    _report(cli, "hardening.export.done", written[0], target)
    return 0


def import_command(cli: Cli) -> int:
    """Restore ``FILE`` into this empty desk; exit 7 when the restored desk does not verify."""
    who = cli.who()
    source = Path(cli.args.file)
    t = Catalog(detect_language(cli.settings.lang))
    try:
        with source.open(encoding="utf-8", errors="strict") as stream:
            summary = cli.desk.write(lambda s: import_desk(session=s, who=who, source=stream))
    except ArchiveBroken as broken:
        out: TextIO = cli.stdout
        if cli.args.json:
            cli.emit(report_json(broken.report, t))
        else:
            print_report(broken.report, t, out)
        sys.stderr.write(f"deskui: {sanitize_line(broken.explain(t))}\n")
        return AUDIT_BROKEN
    except UnicodeDecodeError as exc:
        raise InputError(
            "archive", "archive.unreadable", path=str(source), reason=exc.reason
        ) from exc
    except OSError as exc:
        raise InputError(
            "archive", "archive.unreadable", path=str(source), reason=exc.strerror or str(exc)
        ) from exc
    _report(cli, "hardening.import.done", summary, source)
    return 0


def _report(cli: Cli, key: str, summary: ArchiveSummary, path: Path) -> None:
    if cli.args.json:
        cli.emit({"path": str(path), **summary.to_json()})
        return
    t = Catalog(detect_language(cli.settings.lang))
    tables = summary.tables
    cli.stdout.write(
        sanitize_line(
            t(
                key,
                path=str(path),
                tickets=tables.get("ticket", 0),
                events=tables.get("ticket_event", 0),
                callers=tables.get("requester", 0),
                users=tables.get("desk_user", 0),
            )
        )
        + "\n"
    )
    cli.stdout.write(t("audit.digest", digest=summary.digest) + "\n")
