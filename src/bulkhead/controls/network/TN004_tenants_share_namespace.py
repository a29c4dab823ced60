"""Workloads of two or more tenants run in one namespace.

## What it does
Groups workloads (every pod-template kind, and CloudNativePG Clusters) by namespace and works out
each one's tenant: its own `bulkhead.io/tenant` label, else its pod template's, else the tenant
its namespace label or its file's `context-path` gives it. A namespace whose workloads belong to
two or more tenants is reported on each workload whose tenant differs from the namespace's (the
Namespace object's tenant when scanned, else the first workload's), naming both tenants.

## Why is this bad
NetworkPolicies, RBAC, Secrets, quotas and Pod Security all apply per namespace. Two customers
in one namespace read each other's Secrets with any role that reads Secrets, reach each other's
PostgreSQL and Redis through `podSelector` rules written for "our" pods and share one quota.
It usually comes from a copied manifest with a stale `namespace:` or a misplaced file.

## Example (must fail)
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
  labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: prod}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-globex
  namespace: acme-prod
  labels: {bulkhead.io/tenant: globex}
spec:
  template:
    metadata: {labels: {app: odoo}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: globex-prod
  labels: {bulkhead.io/tenant: globex, bulkhead.io/environment: prod}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo
  namespace: globex-prod
  labels: {bulkhead.io/tenant: globex}
spec:
  template:
    metadata: {labels: {app: odoo}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
```

## Remediation
Give every tenant its own namespaces (`<tenant>-<environment>`) and move the stray workload,
with its Services, Secrets and PVC data, to its tenant's namespace; then make the mistake
impossible: render `metadata.namespace` from the tenant folder, and have an admission policy
refuse objects whose `bulkhead.io/tenant` label differs from their namespace's.

## References
NSA/CISA Kubernetes Hardening Guide (namespaces); CIS Kubernetes Benchmark 5.7.1
(administrative boundaries using namespaces). Peers: none.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import TENANT_LABEL, Inventory, pod_template
from bulkhead.model import FieldPath, Resource, Severity

META = Meta(
    id="TN004",
    slug="tenants-share-namespace",
    title="Workloads of several tenants in one namespace",
    domain=Domain.NETWORK,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={
        "cis": ("5.7.1",),
        "nsa": ("Namespaces: separate tenants' resources",),
    },
)

CNPG_GROUP = "postgresql.cnpg.io"


@dataclass(frozen=True, slots=True)
class _Owned:
    resource: Resource
    tenant: str
    path: FieldPath
    source: str


def _label(labels: Mapping[str, Any]) -> str | None:
    value = labels.get(TENANT_LABEL)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return str(value) or None


def _owned(resource: Resource) -> _Owned | None:
    own = _label(resource.labels)
    if own:
        return _Owned(resource, own, ("metadata", "labels", TENANT_LABEL), "its label")
    template = pod_template(resource)
    if template is not None:
        from_template = _label(template.labels)
        if from_template:
            path = (*template.labels_path, TENANT_LABEL)
            return _Owned(resource, from_template, path, "its pod template's label")
    if resource.context.tenant:
        return _Owned(
            resource, resource.context.tenant, ("metadata", "namespace"), "its namespace or path"
        )
    return None


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    workloads: dict[str, list[_Owned]] = {}
    seen: set[int] = set()
    candidates = [t.resource for t in inventory.pod_templates]
    candidates += [
        r for r in inventory.of_kind("Cluster") if str(r.api_version).startswith(f"{CNPG_GROUP}/")
    ]
    for resource in candidates:
        if id(resource) in seen or not resource.namespace:
            continue
        seen.add(id(resource))
        owned = _owned(resource)
        if owned is not None:
            workloads.setdefault(resource.namespace, []).append(owned)
    for namespace, owned_list in workloads.items():
        ns_object = inventory.get("Namespace", None, namespace)
        ns_tenant = ns_object.context.tenant if ns_object is not None else None
        tenants = {o.tenant for o in owned_list} | ({ns_tenant} if ns_tenant else set())
        if len(tenants) < 2:
            continue
        if ns_tenant:
            expected, whose = ns_tenant, f"namespace {namespace!r}"
        else:
            first = owned_list[0]
            expected = first.tenant
            whose = f"{first.resource.kind} {first.resource.name!r} in namespace {namespace!r}"
        for owned in owned_list:
            if owned.tenant == expected:
                continue
            yield Hit(
                owned.path,
                f"{owned.resource.kind} {owned.resource.name!r} belongs to tenant "
                f"{owned.tenant!r} ({owned.source}) but runs in namespace {namespace!r} with "
                f"tenant {expected!r} ({whose}): the two tenants share NetworkPolicies, "
                f"Secrets and quota; move it to tenant {owned.tenant}'s own namespace",
                resource=owned.resource,
            )
