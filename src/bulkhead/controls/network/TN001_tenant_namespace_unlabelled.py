"""A tenant namespace lacks the bulkhead.io/tenant or bulkhead.io/environment label.

## What it does
Flags a scanned Namespace object that:

- carries one of `bulkhead.io/tenant` and `bulkhead.io/environment` but not the other (or an
  empty value), or
- carries neither, although it is a tenant's: the `context-path` pattern gives its own file or
  the objects deployed into it a tenant, or those objects are labelled `bulkhead.io/tenant`.

Namespaces without either label whose objects have no tenant (`traefik`, `cnpg-system`,
monitoring) are platform namespaces and pass. A namespace whose Namespace object is not in the
scan is not reported: its labels are unknown.

## Why is this bad
The labels are what the cluster sees. Tenant-scoped NetworkPolicies select namespaces with
`namespaceSelector: {matchLabels: {bulkhead.io/tenant: acme}}`, and admission policies, quotas and
cost reports key on them; the folder a manifest sits in means nothing to the API server. A
namespace without them is silently left out of its tenant's allow rules (outages) or, worse, out
of the deny rules written against other tenants, and bulkhead's own cross-tenant analysis
(NP004, TN005) and production rules cannot place it.

## Example (must fail)
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
  labels:
    bulkhead.io/tenant: acme
    pod-security.kubernetes.io/enforce: restricted
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
```

## Remediation
Give every tenant namespace both labels in Git:
`kubectl label namespace acme-prod bulkhead.io/tenant=acme bulkhead.io/environment=prod`.
Generate the Namespace from the same template that creates the tenant's folder
(`tenants/acme/prod/`), so path and labels cannot drift apart, and select tenants in
NetworkPolicies by these labels or by `kubernetes.io/metadata.name`.

## References
NSA/CISA Kubernetes Hardening Guide (namespaces and network separation); CIS Kubernetes
Benchmark 5.7.1 (administrative boundaries between resources using namespaces). Peers: none;
Trivy and Kubescape check objects in the `default` namespace, not tenant labelling.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import ENVIRONMENT_LABEL, TENANT_LABEL, Inventory
from bulkhead.model import FieldPath, Resource, Severity

META = Meta(
    id="TN001",
    slug="tenant-namespace-unlabelled",
    title="Tenant namespace without tenant and environment labels",
    domain=Domain.NETWORK,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={
        "cis": ("5.7.1",),
        "nsa": ("Network separation and hardening: namespaces",),
    },
)


def _set(resource: Resource, key: str) -> bool:
    value = resource.labels.get(key)
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value) != ""


def _labels_path(resource: Resource) -> FieldPath:
    labels = resource.metadata.get("labels")
    return ("metadata", "labels") if isinstance(labels, Mapping) else ("metadata",)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    # One pass: the first object deployed into each namespace that has a tenant.
    tenant_object: dict[str, Resource] = {}
    for resource in inventory.resources:
        if resource.kind != "Namespace" and resource.namespace and resource.context.tenant:
            tenant_object.setdefault(resource.namespace, resource)
    for namespace in inventory.of_kind("Namespace"):
        has_tenant, has_environment = (
            _set(namespace, TENANT_LABEL),
            _set(namespace, ENVIRONMENT_LABEL),
        )
        if has_tenant and has_environment:
            continue
        if has_tenant or has_environment:
            missing = ENVIRONMENT_LABEL if has_tenant else TENANT_LABEL
            present = TENANT_LABEL if has_tenant else ENVIRONMENT_LABEL
            yield Hit(
                _labels_path(namespace),
                f"namespace {namespace.name!r} has {present} but no {missing} label (or an "
                f"empty one): add {missing} so NetworkPolicies, admission policies and "
                "bulkhead's tenant and production rules can place it",
                resource=namespace,
            )
            continue
        witness = tenant_object.get(namespace.name)
        tenant = namespace.context.tenant or (witness.context.tenant if witness else None)
        if tenant is None:
            continue  # a platform namespace: no tenant anywhere
        if namespace.context.tenant:
            why = f"its file path gives tenant {tenant!r}"
        elif witness is not None:
            why = f"{witness.kind} {witness.name!r} in it belongs to tenant {tenant!r}"
        else:  # pragma: no cover - tenant comes from one of the two
            why = f"it belongs to tenant {tenant!r}"
        environment = namespace.context.environment or (
            witness.context.environment if witness else None
        )
        yield Hit(
            _labels_path(namespace),
            f"namespace {namespace.name!r} carries neither {TENANT_LABEL} nor "
            f"{ENVIRONMENT_LABEL} although {why}: NetworkPolicies that select tenants by "
            f"label miss it; add {TENANT_LABEL}: {tenant} and "
            f"{ENVIRONMENT_LABEL}: {environment or '<environment>'}",
            resource=namespace,
        )
