"""A namespace running workloads has no default-deny NetworkPolicy for ingress and egress.

## What it does
For every namespace that holds a workload (any pod template) in the scanned inputs, looks for
NetworkPolicies in that namespace that select every pod (`podSelector: {}`) and allow nothing:
one isolating ingress with no ingress rule, one isolating egress with no egress rule (one policy
may do both). Reports the namespace once per missing direction, on its Namespace object when it
was scanned, else on the first workload found there.

## Why is this bad
Kubernetes allows all traffic to and from a pod that no policy selects. Without a default deny,
every new workload of a tenant (a debug pod, a forgotten cron) is reachable from every other
tenant's pods and can reach the internet, the cluster API and other tenants' databases. Allow
rules then only add exceptions to a closed namespace.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  template:
    metadata:
      labels: {app: odoo}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-traefik
  namespace: acme-prod
spec:
  podSelector:
    matchLabels: {app: odoo}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: traefik}
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  template:
    metadata:
      labels: {app: odoo}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: acme-prod
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
```

## Remediation
Add a `default-deny` NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]`
and no rules to every tenant namespace, then allow what each workload needs (Traefik to Odoo on
8069/8072, Odoo to PostgreSQL 5432 and Redis 6379, DNS egress to kube-dns).

## References
NSA/CISA Kubernetes Hardening Guide (network separation: default-deny policies); CIS Kubernetes
Benchmark 5.3.2. Peers: Kubescape C-0030 and C-0206, Checkov CKV2_K8S_6 (pod level only, and it
ignores namespaces: one permissive policy anywhere passes every pod), Polaris missingNetworkPolicy
(requires non-empty ingress and egress lists, so it cannot recognise a default deny). bulkhead
matches policies only within their namespace and recognises a deny-all by its empty rule list.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity
from bulkhead.network import network_view

META = Meta(
    id="NP001",
    slug="namespace-without-default-deny",
    title="Namespace has no default-deny NetworkPolicy",
    domain=Domain.NETWORK,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={
        "checkov": ("CKV2_K8S_6",),
        "kubescape": ("C-0030", "C-0206"),
        "polaris": ("missingNetworkPolicy",),
        "cis": ("5.3.2",),
        "nsa": ("Network separation and hardening: default deny",),
    },
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    view = network_view(inventory)
    for namespace, pods in view.pods.items():
        policies = view.policies.get(namespace, ())
        missing = [
            direction
            for direction, covered in (
                ("ingress", any(p.denies_all_ingress for p in policies)),
                ("egress", any(p.denies_all_egress for p in policies)),
            )
            if not covered
        ]
        if not missing:
            continue
        anchor = inventory.get("Namespace", None, namespace or "") or pods[0].resource
        path = ("metadata", "name") if anchor.kind == "Namespace" else ("metadata", "namespace")
        for direction in missing:
            yield Hit(
                path,
                f"namespace {namespace!r} has no default-deny {direction} NetworkPolicy: add one "
                "with podSelector: {} and policyTypes [Ingress, Egress] and no rules, then allow "
                "only the traffic each workload needs",
                resource=anchor,
                key=f"{namespace}:{direction}",
            )
