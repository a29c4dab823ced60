"""A Traefik Middleware uses an option that Traefik v3 removed.

## What it does
For every `Middleware` and `MiddlewareTCP` (API group `traefik.io` or `traefik.containo.us`)
reports each field removed in Traefik v3 and set (a null is dropped by the API server), one
finding per field: `ipWhiteList` (renamed `ipAllowList`); the headers options `sslRedirect`,
`sslTemporaryRedirect`, `sslHost`, `sslForceHost` and `featurePolicy`;
`stripPrefix.forceSlash`; and `contentType.autoDetect`.

## Why is this bad
Traefik v3 does not know these fields. A Middleware whose only type was `ipWhiteList` has no
type left, so Traefik refuses it and every router using it; a headers Middleware loses the HTTPS
redirect (`sslRedirect`) it was trusted to do, so Odoo answers on plain HTTP. The manifest still
reads as protected, which is worse than an obvious gap: an IP allow list in front of Odoo's
`/web/database` that no longer exists lets anyone reach the database manager.

## Example (must fail)
```yaml
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: office-only
  namespace: acme-prod
spec:
  ipWhiteList:
    sourceRange:
      - 203.0.113.0/24
```

## Use instead (must pass)
```yaml
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: office-only
  namespace: acme-prod
spec:
  ipAllowList:
    sourceRange:
      - 203.0.113.0/24
```

## Remediation
Rename `ipWhiteList` to `ipAllowList` (same settings). Replace `sslRedirect` and friends with a
`redirectScheme` Middleware (`scheme: https`, `permanent: true`) or the entry point redirection
`entryPoints.web.http.redirections.entryPoint.to=websecure`; replace `featurePolicy` with
`permissionsPolicy`; drop `forceSlash` and `autoDetect` (v3 never auto-detects Content-Type
unless a `contentType: {}` Middleware is attached).

## References
Traefik migration guide v2 to v3 (IPWhiteList renamed IPAllowList; headers middleware
`sslRedirect`, `sslTemporaryRedirect`, `sslHost`, `sslForceHost`, `featurePolicy` removed;
StripPrefix `forceSlash` removed; Content-Type auto-detection removed). `sslProxyHeaders` is not
reported: it still exists in v3 (HSTS uses it to recognise HTTPS behind another proxy). Peers:
no scanner checks Traefik middleware fields.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.controls.traefik._traefik import is_traefik, spec_of
from bulkhead.model import Resource, Severity

META = Meta(
    id="TR007",
    slug="removed-middleware-option",
    title="Middleware uses an option removed in Traefik v3",
    domain=Domain.TRAEFIK,
    severity=Severity.MEDIUM,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Middleware", "MiddlewareTCP"}),
)

REMOVED: dict[str, dict[str, str]] = {
    "headers": {
        "sslRedirect": "use a redirectScheme Middleware (scheme: https) or an entry point "
        "redirection",
        "sslTemporaryRedirect": "use a redirectScheme Middleware (scheme: https, permanent: false)",
        "sslHost": "use a redirectRegex or redirectScheme Middleware",
        "sslForceHost": "use a redirectRegex Middleware",
        "featurePolicy": "use permissionsPolicy",
    },
    "stripPrefix": {"forceSlash": "remove it"},
    "contentType": {"autoDetect": "remove it (contentType: {} enables auto-detection in v3)"},
}


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not is_traefik(resource):
        return
    spec = spec_of(resource)
    name = resource.name
    # A null is dropped by the API server (CRD pruning), so only a set value counts.
    if spec.get("ipWhiteList") is not None:
        yield Hit(
            ("spec", "ipWhiteList"),
            f"{resource.kind} {name!r} uses ipWhiteList, renamed ipAllowList in Traefik v3: "
            "without the rename the middleware has no type and its routers are refused",
            key="ipWhiteList",
        )
    for section, fields in REMOVED.items():
        options = as_mapping(spec.get(section))
        for field_name, advice in fields.items():
            if options.get(field_name) is not None:
                yield Hit(
                    ("spec", section, field_name),
                    f"{resource.kind} {name!r} sets {section}.{field_name}, removed in Traefik "
                    f"v3 and ignored: {advice}",
                    key=f"{section}.{field_name}",
                )
