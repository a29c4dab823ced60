"""Reports built by hand for the formatter tests, over real controls from the catalog."""

from __future__ import annotations

from bulkhead.controls import Control, by_id
from bulkhead.model import (
    Finding,
    InputRecord,
    InputStatus,
    Location,
    Notice,
    Report,
    ResourceRef,
    Severity,
    Suppression,
    fingerprint,
)

CONTROLS: dict[str, Control] = by_id()
WEB = ResourceRef("Deployment", "acme-prod", "odoo-web")
DEBUG = ResourceRef("Deployment", "acme-prod", "debug")
PRIVILEGED = "spec.template.spec.containers[0].securityContext.privileged"

PRIVILEGED_WEB = Finding(
    control="WL001",
    severity=Severity.CRITICAL,
    title="Container runs privileged",
    message="container 'odoo' runs privileged | see [docs](https://example.com)\nsecond line",
    location=Location("deploy/web.yaml", 17),
    resource=WEB,
    path=PRIVILEGED,
    fingerprint=fingerprint("WL001", "deploy/web.yaml", "Deployment", "acme-prod", "odoo-web"),
)
BROKEN = Finding(
    control="IN001",
    severity=Severity.HIGH,
    title="Input could not be read or parsed",
    message="not scanned: mapping values are not allowed here",
    location=Location("deploy/broken.yaml", 3),
    fingerprint=fingerprint("IN001", "deploy/broken.yaml"),
)
DUPLICATE = Finding(
    control="IN002",
    severity=Severity.LOW,
    title="Duplicate mapping key",
    message="duplicate key 'replicas' (first at line 7)",
    location=Location("deploy/web.yaml", 9),
    resource=WEB,
    path="spec.replicas",
    fingerprint=fingerprint("IN002", "deploy/web.yaml", "spec.replicas"),
)
PRIVILEGED_DEBUG = Finding(
    control="WL001",
    severity=Severity.CRITICAL,
    title="Container runs privileged",
    message="container 'debug' runs privileged",
    location=Location("deploy/debug.yaml", 21),
    resource=DEBUG,
    path=PRIVILEGED,
    fingerprint=fingerprint("WL001", "deploy/debug.yaml", "Deployment", "acme-prod", "debug"),
    suppression=Suppression("annotation", "debug pod | removed in Q3", "2027-03-31"),
)
BASELINED = Finding(
    control="IN002",
    severity=Severity.HIGH,
    title="Duplicate mapping key",
    message="duplicate key 'image' (first at line 12)",
    location=Location("deploy/debug.yaml", 14),
    resource=DEBUG,
    path="spec.template.spec.containers[0].image",
    fingerprint=fingerprint("IN002", "deploy/debug.yaml", "image"),
    suppression=Suppression("baseline", "accepted in the 2026-11 baseline"),
)

INPUTS = (
    InputRecord("deploy/web.yaml", "manifest", InputStatus.SCANNED, 3),
    InputRecord("deploy/debug.yaml", "manifest", InputStatus.SCANNED, 1),
    InputRecord("charts/odoo", "helm-chart", InputStatus.RENDERED, 7),
    InputRecord(
        "deploy/broken.yaml", "manifest", InputStatus.FAILED, 0, "mapping values are not allowed"
    ),
    InputRecord("deploy/notes.yaml", "manifest", InputStatus.SKIPPED, 0, "excluded"),
)
NOTICES = (
    Notice(
        "exception for WL004 on acme-prod/* expired on 2026-11-30", Location("bulkhead.toml", 12)
    ),
    Notice("no platform context: every namespace counts as production"),
)


def sample_report() -> Report:
    """Three active findings (one without resource), two suppressed, a failed input, notices."""
    return Report(
        inputs=INPUTS,
        findings=(BROKEN, PRIVILEGED_DEBUG, BASELINED, DUPLICATE, PRIVILEGED_WEB),
        controls=("IN001", "IN002", "IN003", "WL001"),
        notices=NOTICES,
    )


def clean_report() -> Report:
    return Report(inputs=INPUTS[:1], findings=(), controls=("IN001", "WL001"))
