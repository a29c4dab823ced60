"""A ClusterRole can read Secrets (get, list or watch).

## What it does
Flags each rule of a ClusterRole that grants `get`, `list` or `watch` (or `*`) on `secrets`
(or `*`) in the core API group `""` (or `*`), pointing at the rule's `resources`. A rule limited
by `resourceNames` reads only the named Secrets and is not flagged. Namespaced Roles are out of
scope on purpose: a Role can only reach its own namespace's Secrets, which is the normal way to
let a tenant's workload read its own credentials.

## Why is this bad
A ClusterRole is usually bound cluster-wide, and once it is, the subject reads every Secret
in every namespace: each tenant's PostgreSQL and PgBouncer passwords, the Odoo
`admin_passwd`, S3 keys for filestore backups, TLS keys, and the tokens of service accounts
bound to far stronger roles. `list` and `watch` return Secret values, not just names, and
`get` suffices where names are predictable (`acme-prod/odoo-db`). In practice secret read
across the cluster is cluster-admin with extra steps.

## Example (must fail)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: odoo-backup
rules:
  - apiGroups: [""]
    resources: ["secrets", "persistentvolumeclaims"]
    verbs: ["get", "list"]
```

## Use instead (must pass)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: odoo-backup
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["odoo-backup-s3"]
    verbs: ["get"]
  - apiGroups: [""]
    resources: ["persistentvolumeclaims"]
    verbs: ["get", "list"]
```

## Remediation
Grant Secret read in a Role inside each tenant namespace that needs it, or keep the
ClusterRole but bind it with per-namespace RoleBindings and add `resourceNames` for the exact
Secrets. Better still, let External Secrets Operator deliver credentials so workloads never
need the Secrets API. Check who holds it today:
`kubectl auth can-i list secrets --all-namespaces --as=system:serviceaccount:NS:NAME`.

## References
CIS Kubernetes Benchmark 5.1.2 (minimize access to secrets); NSA/CISA Kubernetes Hardening
Guide (role-based access control). Peers: Checkov CKV2_K8S_5, Kubescape C-0015 and C-0186,
Trivy KSV-0041 (which also counts write verbs and `impersonate`; writing Secrets without
reading them is a different risk). The binding is not needed to flag the role: a ClusterRole
that can read every Secret is one ClusterRoleBinding away from doing so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list
from bulkhead.model import Resource, Severity

META = Meta(
    id="RB003",
    slug="cluster-wide-secret-read",
    title="ClusterRole can read Secrets",
    domain=Domain.RBAC,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"ClusterRole"}),
    references={
        "checkov": ("CKV2_K8S_5",),
        "kubescape": ("C-0015", "C-0186"),
        "trivy": ("KSV-0041",),
        "cis": ("5.1.2",),
        "nsa": ("Authentication and authorization: role-based access control",),
    },
)

READ_VERBS = frozenset({"get", "list", "watch", "*"})


def _strings(value: object) -> list[str]:
    return [item for item in as_list(value) if isinstance(item, str)]


def _shown(verbs: list[str]) -> str:
    return "/".join('"*"' if verb == "*" else verb for verb in verbs)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    for index, rule in enumerate(as_list(resource.doc.get("rules"))):
        if not isinstance(rule, Mapping):
            continue
        groups, resources = _strings(rule.get("apiGroups")), _strings(rule.get("resources"))
        verbs = [verb for verb in _strings(rule.get("verbs")) if verb in READ_VERBS]
        if not verbs or not ({"", "*"} & set(groups)) or not ({"secrets", "*"} & set(resources)):
            continue
        if as_list(rule.get("resourceNames")):
            continue  # Only the named Secrets.
        yield Hit(
            ("rules", index, "resources"),
            f"ClusterRole {resource.name!r} rule {index} can read Secrets ({_shown(verbs)}) in "
            "every namespace once bound by a ClusterRoleBinding: move the rule to a Role in "
            "the namespace that needs it, or limit it with resourceNames",
        )
