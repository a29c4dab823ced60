"""A Traefik object uses the API group traefik.containo.us, removed in Traefik v3.

## What it does
Flags every Traefik custom resource (IngressRoute, IngressRouteTCP, IngressRouteUDP, Middleware,
MiddlewareTCP, TLSOption, TLSStore, ServersTransport, ServersTransportTCP, TraefikService) whose
`apiVersion` is in the group `traefik.containo.us`. Objects of the same kinds in other groups
(`traefik.io`, or another project's IngressRoute) are not reported.

## Why is this bad
Traefik v2.10 deprecated `traefik.containo.us` and Traefik v3 removed it: a v3 controller no
longer watches that group, so the objects are silently ignored. The routes disappear after the
upgrade, and with them the protections they carried: the middleware that blocked Odoo's
`/web/database`, the HSTS headers, the rate limit, the strict TLS option. Worse, while the old
CRDs stay installed, `kubectl apply` keeps succeeding and CI stays green, so nobody notices until
a tenant is down or exposed, or an unpatched v2 controller keeps serving them.

## Example (must fail)
```yaml
apiVersion: traefik.containo.us/v1alpha1
kind: Middleware
metadata:
  name: secure-headers
  namespace: acme-prod
spec:
  headers:
    stsSeconds: 31536000
```

## Use instead (must pass)
```yaml
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: secure-headers
  namespace: acme-prod
spec:
  headers:
    stsSeconds: 31536000
```

## Remediation
Change `apiVersion` to `traefik.io/v1alpha1` (the schema is the same for these kinds) and fix
the v3 renames at the same time (`ipWhiteList` to `ipAllowList`, removed headers options: see
TR007). Install the v3 CRDs, apply the migrated objects, check that
`kubectl get ingressroutes.traefik.io -A` lists every route, then delete the
`*.traefik.containo.us` CRDs so nothing can be applied to the dead group again.

## References
Traefik migration guide v2 to v3 ("the Kubernetes CRDs API Group traefik.containo.us has been
removed"). Peers: no scanner checks Traefik API groups (Checkov, Kubescape, Trivy, Polaris,
kube-score have no Traefik rule); Kubernetes deprecation checkers (pluto, kubent) only know
built-in APIs.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._traefik import GROUP_REMOVED, TRAEFIK_KINDS
from bulkhead.model import Resource, Severity

META = Meta(
    id="TR003",
    slug="removed-traefik-api-group",
    title="Traefik object in the removed traefik.containo.us group",
    domain=Domain.TRAEFIK,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=TRAEFIK_KINDS,
)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if resource.api_group == GROUP_REMOVED:
        yield Hit(
            ("apiVersion",),
            f"{resource.kind} {resource.name!r} uses {resource.api_version}, a group Traefik v3 "
            "no longer reads: the object is silently ignored. Change apiVersion to "
            "traefik.io/v1alpha1",
        )
