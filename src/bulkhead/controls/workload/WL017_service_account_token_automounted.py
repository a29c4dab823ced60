"""A pod mounts a Kubernetes API token that it almost certainly does not need.

## What it does
Flags every pod template whose `automountServiceAccountToken` is not `false`: set to `true`,
or not set at all. The pod field wins over the ServiceAccount's, so `false` on the pod is the
only setting this control accepts. It sees one pod at a time, so a pod that leaves the field
unset is reported even when its ServiceAccount disables automounting.

## Why is this bad
With automounting, every container gets a token for the pod's ServiceAccount at
`/var/run/secrets/kubernetes.io/serviceaccount/token`. Odoo never talks to the Kubernetes
API, so the token is pure attack surface: a tenant's malicious module or an RCE in Odoo reads
the file and then acts with whatever RBAC that account has now or gains later (a RoleBinding
added for another tool, a misconfigured chart). It is also the first thing post-exploitation
tooling looks for.

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
      serviceAccountName: odoo
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
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
      serviceAccountName: odoo
      automountServiceAccountToken: false
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
```

## Remediation
Set `automountServiceAccountToken: false` in the pod spec (and on the ServiceAccount as
defence in depth). A pod that really calls the API should mount a `projected`
`serviceAccountToken` volume with an explicit `audience` and short `expirationSeconds`, and
record an exception with its reason.

## References
CIS Kubernetes Benchmark 5.1.6; NSA/CISA Kubernetes Hardening Guide (service account tokens).
Peers: Checkov CKV_K8S_38, Kubescape C-0034, Polaris automountServiceAccountToken, Trivy
KSV-0036. Polaris passes a pod whose ServiceAccount sets `false`; we deliberately report an
unset pod field anyway: the pod field is the one that cannot be undone by someone editing a
shared ServiceAccount (or a chart that recreates it), and a per-pod check cannot see the
ServiceAccount object, which often lives in another repository.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import is_true
from bulkhead.inventory import PodTemplate
from bulkhead.model import Severity

META = Meta(
    id="WL017",
    slug="service-account-token-automounted",
    title="Pod automounts its service account token",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.POD,
    references={
        "checkov": ("CKV_K8S_38",),
        "kubescape": ("C-0034",),
        "polaris": ("automountServiceAccountToken",),
        "trivy": ("KSV-0036",),
        "cis": ("5.1.6",),
        "nsa": ("Authentication and authorization: service account tokens",),
    },
)


def check(pod: PodTemplate, settings: Settings) -> Iterator[Hit]:
    value = pod.spec.get("automountServiceAccountToken")
    if value is False:
        return
    path = (*pod.path, "automountServiceAccountToken")
    if is_true(value):
        yield Hit(
            path,
            "pod sets automountServiceAccountToken: true, giving every container a Kubernetes "
            "API token: set it to false, or mount a projected token only where needed",
        )
    else:
        yield Hit(
            path,
            "pod does not set automountServiceAccountToken, so the API token is mounted by "
            "default: set automountServiceAccountToken: false on the pod, or on its "
            "ServiceAccount (this check reads only the pod field, which nobody can override)",
        )
