"""A Role or ClusterRole rule uses the wildcard `*` in verbs, resources or apiGroups.

## What it does
Flags each rule of a Role or ClusterRole whose `verbs`, `resources` or `apiGroups` list contains
`"*"`, once per rule and field, pointing at that field. Only the exact entry `"*"` counts:
`*/scale`-style subresource patterns and named entries are left to the targeted RB controls.

## Why is this bad
A wildcard grants everything that exists now and everything added later: a new CRD (a CNPG
`Cluster`, an External Secrets `ExternalSecret`, a Traefik `Middleware`) or a new verb becomes
reachable without anyone reviewing it. `verbs: ["*"]` includes `escalate`, `bind` and
`impersonate`; `resources: ["*"]` includes `secrets` and `pods/exec`. On a multi-tenant Odoo
platform one wildcard in a tenant operator's role is enough to read other tenants' database
passwords or take over the cluster.

## Example (must fail)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: odoo-operator
  namespace: acme-prod
rules:
  - apiGroups: ["apps"]
    resources: ["*"]
    verbs: ["*"]
```

## Use instead (must pass)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: odoo-operator
  namespace: acme-prod
rules:
  - apiGroups: ["apps"]
    resources: ["deployments", "statefulsets"]
    verbs: ["get", "list", "watch", "patch"]
  - apiGroups: [""]
    resources: ["configmaps", "services"]
    verbs: ["get", "list", "watch", "create", "update"]
```

## Remediation
List the API groups, resources and verbs the subject really uses. `kubectl auth can-i --list
--as=system:serviceaccount:acme-prod:odoo-operator` shows what it has; audit logs or
`audit2rbac` show what it needs. Keep `*` only in the built-in `cluster-admin` role.

## References
CIS Kubernetes Benchmark 5.1.3 (minimize wildcard use in Roles and ClusterRoles); NSA/CISA
Kubernetes Hardening Guide (role-based access control). Peers: Checkov CKV_K8S_49, Kubescape
C-0187, Trivy KSV-0044 / KSV-0045 / KSV-0046, KICS 6b896afb, Kyverno restrict-wildcard-verbs
and restrict-wildcard-resources. Each wildcard field is its own finding, so fixing the verbs
and leaving `resources: ["*"]` still fails.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list
from bulkhead.model import Resource, Severity

META = Meta(
    id="RB001",
    slug="rbac-wildcard",
    title="RBAC rule uses a wildcard",
    domain=Domain.RBAC,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Role", "ClusterRole"}),
    references={
        "checkov": ("CKV_K8S_49",),
        "kubescape": ("C-0187",),
        "trivy": ("KSV-0044", "KSV-0045", "KSV-0046"),
        "cis": ("5.1.3",),
        "nsa": ("Authentication and authorization: role-based access control",),
    },
)

FIELDS = (("apiGroups", "API groups"), ("resources", "resources"), ("verbs", "verbs"))


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    for index, rule in enumerate(as_list(resource.doc.get("rules"))):
        if not isinstance(rule, Mapping):
            continue
        for field, label in FIELDS:
            if "*" in as_list(rule.get(field)):
                yield Hit(
                    ("rules", index, field),
                    f"{resource.kind} {resource.name!r} rule {index} grants all {label} "
                    f'with "*": list the {label} the subject really needs',
                )
