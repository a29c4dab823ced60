"""A container runs privileged, with every capability and all host devices.

## What it does
Flags any container, init container or ephemeral container whose `securityContext.privileged`
is true, in every kind that holds a pod template (Pod, Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, Job, CronJob).

## Why is this bad
A privileged container is root on the node: it sees every device, can load kernel modules and
can escape to the host in one command. One compromised Odoo worker would then reach every
tenant's pods, secrets and volumes on that node. The Pod Security Standards forbid it from the
Baseline level up.

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
          securityContext:
            privileged: true
```

## Use instead (must pass)
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
          securityContext:
            privileged: false
```

## Remediation
Remove `privileged: true`. If the workload needs one specific kernel feature, add only that
capability (and justify it), or move the work to a node-level agent outside tenant namespaces.

## References
CIS Kubernetes Benchmark 5.2.2; NSA/CISA Kubernetes Hardening Guide (non-root, privileged
containers); Pod Security Standards Baseline "Privileged Containers". Peers: Checkov CKV_K8S_16,
Kubescape C-0057, kube-score container-security-context-privileged, Polaris runAsPrivileged,
Trivy KSV-0017. YAML 1.1 spellings (`privileged: yes`, `on`, `y`) count as true here, as they
do for kubectl.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import is_true
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL001",
    slug="privileged-container",
    title="Container runs privileged",
    domain=Domain.WORKLOAD,
    severity=Severity.CRITICAL,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_16",),
        "kubescape": ("C-0057",),
        "kube-score": ("container-security-context-privileged",),
        "polaris": ("runAsPrivileged",),
        "trivy": ("KSV-0017",),
        "cis": ("5.2.2",),
        "nsa": ("Pod security: privileged containers",),
        "pss": ("baseline: Privileged Containers",),
    },
)


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    if is_true(container.security_context.get("privileged")):
        yield Hit(
            (*container.path, "securityContext", "privileged"),
            f"container {container.name!r} runs privileged: set securityContext.privileged "
            "to false and add only the capabilities it needs",
        )
