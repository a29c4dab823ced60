"""A Role or ClusterRole lets its subjects exec or attach into pods, or proxy to kubelets.

## What it does
Flags each entry of a rule's `resources` that names `pods/exec`, `pods/attach` or
`nodes/proxy` (or the subresource wildcards `*/exec`, `*/attach`, `*/proxy`, which RBAC matches
the same way), when the rule is in the core group `""` (or `*`) and grants `create`, `get` or
`*`. `get` counts because the WebSocket upgrade for exec and attach is a GET, authorized as
`get`; only from Kubernetes 1.35 (gate `AuthorizePodWebsocketUpgradeCreatePermission`) must
the caller also hold `create`. In a namespaced Role `nodes/proxy` grants nothing (nodes are
cluster-scoped), so only ClusterRoles are flagged for it. `resources: ["*"]` is RB001's
finding; `pods/*` is not an RBAC pattern and grants no subresource.

## Why is this bad
`pods/exec` and `pods/attach` give a shell in a running container: in an Odoo pod that means the
database password, the `admin_passwd`, the filestore and the service account token, with no
trace in Odoo's own logs. `nodes/proxy` reaches the kubelet API of every node, where it can run
commands in any pod on that node, of any tenant, bypassing admission control and most audit
logging; the kubelet authorizes its WebSocket exec as `get`, so read access is enough. Debug
access belongs in a time-boxed break-glass role, not in standing permissions.

## Example (must fail)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: odoo-support
  namespace: acme-prod
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log", "pods/exec"]
    verbs: ["get", "list", "create"]
```

## Use instead (must pass)
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: odoo-support
  namespace: acme-prod
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]
```

## Remediation
Give support staff logs and read access, and grant exec through a separate, audited break-glass
Role bound only for the duration of an incident. Monitoring that scrapes kubelets should use
`nodes/metrics` (and `nodes/stats`) instead of `nodes/proxy`.

## References
CIS Kubernetes Benchmark 5.1.10 (minimize access to the proxy sub-resource of nodes);
NSA/CISA Kubernetes Hardening Guide (role-based access control). Peers: Checkov CKV2_K8S_2,
Kubescape C-0002 and C-0279, Polaris clusterrolePodExecAttach and rolePodExecAttach, Trivy
KSV-0053 (exec only, and not for `get`). Checkov CKV2_K8S_2 ignores `get` on `nodes/proxy`
but fails a Role listing `nodes/proxy`, which the API server never applies; bulkhead does the
opposite.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list
from bulkhead.model import Resource, Severity

META = Meta(
    id="RB005",
    slug="exec-or-node-proxy",
    title="Role allows pod exec/attach or node proxy",
    domain=Domain.RBAC,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Role", "ClusterRole"}),
    references={
        "checkov": ("CKV2_K8S_2",),
        "kubescape": ("C-0002", "C-0279"),
        "polaris": ("clusterrolePodExecAttach", "rolePodExecAttach"),
        "trivy": ("KSV-0053",),
        "cis": ("5.1.10",),
        "nsa": ("Authentication and authorization: role-based access control",),
    },
)

VERBS = frozenset({"create", "get", "*"})
POD_SUBRESOURCES = {
    "pods/exec": "exec into pods",
    "*/exec": "exec into pods",
    "pods/attach": "attach to pods",
    "*/attach": "attach to pods",
}
NODE_SUBRESOURCES = {
    "nodes/proxy": "proxy to every node's kubelet",
    "*/proxy": "proxy to every node's kubelet",
}


def _shown(verbs: list[str]) -> str:
    return "/".join('"*"' if verb == "*" else verb for verb in verbs)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    granted = dict(POD_SUBRESOURCES)
    if resource.kind == "ClusterRole":
        granted.update(NODE_SUBRESOURCES)
    for index, rule in enumerate(as_list(resource.doc.get("rules"))):
        if not isinstance(rule, Mapping):
            continue
        groups = as_list(rule.get("apiGroups"))
        if "" not in groups and "*" not in groups:
            continue
        verbs = [v for v in as_list(rule.get("verbs")) if isinstance(v, str) and v in VERBS]
        if not verbs:
            continue
        for position, name in enumerate(as_list(rule.get("resources"))):
            if not isinstance(name, str) or name not in granted:
                continue
            yield Hit(
                ("rules", index, "resources", position),
                f"{resource.kind} {resource.name!r} rule {index} grants {_shown(verbs)} on "
                f"{name}, so its subjects can {granted[name]}: remove it and use a time-boxed "
                "break-glass role for debugging",
            )
