"""A tenant namespace does not enforce the Pod Security Standard "restricted".

## What it does
Checks every tenant Namespace (one labelled `bulkhead.io/tenant` or `bulkhead.io/environment`,
or whose file the `context-path` pattern gives a tenant) for the Pod Security Admission label
`pod-security.kubernetes.io/enforce`, and flags it when the label is missing or its value is
anything but exactly `restricted` (`baseline`, `privileged`, a misspelling, a non-string).
The `warn` and `audit` labels only report; they do not count as enforcement.

## Why is this bad
Pod Security Admission is the API server's own guard: with `enforce: restricted` it refuses a
privileged, root or host-mounting pod whatever the manifest review missed. Without the label
the cluster default applies (usually `privileged`: everything is admitted), and `baseline`
still admits root containers, added capabilities such as NET_RAW and no seccomp profile. On a
shared Odoo platform one tenant's escaped container reaches every tenant on the node.

## Example (must fail)
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
  labels:
    bulkhead.io/tenant: acme
    bulkhead.io/environment: prod
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
  labels:
    bulkhead.io/tenant: acme
    bulkhead.io/environment: prod
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
    pod-security.kubernetes.io/warn: restricted
    pod-security.kubernetes.io/audit: restricted
```

## Remediation
Label every tenant namespace (in Git, so GitOps keeps it):
`kubectl label namespace acme-prod pod-security.kubernetes.io/enforce=restricted --overwrite`.
Try it first with `kubectl label --dry-run=server ...`, which lists the running pods that
would violate the profile. Operators that need more (CNPG's pods already meet `restricted`)
belong in platform namespaces, not tenant ones.

## References
Pod Security Standards (restricted profile) and Pod Security Admission; CIS Kubernetes
Benchmark 5.2.1 (at least one active policy control mechanism); NSA/CISA Kubernetes Hardening
Guide (pod security). Peers: Kubescape's CIS 5.2.x controls (C-0193 and following) check
admission control one risk at a time and accept `baseline` for several of them; bulkhead asks
tenant namespaces for the whole `restricted` profile, and treats a misspelt level as missing.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import ENVIRONMENT_LABEL, TENANT_LABEL
from bulkhead.model import Resource, Severity

META = Meta(
    id="TN002",
    slug="pod-security-not-restricted",
    title="Tenant namespace does not enforce Pod Security restricted",
    domain=Domain.NETWORK,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Namespace"}),
    references={
        "kubescape": ("C-0193",),
        "cis": ("5.2.1",),
        "nsa": ("Pod security: Pod Security Admission",),
        "pss": ("restricted",),
    },
)

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
RESTRICTED = "restricted"


def is_tenant_namespace(resource: Resource) -> bool:
    labels = resource.labels
    return bool(
        resource.context.tenant or labels.get(TENANT_LABEL) or labels.get(ENVIRONMENT_LABEL)
    )


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not is_tenant_namespace(resource):
        return
    labels = resource.labels
    path = ("metadata", "labels", ENFORCE_LABEL)
    if ENFORCE_LABEL not in labels:
        yield Hit(
            path,
            f"tenant namespace {resource.name!r} has no {ENFORCE_LABEL} label, so the cluster "
            f"default (usually privileged) admits any pod: add {ENFORCE_LABEL}: {RESTRICTED}",
        )
        return
    value = labels.get(ENFORCE_LABEL)
    if value == RESTRICTED:
        return
    shown = repr(value) if isinstance(value, str) else f"{value!r} (not a string)"
    yield Hit(
        path,
        f"tenant namespace {resource.name!r} enforces Pod Security level {shown}, weaker than "
        f"{RESTRICTED!r} (or not a valid level): set {ENFORCE_LABEL}: {RESTRICTED}",
    )
