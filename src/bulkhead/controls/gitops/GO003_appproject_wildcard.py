"""An Argo CD AppProject allows any repository, any destination or every cluster-scoped resource.

## What it does
Flags, in an `AppProject` (`argoproj.io`), each `spec.sourceRepos` entry that is only `*`
characters; each `spec.destinations[i]` whose `server`, `name` or `namespace` is such a
wildcard (one finding per destination, pointing at its first wildcard field); and each
`spec.clusterResourceWhitelist[i]` with both `group` and `kind` wildcarded. Scoped globs
(`https://git.example.com/tenants/*`, `acme-*`) and `!`-negations are not flagged.

## Why is this bad
The AppProject is the tenant boundary in Argo CD. With `sourceRepos: ["*"]` anyone who can
create an Application in the project deploys from any repository, including a fork. With a
`*` destination namespace the acme project can sync into another tenant's namespace or
`kube-system`; with a `*` server, into any registered cluster. Whitelisting every cluster-scoped
kind lets a tenant's repository create ClusterRoleBindings, CRDs, webhooks or Namespaces, which
is cluster-admin by another name. One mistaken or malicious commit then reaches every Odoo tenant.

## Example (must fail)
```yaml
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: acme
  namespace: argocd
spec:
  sourceRepos: ["*"]
  destinations:
    - server: https://kubernetes.default.svc
      namespace: "*"
  clusterResourceWhitelist:
    - {group: "*", kind: "*"}
```

## Use instead (must pass)
```yaml
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: acme
  namespace: argocd
spec:
  sourceRepos:
    - https://git.example.com/platform/tenants.git
  destinations:
    - server: https://kubernetes.default.svc
      namespace: acme-prod
  clusterResourceWhitelist: []
  namespaceResourceBlacklist:
    - {group: "", kind: ResourceQuota}
```

## Remediation
Give each tenant its own AppProject: list its repositories explicitly, its destinations as
`server` plus exact namespaces (`acme-prod`, `acme-staging`), and leave
`clusterResourceWhitelist` empty (namespaces, CRDs and cluster RBAC belong to a platform
project). Check with `argocd proj get acme`. Do not hand the built-in `default` project, which
allows everything, to tenants: restrict it or leave it without Applications.

## References
NSA/CISA Kubernetes Hardening Guide (least privilege, separation of tenants); platform rule A1.
Peers: none of Checkov, Kubescape, kube-score, Polaris or Trivy reads AppProjects; this is the
GitOps counterpart of RB001 (RBAC wildcards). A whitelist entry with a wildcard group and a
named kind (or the reverse) is left to review: it is narrower than all cluster resources.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="GO003",
    slug="appproject-wildcard",
    title="Argo CD AppProject uses a wildcard",
    domain=Domain.GITOPS,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"AppProject"}),
    references={"nsa": ("Authentication and authorization: least privilege",)},
)

DESTINATION_FIELDS = ("server", "name", "namespace")


def _wildcard(value: object) -> bool:
    return isinstance(value, str) and value.strip() != "" and set(value.strip()) == {"*"}


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if resource.api_group != "argoproj.io":
        return
    spec = as_mapping(resource.doc.get("spec"))
    what = f"AppProject {resource.name!r}"
    for index, repo in enumerate(as_list(spec.get("sourceRepos"))):
        if _wildcard(repo):
            yield Hit(
                ("spec", "sourceRepos", index),
                f'{what} allows every source repository with "*": list the tenant\'s '
                "repositories explicitly",
            )
    for index, destination in enumerate(as_list(spec.get("destinations"))):
        if not isinstance(destination, Mapping):
            continue
        fields = [f for f in DESTINATION_FIELDS if _wildcard(destination.get(f))]
        if fields:
            yield Hit(
                ("spec", "destinations", index, fields[0]),
                f"{what} destination {index} allows any {' and any '.join(fields)} with "
                '"*": name the cluster and the tenant\'s namespaces',
            )
    for index, entry in enumerate(as_list(spec.get("clusterResourceWhitelist"))):
        entry = as_mapping(entry)
        if _wildcard(entry.get("group")) and _wildcard(entry.get("kind")):
            yield Hit(
                ("spec", "clusterResourceWhitelist", index),
                f'{what} whitelists every cluster-scoped resource (group and kind "*"): '
                "remove the entry or list only the kinds the tenant needs",
            )
