"""What ``deskui audit verify`` prints: one line a finding, a summary and the record digest, in
the reader's language; or the same as JSON."""

from __future__ import annotations

from typing import Any, TextIO

from deskui.core.sanitize import sanitize_line
from deskui.i18n import Catalog
from deskui.services.verify import AuditReport, Finding


def where(finding: Finding, t: Catalog) -> str:
    """Which chain the finding is in: a ticket (by number), the settings, the whole record."""
    if finding.chain == "ticket":
        return t("audit.where.ticket", ticket=finding.ticket)
    if finding.chain == "announcement":
        return t("announce.audit.where", id=finding.announcement)
    if finding.chain == "settings":
        return t("audit.where.settings")
    if finding.chain == "knowledge":
        return t("audit.where.knowledge")
    return t("audit.where.desk")


def describe(finding: Finding, t: Catalog) -> str:
    """What is wrong, in the catalog's language."""
    named = [t(f"field.{f}") if t.has(f"field.{f}") else f for f in finding.fields]
    fields = t.join(named) if named else t("audit.problem.fields.unnamed")
    values: dict[str, object] = {
        "event": finding.event if finding.event is not None else "-",
        "setting": finding.key or "-",
        "fields": fields,
        **finding.detail,
    }
    return t(f"audit.problem.{finding.problem}", **values)


def summary(report: AuditReport, t: Catalog) -> str:
    """The line that says what was read and whether it holds."""
    counts = {
        "tickets": report.tickets,
        "events": report.ticket_events,
        "settings": report.setting_events,
    }
    if report.ok:
        return t("audit.summary.ok", **counts)
    return t("audit.summary.broken", count=len(report.findings), **counts)


def print_report(report: AuditReport, t: Catalog, out: TextIO) -> None:
    """Each finding on its line, then the summary and the digest."""
    for finding in report.findings:
        # a key or number read from the database reaches the terminal clean
        out.write(sanitize_line(f"{where(finding, t)}: {describe(finding, t)}") + "\n")
    out.write(summary(report, t) + "\n")
    out.write(t("audit.digest", digest=report.digest) + "\n")


def report_json(report: AuditReport, t: Catalog) -> dict[str, Any]:
    """The report for a script: ``ok``, the counts, the digest and every finding."""
    return {
        "ok": report.ok,
        "tickets": report.tickets,
        "ticket_events": report.ticket_events,
        "setting_events": report.setting_events,
        "announcement_events": report.announcement_events,
        "article_events": report.article_events,
        "digest": report.digest,
        "findings": [
            {
                "chain": f.chain,
                "problem": str(f.problem),
                "ticket": f.ticket,
                "event": f.event,
                "key": f.key,
                "announcement": f.announcement,
                "fields": list(f.fields),
                "text": describe(f, t),
            }
            for f in report.findings
        ],
    }
