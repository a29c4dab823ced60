"""Traefik lets IngressRoutes use Middlewares and Services of other namespaces (`allowCrossNamespace`).

## What it does
Reads Traefik's static configuration from `traefik.yml` / `traefik.yaml` / `traefik.toml` files
(on disk or as ConfigMap entries of those names) and from the flags (or, without flags, the `TRAEFIK_*` variables) of every Traefik container
(image repository ending in `traefik`), and flags
`providers.kubernetesCRD.allowCrossNamespace` set true (`--providers.kubernetescrd.allowCrossNamespace`
with no value counts; keys are compared case-insensitively, as Traefik does).

## Why is this bad
With cross-namespace references allowed, an IngressRoute in tenant A's namespace may name a
Service of tenant B (`services: [{name: odoo, namespace: globex-prod}]`) and publish B's Odoo,
database manager included, under A's host name and A's (absent) protections; it may also borrow
or probe B's Middlewares, Secrets-backed `basicAuth` included. Every tenant who can write an
IngressRoute then crosses the namespace boundary the platform's isolation rests on, and
NetworkPolicies do not help: the traffic comes from Traefik, which must reach every tenant.

## Example (must fail)
```yaml file=traefik.yml
entryPoints:
  websecure:
    address: ":8443"
providers:
  kubernetesCRD:
    allowCrossNamespace: true
```

## Use instead (must pass)
```yaml file=traefik.yml
entryPoints:
  websecure:
    address: ":8443"
providers:
  kubernetesCRD:
    allowCrossNamespace: false
    allowExternalNameServices: false
```

## Remediation
Remove `--providers.kubernetescrd.allowCrossNamespace=true` (false is the default) or set
`providers.kubernetesCRD.allowCrossNamespace: false`; with the Helm chart,
`providers.kubernetesCRD.allowCrossNamespace: false`. Give each tenant namespace its own copies
of the shared Middlewares (security headers, rate limit), rendered by the platform templates,
and reference platform-wide ones from the file provider (`secure-headers@file`), which tenants
cannot write. Since v3.6.14 a `chain` honours this setting as well.

## References
Platform reference §4.5 (`providers.kubernetesCRD.allowCrossNamespace`, default false: keep it
false for tenant isolation) and checker rule T3. NSA/CISA Kubernetes Hardening Guide (namespace
separation). Peers: none; no scanner reads Traefik's static configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._static import static_configs, truthy
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="TR010",
    slug="cross-namespace-references-allowed",
    title="Traefik allows cross-namespace references",
    domain=Domain.TRAEFIK,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={"nsa": ("Network separation and hardening: namespaces",)},
)

KEY = "providers.kubernetescrd.allowcrossnamespace"


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for config in static_configs(inventory):
        entry = config.get(KEY)
        if entry is not None and truthy(entry.value):
            yield entry.hit(
                f"{entry.spelled} is true in {config.origin}: an IngressRoute of one tenant "
                "may then use another tenant's Services and Middlewares. Set it to false (the "
                "default) and give each namespace its own Middlewares or use @file ones"
            )
