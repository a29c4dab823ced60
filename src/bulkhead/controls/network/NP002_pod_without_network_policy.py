"""A workload's pods are selected by no NetworkPolicy, so all their traffic is allowed.

## What it does
For every pod template (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ...), checks
whether any NetworkPolicy in the same namespace selects its pod labels, with real selector
semantics (`matchLabels` and `matchExpressions`; `podSelector: {}` selects every pod). Reports the
pod template's labels when none does. A policy of another namespace never counts.

## Why is this bad
A pod no policy selects is not isolated at all: any pod of any tenant can connect to it, and it
can connect anywhere, whatever the namespace's other policies say. On a shared Odoo platform that
is how one tenant's compromised worker reaches another tenant's Odoo or Redis.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
  namespace: acme-prod
spec:
  template:
    metadata:
      labels: {app: redis}
    spec:
      containers:
        - name: redis
          image: registry.example.com/redis:7.4
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: odoo-only
  namespace: acme-prod
spec:
  podSelector:
    matchLabels: {app: odoo}
  policyTypes: [Ingress]
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
  namespace: acme-prod
spec:
  template:
    metadata:
      labels: {app: redis}
    spec:
      containers:
        - name: redis
          image: registry.example.com/redis:7.4
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
Add a default-deny policy to the namespace (see NP001), which selects every pod, and allow rules
for the traffic each workload needs.

## References
NSA/CISA Kubernetes Hardening Guide (network policies); CIS Kubernetes Benchmark 5.3.2. Peers:
Checkov CKV2_K8S_6 (ignores namespaces, checkov#7474), Kubescape C-0260, kube-score
pod-networkpolicy, Polaris missingNetworkPolicy (matchLabels equality only: `matchExpressions` and
`podSelector: {}` policies are not recognised). bulkhead uses full selector semantics per
namespace.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity
from bulkhead.network import network_view

META = Meta(
    id="NP002",
    slug="pod-without-network-policy",
    title="Pods selected by no NetworkPolicy",
    domain=Domain.NETWORK,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={
        "checkov": ("CKV2_K8S_6",),
        "kubescape": ("C-0260",),
        "kube-score": ("pod-networkpolicy",),
        "polaris": ("missingNetworkPolicy",),
        "cis": ("5.3.2",),
        "nsa": ("Network separation and hardening",),
    },
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    view = network_view(inventory)
    for pods in view.pods.values():
        for pod in pods:
            if view.selecting(pod):
                continue
            yield Hit(
                pod.labels_path,
                f"no NetworkPolicy in namespace {pod.resource.namespace!r} selects the pods of "
                f"{pod.resource.kind} {pod.resource.name!r}, so all their traffic is allowed: add "
                "a default-deny policy (podSelector: {}) and allow rules",
                resource=pod.resource,
            )
