"""Report formatters: pure functions from a Report to text.

One module per format; `render` imports the one it needs on first use, so importing this
package costs nothing (`bulkhead --version` stays fast). Formatters do no I/O: the CLI writes
the text where the user asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from bulkhead.model import InputStatus, Report

if TYPE_CHECKING:
    from bulkhead.controls import Control

FORMATS = ("table", "json", "sarif", "junit", "markdown")


def render(
    report: Report,
    fmt: str,
    controls: Mapping[str, Control],
    *,
    color: bool = False,
    width: int = 120,
) -> str:
    """The report as text in `fmt` (one of FORMATS).

    `controls` maps control ID to Control for every ID in `report.controls` and every finding's
    control; `color` and `width` only matter to the table format.
    """
    missing = sorted(set(control_ids(report)) - set(controls))
    if missing:
        raise ValueError(f"no control metadata for {', '.join(missing)}")
    if fmt == "table":
        from bulkhead.formatters import table

        return table.render(report, controls, color=color, width=width)
    if fmt == "json":
        from bulkhead.formatters import json

        return json.render(report, controls)
    if fmt == "sarif":
        from bulkhead.formatters import sarif

        return sarif.render(report, controls)
    if fmt == "junit":
        from bulkhead.formatters import junit

        return junit.render(report, controls)
    if fmt == "markdown":
        from bulkhead.formatters import markdown

        return markdown.render(report, controls)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def control_ids(report: Report) -> tuple[str, ...]:
    """The controls run, in report order, then any finding's control the list lacks."""
    seen = dict.fromkeys(report.controls)
    for finding in report.findings:
        seen.setdefault(finding.control)
    return tuple(seen)


def input_counts(report: Report) -> dict[str, int]:
    """How many inputs ended in each status, in InputStatus order."""
    counts = {status.value: 0 for status in InputStatus}
    for record in report.inputs:
        status = str(record.status)
        counts[status] = counts.get(status, 0) + 1
    return counts


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
