"""An Ingress or Traefik route sends traffic to a Service (or port) that does not exist.

## What it does
Follows every backend of a Kubernetes Ingress (`spec.rules[].http.paths[].backend.service`,
`spec.defaultBackend`, and v1beta1 `serviceName`/`servicePort`) and every
`spec.routes[].services[]` of a Traefik IngressRoute, IngressRouteTCP or IngressRouteUDP
(`traefik.io` or the removed `traefik.containo.us`). Reports a Service that is not in the
namespace (a Traefik reference may name another `namespace`), or a port it does not declare: a
number must equal a `spec.ports[].port`, a name a `spec.ports[].name` (an ExternalName Service
accepts any number, as in Traefik). `kind: TraefikService` references are looked up as
TraefikServices; provider names such as `api@internal` are outside the manifests and skipped.
DR rule: a reference dangles when its target is not among the scanned objects of the target
namespace while the scan holds an object of that namespace, so a route into a namespace this
scan does not cover is not reported.

## Why is this bad
Traefik drops a router whose service cannot be resolved ("service not found", "service port
not found") and answers 404 or 503 for the tenant's host; an Ingress controller does the same.
A typo in a Service name or a port renumbered from 8069 takes a tenant's Odoo offline at the
next sync, and the Git diff that caused it looks harmless.

## Example (must fail)
```yaml
apiVersion: v1
kind: Service
metadata: {name: odoo, namespace: acme-prod}
spec:
  selector: {app.kubernetes.io/name: odoo}
  ports: [{name: http, port: 8069, targetPort: 8069}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
  routes:
    - {kind: Rule, match: "Host(`acme.erp.example.com`) && PathPrefix(`/websocket`)",
       services: [{name: odoo, port: 8072}]}
    - {kind: Rule, match: "Host(`acme.erp.example.com`)", services: [{name: odoo-web, port: 8069}]}
  tls: {secretName: acme-erp-example-com-tls}
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Service
metadata: {name: odoo, namespace: acme-prod}
spec:
  selector: {app.kubernetes.io/name: odoo}
  ports: [{name: http, port: 8069, targetPort: 8069}, {name: ws, port: 8072, targetPort: 8072}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
  routes:
    - {kind: Rule, match: "Host(`acme.erp.example.com`) && PathPrefix(`/websocket`)",
       services: [{name: odoo, port: ws}]}
    - {kind: Rule, match: "Host(`acme.erp.example.com`)", services: [{name: odoo, port: 8069}]}
  tls: {secretName: acme-erp-example-com-tls}
```

## Remediation
Point the backend at the Service's exact `metadata.name` in the route's namespace and at a
port it declares (`kubectl get svc odoo -n acme-prod -o jsonpath='{.spec.ports}'`); prefer
port names (`port: websocket`) so renumbering the Service cannot break the route.

## References
Peers: kube-score ingress-targets-service, Kubescape C-0298 (Ingress only: neither reads
Traefik CRDs). bulkhead stays quiet about namespaces outside the scan.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_list, as_mapping
from bulkhead.controls.traefik._traefik import (
    INGRESS_GROUPS,
    is_traefik,
    route_services,
    routes,
    spec_of,
    traefik_objects,
)
from bulkhead.inventory import Inventory
from bulkhead.model import FieldPath, Resource, Severity

META = Meta(
    id="DR002",
    slug="route-to-missing-service",
    title="Ingress or Traefik route to a missing Service or port",
    domain=Domain.EXPOSURE,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={
        "kubescape": ("C-0298",),
        "kube-score": ("ingress-targets-service",),
    },
)

ROUTE_KINDS = ("IngressRoute", "IngressRouteTCP", "IngressRouteUDP")


def _port_number(value: Any) -> int | None:
    number = as_int(value)
    if number is None and isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    return number


def _port_problem(service: Resource, port: Any) -> str | None:
    """Why `port` (a number or a name) is not a port of `service`; None when it is."""
    spec = spec_of(service)
    ports = [as_mapping(p) for p in as_list(spec.get("ports"))]
    where = f"Service {service.namespace}/{service.name}"
    number = _port_number(port)
    if number is not None:
        if spec.get("type") == "ExternalName" or any(
            _port_number(p.get("port")) == number for p in ports
        ):
            return None
        declared = sorted(str(p.get("port")) for p in ports if p.get("port") is not None)
        return f"port {number}, but {where} declares only: {', '.join(declared) or 'no port'}"
    if isinstance(port, str) and port:
        if any(p.get("name") == port for p in ports):
            return None
        named = sorted(str(p.get("name")) for p in ports if isinstance(p.get("name"), str))
        return f"port name {port!r}, but {where} names only: {', '.join(named) or 'no port'}"
    return None  # no port given: not a reference this control follows


def _ingress_backends(spec: Mapping[str, Any]) -> Iterator[tuple[FieldPath, Mapping[str, Any]]]:
    for key in ("defaultBackend", "backend"):
        if isinstance(spec.get(key), Mapping):
            yield ("spec", key), spec[key]
    for i, rule in enumerate(as_list(spec.get("rules"))):
        http = as_mapping(as_mapping(rule).get("http"))
        for j, item in enumerate(as_list(http.get("paths"))):
            backend = as_mapping(item).get("backend")
            if isinstance(backend, Mapping):
                yield ("spec", "rules", i, "http", "paths", j, "backend"), backend


def _ingress_refs(
    backend: Mapping[str, Any], path: FieldPath
) -> tuple[Any, FieldPath, Any, FieldPath]:
    """(service name, its path, port, its path) of a v1 or v1beta1 backend."""
    service = backend.get("service")
    if isinstance(service, Mapping):
        port = as_mapping(service.get("port"))
        port_key = "number" if "number" in port else "name"
        return (
            service.get("name"),
            (*path, "service", "name"),
            port.get(port_key),
            (*path, "service", "port", port_key),
        )
    return (
        backend.get("serviceName"),
        (*path, "serviceName"),
        backend.get("servicePort"),
        (*path, "servicePort"),
    )


def _check_ingresses(inventory: Inventory) -> Iterator[Hit]:
    for ingress in inventory.of_kind("Ingress"):
        if ingress.api_group not in INGRESS_GROUPS:
            continue
        for path, backend in _ingress_backends(spec_of(ingress)):
            name, name_path, port, port_path = _ingress_refs(backend, path)
            if not isinstance(name, str) or not name:
                continue  # a `resource` backend, or no reference at all
            service = inventory.get("Service", ingress.namespace, name)
            if service is None:
                yield Hit(
                    name_path,
                    f"Ingress {ingress.name!r} sends traffic to Service {name!r}, which is not "
                    f"in namespace {ingress.namespace!r}: requests get 503; name an existing "
                    "Service of this namespace",
                    resource=ingress,
                )
                continue
            problem = _port_problem(service, port)
            if problem is not None:
                yield Hit(
                    port_path,
                    f"Ingress {ingress.name!r} sends traffic to {problem}; requests get 503: "
                    "use a port number or name from the Service's spec.ports",
                    resource=ingress,
                )


def _check_routes(inventory: Inventory, namespaces: set[str]) -> Iterator[Hit]:
    for kind in ROUTE_KINDS:
        for route_object in traefik_objects(inventory, kind):
            for i, route in routes(spec_of(route_object)):
                for j, ref in enumerate(route_services(route)):
                    yield from _check_route_service(
                        inventory,
                        namespaces,
                        route_object,
                        ref,
                        ("spec", "routes", i, "services", j),
                    )


def _check_route_service(
    inventory: Inventory, namespaces: set[str], route: Resource, ref: Any, path: FieldPath
) -> Iterator[Hit]:
    ref = as_mapping(ref)
    name = ref.get("name")
    target_kind = ref.get("kind") or "Service"
    if not isinstance(name, str) or not name or target_kind not in ("Service", "TraefikService"):
        return
    if target_kind == "TraefikService" and ("@" in name or route.kind != "IngressRoute"):
        return  # `api@internal`, `x@file`: defined outside the manifests
    namespace = ref.get("namespace")
    if not isinstance(namespace, str) or not namespace:
        namespace = route.namespace
    elif namespace != route.namespace and namespace not in namespaces:
        return  # a namespace this scan does not cover
    target = inventory.get(target_kind, namespace, name)
    if target is not None and target_kind == "TraefikService" and not is_traefik(target):
        target = None
    label = f"{route.kind} {route.name!r}"
    if target is None:
        yield Hit(
            (*path, "name"),
            f"{label} sends traffic to {target_kind} {name!r}, which is not in namespace "
            f"{namespace!r}: Traefik drops the router and the host answers 404; name an "
            f"existing {target_kind} (and its namespace if it lives elsewhere)",
            resource=route,
        )
        return
    if target_kind != "Service":
        return
    problem = _port_problem(target, ref.get("port"))
    if problem is not None:
        yield Hit(
            (*path, "port"),
            f"{label} sends traffic to {problem}; Traefik reports `service port not found` and "
            "drops the router: use a port number or name from the Service's spec.ports",
            resource=route,
        )


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    namespaces = {r.namespace for r in inventory.resources if r.namespace is not None}
    yield from _check_ingresses(inventory)
    yield from _check_routes(inventory, namespaces)
