"""A plain-HTTP Traefik entry point does not redirect to HTTPS.

## What it does
Reads Traefik's static configuration from `traefik.yml` / `traefik.yaml` / `traefik.toml` files
(on disk or as ConfigMap entries of those names) and from the flags (or, without flags, the `TRAEFIK_*` variables) of every Traefik container
(image repository ending in `traefik`). An entry point is plain HTTP when its address listens on
port 80 (`:80`, `0.0.0.0:80`, `:80/tcp`; UDP is ignored) or when it is named `web` or `http`,
and it has no TLS of its own (`http.tls`). Such an entry point is flagged unless it sets
`http.redirections.entryPoint.to` with `scheme` missing (https is the default) or `https`. A
configuration that defines no entry point at all is flagged too: Traefik then creates the
default entry point `http` on `:80`, which redirects nothing. A container that reads a file
(`--configFile`) is judged by that file. Redirects done per route by a `redirectScheme`
Middleware are TR001's business and are not looked at here.

## Why is this bad
Without a global redirect, every route that is (by mistake or by default) attached to the HTTP
entry point serves Odoo in clear text: the login form, the `session_id` cookie and the
database-manager master password cross the network readable and changeable. A redirect at the
entry point makes HTTPS the only way in for every tenant, whatever their IngressRoutes say, and
lets HSTS (TR005) take over from the first response.

## Example (must fail)
```yaml file=traefik.yml
entryPoints:
  web:
    address: ":80"
  websecure:
    address: ":443"
```

## Use instead (must pass)
```yaml file=traefik.yml
entryPoints:
  web:
    address: ":80"
    http:
      redirections:
        entryPoint:
          to: websecure
          scheme: https
          permanent: true
  websecure:
    address: ":443"
```

## Remediation
Add to the HTTP entry point `http.redirections.entryPoint.to: websecure` (with
`scheme: https`, `permanent: true`), or as flags
`--entryPoints.web.http.redirections.entryPoint.to=websecure` and
`--entryPoints.web.http.redirections.entryPoint.scheme=https`. With the Traefik Helm chart set
`ports.web.redirections.entryPoint: {to: websecure, scheme: https, permanent: true}` (chart
v34+; `ports.web.redirectTo: {port: websecure}` in older charts). Keep ACME HTTP-01 challenges
working: Traefik serves them before the redirect.

## References
Platform reference §4.5 (`entryPoints.<n>.http.redirections.entryPoint`). NSA/CISA Kubernetes
Hardening Guide (encrypt traffic in transit). Peers: none; no scanner reads Traefik's static
configuration (Kubescape C-0263 and Polaris tlsSettingsMissing look at Ingress objects only).
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._static import Entry, address_port, static_configs
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="TR009",
    slug="http-entrypoint-without-redirect",
    title="HTTP entry point without redirect to HTTPS",
    domain=Domain.TRAEFIK,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={"nsa": ("Network separation and hardening: encrypt traffic",)},
)

PLAIN_NAMES = frozenset({"web", "http"})
_TO = "http.redirections.entrypoint.to"
_SCHEME = "http.redirections.entrypoint.scheme"


def _redirects(settings: dict[str, Entry]) -> bool:
    target = settings.get(_TO)
    if target is None or not isinstance(target.value, str | int) or not str(target.value).strip():
        return False
    scheme = settings.get(_SCHEME)
    if scheme is None or scheme.value is None:
        return True
    return isinstance(scheme.value, str) and scheme.value.strip().lower() == "https"


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for config in static_configs(inventory):
        entry_points = config.entry_points()
        if not entry_points:
            if not config.reads_file:
                yield config.hit(
                    f"{config.origin} defines no entry point, so Traefik listens on its "
                    "default entry point 'http' (:80) without redirect to HTTPS: define 'web' "
                    "with http.redirections.entryPoint.to=websecure and 'websecure' with TLS",
                    key="default-entrypoint",
                )
            continue
        for name, items in entry_points.items():
            address = items.get("address")
            port, protocol = address_port(address.value if address else None)
            if protocol != "tcp":
                continue
            if port != 80 and name not in PLAIN_NAMES:
                continue
            if any(key == "http.tls" or key.startswith("http.tls.") for key in items):
                continue
            if _redirects(items):
                continue
            where = address or next(iter(items.values()))
            label = where.spelled.split(".")[1] if "." in where.spelled else name
            yield where.hit(
                f"entry point {label!r} of {config.origin} serves plain HTTP "
                f"({address.value if address else 'no address'}) without redirect to HTTPS: "
                f"set entryPoints.{label}.http.redirections.entryPoint.to=websecure "
                "(scheme https, permanent true)",
                key=f"entrypoints.{name}",
            )
