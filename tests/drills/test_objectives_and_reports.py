"""Objectives (file and platform), recovery plans, verdicts, and the reports' formats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bulkhead.cli.drill import platform_source, register
from bulkhead.drills import report
from bulkhead.drills.errors import ObjectivesError
from bulkhead.drills.objectives import (
    Objectives,
    Process,
    from_platform,
    load_objectives,
    parse_objectives,
    recovery_order,
)
from bulkhead.drills.result import judge, ledger_body
from bulkhead.ledger.canonical import canonical_json
from bulkhead.platform.load import load_platform

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ROOT / "examples" / "platform" / "bulkhead.yaml"


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(app)
    return app


def test_objectives_file(tmp_path: Path) -> None:
    path = tmp_path / "objectives.yaml"
    path.write_text(
        "processes:\n"
        "  - name: billing\n    priority: medium\n    rto: 1d\n    rpo: 1h\n"
        "  - {name: warehouse, priority: critical, rto: 4h, rpo: 15m,"
        " workarounds: [Paper pick lists.]}\n"
        "  - {name: transport, priority: critical, rto: 2h, rpo: 15m}\n",
        encoding="utf-8",
    )
    goals = load_objectives(path)
    assert [p.name for p in recovery_order(goals.processes)] == [
        "transport",
        "warehouse",
        "billing",
    ]
    assert goals.strictest_rto == 7200 and goals.strictest_rpo == 900
    assert goals.processes[1].workarounds == ("Paper pick lists.",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("processes: {}", "processes must be a list"),
        ("processes: [{name: a, priority: urgent, rto: 1h, rpo: 1h}]", "processes[0].priority"),
        ("processes: [{name: a, priority: high, rto: soon, rpo: 1h}]", "processes[0].rto"),
        ("processes: [{name: a, priority: high, rto: 1h}]", "processes[0].rpo"),
        (
            "processes: [{name: a, priority: high, rto: 1h, rpo: 1h},"
            " {name: a, priority: low, rto: 2h, rpo: 2h}]",
            "duplicate name 'a'",
        ),
        ("proceses: []", "unknown key 'proceses'"),
        ("processes: [\n", "objectives.yaml:"),
    ],
)
def test_bad_objectives_are_one_line(text: str, message: str) -> None:
    with pytest.raises(ObjectivesError) as caught:
        parse_objectives(text, "objectives.yaml")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_ledger_key_name_matches_the_ledger() -> None:
    from bulkhead.cli.store import LEDGER_ORIGIN
    from bulkhead.store.ledger import DEFAULT_ORIGIN

    assert LEDGER_ORIGIN == DEFAULT_ORIGIN


def test_priority_order_follows_the_platform_model() -> None:
    from bulkhead.drills.objectives import PRIORITY_ORDER
    from bulkhead.platform.model import Priority

    assert list(PRIORITY_ORDER) == [p.value for p in Priority]


def test_objectives_from_the_platform() -> None:
    platform = load_platform(PLATFORM)
    goals = from_platform(platform, "hansa-wholesale", "bulkhead.yaml")
    assert [p.name for p in recovery_order(goals.processes)] == [
        "edi-order-intake",
        "warehouse",
        "transport",
        "customer-service",
        "billing",
    ]
    assert goals.strictest_rpo == 300
    with pytest.raises(ObjectivesError, match="tenant 'nobody' is not in the platform"):
        from_platform(platform, "nobody", "bulkhead.yaml")


def test_source_resolved_from_the_platform() -> None:
    platform = load_platform(PLATFORM)
    assert platform_source(platform, "hansa-wholesale", "prod") == (
        "postgresql://hansa_wholesale@hansa-wholesale-prod-pg-rw.hansa-wholesale-prod.svc:5432/"
        "hansa_wholesale?sslmode=require"
    )


def test_plan_command_lists_processes_in_recovery_order() -> None:
    runner = CliRunner()
    result = runner.invoke(
        _app(), ["drill", "plan", "--tenant", "hansa-wholesale", "--platform", str(PLATFORM)]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    numbered = [line for line in lines if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert [line.split()[1] for line in numbered] == [
        "edi-order-intake",
        "warehouse",
        "transport",
        "customer-service",
        "billing",
    ]
    assert "   - The EDI gateway queues messages for 24 hours" in result.stdout
    assert "strictest RTO (30m) and RPO (5m)" in result.stdout
    as_json = runner.invoke(
        _app(),
        ["drill", "plan", "--tenant", "hansa-wholesale", "--platform", str(PLATFORM), "-f", "json"],
    )
    document = json.loads(as_json.stdout)
    assert document["processes"][0]["order"] == 1
    assert document["processes"][4]["workarounds"] == []
    markdown = runner.invoke(
        _app(),
        [
            "drill",
            "plan",
            "--tenant",
            "baltic-parcel",
            "--platform",
            str(PLATFORM),
            "-f",
            "markdown",
        ],
    )
    assert "| 1 | warehouse | critical | 4h | 4h |" in markdown.stdout
    missing = runner.invoke(_app(), ["drill", "plan", "--tenant", "x"])
    assert missing.exit_code == 2 and "pass --platform FILE or --objectives FILE" in missing.stderr


def test_judge_compares_in_milliseconds() -> None:
    goals = Objectives(
        (Process("warehouse", "critical", 60, 10), Process("billing", "low", 3600, 3600)), "t"
    )
    verdicts = {v.process.name: v for v in judge(goals, rto_ms=60_000, rpo_ms=10_001)}
    assert verdicts["warehouse"].rto_ok and not verdicts["warehouse"].rpo_ok
    assert verdicts["billing"].passed


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": "1.0",
        "drill_id": "0123456789abcdef0123456789abcdef",
        "tenant": "acme",
        "environment": "prod",
        "status": "failed",
        "passed": False,
        "error": None,
        "started_at": "2026-12-01T02:00:00.000000Z",
        "finished_at": "2026-12-01T02:05:00.000000Z",
        "rpo_seconds": 90,
        "rto_seconds": 301,
        "rpo_ms": 90_000,
        "rto_ms": 300_500,
        "phases": [{"name": "restore", "ms": 300_000, "in_rto": True}],
        "checks": [
            {"name": "odoo-modules", "status": "fail", "detail": "<b>sale</b> (to upgrade)"}
        ],
        "processes": [
            {
                "name": "warehouse",
                "priority": "critical",
                "rto_seconds": 600,
                "rpo_seconds": 60,
                "workarounds": [],
                "description": "",
                "rto_ok": True,
                "rpo_ok": False,
                "passed": False,
            }
        ],
        "objectives": {"source": "t", "strictest_rto_seconds": 600, "strictest_rpo_seconds": 60},
        "source": "postgresql://odoo@db:5432/acme",
        "scratch": {"server": "postgresql://odoo@db:5432/", "database": "x", "kept": False},
        "backup": {"id": "b", "mode": "dump", "manifest_sha256": "ab" * 32, "files": 3},
        "tables": [],
        "neutralization": {},
        "tools": {},
        "notes": ["a note with <script>alert(1)</script>"],
    }
    document.update(changes)
    return document


def test_html_report_is_self_contained_and_escaped() -> None:
    history = [
        _document(started_at=f"2026-11-{day:02d}T02:00:00.000000Z", status="passed", rto_ms=ms)
        for day, ms in ((1, 100_000), (8, 200_000))
    ]
    history.append(_document(status="error", rpo_ms=None, rto_ms=None, error="x <y> & z"))
    history.append(_document())
    text = report.result_html(_document(), history)
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text and "&lt;script&gt;" in text
    assert "&lt;b&gt;sale&lt;/b&gt;" in text and "x &lt;y&gt; &amp; z" in text
    assert text.count("<svg") == 2 and "http://" not in text.replace("http://www.w3.org", "")
    assert "stroke-dasharray" in text  # the objective line
    assert "PPEF" in text


def test_table_and_markdown_reports() -> None:
    table = report.result_table(_document())
    assert table.splitlines()[0] == "drill 0123456789ab acme/prod: FAILED"
    assert "warehouse  critical  10m            1m MISSED      missed" in table
    markdown = report.result_markdown(_document())
    assert markdown.startswith("# Drill acme/prod: FAILED")
    assert "| odoo-modules | fail | <b>sale</b> (to upgrade) |" in markdown
    history = report.history_table([_document(status="passed"), _document()])
    assert "trend (oldest first): PF  1 of 2 passed" in history


def test_ledger_body_is_canonical_json() -> None:
    body = ledger_body(_document())
    canonical_json(body)
    assert body["failed_checks"] == ["odoo-modules"]
    assert body["phases_ms"] == {"restore": 300_000}
    assert body["backup_manifest_sha256"] == "ab" * 32
