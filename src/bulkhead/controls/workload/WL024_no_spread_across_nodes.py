"""A replicated production workload is not spread over nodes, so one node failure stops it.

## What it does
For every production Deployment and StatefulSet with `spec.replicas` of 2 or more, checks that
the pod template spreads its own pods: a `podAntiAffinity` term (required or preferred) or a
`topologySpreadConstraints` entry whose `topologyKey` is `kubernetes.io/hostname` or a zone key
(`topology.kubernetes.io/zone`) and whose `labelSelector` selects the template's own labels.
A term on another key (`kubernetes.io/os`), without a selector (it matches no pod), or selecting
other pods only (anti-affinity to Redis) does not spread the replicas. Workloads without
`spec.replicas` (usually HPA-managed) are skipped.

## Why is this bad
The scheduler may put both Odoo replicas on the same node: one kernel panic, node drain or
spot-instance reclaim then takes the tenant down despite the second replica and the PDB.

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
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels: {app: odoo-web}
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000
```

## Remediation
Add a `topologySpreadConstraints` entry on `kubernetes.io/hostname` (and one on
`topology.kubernetes.io/zone` on multi-zone clusters) whose `labelSelector` matches the pod
labels, or a preferred `podAntiAffinity` term with the same selector. `ScheduleAnyway` keeps
pods schedulable on a small cluster; `DoNotSchedule` guarantees the spread but may leave pods
pending.

## References
Peers: kube-score deployment-has-host-podantiaffinity and statefulset-has-host-podantiaffinity
(anti-affinity on the hostname only), kube-score pod-topology-spread-constraints, Polaris
topologySpreadConstraint, KICS a31b7b82 and d740d048. bulkhead accepts either mechanism, on
the hostname or a zone, and requires the term to select the workload's own pods.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_list, as_mapping
from bulkhead.inventory import pod_template
from bulkhead.model import Resource, Severity
from bulkhead.selectors import parse_selector

META = Meta(
    id="WL024",
    slug="no-spread-across-nodes",
    title="Replicated production workload not spread across nodes",
    domain=Domain.WORKLOAD,
    severity=Severity.LOW,
    scope=Scope.RESOURCE,
    references={
        "kube-score": (
            "deployment-has-host-podantiaffinity",
            "statefulset-has-host-podantiaffinity",
            "pod-topology-spread-constraints",
        ),
        "polaris": ("topologySpreadConstraint",),
    },
    kinds=frozenset({"Deployment", "StatefulSet"}),
)

SPREAD_KEYS = frozenset(
    {
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/zone",
    }
)


def _selects_own(term: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    key = term.get("topologyKey")
    if not isinstance(key, str) or key not in SPREAD_KEYS:
        return False
    raw = term.get("labelSelector")
    if raw is None or not parse_selector(raw).matches(labels):
        return False  # no selector matches no pod
    # mismatchLabelKeys adds `key NotIn (own value)`: the pod's own replicas no longer match.
    return not any(key in labels for key in as_list(term.get("mismatchLabelKeys")))


def _in_own_namespace(term: Mapping[str, Any], namespace: str | None) -> bool:
    namespaces = as_list(term.get("namespaces"))
    if term.get("namespaceSelector") is not None or not namespaces or namespace is None:
        return True
    return namespace in namespaces


def _spreads(pod_spec: Mapping[str, Any], labels: Mapping[str, Any], namespace: str | None) -> bool:
    anti = as_mapping(as_mapping(pod_spec.get("affinity")).get("podAntiAffinity"))
    terms = [
        as_mapping(t) for t in as_list(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))
    ]
    terms += [
        as_mapping(as_mapping(t).get("podAffinityTerm"))
        for t in as_list(anti.get("preferredDuringSchedulingIgnoredDuringExecution"))
    ]
    if any(_selects_own(t, labels) and _in_own_namespace(t, namespace) for t in terms):
        return True
    constraints = as_list(pod_spec.get("topologySpreadConstraints"))
    return any(_selects_own(as_mapping(c), labels) for c in constraints)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not resource.context.is_production:
        return
    replicas = as_int(as_mapping(resource.doc.get("spec")).get("replicas"))
    if replicas is None or replicas < 2:
        return
    template = pod_template(resource)
    if template is None or _spreads(template.spec, template.labels, resource.namespace):
        return
    yield Hit(
        (*template.path, "affinity"),
        f"the {replicas} replicas of production {resource.kind} {resource.name!r} may all land "
        "on one node: add a topologySpreadConstraints entry (topologyKey: "
        "kubernetes.io/hostname) or a podAntiAffinity term whose labelSelector matches the "
        "pod labels",
    )
