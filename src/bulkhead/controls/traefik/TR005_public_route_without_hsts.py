"""A public HTTPS IngressRoute has a route that sends no HSTS header.

## What it does
For every public IngressRoute with `spec.tls` (API group `traefik.io` or
`traefik.containo.us`; public means `entryPoints` missing, which Traefik reads as every entry
point, or naming one whose name contains neither "internal" nor "private"), reports each route
that uses no headers Middleware with `stsSeconds` > 0 (or a `Strict-Transport-Security`
custom response header with a positive `max-age`). Middlewares are resolved in the scanned
manifests: the route's namespace unless the reference names one, `<namespace>-<name>@kubernetescrd`
references, and `chain` members. A route with a reference that cannot be verified (`@file`, or
a Middleware not in the scanned inputs) is not reported.

## Why is this bad
Without HSTS a browser that types `acme.erp.example.com`, follows an old `http://` link or
joins a hostile Wi-Fi first talks plain HTTP; an attacker on the path strips the redirect
(sslstrip) and reads the Odoo login and session cookie. HSTS makes the browser refuse plain
HTTP for the host for `stsSeconds`. Requiring it on every route keeps the policy from depending
on which URL a user happens to open first.

## Example (must fail)
```yaml
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
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
  name: secure-headers
  namespace: acme-prod
spec:
  headers:
    stsSeconds: 31536000
    stsIncludeSubdomains: true
    contentTypeNosniff: true
    customFrameOptionsValue: SAMEORIGIN
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
  routes:
    - kind: Rule
      match: Host(`acme.erp.example.com`)
      middlewares: [{name: secure-headers}]
      services: [{name: odoo, port: 8069}]
  tls: {secretName: acme-erp-example-com-tls}
```

## Remediation
Create a headers Middleware with `stsSeconds: 31536000` (one year) and `stsIncludeSubdomains`
where every subdomain is HTTPS, and list it first in `middlewares` on every route, the
`/websocket` and blocked `/web/database` routes included (list it before an ipAllowList so the
403 carries the header too). Entry-point middlewares (`entryPoints.websecure.http.middlewares`)
are static configuration, invisible here: if HSTS comes from there, suppress with that reason.

## References
NSA/CISA Kubernetes Hardening Guide (encrypt traffic in transit); OWASP HTTP Strict Transport
Security cheat sheet; RFC 6797. Peers: none reads Traefik middlewares.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._traefik import (
    has_tls,
    is_public,
    route_middlewares,
    routes,
    sets_hsts,
    spec_of,
    traefik_objects,
)
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="TR005",
    slug="public-route-without-hsts",
    title="Public HTTPS route without HSTS",
    domain=Domain.TRAEFIK,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={"nsa": ("Network separation and hardening: encrypt traffic",)},
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for resource in traefik_objects(inventory, "IngressRoute"):
        spec = spec_of(resource)
        if not has_tls(spec) or not is_public(spec):
            continue
        for index, route in routes(spec):
            middlewares = route_middlewares(inventory, resource, route)
            if middlewares.any(sets_hsts) or middlewares.unknown:
                continue
            yield Hit(
                ("spec", "routes", index, "middlewares"),
                f"route {index} of public IngressRoute {resource.name!r} sends no HSTS header: "
                "add a headers Middleware with stsSeconds: 31536000 to its middlewares",
                resource=resource,
                key=str(index),
            )
