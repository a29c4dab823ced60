"""An Argo CD automated sync runs without `prune` or `selfHeal`, so Git is not the whole truth.

## What it does
Flags an Argo CD `Application` whose `spec.syncPolicy.automated` is set (and not switched off
with the Argo CD 3.x field `enabled: false`), and an `ApplicationSet` whose
`spec.template.spec.syncPolicy.automated` is, when `prune` or `selfHeal` is not `true`: one
finding per missing field, pointing at it. `automated: {}` counts as automated sync with both
off. Applications without automated sync (manual sync) are not this control's business.

## Why is this bad
Without `selfHeal`, a `kubectl edit` or `kubectl scale` on an Odoo Deployment in acme-prod stays
until the next commit: manual drift (a debug image, a removed securityContext, an extra
replica) silently outlives review. Without `prune`, a manifest deleted from Git keeps running:
a retired tenant's CronJob, a NetworkPolicy exception or a Service exposing PostgreSQL you
believe is gone. Either way the repository no longer describes the cluster, and audits of the
repository stop telling the truth about production.

## Example (must fail)
```yaml
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: acme-odoo
  namespace: argocd
spec:
  project: acme
  source:
    repoURL: https://git.example.com/platform/tenants.git
    targetRevision: v2025.6.2
    path: tenants/acme/prod
  destination:
    server: https://kubernetes.default.svc
    namespace: acme-prod
  syncPolicy:
    automated:
      prune: true
```

## Use instead (must pass)
```yaml
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: acme-odoo
  namespace: argocd
spec:
  project: acme
  source:
    repoURL: https://git.example.com/platform/tenants.git
    targetRevision: v2025.6.2
    path: tenants/acme/prod
  destination:
    server: https://kubernetes.default.svc
    namespace: acme-prod
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
```

## Remediation
Set `syncPolicy.automated.prune: true` and `selfHeal: true`. Protect objects that must survive a
removal from Git (the CloudNativePG `Cluster`, PVCs) with the annotation
`argocd.argoproj.io/sync-options: Prune=false,Delete=false` rather than disabling pruning for the
whole tenant; add `PruneLast=true` so deletions run after the new objects are healthy. For a
planned manual change, pause the Application (`argocd app set acme-odoo --sync-policy none`).

## References
NSA/CISA Kubernetes Hardening Guide (audit, configuration drift). Peers: none checks Argo CD
sync policies. `prune: yes` counts as true; the string `"true"` does not (rejected by the API).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping, is_true
from bulkhead.model import FieldPath, Resource, Severity

META = Meta(
    id="GO002",
    slug="automated-sync-without-prune-or-self-heal",
    title="Argo CD automated sync without prune or selfHeal",
    domain=Domain.GITOPS,
    severity=Severity.MEDIUM,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Application", "ApplicationSet"}),
    references={"nsa": ("Audit logging and threat detection",)},
)

FIELDS = (
    ("selfHeal", "manual changes in the cluster are not reverted to what Git says"),
    ("prune", "objects deleted from Git keep running in the cluster"),
)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if resource.api_group != "argoproj.io":
        return
    spec = as_mapping(resource.doc.get("spec"))
    base: FieldPath = ("spec",)
    if resource.kind == "ApplicationSet":
        spec = as_mapping(as_mapping(spec.get("template")).get("spec"))
        base = ("spec", "template", "spec")
    automated = as_mapping(spec.get("syncPolicy")).get("automated")
    if not isinstance(automated, Mapping) or automated.get("enabled") is False:
        return
    for field, consequence in FIELDS:
        if not is_true(automated.get(field)):
            yield Hit(
                (*base, "syncPolicy", "automated", field),
                f"{resource.kind} {resource.name!r} syncs automatically without {field}: "
                f"{consequence}; set syncPolicy.automated.{field}: true",
            )
