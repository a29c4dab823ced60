"""A replicated production workload has no PodDisruptionBudget, so a drain may evict every pod.

## What it does
For every production Deployment and StatefulSet that runs 2 or more replicas, or whose replica
count a HorizontalPodAutoscaler manages, checks whether a PodDisruptionBudget of the same
namespace selects its pod template labels, with real selector semantics (`matchLabels` and
`matchExpressions`; in `policy/v1` an empty selector `{}` selects every pod of the namespace,
in the removed `policy/v1beta1` it selects none). Reports the pod template labels when none does.

## Why is this bad
Without a budget, `kubectl drain`, the cluster autoscaler and managed node upgrades may evict
all replicas of a tenant's Odoo at once when they share a node or a node pool is rotated: the
second replica buys nothing. A PDB makes evictions wait until enough pods are ready elsewhere.

## Example (must fail)
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
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: odoo-web}
```

## Remediation
Add a `policy/v1` PodDisruptionBudget in the workload's namespace whose `spec.selector` matches
the pod template labels, with `maxUnavailable: 1`; never so tight that no pod may leave (WL023).

## References
Peers: kube-score deployment-has-poddisruptionbudget and statefulset-has-poddisruptionbudget,
Polaris missingPodDisruptionBudget (`matchLabels` equality only), KICS b23e9b98 and 1db3a5a5,
Kyverno require-pdb (needs a live cluster). Unlike Polaris, bulkhead honours `matchExpressions`,
never counts a PDB of another namespace, and skips single-replica workloads, which WL021 reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_mapping
from bulkhead.controls.workload._scaling import SCALED_KINDS, hpa_targets
from bulkhead.inventory import Inventory
from bulkhead.model import Severity
from bulkhead.selectors import NOTHING, Selector, parse_selector

META = Meta(
    id="WL022",
    slug="pdb-missing",
    title="Replicated production workload without a PodDisruptionBudget",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={
        "kube-score": (
            "deployment-has-poddisruptionbudget",
            "statefulset-has-poddisruptionbudget",
        ),
        "polaris": ("missingPodDisruptionBudget",),
    },
)


def _budget_selectors(inventory: Inventory) -> dict[str | None, list[Selector]]:
    """The pod selector of every PodDisruptionBudget, by namespace."""
    by_namespace: dict[str | None, list[Selector]] = defaultdict(list)
    for pdb in inventory.of_kind("PodDisruptionBudget"):
        raw = as_mapping(pdb.doc.get("spec")).get("selector")
        selector = NOTHING if raw is None else parse_selector(raw)
        if selector.selects_everything and pdb.api_version == "policy/v1beta1":
            selector = NOTHING  # v1beta1: an empty selector selects no pod
        by_namespace[pdb.namespace].append(selector)
    return by_namespace


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    hpas = hpa_targets(inventory)
    budgets = _budget_selectors(inventory)
    for template in inventory.pod_templates:
        workload = template.resource
        if workload.kind not in SCALED_KINDS or not workload.context.is_production:
            continue
        key = (workload.namespace, workload.kind, workload.name)
        if key not in hpas:
            raw = as_mapping(workload.doc.get("spec")).get("replicas")
            replicas = as_int(raw)
            if replicas is None or replicas < 2:
                continue  # one replica (or the default 1) is WL021's finding
        labels = template.labels
        if any(selector.matches(labels) for selector in budgets.get(workload.namespace, ())):
            continue
        yield Hit(
            template.labels_path,
            f"no PodDisruptionBudget in namespace {workload.namespace!r} selects the pods of "
            f"production {workload.kind} {workload.name!r}, so a node drain may evict all its "
            "replicas at once: add a policy/v1 PodDisruptionBudget with maxUnavailable: 1 "
            "whose selector matches these labels",
            resource=workload,
        )
