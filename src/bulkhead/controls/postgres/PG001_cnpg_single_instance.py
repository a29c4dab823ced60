"""A production CloudNativePG cluster runs a single PostgreSQL instance, with no standby to fail over to.

## What it does
Flags a CloudNativePG `Cluster` (`postgresql.cnpg.io/v1`) in a production namespace whose
`spec.instances` is missing (the operator then creates one instance) or below 2. Namespaces
labelled `bulkhead.io/environment` dev, test, staging, ... are skipped; an unknown environment
counts as production. A `Cluster` of another API group (Cluster API, ClickHouse, ...) is ignored.

## Why is this bad
With one instance there is no hot standby: a node drain, a node failure, a PVC problem or a
minor-version update is a full outage of every Odoo worker of the tenant, and a lost volume
means restoring from the last base backup plus WAL. With two or more instances the operator
promotes a synchronous-ready replica within seconds and performs rolling updates replica-first.

## Example (must fail)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: acme-pg
  namespace: acme-prod
spec:
  instances: 1
  storage: {size: 50Gi}
```

## Use instead (must pass)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: acme-pg
  namespace: acme-prod
spec:
  instances: 3
  storage: {size: 50Gi}
  affinity:
    enablePodAntiAffinity: true
    topologyKey: kubernetes.io/hostname
    podAntiAffinityType: required
```

## Remediation
Set `spec.instances: 3` (one primary, two replicas) or at least 2, and spread the instances
with `spec.affinity.podAntiAffinityType: required` on `kubernetes.io/hostname` (or a zone key)
so one node loss cannot take them all. Point Odoo at the `<cluster>-rw` Service, which follows
the primary after a failover. `kubectl cnpg status acme-pg -n acme-prod` shows the replicas.

## References
CloudNativePG documentation: architecture, replication and rolling updates (`spec.instances`,
default 1). No peer scanner (Checkov, Kubescape, kube-score, Polaris, Trivy) reads
CloudNativePG objects. Non-production namespaces
are exempt on purpose: one instance is a sound cost choice for a staging tenant.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="PG001",
    slug="cnpg-single-instance",
    title="Production CloudNativePG cluster has a single instance",
    domain=Domain.POSTGRES,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Cluster"}),
)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not resource.api_version.startswith("postgresql.cnpg.io/"):
        return
    if not resource.context.is_production:
        return
    spec = as_mapping(resource.doc.get("spec"))
    raw = spec.get("instances")
    instances = 1 if raw is None else as_int(raw)
    if instances is None or instances >= 2:
        return  # A non-integer is refused by the API server: nothing runs.
    said = "does not set spec.instances (default 1)" if raw is None else f"runs {instances}"
    yield Hit(
        ("spec", "instances"),
        f"production Cluster {resource.name!r} {said} PostgreSQL instance(s), so a node drain "
        "or failure is an outage: set spec.instances to 3 (at least 2) with required pod "
        "anti-affinity",
    )
