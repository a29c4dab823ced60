"""A production Argo CD AppProject has no sync windows, so changes deploy at any hour.

## What it does
Flags an `AppProject` (`argoproj.io`) in a production context whose `spec.syncWindows` is
missing, empty or holds no window. Projects whose environment is not production (from the
`bulkhead.io/environment` label of their namespace or the `context-path` setting) are skipped;
an unknown environment counts as production. The control only asks that windows exist: which
hours to allow or deny is the tenant's business.

## Why is this bad
Our tenants run logistics on Odoo: warehouse picking, shipping labels and carrier cut-offs
peak at fixed hours. A sync that restarts Odoo workers, runs a module upgrade or changes the
PgBouncer pool in the middle of the morning wave stops scanners on the warehouse floor, and
automated sync does exactly that the minute a commit lands. Sync windows turn "deploy whenever
Git changes" into "deploy in the agreed change window", and a `deny` window (which overrides
`allow`) freezes changes during peak season or inventory counts.

## Example (must fail)
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
  syncWindows:
    - kind: allow
      schedule: "0 20 * * 1-5"
      duration: 3h
      timeZone: Europe/Brussels
      applications: ["*"]
      manualSync: true
    - kind: deny
      schedule: "0 6 * * *"
      duration: 6h
      timeZone: Europe/Brussels
      applications: ["*"]
```

## Remediation
Agree a change window with the tenant and declare it: an `allow` window for the evening slot
(`schedule` cron, `duration`, `timeZone`), a `deny` window over the warehouse peak, and
`manualSync: true` on the allow window so an on-call engineer can still ship a hotfix. Check the
result with `argocd proj windows list acme`. Non-production projects should carry
`bulkhead.io/environment` on their namespace (or match `context-path`) so they are skipped.

## References
NSA/CISA Kubernetes Hardening Guide (change management); platform rule A1 (`syncWindows` for
production). Peers: none of Checkov, Kubescape, kube-score, Polaris or Trivy reads AppProjects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="GO004",
    slug="production-project-without-sync-windows",
    title="Production AppProject without sync windows",
    domain=Domain.GITOPS,
    severity=Severity.MEDIUM,
    scope=Scope.RESOURCE,
    kinds=frozenset({"AppProject"}),
    references={"nsa": ("Upgrading and application security practices",)},
)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if resource.api_group != "argoproj.io":
        return
    if not resource.context.is_production:
        return
    spec = as_mapping(resource.doc.get("spec"))
    windows = as_list(spec.get("syncWindows"))
    if any(isinstance(window, Mapping) for window in windows):
        return
    yield Hit(
        ("spec", "syncWindows"),
        f"production AppProject {resource.name!r} has no sync windows, so automated syncs "
        "deploy at any hour: add an allow window for the change slot and a deny window over "
        "the tenant's peak hours",
    )
