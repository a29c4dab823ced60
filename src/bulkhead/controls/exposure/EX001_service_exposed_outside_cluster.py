"""A Service of type NodePort or LoadBalancer exposes pods outside the cluster.

## What it does
Flags every Service whose `spec.type` is `NodePort` or `LoadBalancer`, unless it carries the
annotation `bulkhead.io/allow-exposure` with a non-empty reason (say, on the Traefik entry
Service itself). An annotation whose value is empty or blank is not a reason and does not
count; the finding then says so.

## Why is this bad
On this platform tenant traffic enters through the Traefik ingress, which terminates TLS,
applies rate limits and security headers and sets the `X-Forwarded-*` headers Odoo's
`proxy_mode` trusts. A per-tenant LoadBalancer or NodePort bypasses all of that: it opens the
Odoo HTTP (8069) and longpolling (8072) ports, or a database, straight to the internet or on
every node's address, where the `database manager` and login pages face brute force without
the edge's protections, and it adds one cloud load balancer per tenant to pay for and audit.

## Example (must fail)
```yaml
apiVersion: v1
kind: Service
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  type: LoadBalancer
  selector: {app: odoo-web}
  ports:
    - {name: http, port: 80, targetPort: 8069}
    - {name: longpolling, port: 8072, targetPort: 8072}
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Service
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  type: ClusterIP
  selector: {app: odoo-web}
  ports:
    - {name: http, port: 8069, targetPort: 8069}
    - {name: longpolling, port: 8072, targetPort: 8072}
```

## Remediation
Make the Service `type: ClusterIP` (or drop `type`) and route the tenant's host through a
Traefik `IngressRoute` to ports 8069 and 8072. For the few Services that must be reachable from
outside (the Traefik entry Service), annotate them with the reason:
`metadata.annotations: {bulkhead.io/allow-exposure: "public ingress entry point"}`.

## References
NSA/CISA Kubernetes Hardening Guide (network separation and hardening). Peers: Kubescape C-0256
(External facing), kube-score service-type (NodePort only), KICS 845acfbe (NodePort) and
26763a1c (external LoadBalancer), Kyverno restrict-nodeport and restrict-loadbalancer. Unlike
those, an explicit, reasoned opt-out lives next to the Service, so the ingress controller's own
Service does not have to be suppressed by name.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="EX001",
    slug="service-exposed-outside-cluster",
    title="Service exposed outside the cluster",
    domain=Domain.EXPOSURE,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Service"}),
    references={
        "kubescape": ("C-0256",),
        "kube-score": ("service-type",),
        "nsa": ("Network separation and hardening",),
    },
)

ALLOW_ANNOTATION = "bulkhead.io/allow-exposure"
EXPOSED_TYPES = ("NodePort", "LoadBalancer")


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    service_type = as_mapping(resource.doc.get("spec")).get("type")
    if not isinstance(service_type, str) or service_type not in EXPOSED_TYPES:
        return
    annotations = resource.annotations
    reason = annotations.get(ALLOW_ANNOTATION)
    if isinstance(reason, str) and reason.strip():
        return
    message = (
        f"Service {resource.name!r} is type {service_type}, reachable from outside the cluster: "
        "use type ClusterIP behind the Traefik ingress"
    )
    if ALLOW_ANNOTATION in annotations:
        message += (
            f"; the {ALLOW_ANNOTATION} annotation is present but gives no reason, so it does "
            "not count (write why this Service must be exposed)"
        )
    else:
        message += f", or annotate it with {ALLOW_ANNOTATION}: <reason> if it must be exposed"
    yield Hit(("spec", "type"), message)
