"""Markdown for pull-request and merge-request comments (GitHub and GitLab flavoured).

Scanned content reaches this text (file names, YAML error messages), so every cell and list
item is escaped: Markdown punctuation that could start a link, an emphasis, a code span or
HTML is backslash-escaped, `|` cannot end a cell and a newline becomes `<br>`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from bulkhead.controls import Control
from bulkhead.formatters import input_counts, plural
from bulkhead.model import Finding, InputStatus, Report

MAX_ROWS = 100
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def escape(text: str) -> str:
    """`text` safe inside a table cell or a list item."""
    escaped = _SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
    return "<br>".join(line.strip() for line in escaped.splitlines())


def render(report: Report, controls: Mapping[str, Control]) -> str:
    active = sorted(report.active, key=_order)
    suppressed = [f for f in report.findings if f.suppressed]
    failed = [r for r in report.inputs if r.status is InputStatus.FAILED]
    inputs = input_counts(report)
    scanned = inputs["scanned"] + inputs["rendered"]
    out = ["## bulkhead scan", "", _verdict(report, scanned, len(failed)), ""]

    out += ["| Severity | Findings |", "| --- | ---: |"]
    out += [f"| {label} | {count} |" for label, count in report.counts().items()]
    out.append("")

    if active:
        out += ["### Findings", ""]
        out += _table(
            ("Severity", "Control", "Resource", "Location", "Message"),
            (
                (
                    f.severity.label,
                    f"{f.control} {f.title}",
                    str(f.resource) if f.resource else "-",
                    _where(f),
                    f.message,
                )
                for f in active[:MAX_ROWS]
            ),
        )
        if len(active) > MAX_ROWS:
            out.append(f"... and {len(active) - MAX_ROWS} more")
        out.append("")

    if failed:
        out += ["### Inputs that could not be scanned", ""]
        out += [
            f"- {escape(r.path)} ({escape(str(r.kind))}): {escape(r.detail or 'failed')}"
            for r in failed
        ]
        out.append("")

    if report.notices:
        out += ["### Notices", ""]
        for notice in report.notices:
            where = (
                f"{escape(notice.location.file)}:{notice.location.line}: "
                if notice.location
                else ""
            )
            out.append(f"- {where}{escape(notice.message)}")
        out.append("")

    if suppressed:
        out += [
            "<details>",
            f"<summary>{plural(len(suppressed), 'suppressed finding')}</summary>",
            "",
        ]
        out += _table(
            ("Severity", "Control", "Location", "Suppressed by", "Reason"),
            (
                (
                    f.severity.label,
                    f.control,
                    _where(f),
                    f.suppression.source if f.suppression else "",
                    f.suppression.reason if f.suppression else "",
                )
                for f in sorted(suppressed, key=_order)[:MAX_ROWS]
            ),
        )
        if len(suppressed) > MAX_ROWS:
            out.append(f"... and {len(suppressed) - MAX_ROWS} more")
        out += ["", "</details>", ""]

    text = "\n".join(out).rstrip("\n") + "\n"
    # A file name that is not valid UTF-8 arrives as lone surrogates: keep the text writable.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _order(finding: Finding) -> tuple[int, str, int, str, str]:
    location = finding.location
    return (-finding.severity, location.file, location.line, finding.control, finding.path)


def _where(finding: Finding) -> str:
    location = finding.location
    return f"{location.file}:{location.line}" if location.file else "-"


def _verdict(report: Report, scanned: int, failed: int) -> str:
    active = len(report.active)
    inputs = plural(scanned, "input")
    not_scanned = f"; {plural(failed, 'input')} could not be scanned" if failed else ""
    worst = report.worst()
    if worst is None:
        return f"**No findings** in {inputs} scanned{not_scanned}."
    return (
        f"**{plural(active, 'finding')}** (worst: {worst.label}) in {inputs} scanned{not_scanned}."
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    return lines
