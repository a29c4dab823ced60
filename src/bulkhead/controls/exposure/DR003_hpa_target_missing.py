"""A HorizontalPodAutoscaler scales a workload that does not exist in its namespace.

## What it does
For every HorizontalPodAutoscaler (`autoscaling/v1` and `v2`), looks up the object its
`spec.scaleTargetRef` names, by `kind` and `name`, in the autoscaler's own namespace (the only
place the controller looks), and reports `scaleTargetRef.name` when it is not there. Any kind
counts, custom ones included (an Argo Rollout, say): only the kind and the name must match.
DR rule: a reference dangles when its target is not among the scanned objects of the target
namespace while the scan holds an object of that namespace (an HPA refers to its own).

## Why is this bad
An autoscaler whose target is missing (renamed Deployment, `Deployment` written for a
StatefulSet, a typo) does nothing: `FailedGetScale` events pile up while the tenant's Odoo web
tier stays at its static replica count through the Monday-morning peak. Worse, the workload
the team believes autoscaled usually ships without `replicas`, so it runs a single pod.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: odoo}}
  template:
    metadata: {labels: {app.kubernetes.io/name: odoo}}
    spec:
      containers: [{name: odoo, image: "registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: odoo}
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: odoo}}
  template:
    metadata: {labels: {app.kubernetes.io/name: odoo}}
    spec:
      containers: [{name: odoo, image: "registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: odoo-web}
  minReplicas: 2
  maxReplicas: 6
```

## Remediation
Set `spec.scaleTargetRef` to the exact `kind` and `metadata.name` of the workload in the same
namespace, then check `kubectl describe hpa odoo-web -n acme-prod` shows `ScalingActive True`.
Autoscale only the stateless Odoo web tier (WL025 reports stateful targets).

## References
Peers: kube-score horizontalpodautoscaler-has-target, Kubescape C-0300 (dangling HPA target).
KICS "HPA Targets Invalid Object" only checks the fields of an Object metric, not
that the scale target exists. bulkhead matches on kind, name and namespace.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="DR003",
    slug="hpa-target-missing",
    title="HorizontalPodAutoscaler targets a missing workload",
    domain=Domain.EXPOSURE,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={
        "kubescape": ("C-0300",),
        "kube-score": ("horizontalpodautoscaler-has-target",),
    },
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for hpa in inventory.of_kind("HorizontalPodAutoscaler"):
        if not (isinstance(hpa.api_version, str) and hpa.api_version.startswith("autoscaling/")):
            continue
        ref = as_mapping(as_mapping(hpa.doc.get("spec")).get("scaleTargetRef"))
        kind, name = ref.get("kind"), ref.get("name")
        if not isinstance(kind, str) or not kind or not isinstance(name, str) or not name:
            continue  # the API server rejects an HPA without a target: nothing to follow
        if inventory.get(kind, hpa.namespace, name) is not None:
            continue
        yield Hit(
            ("spec", "scaleTargetRef", "name"),
            f"HorizontalPodAutoscaler {hpa.name!r} scales {kind} {name!r}, which is not in "
            f"namespace {hpa.namespace!r}, so it scales nothing: set scaleTargetRef to the "
            "kind and name of an existing workload of this namespace",
            resource=hpa,
        )
