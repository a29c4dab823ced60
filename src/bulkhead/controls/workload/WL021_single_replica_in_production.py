"""A production Deployment or StatefulSet runs a single replica, so any restart is an outage.

## What it does
For every Deployment and StatefulSet in a production namespace, reports `spec.replicas` when it
is missing (the API server defaults it to 1) or 1. When a HorizontalPodAutoscaler targets the
workload (same namespace, `spec.scaleTargetRef` kind and name), the HPA owns the replica count:
its `spec.minReplicas` (default 1) is reported instead, on the HPA. Workloads deliberately
scaled to `replicas: 0` (a parked tenant) and non-production namespaces are not reported.

## Why is this bad
With one pod, every node drain, cluster upgrade, eviction, OOM kill or rollout of a `Recreate`
Deployment takes the tenant's Odoo offline until a new pod has started and loaded its registry,
which takes a minute or more. On a shared platform nodes are drained routinely, so one replica
turns routine maintenance into customer-visible downtime.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  selector:
    matchLabels: {app: odoo-web}
  template:
    metadata:
      labels: {app: odoo-web}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000
          ports: [{containerPort: 8069}, {containerPort: 8072}]
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  replicas: 2
  selector:
    matchLabels: {app: odoo-web}
  template:
    metadata:
      labels: {app: odoo-web}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000
          ports: [{containerPort: 8069}, {containerPort: 8072}]
```

## Remediation
Set `spec.replicas: 2` or more (or `minReplicas: 2` on the HPA), then add a PodDisruptionBudget
(WL022) and spread the replicas over nodes (WL024). Several Odoo web replicas need shared
sessions (Redis session store or an RWX `data_dir`) and a shared filestore. Odoo cron pods may
run two replicas too: each scheduled action is locked with `FOR NO KEY UPDATE SKIP LOCKED`, so
two workers never run the same job. A workload that truly cannot run twice (a single Redis
primary without Sentinel) should carry `bulkhead.io/ignore: "WL021: <why>"` instead.

## References
Peers: kube-score deployment-replicas (Deployments only, ignores HPA-managed ones through
deployment-targeted-by-hpa-does-not-have-replicas-configured), Polaris deploymentMissingReplicas
and hpaMinAvailability, Kyverno require-deployments-have-multiple-replicas. bulkhead also covers
StatefulSets, judges HPA-managed workloads by the HPA's `minReplicas`, and applies only to
production namespaces.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_mapping
from bulkhead.controls.workload._scaling import SCALED_KINDS, hpa_targets
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="WL021",
    slug="single-replica-in-production",
    title="Production workload runs a single replica",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={
        "kube-score": ("deployment-replicas",),
        "polaris": ("deploymentMissingReplicas", "hpaMinAvailability"),
    },
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    hpas = hpa_targets(inventory)
    for workload in inventory.of_kind(*SCALED_KINDS):
        if not workload.context.is_production:
            continue
        what = f"{workload.kind} {workload.name!r}"
        hpa = hpas.get((workload.namespace, workload.kind, workload.name))
        if hpa is not None:
            raw = as_mapping(hpa.doc.get("spec")).get("minReplicas")
            minimum = 1 if raw is None else as_int(raw)
            if minimum is None or minimum >= 2:
                continue
            yield Hit(
                ("spec", "minReplicas"),
                f"HorizontalPodAutoscaler {hpa.name!r} lets production {what} scale down to "
                f"{minimum} replica{'s' if minimum != 1 else ''}: set spec.minReplicas to 2 or "
                "more so that a node drain or restart never stops the service",
                resource=hpa,
            )
            continue
        raw = as_mapping(workload.doc.get("spec")).get("replicas")
        replicas = 1 if raw is None else as_int(raw)
        if replicas != 1:
            # 2+ is fine, 0 is deliberately off, a non-integer is rejected by the API server.
            continue
        reason = "spec.replicas is missing (it defaults to 1)" if raw is None else "1 replica"
        yield Hit(
            ("spec", "replicas"),
            f"production {what} runs a single replica ({reason}): set spec.replicas to 2 or "
            "more, with a PodDisruptionBudget and spreading over nodes, so that a node drain "
            "or restart never stops the service",
            resource=workload,
        )
