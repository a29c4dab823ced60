"""A tenant namespace on a shared cluster has no ResourceQuota or no LimitRange.

## What it does
When the scan holds namespaces of two or more tenants (a shared cluster), flags each tenant
namespace running workloads without a scanned ResourceQuota with `spec.hard` entries, or
without a LimitRange with `spec.limits` items (one finding per missing kind, on the Namespace,
else on its first workload). A single-tenant scan is not reported.

## Why is this bad
Tenants share nodes. Without a quota one tenant's runaway import job, HPA or `workers`
setting claims the CPU, memory, PVCs or LoadBalancers and starves every other tenant's Odoo
(the noisy neighbour). Without a LimitRange a container with no requests runs BestEffort, and
one with no memory limit can exhaust a node shared with other tenants.

## Example (must fail)
```yaml
apiVersion: v1
kind: Namespace
metadata: {name: acme-prod, labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: globex-prod, labels: {bulkhead.io/tenant: globex}}
---
apiVersion: v1
kind: Pod
metadata: {name: odoo, namespace: acme-prod}
spec: {containers: [{name: odoo, image: registry.example.com/odoo:19.0}]}
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Namespace
metadata: {name: acme-prod, labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: prod}}
---
apiVersion: v1
kind: Namespace
metadata: {name: globex-prod, labels: {bulkhead.io/tenant: globex}}
---
apiVersion: v1
kind: Pod
metadata: {name: odoo, namespace: acme-prod}
spec: {containers: [{name: odoo, image: registry.example.com/odoo:19.0}]}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: tenant-quota, namespace: acme-prod}
spec:
  hard: {requests.cpu: "8", requests.memory: 16Gi, limits.memory: 16Gi,
         services.loadbalancers: "0", services.nodeports: "0"}
---
apiVersion: v1
kind: LimitRange
metadata: {name: container-defaults, namespace: acme-prod}
spec:
  limits: [{type: Container, defaultRequest: {cpu: 100m, memory: 256Mi}, default: {memory: 1Gi}}]
```

## Remediation
Ship a ResourceQuota and a LimitRange with every tenant namespace, sized from the tenant's
plan; `services.loadbalancers: "0"` and `services.nodeports: "0"` also stop a tenant from
publishing its database (TN005). Check with `kubectl describe quota,limitrange -n acme-prod`.

## References
NSA/CISA Kubernetes Hardening Guide (resource policies: LimitRange and ResourceQuota per
namespace); CIS Kubernetes Benchmark 5.7.1 (namespaces as administrative boundaries). Peers:
Trivy KSV-0039 (LimitRange) and KSV-0040 (ResourceQuota) report every namespace of every scan;
bulkhead asks only on a shared cluster and ignores quotas that limit nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.inventory import ENVIRONMENT_LABEL, TENANT_LABEL, Inventory
from bulkhead.model import Resource, Severity

META = Meta(
    id="TN003",
    slug="shared-cluster-without-quota",
    title="Tenant namespace on a shared cluster without ResourceQuota or LimitRange",
    domain=Domain.NETWORK,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={
        "trivy": ("KSV-0039", "KSV-0040"),
        "cis": ("5.7.1",),
        "nsa": ("Resource policies: LimitRange and ResourceQuota",),
    },
)

_SHOWN = 3
CNPG_GROUP = "postgresql.cnpg.io"


def _limits_something(resource: Resource) -> bool:
    spec = as_mapping(resource.doc.get("spec"))
    if resource.kind == "ResourceQuota":
        return bool(as_mapping(spec.get("hard")))
    return any(isinstance(item, Mapping) and item for item in as_list(spec.get("limits")))


def _workloads(inventory: Inventory) -> dict[str, Resource]:
    """The first workload of each namespace: pod templates and CloudNativePG Clusters."""
    first: dict[str, Resource] = {}
    for template in inventory.pod_templates:
        if template.resource.namespace:
            first.setdefault(template.resource.namespace, template.resource)
    for cluster in inventory.of_kind("Cluster"):
        if cluster.namespace and str(cluster.api_version).startswith(f"{CNPG_GROUP}/"):
            first.setdefault(cluster.namespace, cluster)
    return first


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    tenant_of: dict[str, str | None] = {}
    for namespace in inventory.of_kind("Namespace"):
        labels = namespace.labels
        if namespace.context.tenant or labels.get(TENANT_LABEL) or labels.get(ENVIRONMENT_LABEL):
            tenant_of[namespace.name] = namespace.context.tenant
    for resource in inventory.resources:
        namespace_name = resource.namespace
        if (
            namespace_name
            and resource.context.tenant
            and resource.kind != "Namespace"
            and tenant_of.get(namespace_name) is None
        ):
            tenant_of[namespace_name] = resource.context.tenant
    tenants = sorted({t for t in tenant_of.values() if t})
    if len(tenants) < 2:
        return  # one customer per cluster: nobody to starve
    covered = {
        kind: {r.namespace for r in inventory.of_kind(kind) if _limits_something(r)}
        for kind in ("ResourceQuota", "LimitRange")
    }
    workloads = _workloads(inventory)
    shown = ", ".join(tenants[:_SHOWN]) + (
        f" and {len(tenants) - _SHOWN} more" if len(tenants) > _SHOWN else ""
    )
    for name, tenant in tenant_of.items():
        workload = workloads.get(name)
        if workload is None:
            continue
        anchor = inventory.get("Namespace", None, name) or workload
        path = ("metadata", "name") if anchor.kind == "Namespace" else ("metadata", "namespace")
        owner = f"tenant {tenant}'s namespace" if tenant else "tenant namespace"
        for kind, namespaces in covered.items():
            if name in namespaces:
                continue
            what = (
                "a ResourceQuota (spec.hard: requests.cpu, requests.memory, limits.memory, "
                "persistentvolumeclaims)"
                if kind == "ResourceQuota"
                else "a LimitRange (spec.limits: default requests and memory limits for containers)"
            )
            yield Hit(
                path,
                f"{owner} {name!r} runs workloads ({workload.kind} {workload.name!r}) on a cluster "
                f"shared by {len(tenants)} tenants ({shown}) but has no {kind} that limits "
                f"anything: one tenant can starve the others' pods on shared nodes; add {what}",
                resource=anchor,
                key=f"{name}:{kind}",
            )
