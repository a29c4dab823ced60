"""Traefik's API and dashboard are served without authentication (`api.insecure` or an open route).

## What it does
Reads Traefik's static configuration from `traefik.yml` / `traefik.yaml` / `traefik.toml` files
(on disk or as ConfigMap entries of those names) and from the flags (or, without flags, the `TRAEFIK_*` variables) of every Traefik container
(image repository ending in `traefik`). Flags `api.insecure` set true (`--api.insecure` with no
value counts). Also flags every IngressRoute (`traefik.io` or `traefik.containo.us`) on a public
entry point (missing `entryPoints`, or one not named like "internal"/"private") whose route sends
traffic to the service `api@internal` without a Middleware that authenticates or restricts
clients: `basicAuth`, `digestAuth`, `forwardAuth`, or an `ipAllowList` / `ipWhiteList` that does
not admit `0.0.0.0/0`. Middlewares are resolved in the scanned manifests (chains expanded); a
reference that cannot be verified (`@file`, or not in the inputs) counts as protection.

## Why is this bad
`api.insecure` opens the API and the dashboard on the entry point `traefik` (port 8080) with no
authentication. Anyone who reaches that port (another tenant's pod, unless NetworkPolicies stop
it, or the internet through a LoadBalancer) reads every router, service, middleware and TLS
setting of the platform: every tenant's host names, back ends and the gaps in their protection.
An IngressRoute to `api@internal` without an auth middleware publishes the same to the world.

## Example (must fail)
```yaml file=traefik.yml
entryPoints:
  websecure:
    address: ":8443"
api:
  dashboard: true
  insecure: true
```

## Use instead (must pass)
```yaml file=traefik.yml
entryPoints:
  websecure:
    address: ":8443"
api:
  dashboard: true
  insecure: false
```

## Remediation
Remove `--api.insecure` (or set `api.insecure: false`). To use the dashboard, route to it on an
internal entry point or behind authentication:
`kind: IngressRoute`, `entryPoints: [websecure]`, `match: Host(`traefik.ops.example.com`)`,
`services: [{kind: TraefikService, name: api@internal}]`,
`middlewares: [{name: ops-forward-auth}]` (a `forwardAuth` to the SSO, or `basicAuth` with a
Secret of htpasswd users, plus an `ipAllowList` of the operators' VPN). Or use
`kubectl port-forward` to the Traefik pod and keep the dashboard off the network entirely.

## References
Platform reference §4.5 and checker rule T3 (`api.insecure=false`; expose the dashboard only
through an authenticated IngressRoute to `api@internal`). NSA/CISA Kubernetes Hardening Guide
(restrict access to management interfaces). Peers: none; no scanner reads Traefik's static
configuration or IngressRoutes. Booleans are read as Traefik reads them (`"true"`, `True`, `1`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._static import static_configs, truthy
from bulkhead.controls.traefik._traefik import (
    allow_lists,
    is_public,
    route_middlewares,
    route_services,
    routes,
    spec_of,
    traefik_objects,
)
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="TR008",
    slug="api-insecure-or-dashboard-exposed",
    title="Traefik API and dashboard exposed without authentication",
    domain=Domain.TRAEFIK,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={"nsa": ("Restrict access to management interfaces",)},
)

INTERNAL_API = "api@internal"
_AUTH = ("basicAuth", "digestAuth", "forwardAuth")


def _protects(spec: Mapping[str, Any]) -> bool:
    return any(isinstance(spec.get(name), Mapping) for name in _AUTH) or allow_lists(spec)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for config in static_configs(inventory):
        entry = config.get("api.insecure")
        if entry is not None and truthy(entry.value):
            yield entry.hit(
                f"{entry.spelled} is true in {config.origin}: Traefik serves its API and "
                "dashboard on entry point 'traefik' (:8080) without authentication, revealing "
                "every tenant's routes and services. Remove it and reach the dashboard through "
                "an authenticated IngressRoute to api@internal or kubectl port-forward"
            )
    for resource in traefik_objects(inventory, "IngressRoute"):
        spec = spec_of(resource)
        if not is_public(spec):
            continue
        for index, route in routes(spec):
            for position, service in enumerate(route_services(route)):
                name = service.get("name") if isinstance(service, Mapping) else None
                if not isinstance(name, str) or name.strip().lower() != INTERNAL_API:
                    continue
                middlewares = route_middlewares(inventory, resource, route)
                if middlewares.unknown or middlewares.any(_protects):
                    continue
                yield Hit(
                    ("spec", "routes", index, "services", position, "name"),
                    f"route {index} of IngressRoute {resource.name!r} publishes Traefik's API "
                    "and dashboard (api@internal) on a public entry point without "
                    "authentication: add a basicAuth or forwardAuth Middleware (and an "
                    "ipAllowList of the operators' range), or move it to an internal entry point",
                    resource=resource,
                    key=f"{index}.{position}",
                )
