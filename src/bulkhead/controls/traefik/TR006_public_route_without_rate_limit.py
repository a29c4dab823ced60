"""A public IngressRoute has no rate limit on any of its routes.

## What it does
For every public IngressRoute (API group `traefik.io` or `traefik.containo.us`; public means
`entryPoints` missing, which Traefik reads as every entry point, or naming one whose name
contains neither "internal" nor "private"), reports the IngressRoute once when none of its
routes uses a `rateLimit` Middleware with `average` > 0 (0, the default, means no limit).
Middlewares are resolved as in TR005 (route namespace unless the reference names one,
`<namespace>-<name>@kubernetescrd`, `chain` members); if a route uses a reference that cannot be
verified (`@file`, or a Middleware not in the scanned inputs) nothing is reported, nor when
every route only redirects to HTTPS (a `redirectScheme` Middleware with `scheme: https`).

## Why is this bad
Odoo's `/web/login`, `/web/reset_password` and `/web/database` accept unlimited attempts, and
one Odoo worker serves one request at a time: without a limit at the edge a single client
brute-forces passwords or ties up every worker of a tenant, and on shared nodes slows its
neighbours. A rate limit per client IP bounds both.

## Example (must fail)
```yaml
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  routes:
    - kind: Rule
      match: Host(`acme.erp.example.com`)
      services: [{name: odoo, port: 8069}]
  tls: {secretName: acme-erp-example-com-tls}
```

## Use instead (must pass)
```yaml
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: rate-limit
  namespace: acme-prod
spec:
  rateLimit:
    average: 20
    period: 1s
    burst: 50
    sourceCriterion: {ipStrategy: {depth: 1}}
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
  routes:
    - kind: Rule
      match: Host(`acme.erp.example.com`)
      middlewares: [{name: rate-limit}]
      services: [{name: odoo, port: 8069}]
  tls: {secretName: acme-erp-example-com-tls}
```

## Remediation
Add a `rateLimit` Middleware (for example `average: 20`, `period: 1s`, `burst: 50`) with
`sourceCriterion.ipStrategy.depth` matching the number of proxies in front of Traefik, so the
limit applies per real client and not per load balancer, and attach it to the main Odoo route.
Without `redis` the limit is per Traefik replica. An `inFlightReq` Middleware limits
concurrency, not rate, and does not count. A limit set on the entry point in static
configuration is invisible here: suppress with that reason.

## References
OWASP Automated Threats (credential stuffing); NSA/CISA Kubernetes Hardening Guide (resource
policies against denial of service). Peers: none reads Traefik middlewares.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._traefik import (
    is_public,
    limits_rate,
    redirects_to_https,
    route_middlewares,
    routes,
    spec_of,
    traefik_objects,
)
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="TR006",
    slug="public-route-without-rate-limit",
    title="Public route without a rate limit",
    domain=Domain.TRAEFIK,
    severity=Severity.LOW,
    scope=Scope.INVENTORY,
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for resource in traefik_objects(inventory, "IngressRoute"):
        spec = spec_of(resource)
        if not is_public(spec):
            continue
        items = list(routes(spec))
        if not items:
            continue
        limited = unknown = False
        redirects = True
        for _, route in items:
            middlewares = route_middlewares(inventory, resource, route)
            limited = limited or middlewares.any(limits_rate)
            unknown = unknown or bool(middlewares.unknown)
            redirects = redirects and middlewares.any(redirects_to_https)
        if limited or unknown or redirects:
            continue
        yield Hit(
            ("spec", "routes"),
            f"public IngressRoute {resource.name!r} has no rateLimit Middleware on any route: "
            "add one (average: 20, burst: 50, per client IP) to the main Odoo route",
            resource=resource,
        )
