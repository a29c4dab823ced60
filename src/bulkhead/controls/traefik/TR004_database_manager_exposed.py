"""Odoo's database manager (/web/database) is reachable through a public IngressRoute.

## What it does
For every public IngressRoute (API group `traefik.io` or `traefik.containo.us`; public means
`entryPoints` missing or naming an entry point whose name contains neither "internal" nor
"private"), finds the routes that send Odoo traffic (a service on port 8069 or 8072, a service
named like odoo, or a Service whose port targets 8069/8072) and whose `match` lets a request for
`/web/database/...` through: no path matcher, `PathPrefix(`/`)`, `PathPrefix(`/web`)`, or any
rule the paths of the database manager satisfy (negations and `||` are evaluated). Such a route
is fine when it uses an `ipAllowList` (v3) or `ipWhiteList` (v2) Middleware, or when a route
with a higher priority (the same IngressRoute or another one in the namespace, same host and
entry points) catches `/web/database` and either uses such a Middleware or goes to a non-Odoo
service (a block page). Middlewares are resolved in the scanned manifests; a reference that
cannot be verified (`@file`, or not in the inputs) counts as a block.

## Why is this bad
`/web/database/manager` lets anyone who knows or guesses the master password (`admin_passwd`)
create, duplicate, back up (download every tenant's data), restore and drop databases. On a
multi-tenant server one leaked or brute-forced password wipes every tenant. Blocking the path at
the edge is one half of the defence; `list_db = False` in odoo.conf is the other (the Odoo
controls of issue 3), and both are needed.

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
metadata: {name: deny-all, namespace: acme-prod}
spec:
  ipAllowList: {sourceRange: [127.0.0.1/32]}
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
  routes:
    - kind: Rule
      match: Host(`acme.erp.example.com`) && PathPrefix(`/web/database`)
      middlewares: [{name: deny-all}]
      services: [{name: odoo, port: 8069}]
    - kind: Rule
      match: Host(`acme.erp.example.com`)
      services: [{name: odoo, port: 8069}]
  tls: {secretName: acme-erp-example-com-tls}
```

## Remediation
Add a route `Host(`<host>`) && PathPrefix(`/web/database`)` (longer, so it wins) with an
`ipAllowList` Middleware: `sourceRange: [127.0.0.1/32]` to deny everyone, or the operators' VPN
range; or send it to a static block page. Set `list_db = False` and a pbkdf2-hashed
`admin_passwd` in odoo.conf; manage databases from internal jobs (pg_dump, `--stop-after-init`).

## References
Odoo deployment documentation (database manager security, `list_db`). Peers: none; no scanner
knows Odoo. Blocks are checked per manager endpoint: `Path(`/web/database/manager`)` alone
leaves `drop` and `backup` open and is reported. Internal-only entry points are not reported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._traefik import (
    Node,
    allow_lists,
    entry_points,
    evaluate,
    hosts,
    is_odoo_service,
    is_public,
    parse_rule,
    priority,
    route_middlewares,
    route_services,
    routes,
    spec_of,
    traefik_objects,
)
from bulkhead.inventory import Inventory
from bulkhead.model import Resource, Severity

META = Meta(
    id="TR004",
    slug="database-manager-exposed",
    title="Odoo database manager reachable through a public route",
    domain=Domain.TRAEFIK,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

DATABASE_PATHS = tuple(
    f"/web/database/{endpoint}"
    for endpoint in (
        "manager",
        "selector",
        "create",
        "duplicate",
        "drop",
        "backup",
        "restore",
        "change_password",
        "list",
    )
)


@dataclass(frozen=True, slots=True)
class _Route:
    resource: Resource
    index: int
    rule: Node
    hosts: frozenset[str]
    entry_points: frozenset[str] | None
    priority: int
    odoo: bool
    guarded: bool
    """Uses an IP allow list, or a middleware we cannot verify (it may be one)."""


def _routes(inventory: Inventory) -> Iterator[tuple[_Route, Mapping[str, Any]]]:
    for resource in traefik_objects(inventory, "IngressRoute"):
        spec = spec_of(resource)
        names = entry_points(spec)
        for index, route in routes(spec):
            rule = parse_rule(route.get("match"))
            if rule is None:
                continue  # Traefik refuses a router whose rule does not parse
            middlewares = route_middlewares(inventory, resource, route)
            services = route_services(route)
            yield (
                _Route(
                    resource=resource,
                    index=index,
                    rule=rule,
                    hosts=hosts(rule),
                    entry_points=frozenset(names) if names is not None else None,
                    priority=priority(route),
                    odoo=any(is_odoo_service(inventory, resource.namespace, s) for s in services),
                    guarded=bool(middlewares.unknown) or middlewares.any(allow_lists),
                ),
                route,
            )


def _shields(blocker: _Route, route: _Route, path: str) -> bool:
    """Whether `blocker` takes every request for `path` that `route` would take."""
    if blocker.priority <= route.priority:
        return False
    if blocker.hosts and not (route.hosts and route.hosts <= blocker.hosts):
        return False
    if blocker.entry_points is not None and (
        route.entry_points is None or not route.entry_points <= blocker.entry_points
    ):
        return False
    return evaluate(blocker.rule, path, host_matches=True) is True


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    blockers: dict[str | None, list[_Route]] = defaultdict(list)
    exposed: list[tuple[_Route, tuple[str, ...], Mapping[str, Any]]] = []
    for item, route in _routes(inventory):
        if item.guarded or not item.odoo:
            if any(evaluate(item.rule, p, host_matches=True) is True for p in DATABASE_PATHS):
                blockers[item.resource.namespace].append(item)
            continue
        if not is_public(spec_of(item.resource)):
            continue
        paths = tuple(p for p in DATABASE_PATHS if evaluate(item.rule, p) is not False)
        if paths:
            exposed.append((item, paths, route))
    for item, paths, route in exposed:
        candidates = blockers.get(item.resource.namespace, ())
        open_paths = [
            p for p in paths if not any(_shields(b, item, p) for b in candidates if b is not item)
        ]
        if not open_paths:
            continue
        match = route.get("match")
        shown = open_paths[0] if len(open_paths) == 1 else "/web/database/*"
        yield Hit(
            ("spec", "routes", item.index, "match"),
            f"route {item.index} of IngressRoute {item.resource.name!r} ({str(match)[:120]}) "
            f"sends {shown} to Odoo: anyone who guesses the master password can drop or dump "
            "databases. Add a higher-priority route PathPrefix(`/web/database`) with an "
            "ipAllowList Middleware (or a block page) and set list_db = False in odoo.conf",
            resource=item.resource,
            key=str(item.index),
        )
