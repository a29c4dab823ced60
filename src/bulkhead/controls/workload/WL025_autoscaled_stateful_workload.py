"""A HorizontalPodAutoscaler scales a stateful workload (PostgreSQL, Redis) by load.

## What it does
Reports a HorizontalPodAutoscaler whose `spec.scaleTargetRef.kind` is `StatefulSet` (in any
API group, OpenKruise's Advanced StatefulSet included), or a CloudNativePG `Cluster`
(`postgresql.cnpg.io`, which has a scale subresource), in every environment. The platform's
design rule is to autoscale stateless tiers only: Odoo web pods, never its data stores.

## Why is this bad
A StatefulSet holds state per pod: a new Redis pod starts as an empty, independent primary
that the Service balances sessions onto (users are logged out at random), and a scale-down
deletes the highest ordinal with the data only it had. New PostgreSQL instances clone the
primary while it is already overloaded, and scaling in removes replicas mid-failover. Extra
pods also raise every tenant's connection and memory usage exactly when the node is busy.

## Example (must fail)
```yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: redis
  namespace: acme-prod
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: StatefulSet
    name: redis
  minReplicas: 1
  maxReplicas: 3
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}
```

## Use instead (must pass)
```yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: odoo-web
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
```

## Remediation
Delete the HPA and size the data store explicitly: a fixed `spec.replicas` (Redis with
Sentinel or an operator if it must be highly available), or `spec.instances` on the
CloudNativePG Cluster, changed through Git after capacity planning. Autoscale the Odoo web
Deployment instead, and put PgBouncer (a CNPG Pooler) in front of PostgreSQL if connections
are the bottleneck.

## References
No peer scanner has this check: kube-score horizontalpodautoscaler-has-target and Kubescape
C-0300 only verify that the target exists. The rule follows the platform's design (autoscale
stateless tiers only).
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="WL025",
    slug="autoscaled-stateful-workload",
    title="Stateful workload scaled by a HorizontalPodAutoscaler",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.RESOURCE,
    kinds=frozenset({"HorizontalPodAutoscaler"}),
)

CNPG_GROUP = "postgresql.cnpg.io"


def _stateful(kind: object, api_version: object) -> bool:
    # Any StatefulSet (apps, or OpenKruise's Advanced StatefulSet); Cluster only in CNPG's group.
    if kind == "StatefulSet":
        return True
    return (
        kind == "Cluster"
        and isinstance(api_version, str)
        and api_version.partition("/")[0] == CNPG_GROUP
    )


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    ref = as_mapping(as_mapping(resource.doc.get("spec")).get("scaleTargetRef"))
    kind, name, api_version = ref.get("kind"), ref.get("name"), ref.get("apiVersion")
    if not _stateful(kind, api_version):
        return
    target = f"{kind} {name!r}" if isinstance(name, str) else kind
    yield Hit(
        ("spec", "scaleTargetRef", "kind"),
        f"HorizontalPodAutoscaler {resource.name!r} scales the stateful {target} by load: "
        "delete it and size the data store explicitly (autoscale stateless tiers such as the "
        "Odoo web Deployment only)",
    )
