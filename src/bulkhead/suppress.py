"""Suppressions: object annotations, Dockerfile comments, config exceptions and baselines.

Every suppression needs a reason. A suppressed finding stays in the report, marked with where
its suppression came from; it is never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bulkhead.config import ExceptionRule
from bulkhead.model import Finding, Notice, ResourceRef

IGNORE_ANNOTATION = "bulkhead.io/ignore"
BASELINE_VERSION = 1
_ENTRY = re.compile(
    r"^\s*(?P<ids>[A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*)\s*(?::\s*(?P<reason>.*))?$"
)


class BaselineError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class AnnotationIgnores:
    by_control: Mapping[str, str]
    problems: tuple[str, ...]


def parse_ignore_annotation(value: object) -> AnnotationIgnores:
    """`"WL001: reason; WL004, IM002: other reason"` (entries split by `;` or newlines)."""
    if not isinstance(value, str):
        return AnnotationIgnores({}, (f"{IGNORE_ANNOTATION} must be a string",))
    ignores: dict[str, str] = {}
    problems: list[str] = []
    for raw in re.split(r"[;\n]", value):
        if not raw.strip():
            continue
        match = _ENTRY.match(raw)
        if match is None:
            problems.append(
                f"cannot read {IGNORE_ANNOTATION} entry {raw.strip()!r} (want 'ID: reason')"
            )
            continue
        reason = (match.group("reason") or "").strip()
        ids = [i.strip().upper() for i in match.group("ids").split(",")]
        if not reason:
            problems.append(
                f"{IGNORE_ANNOTATION} entry for {', '.join(ids)} has no reason: not applied"
            )
            continue
        for control in ids:
            ignores[control] = reason
    return AnnotationIgnores(ignores, tuple(problems))


def resource_key(ref: ResourceRef | None) -> str:
    if ref is None:
        return ""
    return f"{ref.kind}/{ref.namespace}/{ref.name}" if ref.namespace else f"{ref.kind}/{ref.name}"


def exception_for(
    finding: Finding, rules: Iterable[ExceptionRule], today: dt.date
) -> tuple[ExceptionRule | None, list[ExceptionRule]]:
    """The active rule covering the finding, and the expired rules that would have."""
    expired: list[ExceptionRule] = []
    key = resource_key(finding.resource)
    for rule in rules:
        if rule.control != finding.control:
            continue
        if not fnmatch.fnmatchcase(key, rule.resource) or not fnmatch.fnmatchcase(
            finding.location.file, rule.file
        ):
            continue
        if rule.expired(today):
            expired.append(rule)
            continue
        return rule, expired
    return None, expired


def expired_notice(rule: ExceptionRule) -> Notice:
    return Notice(
        f"exception for {rule.control} ({rule.origin}) expired on {rule.expires}: "
        "the findings it covered count again; renew it with a new review or fix them"
    )


@dataclass(frozen=True, slots=True)
class Baseline:
    fingerprints: frozenset[str]
    reason: str


def read_baseline(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as error:
        raise BaselineError(f"{path}: cannot read baseline: {error.strerror}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: not a bulkhead baseline (invalid JSON: {error})") from error
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{path}: not a bulkhead baseline (version {BASELINE_VERSION} expected)"
        )
    entries = data.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: baseline has no findings list")
    reason = data.get("reason")
    return Baseline(
        frozenset(
            str(e["fingerprint"]) for e in entries if isinstance(e, dict) and "fingerprint" in e
        ),
        reason if isinstance(reason, str) and reason.strip() else f"accepted in baseline {path}",
    )


def baseline_document(findings: Iterable[Finding], reason: str) -> str:
    """The baseline file: fingerprints plus enough context for a reviewer to read it."""
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "control": f.control,
                "resource": resource_key(f.resource),
                "file": f.location.file,
                "path": f.path,
            }
            for f in findings
            if not f.suppressed
        ),
        key=lambda e: (e["file"], e["control"], e["fingerprint"]),
    )
    return (
        json.dumps({"version": BASELINE_VERSION, "reason": reason, "findings": entries}, indent=2)
        + "\n"
    )
