"""Pods of one tenant can receive traffic from pods of another tenant.

## What it does
For every workload of a tenant (tenant from the namespace label `bulkhead.io/tenant` or the
`context-path` pattern), works out which other tenants' pods may connect to it, from the
NetworkPolicies with the API server's semantics:

- a workload that no ingress-isolating policy selects admits every pod of every tenant;
- an ingress rule without `from` admits everyone;
- a peer's `namespaceSelector` is matched against the labels of every scanned Namespace (plus
  the automatic `kubernetes.io/metadata.name` label), and its `podSelector` against the pods
  there; a `podSelector` alone stays in the policy's namespace;
- an `ipBlock` that overlaps a private range (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)
  may hold pod addresses, so it admits everyone.

Each path is reported once, on the policy peer (or the unselected workload) that opens it, with
both ends: the tenant's workloads it exposes and the other tenants' workloads that can reach them.
Namespaces without a tenant (the ingress controller, monitoring) are not tenants and are not
reported as sources.

## Why is this bad
Tenant isolation is the promise of a shared platform: one customer's compromised Odoo worker must
not reach another customer's Odoo, Redis or database. One namespace selector that is too broad
is enough to break it, and nothing in a single manifest shows it.

## Example (must fail)
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
  labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: prod}
---
apiVersion: v1
kind: Namespace
metadata:
  name: globex-prod
  labels: {bulkhead.io/tenant: globex, bulkhead.io/environment: prod}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo, namespace: acme-prod}
spec:
  template:
    metadata: {labels: {app: odoo}}
    spec:
      containers: [{name: odoo, image: registry.example.com/odoo:19.0}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo, namespace: globex-prod}
spec:
  template:
    metadata: {labels: {app: odoo}}
    spec:
      containers: [{name: odoo, image: registry.example.com/odoo:19.0}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-odoo, namespace: acme-prod}
spec:
  podSelector: {matchLabels: {app: odoo}}
  ingress:
    - from:
        - namespaceSelector: {}
          podSelector: {matchLabels: {app: odoo}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: globex-prod}
spec:
  podSelector: {}
  policyTypes: [Ingress]
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Namespace
metadata:
  name: acme-prod
  labels: {bulkhead.io/tenant: acme, bulkhead.io/environment: prod}
---
apiVersion: v1
kind: Namespace
metadata:
  name: globex-prod
  labels: {bulkhead.io/tenant: globex, bulkhead.io/environment: prod}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo, namespace: acme-prod}
spec:
  template:
    metadata: {labels: {app: odoo}}
    spec:
      containers: [{name: odoo, image: registry.example.com/odoo:19.0}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo, namespace: globex-prod}
spec:
  template:
    metadata: {labels: {app: odoo}}
    spec:
      containers: [{name: odoo, image: registry.example.com/odoo:19.0}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-odoo, namespace: acme-prod}
spec:
  podSelector: {matchLabels: {app: odoo}}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {bulkhead.io/tenant: acme}
          podSelector: {matchLabels: {app: odoo}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: globex-prod}
spec:
  podSelector: {}
  policyTypes: [Ingress]
```

## Remediation
Give every tenant namespace a default deny (NP001) and write allow rules whose
`namespaceSelector` names the tenant (`bulkhead.io/tenant: acme`) or a platform namespace
(`kubernetes.io/metadata.name: traefik`), never `{}` or a label all tenants share; keep
`ipBlock` for addresses outside the cluster.

## References
NSA/CISA Kubernetes Hardening Guide (network separation); Kubernetes NetworkPolicy semantics
(peers, namespace scoping, policyTypes). Peers: none computes cross-tenant reachability;
Checkov's NetworkPolicy edges ignore namespaces (checkov#7474), Polaris matches `matchLabels`
equality only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list
from bulkhead.inventory import Inventory, PodTemplate
from bulkhead.model import FieldPath, Severity
from bulkhead.network import Reachability, Sources, network_view, reachability

META = Meta(
    id="NP004",
    slug="cross-tenant-reachable",
    title="Pods reachable from another tenant",
    domain=Domain.NETWORK,
    severity=Severity.CRITICAL,
    scope=Scope.INVENTORY,
    references={"nsa": ("Network separation and hardening",)},
)

_SHOWN = 3


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _workloads(pods: Sequence[PodTemplate]) -> str:
    return _names([f"{p.resource.kind} {p.resource.name}" for p in pods])


def _who(sources: Sources, tenant: str) -> str:
    if sources.everyone:
        return (
            f"pods of every tenant ({sources.reason})" if sources.reason else "every tenant's pods"
        )
    foreign = sorted(sources.foreign(tenant))
    examples = [s.workload for t in foreign for s in sources.by_tenant[t]]
    return f"tenant {_names(foreign)} ({_names(examples)})"


def _opens(sources: Sources, tenant: str) -> bool:
    return sources.everyone or bool(sources.foreign(tenant))


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    view = network_view(inventory)
    reach = reachability(inventory)
    for namespace, pods in view.pods.items():
        tenant = reach.tenant(namespace)
        if tenant is None:
            continue
        guarded: set[int] = set()
        for policy in view.policies.get(namespace, ()):
            if not policy.isolates_ingress:
                continue
            selected = [p for p in pods if policy.pods.matches(p.labels)]
            guarded.update(id(p) for p in selected)
            if not selected:
                continue
            for index, rule in enumerate(policy.ingress_rules):
                for path, sources in _rule_sources(reach, namespace, rule, index):
                    if _opens(sources, tenant):
                        yield Hit(
                            path,
                            f"NetworkPolicy {policy.resource.name!r} lets {_who(sources, tenant)} "
                            f"reach tenant {tenant}'s {_workloads(selected)}: restrict the rule "
                            "to this tenant's namespaces and the platform's ingress controller",
                            resource=policy.resource,
                            key=repr(path),
                        )
        for pod in pods:
            if id(pod) not in guarded:
                yield Hit(
                    pod.labels_path,
                    f"no ingress NetworkPolicy selects tenant {tenant}'s {pod.resource.kind} "
                    f"{pod.resource.name!r}, so every tenant's pods can reach it: add a "
                    "default deny (NP001) and tenant-scoped allow rules",
                    resource=pod.resource,
                )


def _rule_sources(
    reach: Reachability, namespace: str | None, rule: Mapping[str, object], index: int
) -> Iterator[tuple[FieldPath, Sources]]:
    peers = rule.get("from")
    if not isinstance(peers, list) or not peers:
        yield ("spec", "ingress", index), reach.everyone("an ingress rule without `from`")
        return
    for peer_index, peer in enumerate(as_list(peers)):
        if isinstance(peer, Mapping):
            yield ("spec", "ingress", index, "from", peer_index), reach.peer(namespace, peer)
