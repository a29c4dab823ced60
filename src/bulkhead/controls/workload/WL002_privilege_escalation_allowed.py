"""A container may gain more privileges than its parent process (allowPrivilegeEscalation).

## What it does
Flags every container, init container and ephemeral container whose
`securityContext.allowPrivilegeEscalation` is not explicitly `false`: absent, `true`, or a value
the API server would not read as a boolean. The field exists only at container level.

## Why is this bad
When the field is absent the kubelet does not set `no_new_privs`, so escalation is allowed by
default: a setuid binary in the image (`su`, `passwd`, `mount`, anything a base image ships) or a
file capability lets an attacker who got code execution in an Odoo worker (a malicious module, a
template injection) become root inside the container, the first step of every container escape.
A privileged container or one that adds `CAP_SYS_ADMIN` always has escalation allowed, whatever
this field says (the API server rejects `false` combined with them); WL001 and WL006 report those.

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
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          ports: [{containerPort: 8069}, {containerPort: 8072}]
          securityContext:
            allowPrivilegeEscalation: false
```

## Remediation
Set `allowPrivilegeEscalation: false` in every container's `securityContext`, init containers
(the ones that `chown` the filestore) included. Odoo, its gevent worker and wkhtmltopdf never
need setuid binaries. Enforce it cluster-wide with the label
`pod-security.kubernetes.io/enforce: restricted` on each tenant namespace.

## References
CIS Kubernetes Benchmark 5.2.6; NSA/CISA Kubernetes Hardening Guide (pod security:
allowPrivilegeEscalation); Pod Security Standards Restricted "Privilege Escalation". Peers:
Checkov CKV_K8S_20, Kubescape C-0016, Polaris privilegeEscalationAllowed, Trivy KSV-0001.
Like Checkov and the PSS we require an explicit `false`: the string `"false"` does not count
(the API server rejects it). Ephemeral (debug) containers are checked too.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL002",
    slug="privilege-escalation-allowed",
    title="Container allows privilege escalation",
    domain=Domain.WORKLOAD,
    severity=Severity.HIGH,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_20",),
        "kubescape": ("C-0016",),
        "polaris": ("privilegeEscalationAllowed",),
        "trivy": ("KSV-0001",),
        "cis": ("5.2.6",),
        "nsa": ("Pod security: allowPrivilegeEscalation",),
        "pss": ("restricted: Privilege Escalation",),
    },
)


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    context = container.security_context
    value = context.get("allowPrivilegeEscalation")
    if value is False:
        return
    if "allowPrivilegeEscalation" not in context:
        problem = "does not set allowPrivilegeEscalation (the kubelet defaults it to true)"
    elif value is True:
        problem = "sets allowPrivilegeEscalation to true"
    else:
        problem = "sets allowPrivilegeEscalation to a value that is not the boolean false"
    yield Hit(
        (*container.path, "securityContext", "allowPrivilegeEscalation"),
        f"container {container.name!r} {problem}: set securityContext.allowPrivilegeEscalation "
        "to false",
    )
