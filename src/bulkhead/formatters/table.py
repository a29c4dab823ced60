"""Terminal output: active findings grouped by file, then failed inputs, notices and counts.

The last line is always the counts, so a CI log ends with the verdict. Without colour the text
carries no escape sequence at all. Scanned text is never read as rich markup or emoji codes.
Colour, width and terminal-ness are all passed to rich explicitly, so the environment
(COLUMNS, FORCE_COLOR, NO_COLOR, TERM) does not change the result: the caller decides.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bulkhead.controls import Control
from bulkhead.formatters import input_counts, plural
from bulkhead.model import Finding, InputStatus, Report, Severity

STYLES = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render(
    report: Report, controls: Mapping[str, Control], *, color: bool = False, width: int = 120
) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
    )
    by_file: dict[str, list[Finding]] = {}
    for finding in sorted(report.active, key=_order):
        by_file.setdefault(finding.location.file, []).append(finding)
    if not by_file:
        console.print("No findings.")
    for file, findings in by_file.items():
        console.print(
            Text(file or "(no file)", style="bold"), Text(f"({plural(len(findings), 'finding')})")
        )
        console.print(_findings_table(findings))
        console.print()

    failed = [r for r in report.inputs if r.status is InputStatus.FAILED]
    if failed:
        console.print(Text("Failed inputs:", style="bold red"))
        for record in failed:
            console.print(Text(f"  {record.path} ({record.kind}): {record.detail or 'failed'}"))
        console.print()
    if report.notices:
        console.print(Text("Notices:", style="bold yellow"))
        for notice in report.notices:
            where = f"{notice.location.file}:{notice.location.line}: " if notice.location else ""
            console.print(Text(f"  {where}{notice.message}"))
        console.print()

    console.print(summary_line(report), soft_wrap=True)
    text = buffer.getvalue()
    if not color:  # rich pads table cells: keep plain logs free of trailing blanks
        text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    # A file name that is not valid UTF-8 arrives as lone surrogates: keep the text writable.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def summary_line(report: Report) -> Text:
    """`2 critical, 3 high, 0 medium, 1 low, 0 info; 4 suppressed; 12 inputs scanned, 1 failed`.

    Scanned counts every input that was read, rendered charts and kustomizations included.
    """
    line = Text()
    counts = report.counts()
    for i, severity in enumerate(sorted(Severity, reverse=True)):
        count = counts[severity.label]
        if i:
            line.append(", ")
        line.append(f"{count} {severity.label}", style=STYLES[severity] if count else "")
    suppressed = len(report.findings) - len(report.active)
    inputs = input_counts(report)
    scanned = inputs["scanned"] + inputs["rendered"]
    line.append(f"; {suppressed} suppressed; {plural(scanned, 'input')} scanned")
    line.append(f", {inputs['failed']} failed", style="bold red" if inputs["failed"] else "")
    if inputs["skipped"]:
        line.append(f", {inputs['skipped']} skipped")
    return line


def _order(finding: Finding) -> tuple[str, int, int, str, str]:
    location = finding.location
    return (location.file, location.line, -finding.severity, finding.control, finding.path)


def _findings_table(findings: list[Finding]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("line", justify="right", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("control", no_wrap=True)
    table.add_column("resource", overflow="fold")
    table.add_column("message", overflow="fold", ratio=1)
    for finding in findings:
        table.add_row(
            str(finding.location.line),
            Text(finding.severity.label, style=STYLES[finding.severity]),
            finding.control,
            Text(str(finding.resource) if finding.resource else "-"),
            Text(finding.message),
        )
    return table
