"""An IngressRoute or Ingress serves traffic without TLS.

## What it does
Flags every Traefik `IngressRoute` (API group `traefik.io` or the removed `traefik.containo.us`)
without a `spec.tls` section, and every Kubernetes `Ingress` (`networking.k8s.io`) whose
`spec.tls` is missing or empty. An IngressRoute whose every route uses a Middleware of type
`redirectScheme` with `scheme: https` (resolved in the scanned manifests, chains expanded) only
redirects to HTTPS and is not reported. An IngressRoute of another project (Contour's old
`contour.heptio.com` IngressRoute, say) is not Traefik's and is ignored.

## Why is this bad
Without TLS, Odoo logins, session cookies, customer invoices and the `/web/database` master
password cross the network in clear text: anyone on the path (a shared LB, a compromised node,
the Wi-Fi of a customer's office) reads or changes them. The session cookie alone is a full
takeover of the tenant's Odoo account.

## Example (must fail)
```yaml
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: odoo
  namespace: acme-prod
spec:
  entryPoints: [web]
  routes:
    - kind: Rule
      match: Host(`acme.erp.example.com`)
      services:
        - name: odoo
          port: 8069
```

## Use instead (must pass)
```yaml
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata:
  name: odoo
  namespace: acme-prod
spec:
  entryPoints: [websecure]
  routes:
    - kind: Rule
      match: Host(`acme.erp.example.com`)
      services:
        - name: odoo
          port: 8069
  tls:
    secretName: acme-erp-example-com-tls
```

## Remediation
Attach the route to the HTTPS entry point and add `tls:` with `secretName` (a cert-manager
Certificate in the same namespace) or `certResolver`; for an Ingress add `spec.tls[]` with the
hosts and secret. Redirect plain HTTP globally with
`entryPoints.web.http.redirections.entryPoint.to=websecure`, or with a `redirectScheme`
Middleware (`scheme: https`, `permanent: true`) on every route of the `web` IngressRoute. If
TLS comes from the entry point itself (`entryPoints.websecure.http.tls`), which bulkhead cannot
see from the route, declare `tls: {}` on the route so the intent is explicit.

## References
Peers: Kubescape C-0263 (Ingress uses TLS), Polaris tlsSettingsMissing and Kyverno
other/require-ingress-https cover Ingress only; none reads IngressRoute. NSA/CISA Kubernetes
Hardening Guide (encrypt traffic in transit). A redirect referenced through another provider
(`redirect@file`) cannot be verified from the manifests, so that IngressRoute is still reported:
suppress it with a reason, or use a Middleware CRD.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list
from bulkhead.controls.traefik._traefik import (
    INGRESS_GROUPS,
    has_tls,
    redirects_to_https,
    route_middlewares,
    routes,
    spec_of,
    traefik_objects,
)
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="TR001",
    slug="route-without-tls",
    title="Route served without TLS",
    domain=Domain.TRAEFIK,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={
        "kubescape": ("C-0263",),
        "polaris": ("tlsSettingsMissing",),
        "nsa": ("Network separation and hardening: encrypt traffic",),
    },
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for route in traefik_objects(inventory, "IngressRoute"):
        spec = spec_of(route)
        if has_tls(spec):
            continue
        items = list(routes(spec))
        if items and all(
            route_middlewares(inventory, route, item).any(redirects_to_https) for _, item in items
        ):
            continue  # an HTTP -> HTTPS redirect serves nothing in clear text
        yield Hit(
            ("spec", "tls"),
            f"IngressRoute {route.name!r} has no tls section: its traffic is plain HTTP. Add "
            "tls.secretName (or certResolver) and use the websecure entry point, or make every "
            "route a redirectScheme (scheme: https) redirect",
            resource=route,
        )
    for ingress in inventory.of_kind("Ingress"):
        if ingress.api_group not in INGRESS_GROUPS:
            continue
        if as_list(spec_of(ingress).get("tls")):
            continue
        yield Hit(
            ("spec", "tls"),
            f"Ingress {ingress.name!r} has no spec.tls: its traffic is plain HTTP. Add spec.tls "
            "with the hosts and a certificate secret",
            resource=ingress,
        )
