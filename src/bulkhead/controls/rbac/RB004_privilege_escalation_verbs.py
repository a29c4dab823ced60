"""A Role or ClusterRole grants `escalate`, `bind` or `impersonate`.

## What it does
Flags each `escalate` or `bind` verb in a rule that covers `roles`, `clusterroles`,
`rolebindings`, `clusterrolebindings` or `*` in the group `rbac.authorization.k8s.io` (or `*`),
and each `impersonate` verb in a rule that covers `users`, `groups`, `serviceaccounts` (group
`""`), `uids` or `userextras/...` (group `authentication.k8s.io`), or `*`. One finding per verb,
pointing at it. A verb reached only through `verbs: ["*"]` is RB001's finding, not repeated
here. `bind` limited by `resourceNames` (the documented way to let someone bind one specific
role) passes; `escalate` and `impersonate` are flagged even with `resourceNames`. In a
namespaced Role only `serviceaccounts` impersonation is effective (users, groups, uids and
extras are cluster-scoped), so the other targets are not flagged there.

## Why is this bad
RBAC normally stops a subject from granting permissions it does not hold. These three verbs are
the exceptions. `escalate` lets it edit a role to add any permission; `bind` lets it bind any
role, including `admin` or `cluster-admin`, to itself; `impersonate` lets it act as another
user, group or service account, for example `--as-group=system:masters`. On a shared Odoo
platform any of them turns a tenant-level automation token into control over all tenants.

## Example (must fail)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: odoo-tenant-provisioner
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["roles", "rolebindings"]
    verbs: ["get", "create", "bind", "escalate"]
```

## Use instead (must pass)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: odoo-tenant-provisioner
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["rolebindings"]
    verbs: ["get", "create"]
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    resourceNames: ["odoo-tenant-editor"]
    verbs: ["bind"]
```

## Remediation
Remove `escalate`; let the provisioner bind prepared ClusterRoles instead of editing roles, and
restrict `bind` with `resourceNames` to those roles. Replace impersonation with the identity the
tool really needs; if a proxy must impersonate, restrict it with `resourceNames` and review it.

## References
CIS Kubernetes Benchmark 5.1.8 (limit bind, impersonate and escalate); NSA/CISA Kubernetes
Hardening Guide (role-based access control). Peers: Checkov CKV_K8S_157 (bind), CKV_K8S_158
(escalate) and CKV2_K8S_3 (impersonate), Kubescape C-0191 and C-0065, Trivy KSV-0043
(impersonating groups only, and only with `apiGroups: ["*"]`). The API server checks `bind`
against the referenced role, so `bind` on `clusterroles` is the grant that matters; Checkov
CKV_K8S_157 only looks at `bind` on `rolebindings`/`clusterrolebindings` and misses it.
bulkhead flags both (the latter grants nothing, but shows the intent).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list
from bulkhead.model import Resource, Severity

META = Meta(
    id="RB004",
    slug="privilege-escalation-verbs",
    title="Role grants escalate, bind or impersonate",
    domain=Domain.RBAC,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Role", "ClusterRole"}),
    references={
        "checkov": ("CKV_K8S_157", "CKV_K8S_158", "CKV2_K8S_3"),
        "kubescape": ("C-0191", "C-0065"),
        "trivy": ("KSV-0043",),
        "cis": ("5.1.8",),
        "nsa": ("Authentication and authorization: role-based access control",),
    },
)

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_RESOURCES = frozenset({"roles", "clusterroles", "rolebindings", "clusterrolebindings"})
AUTHENTICATION_GROUP = "authentication.k8s.io"
# (group, resource) pairs the impersonation filter authorizes; "userextras/" is a prefix.
IMPERSONATION_TARGETS = (
    ("", "users"),
    ("", "groups"),
    ("", "serviceaccounts"),
    (AUTHENTICATION_GROUP, "uids"),
    (AUTHENTICATION_GROUP, "userextras/"),
)
NAMESPACED_IMPERSONATION_TARGETS = (("", "serviceaccounts"),)


def _strings(value: object) -> list[str]:
    return [item for item in as_list(value) if isinstance(item, str)]


def _covers(groups: list[str], resources: list[str], group: str, resource: str) -> bool:
    if group not in groups and "*" not in groups:
        return False
    if resource.endswith("/"):
        return any(r == "*" or r.startswith(resource) for r in resources)
    return resource in resources or "*" in resources


def _impersonation(kind: str, groups: list[str], resources: list[str]) -> bool:
    targets = NAMESPACED_IMPERSONATION_TARGETS if kind == "Role" else IMPERSONATION_TARGETS
    return any(_covers(groups, resources, group, res) for group, res in targets)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    for index, rule in enumerate(as_list(resource.doc.get("rules"))):
        if not isinstance(rule, Mapping):
            continue
        groups, resources = _strings(rule.get("apiGroups")), _strings(rule.get("resources"))
        named = bool(as_list(rule.get("resourceNames")))
        on_rbac = any(_covers(groups, resources, RBAC_GROUP, r) for r in RBAC_RESOURCES)
        for position, verb in enumerate(as_list(rule.get("verbs"))):
            if verb == "escalate" and on_rbac:
                effect = "edit roles to add permissions they do not hold"
                fix = "remove escalate and bind prepared roles instead"
            elif verb == "bind" and on_rbac and not named:
                effect = "bind any role, up to cluster-admin, to any subject"
                fix = "remove bind, or restrict it with resourceNames to the roles it may bind"
            elif verb == "impersonate" and _impersonation(resource.kind, groups, resources):
                effect = "act as other users, groups or service accounts"
                fix = "remove impersonate and give the tool its own identity"
            else:
                continue
            yield Hit(
                ("rules", index, "verbs", position),
                f"{resource.kind} {resource.name!r} rule {index} grants {verb}, so its subjects "
                f"can {effect}: {fix}",
            )
