"""A container has no CPU or memory request, so the scheduler packs it blind.

## What it does
Flags each container and init container (native sidecars included) that has no
`resources.requests.cpu` or no `resources.requests.memory`: one finding per missing field.
When a limit is set and the request is not, Kubernetes defaults the request to the limit, so a
set `resources.limits.cpu` / `.memory` satisfies the request. Pod-level `spec.resources`
(Kubernetes 1.34+) also satisfies it for the same resource. Ephemeral containers are skipped:
the API does not allow them resources.

## Why is this bad
Requests are what the scheduler reserves. A pod without them is BestEffort (or Burstable with
a zero reservation): the scheduler piles such pods onto one node, and under memory pressure
the kubelet evicts them first. On a shared Odoo platform that means one tenant's unbounded
workers starve the neighbours, and the tenant's own pods are the first to die when a node
fills up. Tenant ResourceQuotas with `requests.cpu`/`requests.memory` also reject pods without
requests, so a missing request often surfaces as a failed rollout.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          resources:
            requests: {cpu: 500m}
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          resources:
            requests: {cpu: 500m, memory: 1Gi}
            limits: {memory: 3Gi}
```

## Remediation
Size requests from observed usage (`kubectl top pod -n acme-prod`, or VPA in recommendation
mode). For prefork Odoo a starting point is `workers * ((0.8 * 150Mi) + (0.2 * 1Gi))` of memory
and about one core per two workers. Add a namespace LimitRange with `defaultRequest` as a
safety net, but keep explicit requests in the manifests so reviews see them.

## References
NSA/CISA Kubernetes Hardening Guide (resource policies: requests, limits, quotas). Peers:
Checkov CKV_K8S_10 / CKV_K8S_12, Kubescape C-0268 / C-0269, kube-score container-resources,
Polaris cpuRequestsMissing / memoryRequestsMissing, Trivy KSV-0015 / KSV-0016. Unlike most
peers we accept a limit in place of a request (the API server copies it), so
`limits: {cpu: 1, memory: 2Gi}` alone is not a false positive, and init containers, which also
reserve resources while they run, are covered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL014",
    slug="resource-requests-missing",
    title="Container has no CPU or memory request",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_10", "CKV_K8S_12"),
        "kubescape": ("C-0268", "C-0269"),
        "kube-score": ("container-resources",),
        "polaris": ("cpuRequestsMissing", "memoryRequestsMissing"),
        "trivy": ("KSV-0015", "KSV-0016"),
        "nsa": ("Resource policies",),
    },
)


def _set(value: Any) -> bool:
    return value is not None and value != ""


def _declares(resources: Any, resource: str) -> bool:
    """A request, or a limit the API server copies into the missing request."""
    resources = as_mapping(resources)
    return _set(as_mapping(resources.get("requests")).get(resource)) or _set(
        as_mapping(resources.get("limits")).get(resource)
    )


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    if container.kind == "ephemeralContainers":
        return
    own = container.spec.get("resources")
    pod_level = container.pod.spec.get("resources")
    for resource, label in (("cpu", "CPU"), ("memory", "memory")):
        if _declares(own, resource) or _declares(pod_level, resource):
            continue
        yield Hit(
            (*container.path, "resources", "requests", resource),
            f"container {container.name!r} has no {label} request: set "
            f"resources.requests.{resource} so the scheduler reserves capacity for it",
        )
