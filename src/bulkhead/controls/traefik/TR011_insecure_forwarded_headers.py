"""A Traefik entry point trusts X-Forwarded-* or PROXY protocol headers from any client.

## What it does
Reads Traefik's static configuration from `traefik.yml` / `traefik.yaml` / `traefik.toml` files
(on disk or as ConfigMap entries of those names) and from the flags (or, without flags, the `TRAEFIK_*` variables) of every Traefik container
(image repository ending in `traefik`). For every entry point, flags
`forwardedHeaders.insecure` or `proxyProtocol.insecure` set true (a flag with no value counts),
and a `forwardedHeaders.trustedIPs` or `proxyProtocol.trustedIPs` list holding a range that
covers every address (`0.0.0.0/0`, `::/0`, any prefix length 0), which is `insecure` in
disguise. Lists may be YAML/TOML lists or comma-separated flag values.

## Why is this bad
Odoo runs with `proxy_mode = True` behind Traefik and takes the client address from
`X-Forwarded-For` (and the scheme and host from `X-Forwarded-Proto` / `-Host`). When Traefik
keeps these headers from any client instead of overwriting them, every visitor chooses the
address Odoo logs, the address Traefik's `ipAllowList` and `rateLimit` middlewares judge (with
an `ipStrategy`), and the host Odoo builds its links from. Brute-force protection, audit trails
and allow lists in front of `/web/database` are then defeated with one header.

## Example (must fail)
```yaml file=traefik.yml
entryPoints:
  websecure:
    address: ":8443"
    forwardedHeaders:
      insecure: true
```

## Use instead (must pass)
```yaml file=traefik.yml
entryPoints:
  websecure:
    address: ":8443"
    forwardedHeaders:
      trustedIPs:
        - 10.20.0.0/16
```

## Remediation
Remove `forwardedHeaders.insecure` / `proxyProtocol.insecure` and list only the load balancer's
addresses: `entryPoints.websecure.forwardedHeaders.trustedIPs: [10.20.0.0/16]` (flag
`--entryPoints.websecure.forwardedHeaders.trustedIPs=10.20.0.0/16`). With an L4 load balancer
that sends PROXY protocol, set `proxyProtocol.trustedIPs` to its range instead. On a cloud LB
that keeps the client address (`externalTrafficPolicy: Local`), trust nothing.

## References
Platform reference §4.5 (`entryPoints.<n>.forwardedHeaders.{trustedIPs, insecure}`: trust
`X-Forwarded-*` only from the LB CIDRs, never `insecure` in production) and checker rule T3;
§4.1 (v3.6.14 deprecates ForwardAuth `trustForwardHeader` in favour of trustedIPs). Peers:
none; no scanner reads Traefik's static configuration.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._static import covers_everyone, static_configs, truthy
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="TR011",
    slug="insecure-forwarded-headers",
    title="Traefik trusts forwarded headers from any client",
    domain=Domain.TRAEFIK,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

SECTIONS = {"forwardedheaders": "forwardedHeaders", "proxyprotocol": "proxyProtocol"}


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for config in static_configs(inventory):
        for name, items in config.entry_points().items():
            for section, spelled in SECTIONS.items():
                insecure = items.get(f"{section}.insecure")
                if insecure is not None and truthy(insecure.value):
                    yield insecure.hit(
                        f"entry point {name!r} of {config.origin} sets {spelled}.insecure: any "
                        "client can forge X-Forwarded-For (or the PROXY header), so Odoo logs "
                        "and IP allow lists and rate limits see the address the client chose. "
                        f"Remove it and set {spelled}.trustedIPs to the load balancer's range"
                    )
                trusted = items.get(f"{section}.trustedips")
                everyone = covers_everyone(trusted.value) if trusted is not None else None
                if trusted is not None and everyone is not None:
                    yield trusted.hit(
                        f"entry point {name!r} of {config.origin} trusts {spelled} from "
                        f"{everyone}, that is from every client (insecure in disguise): list "
                        "only the load balancer's range in trustedIPs"
                    )
