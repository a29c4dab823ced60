"""A container asks for an unmasked /proc, exposing kernel interfaces the runtime normally hides.

## What it does
Flags any container, init container or ephemeral container whose
`securityContext.procMount` is `Unmasked`, in every kind that holds a pod template.
`procMount: Default` (or no `procMount`) passes: it is the runtime's normal, masked /proc.

## Why is this bad
The container runtime masks and mounts read-only the dangerous parts of `/proc`
(`/proc/kcore`, `/proc/sysrq-trigger`, `/proc/sys`, `/proc/keys`, ...). `Unmasked` removes
that layer, so a process in the container can read kernel memory layout, trigger SysRq or
tune kernel settings if any other control slips. Odoo workers never need it: it exists for
nested container runtimes. On a shared node it turns one tenant's compromised pod into a
host-wide problem.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: odoo-worker, namespace: acme-prod}
spec:
  serviceName: odoo-worker
  selector: {matchLabels: {app: odoo-worker}}
  template:
    metadata: {labels: {app: odoo-worker}}
    spec:
      hostUsers: false
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          securityContext:
            procMount: Unmasked
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: odoo-worker, namespace: acme-prod}
spec:
  serviceName: odoo-worker
  selector: {matchLabels: {app: odoo-worker}}
  template:
    metadata: {labels: {app: odoo-worker}}
    spec:
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          securityContext:
            procMount: Default
```

## Remediation
Delete `procMount: Unmasked` (or set `procMount: Default`). If a build or CI workload truly runs
a nested container runtime, move it off the tenant node pool into a dedicated, isolated
namespace with a reviewed exception, never into a tenant namespace.

## References
Pod Security Standards Baseline "/proc Mount Type"; NSA/CISA Kubernetes Hardening Guide
(pod security). Peers: Polaris procMount, Trivy KSV-0027. Trivy KSV-0027 flags any
`procMount` key, even `Default`; we flag only `Unmasked`, the one value that changes anything,
as the Pod Security Standards do. Init and ephemeral containers are covered.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL012",
    slug="unmasked-proc-mount",
    title="Container uses an unmasked /proc",
    domain=Domain.WORKLOAD,
    severity=Severity.HIGH,
    scope=Scope.CONTAINER,
    references={
        "polaris": ("procMount",),
        "trivy": ("KSV-0027",),
        "nsa": ("Pod security",),
        "pss": ("baseline: /proc Mount Type",),
    },
)


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    if container.security_context.get("procMount") == "Unmasked":
        yield Hit(
            (*container.path, "securityContext", "procMount"),
            f"container {container.name!r} sets procMount: Unmasked, which exposes the "
            "kernel interfaces under /proc: remove it or set procMount to Default",
        )
