"""A workload runs as a ServiceAccount that does not exist in its namespace.

## What it does
For every pod template (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, ...) reads
`serviceAccountName`, or the deprecated `serviceAccount` alias when the name is unset, and
reports it when no ServiceAccount of that name is in the workload's namespace. `default` (the
control plane creates it everywhere), an empty name, and the ServiceAccount CloudNativePG
creates for each Cluster and Pooler in the scan are not reported.
DR rule: a reference dangles when its target is not among the scanned objects of the target
namespace while the scan holds an object of that namespace (a pod refers to its own).

## Why is this bad
The API server refuses to create a pod whose ServiceAccount is missing: the ReplicaSet retries
with `FailedCreate` events and the tenant's new Odoo release never starts, or a CronJob silently
skips every run. Teams then "fix" it by dropping `serviceAccountName`, which moves the pod to the
shared `default` account together with the RBAC and token settings meant for someone else.

## Example (must fail)
```yaml
apiVersion: v1
kind: ServiceAccount
metadata: {name: odoo-web, namespace: acme-prod}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: odoo}}
  template:
    metadata: {labels: {app.kubernetes.io/name: odoo}}
    spec:
      serviceAccountName: odoo
      containers: [{name: odoo, image: "registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000"}]
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: ServiceAccount
metadata: {name: odoo, namespace: acme-prod}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: odoo}}
  template:
    metadata: {labels: {app.kubernetes.io/name: odoo}}
    spec:
      serviceAccountName: odoo
      containers: [{name: odoo, image: "registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000"}]
```

## Remediation
Ship the ServiceAccount with the workload, in the same namespace and the same sync wave
(`kubectl create serviceaccount odoo -n acme-prod --dry-run=client -o yaml`), with
`automountServiceAccountToken: false`; use `serviceAccountName`, not the deprecated
`serviceAccount` field.

## References
Peers: Kubescape C-0307 (workload uses a non-existent ServiceAccount); Kubescape C-0294 reports
the deprecated `serviceAccount` field, which bulkhead follows as the kubelet does.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="DR004",
    slug="service-account-missing",
    title="Workload uses a missing ServiceAccount",
    domain=Domain.EXPOSURE,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={"kubescape": ("C-0307",)},
)

CNPG_GROUP = "postgresql.cnpg.io"
# Custom resources whose operator creates a ServiceAccount named after the object.
OPERATOR_ACCOUNTS = ("Cluster", "Pooler")


def _operator_account(inventory: Inventory, namespace: str | None, name: str) -> bool:
    for kind in OPERATOR_ACCOUNTS:
        owner = inventory.get(kind, namespace, name)
        if owner is not None and str(owner.api_version).startswith(f"{CNPG_GROUP}/"):
            return True
    return False


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for template in inventory.pod_templates:
        field = "serviceAccountName"
        account = template.spec.get(field)
        if account is None or account == "":
            field = "serviceAccount"  # the deprecated alias, used when the name is unset
            account = template.spec.get(field)
        if not isinstance(account, str) or not account or account == "default":
            continue
        workload = template.resource
        if inventory.get("ServiceAccount", workload.namespace, account) is not None:
            continue
        if _operator_account(inventory, workload.namespace, account):
            continue
        yield Hit(
            (*template.path, field),
            f"{workload.kind} {workload.name!r} runs as ServiceAccount {account!r}, which is "
            f"not in namespace {workload.namespace!r}: the API server refuses its pods; add "
            "the ServiceAccount (automountServiceAccountToken: false) next to the workload "
            "or fix the name",
            resource=workload,
        )
