"""A Traefik TLSOption allows TLS below 1.2 or serves clients that send no SNI.

## What it does
For every `TLSOption` (API group `traefik.io` or `traefik.containo.us`) reports, one finding per
problem: `spec.minVersion` missing, below `VersionTLS12` (`VersionTLS10`, `VersionTLS11`) or not
a version Traefik knows (Traefik ignores an unknown value); `spec.maxVersion` below
`VersionTLS12`; and `spec.sniStrict` not `true`.

## Why is this bad
TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on SHA-1 and CBC constructions with known
attacks, and compliance regimes (PCI DSS, which an Odoo shop taking card payments is under)
forbid them. Without `minVersion` the floor depends on the Traefik and Go build in use. Without
`sniStrict`, a client that sends no server name gets Traefik's default certificate and router
set: scanners enumerate what the edge serves, and a tenant's hosts can be reached under a
certificate that is not theirs.

## Example (must fail)
```yaml
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata:
  name: tls-modern
  namespace: traefik
spec:
  minVersion: VersionTLS11
```

## Use instead (must pass)
```yaml
apiVersion: traefik.io/v1alpha1
kind: TLSOption
metadata:
  name: tls-modern
  namespace: traefik
spec:
  minVersion: VersionTLS12
  sniStrict: true
  cipherSuites:
    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    - TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305
    - TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305
```

## Remediation
Set `minVersion: VersionTLS12` (or `VersionTLS13` when every client supports it), leave
`maxVersion` unset so TLS 1.3 stays on, and set `sniStrict: true`. Name the option `default`
(only one cluster-wide) to apply it to every router, or reference it from each IngressRoute
with `tls.options: {name: tls-modern, namespace: traefik}`.

## References
NSA/CISA Kubernetes Hardening Guide (encrypt traffic in transit); RFC 8996 (TLS 1.0 and 1.1
deprecated). Peers: no Checkov, Kubescape, Trivy, Polaris or kube-score rule reads TLSOption;
Kyverno traefik/disallow-default-tlsoptions only forbids a TLSOption named `default`, and does
not judge its settings, which is what this control does.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.traefik._traefik import is_traefik, spec_of
from bulkhead.model import Resource, Severity

META = Meta(
    id="TR002",
    slug="weak-tls-option",
    title="TLSOption allows old TLS or no SNI",
    domain=Domain.TRAEFIK,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"TLSOption"}),
    references={"nsa": ("Network separation and hardening: encrypt traffic",)},
)

WEAK = frozenset({"VersionTLS10", "VersionTLS11"})
KNOWN = WEAK | {"VersionTLS12", "VersionTLS13"}


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not is_traefik(resource):
        return
    spec = spec_of(resource)
    name = resource.name
    minimum = spec.get("minVersion")
    if minimum is None:
        yield Hit(
            ("spec", "minVersion"),
            f"TLSOption {name!r} sets no minVersion: the floor depends on the Traefik build; "
            "set minVersion: VersionTLS12",
            key="minVersion",
        )
    elif isinstance(minimum, str) and minimum in WEAK:
        yield Hit(
            ("spec", "minVersion"),
            f"TLSOption {name!r} accepts {minimum}, deprecated by RFC 8996: set minVersion: "
            "VersionTLS12",
            key="minVersion",
        )
    elif not isinstance(minimum, str) or minimum not in KNOWN:
        yield Hit(
            ("spec", "minVersion"),
            f"TLSOption {name!r} has minVersion {str(minimum)[:40]!r}, which Traefik ignores: "
            "set minVersion: VersionTLS12",
            key="minVersion",
        )
    maximum = spec.get("maxVersion")
    if isinstance(maximum, str) and maximum in WEAK:
        yield Hit(
            ("spec", "maxVersion"),
            f"TLSOption {name!r} caps TLS at {maximum}: remove maxVersion so TLS 1.2 and 1.3 "
            "are served",
            key="maxVersion",
        )
    if spec.get("sniStrict") is not True:
        yield Hit(
            ("spec", "sniStrict"),
            f"TLSOption {name!r} serves clients that send no SNI with the default "
            "certificate: set sniStrict: true",
            key="sniStrict",
        )
