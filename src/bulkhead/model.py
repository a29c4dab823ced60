"""The data every part of bulkhead shares: severities, locations, resources, findings, reports.

Everything here is immutable; the pipeline builds new values instead of mutating old ones.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON_SCHEMA_VERSION = "1.0"

PathPart = str | int
FieldPath = tuple[PathPart, ...]


class Severity(enum.IntEnum):
    """Ordered severities: comparisons follow urgency (CRITICAL > HIGH > ...)."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


NON_PRODUCTION_ENVIRONMENTS = frozenset(
    {
        "dev",
        "development",
        "test",
        "testing",
        "qa",
        "staging",
        "stage",
        "sandbox",
        "preview",
        "demo",
    }
)


@dataclass(frozen=True, slots=True)
class Context:
    """Whose object this is and where it runs. An unknown environment counts as production."""

    tenant: str | None = None
    environment: str | None = None

    @property
    def is_production(self) -> bool:
        return (self.environment or "").lower() not in NON_PRODUCTION_ENVIRONMENTS


@dataclass(frozen=True, slots=True)
class Location:
    file: str
    line: int = 1


@dataclass(frozen=True, slots=True)
class ResourceRef:
    kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        scope = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {scope}{self.name}"


@dataclass(frozen=True, slots=True)
class Resource:
    """One Kubernetes object as loaded, with where it came from and whose it is."""

    api_version: str
    kind: str
    name: str
    namespace: str | None
    doc: Mapping[str, Any]
    location: Location
    doc_index: int = 0
    context: Context = field(default_factory=Context)

    @property
    def api_group(self) -> str:
        """The API group of `apiVersion` (`apps` of `apps/v1`); "" for the core group (`v1`)."""
        group, slash, _ = self.api_version.strip().partition("/")
        return group if slash else ""

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.kind, self.namespace, self.name)

    @property
    def metadata(self) -> Mapping[str, Any]:
        meta = self.doc.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def labels(self) -> Mapping[str, Any]:
        labels = self.metadata.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> Mapping[str, Any]:
        annotations = self.metadata.get("annotations")
        return annotations if isinstance(annotations, dict) else {}


class InputStatus(enum.StrEnum):
    SCANNED = "scanned"
    RENDERED = "rendered"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One declared or discovered input and what happened to it."""

    path: str
    kind: str
    status: InputStatus
    objects: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem a loader met: the input controls turn these into findings."""

    code: str
    location: Location
    message: str
    path: FieldPath = ()


@dataclass(frozen=True, slots=True)
class Suppression:
    source: str  # "annotation", "comment", "baseline" or "config"
    reason: str
    expires: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    control: str
    severity: Severity
    title: str
    message: str
    location: Location
    resource: ResourceRef | None = None
    path: str = ""
    fingerprint: str = ""
    suppression: Suppression | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None


def redact(secret: str) -> str:
    """A fingerprint that identifies a secret value without revealing it."""
    digest = hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()[:12]
    return f"<redacted sha256:{digest}>"


def fingerprint(*parts: object) -> str:
    """Stable identity of a finding: excludes line numbers so moving code keeps it."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:32]


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user must know that is not a finding (an expired exception, say)."""

    message: str
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Report:
    inputs: tuple[InputRecord, ...]
    findings: tuple[Finding, ...]
    controls: tuple[str, ...]
    notices: tuple[Notice, ...] = ()

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.suppressed)

    def counts(self) -> dict[str, int]:
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.active:
            counts[f.severity.label] += 1
        return counts

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.active), default=None)


def render_path(path: FieldPath) -> str:
    """`("spec", "containers", 0, "image")` -> `spec.containers[0].image`."""
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif out and ("." in part or "/" in part or not part):
            out.append(f"[{part!r}]")
        else:
            out.append(f".{part}" if out else part)
    return "".join(out)
