"""The outcome of a drill, as plain data: checks, phase timings, objectives met or missed.

Every number is an integer (milliseconds, seconds, bytes, rows) and every time RFC 3339 UTC
text, so the same document goes into the JSON report, the store and, trimmed, the ledger,
whose canonical JSON refuses floats.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bulkhead.drills.objectives import Objectives, Process, recovery_order

SCHEMA_VERSION = "1.0"
PASS, FAIL, SKIP = "pass", "fail", "skip"
RTO_PHASES = ("fetch", "restore", "validate", "neutralize")
"""The phases whose sum is the achieved RTO (a real recovery would go through each)."""


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_utc(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def ceil_seconds(milliseconds: int) -> int:
    """Whole seconds, rounded up: an achieved RPO or RTO is never reported better than it was."""
    return -(-milliseconds // 1000)


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str
    """pass, fail or skip."""
    detail: str
    data: Mapping[str, Any] | None = None

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"name": self.name, "status": self.status, "detail": self.detail}
        if self.data:
            result["data"] = dict(self.data)
        return result


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    milliseconds: int

    @property
    def in_rto(self) -> bool:
        return self.name in RTO_PHASES


@dataclass(frozen=True, slots=True)
class ProcessVerdict:
    process: Process
    rto_ok: bool
    rpo_ok: bool

    @property
    def passed(self) -> bool:
        return self.rto_ok and self.rpo_ok

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.process.as_dict(),
            "rto_ok": self.rto_ok,
            "rpo_ok": self.rpo_ok,
            "passed": self.passed,
        }


def judge(objectives: Objectives, rto_ms: int, rpo_ms: int) -> list[ProcessVerdict]:
    """Each process in recovery order, with whether the achieved RTO and RPO meet it."""
    return [
        ProcessVerdict(p, rto_ms <= p.rto * 1000, rpo_ms <= p.rpo * 1000)
        for p in recovery_order(objectives.processes)
    ]


@dataclass(frozen=True, slots=True)
class DrillResult:
    drill_id: str
    tenant: str
    environment: str
    started_at: str
    finished_at: str
    source: str | None
    scratch: Mapping[str, Any]
    backup: Mapping[str, Any]
    phases: Sequence[Phase]
    checks: Sequence[Check]
    tables: Sequence[Mapping[str, Any]]
    objectives: Objectives
    verdicts: Sequence[ProcessVerdict]
    rpo_ms: int
    rto_ms: int
    neutralization: Mapping[str, Any] = field(default_factory=dict)
    tools: Mapping[str, str] = field(default_factory=dict)
    notes: Sequence[str] = ()

    @property
    def passed(self) -> bool:
        return not any(c.failed for c in self.checks) and all(v.passed for v in self.verdicts)

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "drill_id": self.drill_id,
            "tenant": self.tenant,
            "environment": self.environment,
            "status": self.status,
            "passed": self.passed,
            "error": None,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "rpo_seconds": ceil_seconds(self.rpo_ms),
            "rto_seconds": ceil_seconds(self.rto_ms),
            "rpo_ms": self.rpo_ms,
            "rto_ms": self.rto_ms,
            "phases": [
                {"name": p.name, "ms": p.milliseconds, "in_rto": p.in_rto} for p in self.phases
            ],
            "checks": [c.as_dict() for c in self.checks],
            "processes": [v.as_dict() for v in self.verdicts],
            "objectives": {
                "source": self.objectives.source,
                "strictest_rto_seconds": self.objectives.strictest_rto,
                "strictest_rpo_seconds": self.objectives.strictest_rpo,
            },
            "source": self.source,
            "scratch": dict(self.scratch),
            "backup": dict(self.backup),
            "tables": [dict(t) for t in self.tables],
            "neutralization": dict(self.neutralization),
            "tools": dict(self.tools),
            "notes": list(self.notes),
        }


def error_document(
    *,
    drill_id: str,
    tenant: str,
    environment: str,
    started_at: str,
    finished_at: str,
    message: str,
    phase: str | None,
    objectives: Objectives,
    source: str | None,
) -> dict[str, Any]:
    """The result of a drill that could not complete (exit 2), for the store and the ledger."""
    return {
        "schema_version": SCHEMA_VERSION,
        "drill_id": drill_id,
        "tenant": tenant,
        "environment": environment,
        "status": "error",
        "passed": False,
        "error": message,
        "error_phase": phase,
        "started_at": started_at,
        "finished_at": finished_at,
        "rpo_seconds": None,
        "rto_seconds": None,
        "rpo_ms": None,
        "rto_ms": None,
        "phases": [],
        "checks": [],
        "processes": [
            {**p.as_dict(), "rto_ok": False, "rpo_ok": False, "passed": False}
            for p in recovery_order(objectives.processes)
        ],
        "objectives": {
            "source": objectives.source,
            "strictest_rto_seconds": objectives.strictest_rto,
            "strictest_rpo_seconds": objectives.strictest_rpo,
        },
        "source": source,
        "scratch": {},
        "backup": {},
        "tables": [],
        "neutralization": {},
        "tools": {},
        "notes": [],
    }


def ledger_body(document: Mapping[str, Any]) -> dict[str, Any]:
    """The `drill-result` ledger entry: the verdict and its evidence, integers only."""
    backup = document.get("backup") or {}
    return {
        "drill_id": document["drill_id"],
        "tenant": document["tenant"],
        "environment": document["environment"],
        "status": document["status"],
        "passed": document["passed"],
        "started_at": document["started_at"],
        "rpo_ms": document["rpo_ms"],
        "rto_ms": document["rto_ms"],
        "rpo_seconds": document["rpo_seconds"],
        "rto_seconds": document["rto_seconds"],
        "phases_ms": {p["name"]: p["ms"] for p in document.get("phases", [])},
        "failed_checks": [c["name"] for c in document.get("checks", []) if c["status"] == FAIL],
        "processes": [
            {
                "name": p["name"],
                "rto_seconds": p["rto_seconds"],
                "rpo_seconds": p["rpo_seconds"],
                "passed": p["passed"],
            }
            for p in document.get("processes", [])
        ],
        "backup_id": backup.get("id"),
        "backup_manifest_sha256": backup.get("manifest_sha256"),
        "error": document.get("error"),
    }
