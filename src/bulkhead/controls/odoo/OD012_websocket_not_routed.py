"""A host routes Odoo's HTTP port but not its websocket (or long-polling) path to port 8072.

## What it does
For every Traefik IngressRoute route and every Ingress path that sends a host's traffic to Odoo
HTTP (port 8069, or a Service port named `http` targeting 8069), looks for the route that wins
a request for `/websocket` on the same host (Odoo 16 and later; `/longpolling/poll` for Odoo 15
and older, by the image tag of the pods the Service selects; an unknown series counts as 16+),
and requires it to go to the gevent port: 8072, or a port named like `websocket`, `longpolling`
or `gevent`. The winner is the matching route of highest priority (Traefik: explicit priority,
else rule length; Ingress: the longest matching path, Exact before Prefix).

## Why is this bad
In prefork mode (`workers > 0`) only the gevent worker on 8072 serves the websocket: the HTTP
workers on 8069 refuse the upgrade. Without the route the bus is dead for the tenant: no chat,
no notifications, no live updates of the discuss app, and the browser retries forever. A
`PathPrefix(`/websocket/`)` (trailing slash) does not match `/websocket` and is a common slip.

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
      services:
        - {kind: Service, name: odoo, port: 8069}
  tls: {secretName: acme-erp-example-com-tls}
```

## Use instead (must pass)
```yaml
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: odoo, namespace: acme-prod}
spec:
  entryPoints: [websecure]
  routes:
    - kind: Rule
      match: Host(`acme.erp.example.com`) && PathPrefix(`/websocket`)
      services:
        - {kind: Service, name: odoo, port: 8072}
    - kind: Rule
      match: Host(`acme.erp.example.com`)
      services:
        - {kind: Service, name: odoo, port: 8069}
  tls: {secretName: acme-erp-example-com-tls}
```

## Remediation
Add, on the same host and entry points, a route `Host(...) && PathPrefix(`/websocket`)` to the
Service port for 8072 (Odoo 15 and older: `PathPrefix(`/longpolling`)`), expose 8072 on the
Service and the container, and set `proxy_mode = True`. Traefik forwards the websocket upgrade
headers by itself. With an Ingress, add a `Prefix` path `/websocket` to the 8072 port.

## References
Odoo deployment guide ("redirect requests whose path starts with /websocket/ to the LiveChat
worker"); odoo/odoo PR #75510 (websocket replaces long-polling in 16.0); platform rule O4. No
peer scanner checks Odoo routing. With `workers = 0` (OD007) the threaded server answers
/websocket on 8069 itself; the fix there is prefork workers, so this control still applies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_list, as_mapping
from bulkhead.controls.odoo._deployment import PodIndex, odoo_major
from bulkhead.controls.odoo._odoo import is_odoo_container
from bulkhead.controls.traefik._traefik import (
    INGRESS_GROUPS,
    evaluate,
    hosts,
    parse_rule,
    priority,
    route_services,
    routes,
    spec_of,
    traefik_objects,
)
from bulkhead.inventory import Inventory
from bulkhead.model import FieldPath, Resource, Severity

META = Meta(
    id="OD012",
    slug="websocket-not-routed",
    title="Odoo websocket (or long-polling) path not routed to port 8072",
    domain=Domain.ODOO,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
)

HTTP_PORT = 8069
GEVENT_PORT = 8072
GEVENT_NAMES = ("websocket", "longpolling", "gevent")
WEBSOCKET = "/websocket"
LONGPOLLING = "/longpolling/poll"
LAST_LONGPOLLING_SERIES = 15
ANY_HOST = ""


def _number(value: Any) -> int | None:
    number = as_int(value)
    if number is None and isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    return number


def _gevent_name(value: Any) -> bool:
    return isinstance(value, str) and any(n in value.lower() for n in GEVENT_NAMES)


@dataclass(frozen=True, slots=True)
class _Route:
    resource: Resource
    path: FieldPath
    hosts: frozenset[str]
    priority: float
    role: str | None
    """"http" (Odoo 8069), "gevent" (8072) or None (something else)."""
    matches: Callable[[str], bool | None]
    service: Resource | None


class _Resolver:
    """What a (Service, port) reference reaches, and the Odoo series behind the Service."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.pods = PodIndex(inventory)

    def container_port(self, service: Resource, name: str) -> int | None:
        for template in self.pods.selected(service):
            for container in template.containers:
                for port in as_list(container.spec.get("ports")):
                    port = as_mapping(port)
                    if port.get("name") == name:
                        return _number(port.get("containerPort"))
        return None

    def role(self, service: Resource | None, port: Any) -> str | None:
        number = _number(port)
        if number == GEVENT_PORT or _gevent_name(port):
            return "gevent"
        if number == HTTP_PORT:
            return "http"
        if service is None:
            return None
        for item in as_list(spec_of(service).get("ports")):
            item = as_mapping(item)
            name = item.get("name")
            if not (
                (number is not None and _number(item.get("port")) == number)
                or (isinstance(port, str) and port and port == name)
            ):
                continue
            target = item.get("targetPort")
            target_number = _number(target)
            if target_number is None and isinstance(target, str) and target:
                if _gevent_name(target):
                    return "gevent"
                target_number = self.container_port(service, target)
            if target_number is None and target is None:
                target_number = _number(item.get("port"))
            if target_number == GEVENT_PORT or _gevent_name(name):
                return "gevent"
            if target_number == HTTP_PORT:
                return "http"
            return None
        return None

    def majors(self, service: Resource | None) -> frozenset[int]:
        if service is None:
            return frozenset()
        found = set()
        for template in self.pods.selected(service):
            for container in template.containers:
                if container.kind == "containers" and is_odoo_container(container):
                    major = odoo_major(container.spec.get("image"))
                    if major is not None:
                        found.add(major)
        return frozenset(found)


def _traefik_routes(inventory: Inventory, resolver: _Resolver) -> Iterator[_Route]:
    for resource in traefik_objects(inventory, "IngressRoute"):
        for index, route in routes(spec_of(resource)):
            rule = parse_rule(route.get("match"))
            if rule is None:
                continue  # Traefik refuses a router whose rule does not parse
            roles: set[str | None] = set()
            target = None
            for ref in route_services(route):
                ref = as_mapping(ref)
                name, kind = ref.get("name"), ref.get("kind") or "Service"
                service = None
                if kind == "Service" and isinstance(name, str) and name:
                    namespace = ref.get("namespace") or resource.namespace
                    service = inventory.get("Service", namespace, name)
                roles.add(resolver.role(service, ref.get("port")))
                target = target or service
            role = "http" if "http" in roles else ("gevent" if roles == {"gevent"} else None)

            def matches(path: str, rule: Any = rule) -> bool | None:
                return evaluate(rule, path, host_matches=True)

            yield _Route(
                resource,
                ("spec", "routes", index, "match"),
                hosts(rule) or frozenset({ANY_HOST}),
                priority(route),
                role,
                matches,
                target,
            )


def _ingress_matcher(path: Any, path_type: Any) -> Callable[[str], bool | None]:
    prefix = path if isinstance(path, str) and path else "/"

    def matches(request: str) -> bool | None:
        if path_type == "Exact":
            return request == prefix
        if path_type == "Prefix":
            base = prefix.rstrip("/")
            return not base or request == base or request.startswith(base + "/")
        return request.startswith(prefix)  # ImplementationSpecific: a string prefix

    return matches


def _backend(backend: Mapping[str, Any]) -> tuple[Any, Any]:
    service = backend.get("service")
    if isinstance(service, Mapping):
        port = as_mapping(service.get("port"))
        return service.get("name"), port.get("number", port.get("name"))
    return backend.get("serviceName"), backend.get("servicePort")


def _ingress_routes(inventory: Inventory, resolver: _Resolver) -> Iterator[_Route]:
    for ingress in inventory.of_kind("Ingress"):
        if ingress.api_group not in INGRESS_GROUPS:
            continue
        spec = spec_of(ingress)
        entries: list[tuple[FieldPath, str, Any, Any, Mapping[str, Any]]] = []
        for key in ("defaultBackend", "backend"):
            if isinstance(spec.get(key), Mapping):
                entries.append((("spec", key), ANY_HOST, None, "default", spec[key]))
        for i, rule in enumerate(as_list(spec.get("rules"))):
            rule = as_mapping(rule)
            host = rule.get("host")
            host = host.lower() if isinstance(host, str) and host else ANY_HOST
            for j, item in enumerate(as_list(as_mapping(rule.get("http")).get("paths"))):
                item = as_mapping(item)
                backend = item.get("backend")
                if isinstance(backend, Mapping):
                    found: FieldPath = ("spec", "rules", i, "http", "paths", j, "backend")
                    entries.append((found, host, item.get("path"), item.get("pathType"), backend))
        for where, host, path, path_type, backend in entries:
            name, port = _backend(backend)
            service = None
            if isinstance(name, str) and name:
                service = inventory.get("Service", ingress.namespace, name)
            if path_type == "default":
                weight, matcher = -1.0, _ingress_matcher("/", "Prefix")
            else:
                length = len(path) if isinstance(path, str) else 1
                weight = length + (0.5 if path_type == "Exact" else 0.0)
                matcher = _ingress_matcher(path, path_type)
            yield _Route(
                ingress,
                where,
                frozenset({host}),
                weight,
                resolver.role(service, port),
                matcher,
                service,
            )


def _served(family: list[_Route], host: str, probe: str) -> bool:
    """Whether the route that wins `probe` on `host` goes to the gevent port."""
    best: float | None = None
    winners: list[_Route] = []
    for route in family:
        if host not in route.hosts and ANY_HOST not in route.hosts:
            continue
        if route.matches(probe) is False:
            continue
        if best is None or route.priority > best:
            best, winners = route.priority, [route]
        elif route.priority == best:
            winners.append(route)
    return any(route.role == "gevent" for route in winners)


def _candidates(index: Mapping[str, list[_Route]], host: str) -> list[_Route]:
    if host == ANY_HOST:
        return list(index.get(ANY_HOST, ()))
    return [*index.get(host, ()), *index.get(ANY_HOST, ())]


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    resolver = _Resolver(inventory)
    families = (
        list(_traefik_routes(inventory, resolver)),
        list(_ingress_routes(inventory, resolver)),
    )
    by_host: list[dict[str, list[_Route]]] = []
    for family in families:
        index: dict[str, list[_Route]] = defaultdict(list)
        for route in family:
            for host in route.hosts:
                index[host].append(route)
        by_host.append(index)
    reported: set[tuple[str, int, str]] = set()
    for family in families:
        for route in family:
            if route.role != "http":
                continue
            majors = resolver.majors(route.service)
            old = bool(majors) and max(majors) <= LAST_LONGPOLLING_SERIES
            probe = LONGPOLLING if old else WEBSOCKET
            for host in sorted(route.hosts):
                key = (route.resource.location.file, route.resource.doc_index, host)
                if key in reported:
                    continue
                if any(_served(_candidates(index, host), host, probe) for index in by_host):
                    continue
                reported.add(key)
                shown = probe if not old else "/longpolling"
                series = f"Odoo {max(majors)}" if majors else "Odoo 16+"
                yield Hit(
                    route.path,
                    f"{route.resource.kind} {route.resource.name!r} sends Odoo HTTP (8069) for "
                    f"{host or 'every host'} but no route sends {shown} there to the gevent "
                    f"port 8072 ({series}): the bus, chat and notifications fail. Add a route "
                    f"for PathPrefix(`{shown}`) on this host to the Service port for 8072",
                    resource=route.resource,
                    key=host,
                )
