"""Odoo runs behind a proxy without `proxy_mode`, so it sees the proxy instead of the client.

## What it does
When the scan contains an `Ingress` or a Traefik `IngressRoute` (Odoo is served through a
proxy), flags every complete Odoo configuration (an `odoo.conf` file or a ConfigMap holding
one) whose `proxy_mode` is missing (Odoo's default is `False`) or set to false. An Odoo
container that turns it off explicitly (`ODOO_PROXY_MODE=False`) is reported whether or not a
route is in the scan; one that does not mention it is left to its configuration file.

## Why is this bad
Without `proxy_mode` Odoo ignores `X-Forwarded-For`, `-Host` and `-Proto`. Every login, failed
login and rate-limit decision carries the proxy's address, so brute-force detection (the
fail2ban rule of the deployment guide) is blind and audit logs cannot tell tenants' users apart.
Odoo also believes it is served over plain HTTP on an internal host: redirects, OAuth and
payment callbacks, `web.base.url` and links in e-mails point to the wrong scheme or host, and
the websocket routing on port 8072 that the guide documents requires it.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    list_db = False
    dbfilter = ^acme$
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
  routes: [{kind: Rule, match: "Host(`acme.erp.example.com`)", services: [{name: odoo, port: 8069}]}]
  tls: {secretName: acme-erp-example-com-tls}
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    list_db = False
    dbfilter = ^acme$
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
  routes: [{kind: Rule, match: "Host(`acme.erp.example.com`)", services: [{name: odoo, port: 8069}]}]
  tls: {secretName: acme-erp-example-com-tls}
```

## Remediation
Set `proxy_mode = True` in `[options]` (or pass `--proxy-mode`). Only do so when Odoo is
reachable solely through the proxy: a NetworkPolicy that admits port 8069/8072 from the
Traefik namespace only, and Traefik `forwardedHeaders.trustedIPs` set (never `insecure`), so
clients cannot forge the headers Odoo now trusts.

## References
Odoo deployment documentation ("HTTPS", "Odoo as a WSGI application", `--proxy-mode`:
"Only enable this when running behind a trusted web proxy!"); platform reference §1.2, §1.4 and
checker rule O3. Peers: none. Any Ingress or IngressRoute in the scan counts as a proxy in
front of Odoo (routes are often kept in another repository path or namespace than odoo.conf).
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.odoo._odoo import odoo_configs
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD004",
    slug="proxy-mode-off",
    title="Odoo behind a proxy without proxy_mode",
    domain=Domain.ODOO,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
)

_FIX = "set proxy_mode = True (Traefik must be the only way in)"


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    proxied = next(inventory.of_kind("Ingress", "IngressRoute"), None) is not None
    for config in odoo_configs(inventory):
        option = config.get("proxy_mode")
        if option is not None:
            if config.is_false("proxy_mode") and (proxied or not config.complete):
                yield Hit(
                    option.path,
                    f"{config.origin}: proxy_mode is off, so Odoo logs and rate-limits the "
                    f"proxy's address and builds URLs for the wrong scheme; {_FIX}.",
                    config.resource,
                    option.file,
                    option.line,
                    key="proxy_mode",
                )
        elif config.complete and proxied:
            yield Hit(
                config.path,
                f"{config.origin}: proxy_mode is not set (default False) although Odoo is "
                f"served through an Ingress or IngressRoute; {_FIX}.",
                config.resource,
                config.file,
                config.line,
                key="proxy_mode",
            )
