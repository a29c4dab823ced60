"""A pod runs as its namespace's `default` ServiceAccount instead of a dedicated one.

## What it does
Flags every pod template whose effective ServiceAccount is `default`: `serviceAccountName`
missing, empty or `default`. The deprecated `serviceAccount` field is read as the API server
reads it, only when `serviceAccountName` is empty, so `serviceAccount: odoo` alone passes and
`serviceAccountName: default` wins over any `serviceAccount`.

## Why is this bad
Every workload in a namespace that does not choose an account shares `default`. Any
permission granted to it, by a chart, an operator or a quick `kubectl create rolebinding` to
debug something, silently extends to every pod there: the Odoo web pods, the cron pods and the
one-off migration Job. A dedicated `odoo` ServiceAccount keeps RBAC, image pull secrets and
cloud identity (IRSA, Workload Identity) scoped to the workload that needs them, and makes
audit logs say which workload acted.

## Example (must fail)
```yaml
apiVersion: batch/v1
kind: Job
metadata: {name: odoo-upgrade, namespace: acme-prod}
spec:
  template:
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      containers:
        - name: upgrade
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          args: ["-u", "all", "--stop-after-init"]
```

## Use instead (must pass)
```yaml
apiVersion: batch/v1
kind: Job
metadata: {name: odoo-upgrade, namespace: acme-prod}
spec:
  template:
    spec:
      restartPolicy: Never
      serviceAccountName: odoo
      automountServiceAccountToken: false
      containers:
        - name: upgrade
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          args: ["-u", "all", "--stop-after-init"]
```

## Remediation
Create one ServiceAccount per workload (`kubectl -n acme-prod create serviceaccount odoo`, or
a `ServiceAccount` manifest with `automountServiceAccountToken: false`), set
`serviceAccountName: odoo` in the pod template, and bind no roles to `default`. Replace the
deprecated `serviceAccount` field with `serviceAccountName`.

## References
CIS Kubernetes Benchmark 5.1.5; NSA/CISA Kubernetes Hardening Guide (authentication and
authorization). Peers: Checkov CKV_K8S_41, Kubescape C-0189, KICS b93e973e. Checkov CKV_K8S_41
and Kubescape C-0189 look at the `default` ServiceAccount object itself (its automount setting
and bindings); we flag the pods that use it, which is where the fix goes, including Jobs,
CronJobs and bare Pods, and we read the deprecated `serviceAccount` field instead of ignoring it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import PodTemplate
from bulkhead.model import Severity

META = Meta(
    id="WL018",
    slug="default-service-account",
    title="Pod uses the default ServiceAccount",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.POD,
    references={
        "checkov": ("CKV_K8S_41",),
        "kubescape": ("C-0189",),
        "cis": ("5.1.5",),
        "nsa": ("Authentication and authorization",),
    },
)


def _name(value: object) -> str:
    return value if isinstance(value, str) else ""


def check(pod: PodTemplate, settings: Settings) -> Iterator[Hit]:
    field = "serviceAccountName"
    name = _name(pod.spec.get(field))
    if not name:
        field = "serviceAccount"
        name = _name(pod.spec.get(field))
    if name and name != "default":
        return
    how = f"sets {field}: default" if name else "sets no serviceAccountName"
    yield Hit(
        (*pod.path, "serviceAccountName"),
        f"pod {how}, so it runs as the namespace's shared default ServiceAccount: create a "
        "dedicated ServiceAccount and set serviceAccountName to it",
    )
