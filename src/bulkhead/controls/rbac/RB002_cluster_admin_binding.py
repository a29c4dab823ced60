"""A RoleBinding or ClusterRoleBinding grants `cluster-admin` or names the `system:masters` group.

## What it does
Flags a RoleBinding or ClusterRoleBinding whose `roleRef` is the ClusterRole `cluster-admin`
(pointing at `roleRef.name`), and each subject of kind `Group` named `system:masters`
(pointing at that subject's name). A namespaced Role that happens to be called `cluster-admin`
is not the built-in role and is not flagged.

## Why is this bad
`cluster-admin` is every verb on every resource. Through a ClusterRoleBinding the subject owns
the cluster: every tenant's Secrets, database credentials, Odoo filestores and the RBAC that is
supposed to separate them. Through a RoleBinding it still owns the whole namespace, including
its Secrets and its own RoleBindings. `system:masters` is worse: the API server lets its members
bypass authorization entirely, before RBAC or webhooks are consulted, and membership comes from
the client certificate, so no RBAC change can revoke it. A binding that names the group is at
best a no-op and at worst the first step of issuing such credentials.

## Example (must fail)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: odoo-operator-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: odoo-operator
    namespace: odoo-system
```

## Use instead (must pass)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: odoo-operator
  namespace: acme-prod
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: odoo-tenant-operator
subjects:
  - kind: ServiceAccount
    name: odoo-operator
    namespace: odoo-system
```

## Remediation
Write a ClusterRole with the verbs and resources the subject needs and bind it per tenant
namespace with RoleBindings. For people, bind the built-in `admin`, `edit` or `view` roles in
the namespaces they run, and keep break-glass cluster-admin access outside Git (short-lived,
audited). Never put a subject in `system:masters`; rotate any certificate issued with
`O=system:masters`.

## References
CIS Kubernetes Benchmark 5.1.1 (cluster-admin only where required) and 5.1.7 (avoid
system:masters); NSA/CISA Kubernetes Hardening Guide (role-based access control). Peers:
Kubescape C-0035, C-0185 and C-0246, Polaris clusterrolebindingClusterAdmin and
rolebindingClusterAdminClusterRole, Trivy KSV-0111 and KSV-0123, KICS 249328b8, Kyverno
restrict-binding-clusteradmin and restrict-binding-system-groups. Checkov has no direct
equivalent (its CKV2_K8S_1 follows bindings to roles that can edit bindings).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="RB002",
    slug="cluster-admin-binding",
    title="Binding grants cluster-admin or system:masters",
    domain=Domain.RBAC,
    severity=Severity.CRITICAL,
    scope=Scope.RESOURCE,
    kinds=frozenset({"RoleBinding", "ClusterRoleBinding"}),
    references={
        "checkov": ("CKV2_K8S_1",),
        "kubescape": ("C-0035", "C-0185", "C-0246"),
        "polaris": ("clusterrolebindingClusterAdmin", "rolebindingClusterAdminClusterRole"),
        "trivy": ("KSV-0111", "KSV-0123"),
        "cis": ("5.1.1", "5.1.7"),
        "nsa": ("Authentication and authorization: role-based access control",),
    },
)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    role_ref = as_mapping(resource.doc.get("roleRef"))
    if role_ref.get("kind") == "ClusterRole" and role_ref.get("name") == "cluster-admin":
        scope = (
            "the whole cluster"
            if resource.kind == "ClusterRoleBinding"
            else f"namespace {resource.namespace!r}, including its Secrets and RBAC"
        )
        yield Hit(
            ("roleRef", "name"),
            f"{resource.kind} {resource.name!r} grants cluster-admin over {scope}: bind a "
            "ClusterRole limited to what the subjects need instead",
        )
    for index, subject in enumerate(as_list(resource.doc.get("subjects"))):
        if not isinstance(subject, Mapping):
            continue
        if subject.get("kind") == "Group" and subject.get("name") == "system:masters":
            yield Hit(
                ("subjects", index, "name"),
                f"{resource.kind} {resource.name!r} names the group system:masters, whose "
                "members bypass all authorization and cannot be revoked by RBAC: remove the "
                "subject and bind individual users or groups to a limited role",
            )
