"""Terminal table: findings by file, failed inputs, notices, and a final counts line."""

from __future__ import annotations

import pytest

from bulkhead.formatters import table
from bulkhead.model import Finding, Location, Report, Severity
from tests.formatters.sample import CONTROLS, INPUTS, clean_report, sample_report

COUNTS = (
    "1 critical, 1 high, 0 medium, 1 low, 0 info; 2 suppressed; "
    "3 inputs scanned, 1 failed, 1 skipped"
)


def test_plain_text_has_no_escape_and_ends_with_the_counts() -> None:
    text = table.render(sample_report(), CONTROLS)
    assert "\x1b" not in text
    assert text.endswith("\n")
    assert text.splitlines()[-1] == COUNTS


def test_plain_text_ignores_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "30")
    text = table.render(sample_report(), CONTROLS, width=120)
    assert "\x1b" not in text
    assert text.splitlines()[-1] == COUNTS


def test_color_uses_ansi_styles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    text = table.render(sample_report(), CONTROLS, color=True)
    assert "\x1b[" in text
    assert "\x1b[1;31mcritical" in text


def test_findings_grouped_by_file_in_order() -> None:
    lines = table.render(sample_report(), CONTROLS).splitlines()
    assert lines[0] == "deploy/broken.yaml (1 finding)"
    web = lines.index("deploy/web.yaml (2 findings)")
    section = lines[web : web + 8]
    nine = next(i for i, line in enumerate(section) if line.lstrip().startswith("9 "))
    seventeen = next(i for i, line in enumerate(section) if line.lstrip().startswith("17 "))
    assert nine < seventeen
    assert "low" in section[nine]
    assert "IN002" in section[nine]
    assert "critical" in section[seventeen]
    assert "Deployment acme-prod/odoo-web" in section[seventeen]


def test_suppressed_findings_are_only_counted() -> None:
    text = table.render(sample_report(), CONTROLS)
    assert "deploy/debug.yaml" not in text
    assert "2 suppressed" in text


def test_failed_inputs_and_notices_are_listed() -> None:
    lines = table.render(sample_report(), CONTROLS).splitlines()
    failed = lines.index("Failed inputs:")
    assert lines[failed + 1] == "  deploy/broken.yaml (manifest): mapping values are not allowed"
    notices = lines.index("Notices:")
    assert lines[notices + 1] == (
        "  bulkhead.toml:12: exception for WL004 on acme-prod/* expired on 2026-11-30"
    )
    assert lines[notices + 2] == "  no platform context: every namespace counts as production"


def test_clean_report() -> None:
    text = table.render(clean_report(), CONTROLS)
    assert text.splitlines() == [
        "No findings.",
        "0 critical, 0 high, 0 medium, 0 low, 0 info; 0 suppressed; 1 input scanned, 0 failed",
    ]


def test_width_is_respected_and_long_messages_wrap() -> None:
    long = Finding(
        "WL001", Severity.HIGH, "t", "word " * 60, Location("deploy/web.yaml", 4), path="spec"
    )
    text = table.render(
        Report(inputs=INPUTS, findings=(long,), controls=("WL001",)), CONTROLS, width=80
    )
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines[:-1])
    assert sum(1 for line in lines if "word word" in line) > 3


def test_markup_and_emoji_codes_are_printed_literally() -> None:
    odd = Finding("WL001", Severity.HIGH, "t", "[bold]x[/bold] :smile:", Location("[red]f.yaml", 4))
    text = table.render(Report(inputs=(), findings=(odd,), controls=("WL001",)), CONTROLS)
    assert "[bold]x[/bold] :smile:" in text
    assert "[red]f.yaml (1 finding)" in text


def test_undecodable_file_names_stay_writable() -> None:
    odd = Finding("WL001", Severity.HIGH, "t", "m", Location("bad\udcff.yaml", 4))
    text = table.render(Report(inputs=(), findings=(odd,), controls=("WL001",)), CONTROLS)
    assert "bad\\udcff.yaml (1 finding)" in text
    text.encode("utf-8")
