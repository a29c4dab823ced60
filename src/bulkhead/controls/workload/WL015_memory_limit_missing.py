"""A container has no memory limit, so one runaway process can exhaust the node's memory.

## What it does
Flags each container and init container (native sidecars included) without
`resources.limits.memory`; a pod-level `spec.resources.limits.memory` (Kubernetes 1.34+) also
satisfies it. Ephemeral containers are skipped (the API allows them no resources).

## Why is this bad
Memory is not compressible: without a limit, a leaking Odoo worker, a huge report or a
tenant's spreadsheet import grows until the node runs out, and the kernel OOM killer then picks
victims across every tenant on that node. Odoo's `limit_memory_hard` is a per-worker cap in
prefork mode: it bounds neither the master process nor the sum of the workers, and does nothing
for the threaded server (`workers = 0`). The container limit is the hard wall; set it above
`workers * limit_memory_hard` plus the master, so Odoo recycles workers before the kernel
kills the pod.

## Example (must fail)
```yaml
apiVersion: batch/v1
kind: CronJob
metadata: {name: odoo-backup, namespace: acme-prod}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image:
                registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
              resources:
                requests: {cpu: 250m, memory: 512Mi}
```

## Use instead (must pass)
```yaml
apiVersion: batch/v1
kind: CronJob
metadata: {name: odoo-backup, namespace: acme-prod}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: backup
              image:
                registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
              resources:
                requests: {cpu: 250m, memory: 512Mi}
                limits: {memory: 1Gi}
```

## Remediation
Add `resources.limits.memory`; for prefork Odoo start from `(workers + max_cron_threads) *
limit_memory_hard + 512Mi`, with `limit_memory_soft` well below `limit_memory_hard`. A
namespace LimitRange `default.memory` catches forgotten containers.

## References
NSA/CISA Kubernetes Hardening Guide (resource policies). Peers: Checkov CKV_K8S_13, Kubescape
C-0271, kube-score container-resources, Polaris memoryLimitsMissing, Trivy KSV-0018. We
deliberately do not require CPU limits (Checkov CKV_K8S_11, Kubescape C-0270, Polaris
cpuLimitsMissing and Trivy KSV-0011 do): CPU is compressible, and a CFS quota throttles Odoo's
latency-sensitive workers even when the node is idle; CPU requests (WL014) give fair sharing
instead: the same choice as the Kyverno policy require-pod-requests-limits and kube-score
`--ignore-container-cpu-limit`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL015",
    slug="memory-limit-missing",
    title="Container has no memory limit",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_13",),
        "kubescape": ("C-0271",),
        "kube-score": ("container-resources",),
        "polaris": ("memoryLimitsMissing",),
        "trivy": ("KSV-0018",),
        "nsa": ("Resource policies",),
    },
)


def _memory_limit(resources: Any) -> bool:
    value = as_mapping(as_mapping(resources).get("limits")).get("memory")
    return value is not None and value != ""


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    if container.kind == "ephemeralContainers":
        return
    if _memory_limit(container.spec.get("resources")):
        return
    if _memory_limit(container.pod.spec.get("resources")):
        return
    yield Hit(
        (*container.path, "resources", "limits", "memory"),
        f"container {container.name!r} has no memory limit: set resources.limits.memory "
        "(for Odoo, above workers x limit_memory_hard) so a leak cannot exhaust the node",
    )
