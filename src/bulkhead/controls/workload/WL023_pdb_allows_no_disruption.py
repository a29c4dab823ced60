"""A PodDisruptionBudget allows no voluntary disruption, so node drains block forever.

## What it does
Reports a PodDisruptionBudget whose `maxUnavailable` is `0` or `"0%"`, whose `minAvailable` is
`"100%"`, or whose `minAvailable` (an integer, or a percentage rounded up as the disruption
controller rounds it) is at least the number of pods it covers. That number is the sum of the
replicas of the Deployments and StatefulSets of its namespace it selects (real selector
semantics); for an HPA-managed workload the HPA's `minReplicas` counts, the size it shrinks to
at quiet hours, when maintenance runs. When it also selects pods whose count is unknown (a
DaemonSet, a bare Pod, a Job) only the `0` and `100%` forms are reported.

## Why is this bad
Such a budget never lets the eviction API remove a pod: `kubectl drain`, managed node upgrades
and the cluster autoscaler wait on it until they time out or an operator forces them, which
then evicts without any budget at all. One tenant's over-tight PDB stalls the maintenance of a
shared node pool for every tenant on it.

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
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: odoo-web}
```

## Use instead (must pass)
```yaml
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
Prefer `maxUnavailable: 1`: it stays correct when the replica count changes. Keep any
`minAvailable` below the replica count, and raise the replicas (WL021), not the budget.

## References
Peers: Polaris pdbDisruptionsIsZero and pdbMinAvailableGreaterThanHPAMinReplicas, kube-score
poddisruptionbudget-has-policy, Kyverno pdb-maxunavailable and pdb-minavailable (admission, live
cluster). bulkhead resolves the selected workloads' replicas offline, sums them as the
disruption controller does (one budget over two Deployments covers all their pods), and rounds
percentages up like the controller.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_mapping
from bulkhead.controls.workload._scaling import SCALED_KINDS, hpa_targets, min_replicas
from bulkhead.inventory import Inventory, PodTemplate
from bulkhead.model import Resource, Severity
from bulkhead.selectors import NOTHING, parse_selector

META = Meta(
    id="WL023",
    slug="pdb-allows-no-disruption",
    title="PodDisruptionBudget allows no disruption",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={
        "kube-score": ("poddisruptionbudget-has-policy",),
        "polaris": ("pdbDisruptionsIsZero", "pdbMinAvailableGreaterThanHPAMinReplicas"),
    },
)

_PERCENT = re.compile(r"([0-9]+)%")


def _percent(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    match = _PERCENT.fullmatch(value.strip())
    return int(match.group(1)) if match else None


def _replicas(
    template: PodTemplate, hpas: dict[tuple[str | None, str, str], int | None]
) -> int | None:
    """How many pods the template runs at its smallest; None when unknown."""
    workload = template.resource
    if workload.kind not in SCALED_KINDS:
        return None
    key = (workload.namespace, workload.kind, workload.name)
    if key in hpas:
        return hpas[key]
    raw = as_mapping(workload.doc.get("spec")).get("replicas")
    return 1 if raw is None else as_int(raw)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    hpas = {target: min_replicas(hpa) for target, hpa in hpa_targets(inventory).items()}
    templates: dict[str | None, list[PodTemplate]] = defaultdict(list)
    for template in inventory.pod_templates:
        templates[template.resource.namespace].append(template)
    for pdb in inventory.of_kind("PodDisruptionBudget"):
        spec = as_mapping(pdb.doc.get("spec"))
        max_unavailable = spec.get("maxUnavailable")
        if as_int(max_unavailable) == 0 or _percent(max_unavailable) == 0:
            yield Hit(
                ("spec", "maxUnavailable"),
                f"PodDisruptionBudget {pdb.name!r} sets maxUnavailable to "
                f"{max_unavailable!r}, so no pod may ever be evicted and node drains block "
                "forever: use maxUnavailable: 1",
                resource=pdb,
            )
        yield from _check_min_available(pdb, spec, templates, hpas)


def _check_min_available(
    pdb: Resource,
    spec: Mapping[str, Any],
    templates: dict[str | None, list[PodTemplate]],
    hpas: dict[tuple[str | None, str, str], int | None],
) -> Iterator[Hit]:
    raw = spec.get("minAvailable")
    number, percent = as_int(raw), _percent(raw)
    if percent is not None and percent >= 100:
        yield Hit(
            ("spec", "minAvailable"),
            f"PodDisruptionBudget {pdb.name!r} sets minAvailable to {raw!r}, so no pod may "
            "ever be evicted and node drains block forever: use maxUnavailable: 1",
            resource=pdb,
        )
        return
    if number is None and percent is None:
        return
    raw_selector = spec.get("selector")
    selector = NOTHING if raw_selector is None else parse_selector(raw_selector)
    if selector.selects_everything and pdb.api_version == "policy/v1beta1":
        return  # v1beta1: an empty selector selects no pod
    selected = [t for t in templates.get(pdb.namespace, ()) if selector.matches(t.labels)]
    counts = [_replicas(t, hpas) for t in selected]
    if not selected or any(count is None for count in counts):
        return
    total = sum(count for count in counts if count is not None and count > 0)
    if total == 0:
        return
    required = number if number is not None else math.ceil((percent or 0) * total / 100)
    if required < total:
        return
    workloads = ", ".join(f"{t.resource.kind} {t.resource.name!r}" for t in selected)
    yield Hit(
        ("spec", "minAvailable"),
        f"PodDisruptionBudget {pdb.name!r} keeps minAvailable {raw!r} of the {total} "
        f"pod{'s' if total != 1 else ''} it covers ({workloads}, counting an HPA's "
        "minReplicas), so no pod may ever be evicted and node drains block forever: use "
        "maxUnavailable: 1, or run more replicas than minAvailable",
        resource=pdb,
    )
