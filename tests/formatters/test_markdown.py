"""Markdown for pull-request comments: verdict, counts, escaped tables, capped rows."""

from __future__ import annotations

import re
from dataclasses import replace

from bulkhead.formatters import markdown
from bulkhead.model import Location, Report
from tests.formatters.sample import BROKEN, CONTROLS, INPUTS, clean_report, sample_report

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def rows(text: str, header: str) -> list[str]:
    """The body rows of the table whose header row starts with `header`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    body: list[str] = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        body.append(line)
    return body


def test_heading_and_verdict() -> None:
    lines = markdown.render(sample_report(), CONTROLS).splitlines()
    assert lines[0] == "## bulkhead scan"
    assert lines[2] == (
        "**3 findings** (worst: critical) in 3 inputs scanned; 1 input could not be scanned."
    )


def test_clean_verdict() -> None:
    text = markdown.render(clean_report(), CONTROLS)
    assert text.splitlines()[2] == "**No findings** in 1 input scanned."
    assert "### Findings" not in text
    assert "<details>" not in text


def test_severity_count_table() -> None:
    assert rows(markdown.render(sample_report(), CONTROLS), "| Severity | Findings |") == [
        "| critical | 1 |",
        "| high | 1 |",
        "| medium | 0 |",
        "| low | 1 |",
        "| info | 0 |",
    ]


def test_findings_table_sorted_by_severity_and_escaped() -> None:
    body = rows(markdown.render(sample_report(), CONTROLS), "| Severity | Control |")
    assert [row.split(" | ")[0] for row in body] == ["| critical", "| high", "| low"]
    for row in body:
        assert len(UNESCAPED_PIPE.findall(row)) == 6
    first = body[0]
    assert "privileged \\| see \\[docs\\](https://example.com)<br>second line" in first
    assert "deploy/web.yaml:17" in first
    assert "Deployment acme-prod/odoo-web" in first
    assert body[1].split(" | ")[2] == "-"


def test_rows_capped_at_100_with_a_remainder_line() -> None:
    many = tuple(
        replace(BROKEN, location=Location(f"deploy/f{i:03}.yaml", 1), fingerprint=str(i))
        for i in range(105)
    )
    text = markdown.render(Report(inputs=INPUTS, findings=many, controls=("IN001",)), CONTROLS)
    body = rows(text, "| Severity | Control |")
    assert len(body) == 100
    assert "deploy/f000.yaml:1" in body[0]
    assert "deploy/f099.yaml:1" in body[-1]
    assert "... and 5 more" in text.splitlines()


def test_failed_inputs_notices_and_suppressed_block() -> None:
    text = markdown.render(sample_report(), CONTROLS)
    assert "### Inputs that could not be scanned" in text
    assert "- deploy/broken.yaml (manifest): mapping values are not allowed" in text
    assert "- bulkhead.toml:12: exception for WL004 on acme-prod/\\* expired on 2026-11-30" in text
    assert "- no platform context: every namespace counts as production" in text
    details = text[text.index("<details>") : text.index("</details>")]
    assert "<summary>2 suppressed findings</summary>" in details
    suppressed = rows(details, "| Severity | Control | Location | Suppressed by |")
    assert len(suppressed) == 2
    assert "debug pod \\| removed in Q3" in suppressed[0]
    assert "baseline" in suppressed[1]


def test_escape() -> None:
    assert markdown.escape("a|b") == "a\\|b"
    assert markdown.escape("x\ny") == "x<br>y"
    assert markdown.escape("<img src=x> & `c` *b* [l](u)") == (
        "\\<img src=x\\> &amp; \\`c\\` \\*b\\* \\[l\\](u)"
    )
    assert markdown.escape("back\\|slash") == "back\\\\\\|slash"


def test_undecodable_file_names_stay_writable() -> None:
    odd = replace(BROKEN, location=Location("bad\udcff.yaml", 4))
    text = markdown.render(Report(inputs=(), findings=(odd,), controls=("IN001",)), CONTROLS)
    assert "bad\\udcff.yaml:4" in text
    text.encode("utf-8")
