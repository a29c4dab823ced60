"""A pod shares the node's network, process or IPC namespace (hostNetwork, hostPID, hostIPC).

## What it does
Flags each of `hostNetwork`, `hostPID` and `hostIPC` that is `true` in a pod template, in every
kind that holds one (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
Job, CronJob), with one finding per field. `hostUsers: false` (user namespaces) is a hardening,
not a shared namespace, and is not this control's business.

## Why is this bad
`hostNetwork` puts Odoo on the node's interfaces: it can reach the kubelet and cloud metadata
endpoints, sniff or bind any node port, and bypasses every NetworkPolicy that isolates tenants;
it also turns each container port into a host port. `hostPID` shows every process on the node,
other tenants' Odoo workers and PostgreSQL included, with their command lines, and lets a root
container signal or trace them. `hostIPC` exposes the node's shared memory segments.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      hostNetwork: true
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          ports: [{containerPort: 8069}, {containerPort: 8072}]
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      hostNetwork: false
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          ports: [{containerPort: 8069}, {containerPort: 8072}]
```

## Remediation
Delete the fields (they default to false). Expose Odoo through a Service and the ingress
controller; to see client addresses, enable the PROXY protocol or `X-Forwarded-For` at the
ingress and `proxy_mode = True` in odoo.conf, rather than joining the host network. Node
tooling that truly needs host namespaces belongs in a platform namespace, never a tenant's.

## References
CIS Kubernetes Benchmark 5.2.3, 5.2.4 and 5.2.5; NSA/CISA Kubernetes Hardening Guide (pod
security: hostPID, hostIPC, hostNetwork); Pod Security Standards Baseline "Host Namespaces".
Peers: Checkov CKV_K8S_19, CKV_K8S_17 and CKV_K8S_18, Kubescape C-0041 and C-0038, Polaris
hostNetworkSet, hostPIDSet and hostIPCSet, Trivy KSV-0009, KSV-0010 and KSV-0008. YAML 1.1
spellings (`hostNetwork: yes`) count as true, as they do for kubectl.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import is_true
from bulkhead.inventory import PodTemplate
from bulkhead.model import Severity

META = Meta(
    id="WL007",
    slug="host-namespace-shared",
    title="Pod shares a host namespace",
    domain=Domain.WORKLOAD,
    severity=Severity.HIGH,
    scope=Scope.POD,
    references={
        "checkov": ("CKV_K8S_19", "CKV_K8S_17", "CKV_K8S_18"),
        "kubescape": ("C-0041", "C-0038"),
        "polaris": ("hostNetworkSet", "hostPIDSet", "hostIPCSet"),
        "trivy": ("KSV-0009", "KSV-0010", "KSV-0008"),
        "cis": ("5.2.3", "5.2.4", "5.2.5"),
        "nsa": ("Pod security: hostPID, hostIPC", "Pod security: hostNetwork"),
        "pss": ("baseline: Host Namespaces",),
    },
)

_NAMESPACES = (
    ("hostNetwork", "the node's network namespace (bypassing NetworkPolicy)"),
    ("hostPID", "the node's process namespace (every process on the node is visible)"),
    ("hostIPC", "the node's IPC namespace (host shared memory is reachable)"),
)


def check(pod: PodTemplate, settings: Settings) -> Iterator[Hit]:
    for field_name, shared in _NAMESPACES:
        if is_true(pod.spec.get(field_name)):
            yield Hit(
                (*pod.path, field_name),
                f"the pod shares {shared}: remove {field_name} (it defaults to false)",
            )
