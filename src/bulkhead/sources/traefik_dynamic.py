"""Traefik file-provider dynamic configuration, read as the Traefik CRDs it is equivalent to.

A file-provider file (`http:`, `tcp:` and `tls:` at the top, no `apiVersion`) declares the same
routers, middlewares, services and TLS options as the CRDs, in another shape. Rather than teach
every Traefik control a second shape, each object becomes the Resource a CRD would give:

- `http.routers.<r>`        -> IngressRoute `<r>@file` with one route (rule, priority,
                               middlewares, service) and the router's entry points and `tls`;
- `tcp.routers.<r>`         -> IngressRouteTCP `<r>@file`;
- `http.middlewares.<m>`    -> Middleware `<m>@file` (`tcp.middlewares` -> MiddlewareTCP);
- `http.services.<s>`       -> TraefikService `<s>@file`;
- `http.serversTransports.<t>` -> ServersTransport `<t>@file`;
- `tls.options.<o>`         -> TLSOption `<o>@file`.

Names carry Traefik's own `@file` suffix, and a reference without a provider suffix is made
explicit (`hsts` -> `hsts@file`), as Traefik resolves it within the provider. The objects have
no namespace: the file provider has none. Every synthesized node keeps the line of the key it
came from, so a finding points at the router in the file, while its JSON path is the CRD one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from bulkhead.model import Location, Resource
from bulkhead.sources.yamldoc import YamlMap, YamlSeq, new_seq

API_VERSION = "traefik.io/v1alpha1"
PROVIDER = "file"
_SECTIONS = frozenset({"http", "tcp", "udp", "tls"})
_DYNAMIC_KEYS = {
    "http": frozenset({"routers", "middlewares", "services", "serverstransports"}),
    "tcp": frozenset({"routers", "middlewares", "services", "serverstransports"}),
    "udp": frozenset({"routers", "services"}),
    "tls": frozenset({"options", "certificates", "stores"}),
}
_STATIC_KEYS = frozenset({"entrypoints", "providers", "api", "log", "accesslog", "certresolvers"})


def is_dynamic_config(data: Any) -> TypeGuard[Mapping[str, Any]]:
    """A mapping with only http/tcp/udp/tls sections, at least one holding a known table."""
    if not isinstance(data, Mapping) or not data or "apiVersion" in data or "kind" in data:
        return False
    keys = {str(k).lower() for k in data}
    if not keys <= _SECTIONS:
        return False
    for key, value in data.items():
        if isinstance(value, Mapping) and any(
            str(k).lower() in _DYNAMIC_KEYS[str(key).lower()] for k in value
        ):
            return True
    return False


def is_static_config(data: Any) -> bool:
    return isinstance(data, Mapping) and any(str(k).lower() in _STATIC_KEYS for k in data)


def _get(node: Mapping[str, Any], key: str) -> Any:
    """A key as Traefik reads it: case-insensitively (paerser lower-cases names)."""
    if key in node:
        return node[key]
    lowered = key.lower()
    for name, value in node.items():
        if str(name).lower() == lowered:
            return value
    return None


def _key_line(node: Any, key: str, default: int) -> int:
    lines = getattr(node, "key_lines", None)
    if isinstance(lines, dict):
        for name, line in lines.items():
            if str(name).lower() == key.lower():
                return int(line)
    return default


def _map(line: int, items: list[tuple[str, Any, int]]) -> YamlMap:
    result = YamlMap()
    result.line = line
    result.key_lines = {}
    for key, value, key_line in items:
        result[key] = value
        result.key_lines[key] = key_line
    return result


def _seq(line: int, items: list[tuple[Any, int]]) -> YamlSeq:
    result = new_seq(line)
    for value, item_line in items:
        result.append(value)
        result.item_lines.append(item_line)
    return result


def qualified(reference: Any) -> Any:
    """`name` -> `name@file`; a reference naming its provider (`x@kubernetescrd`) is kept."""
    if isinstance(reference, str) and reference and "@" not in reference:
        return f"{reference}@{PROVIDER}"
    return reference


def _references(value: Any, line: int) -> YamlSeq:
    """A list of names (`[a, b@file]`) as CRD references (`[{name: a@file}, ...]`)."""
    names = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    item_lines = getattr(value, "item_lines", None)
    items: list[tuple[Any, int]] = []
    for index, name in enumerate(names):
        item_line = item_lines[index] if item_lines and index < len(item_lines) else line
        items.append((_map(item_line, [("name", qualified(name), item_line)]), item_line))
    return _seq(line, items)


def _resource(kind: str, name: str, spec: YamlMap, file: str, line: int, index: int) -> Resource:
    metadata = _map(line, [("name", f"{name}@{PROVIDER}", line)])
    header = [("apiVersion", API_VERSION, line), ("kind", kind, line)]
    doc = _map(line, [*header, ("metadata", metadata, line), ("spec", spec, line)])
    return Resource(API_VERSION, kind, f"{name}@{PROVIDER}", None, doc, Location(file, line), index)


def _service_port(service: Any) -> int | None:
    """The one port every server of a load balancer uses, if they agree."""
    balancer = _get(service, "loadBalancer") if isinstance(service, Mapping) else None
    servers = _get(balancer, "servers") if isinstance(balancer, Mapping) else None
    ports: set[int | None] = set()
    for server in servers if isinstance(servers, list) else []:
        if not isinstance(server, Mapping):
            continue
        url, address = _get(server, "url"), _get(server, "address")
        try:
            if isinstance(url, str):
                parts = urlsplit(url)
                default = 443 if parts.scheme in ("https", "h2") else 80
                ports.add(parts.port or default)
            elif isinstance(address, str):
                ports.add(urlsplit(f"//{address}").port)
        except ValueError:
            ports.add(None)
    return ports.pop() if len(ports) == 1 else None


def _router(
    kind: str, router: Mapping[str, Any], services: Mapping[str, Any], line: int
) -> YamlMap:
    route: list[tuple[str, Any, int]] = [("kind", "Rule", line)]
    rule = _get(router, "rule")
    if rule is not None:
        route.append(("match", rule, _key_line(router, "rule", line)))
    priority = _get(router, "priority")
    if priority is not None:
        route.append(("priority", priority, _key_line(router, "priority", line)))
    middlewares = _get(router, "middlewares")
    if middlewares is not None:
        at = _key_line(router, "middlewares", line)
        route.append(("middlewares", _references(middlewares, at), at))
    service = _get(router, "service")
    if isinstance(service, str) and service:
        at = _key_line(router, "service", line)
        target: list[tuple[str, Any, int]] = [("name", qualified(service), at)]
        if kind == "IngressRoute":
            target.append(("kind", "TraefikService", at))
        port = _service_port(services.get(service.removesuffix(f"@{PROVIDER}")))
        if port is not None:
            target.append(("port", port, at))
        route.append(("services", _seq(at, [(_map(at, target), at)]), at))
    spec: list[tuple[str, Any, int]] = []
    entry_points = _get(router, "entryPoints")
    if entry_points is not None:
        spec.append(("entryPoints", entry_points, _key_line(router, "entryPoints", line)))
    spec.append(("routes", _seq(line, [(_map(line, route), line)]), line))
    tls = _get(router, "tls")
    if isinstance(tls, Mapping) or tls is True:
        at = _key_line(router, "tls", line)
        spec.append(("tls", _tls(tls, at), at))
    return _map(line, spec)


def _tls(tls: Any, line: int) -> YamlMap:
    items: list[tuple[str, Any, int]] = []
    if isinstance(tls, Mapping):
        for key, value in tls.items():
            at = _key_line(tls, str(key), line)
            if str(key).lower() == "options" and isinstance(value, str):
                value = _map(at, [("name", qualified(value), at)])
            items.append((str(key), value, at))
    return _map(line, items)


def _middleware(middleware: Mapping[str, Any], line: int) -> YamlMap:
    """The middleware as a CRD spec; chain members become references."""
    items: list[tuple[str, Any, int]] = []
    for key, value in middleware.items():
        at = _key_line(middleware, str(key), line)
        if str(key).lower() == "chain" and isinstance(value, Mapping):
            members = _get(value, "middlewares")
            inner = _key_line(value, "middlewares", at)
            value = _map(at, [("middlewares", _references(members, inner), inner)])
        items.append((str(key), value, at))
    return _map(line, items)


def _copy(node: Mapping[str, Any], line: int) -> YamlMap:
    return _map(line, [(str(k), v, _key_line(node, str(k), line)) for k, v in node.items()])


def _named(section: Any, key: str) -> Iterator[tuple[str, Mapping[str, Any], int]]:
    table = _get(section, key) if isinstance(section, Mapping) else None
    if not isinstance(table, Mapping):
        return
    for name, value in table.items():
        if isinstance(name, str) and name and isinstance(value, Mapping):
            yield name, value, _key_line(table, name, getattr(table, "line", 1))


def resources_from_dynamic(data: Mapping[str, Any], file: str, index: int = 0) -> list[Resource]:
    """The CRD-equivalent Resources of one dynamic configuration document."""
    found: list[Resource] = []
    http, tcp, tls = _get(data, "http"), _get(data, "tcp"), _get(data, "tls")
    http_services = {n: s for n, s, _ in _named(http, "services")}
    tcp_services = {n: s for n, s, _ in _named(tcp, "services")}
    for name, router, line in _named(http, "routers"):
        spec = _router("IngressRoute", router, http_services, line)
        found.append(_resource("IngressRoute", name, spec, file, line, index))
    for name, router, line in _named(tcp, "routers"):
        spec = _router("IngressRouteTCP", router, tcp_services, line)
        found.append(_resource("IngressRouteTCP", name, spec, file, line, index))
    for name, middleware, line in _named(http, "middlewares"):
        spec = _middleware(middleware, line)
        found.append(_resource("Middleware", name, spec, file, line, index))
    for name, middleware, line in _named(tcp, "middlewares"):
        spec = _middleware(middleware, line)
        found.append(_resource("MiddlewareTCP", name, spec, file, line, index))
    for name, service, line in _named(http, "services"):
        found.append(_resource("TraefikService", name, _copy(service, line), file, line, index))
    for name, transport, line in _named(http, "serversTransports"):
        spec = _copy(transport, line)
        found.append(_resource("ServersTransport", name, spec, file, line, index))
    for name, option, line in _named(tls, "options"):
        found.append(_resource("TLSOption", name, _copy(option, line), file, line, index))
    return found


# --- TOML --------------------------------------------------------------------------------

_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _dotted(text: str) -> tuple[str, ...]:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([^.\s]+)', text)
    return tuple(a or b or c for a, b, c in parts)


def load_toml(text: str) -> Any:
    """TOML with the line of every table and key, as YamlMap/YamlSeq (tomllib keeps none).

    Lines come from a scan of table headers and `key =` lines; a key the scan cannot place
    (inside a multi-line string or an inline table) gets the line of its table.
    Raises tomllib.TOMLDecodeError on invalid TOML.
    """
    data = tomllib.loads(text)
    lines: dict[tuple[str | int, ...], int] = {}
    table: tuple[str | int, ...] = ()
    array_counts: dict[tuple[str | int, ...], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        header = _TABLE.match(raw)
        if header:
            path: tuple[str | int, ...] = _dotted(header.group(2))
            if header.group(1) == "[[":
                count = array_counts.get(path, -1) + 1
                array_counts[path] = count
                lines.setdefault(path, number)
                path = (*path, count)
            table = path
            lines.setdefault(table, number)
            continue
        assignment = _ASSIGNMENT.match(raw)
        if assignment:
            lines.setdefault((*table, *_dotted(assignment.group(1))), number)
    return _with_lines(data, (), lines, 1)


def _with_lines(
    node: Any, path: tuple[str | int, ...], lines: Mapping[tuple[str | int, ...], int], line: int
) -> Any:
    if isinstance(node, dict):
        items = []
        for key, value in node.items():
            at = lines.get((*path, key), line)
            items.append((key, _with_lines(value, (*path, key), lines, at), at))
        return _map(line, items)
    if isinstance(node, list):
        return _seq(
            line,
            [
                (
                    _with_lines(item, (*path, i), lines, lines.get((*path, i), line)),
                    lines.get((*path, i), line),
                )
                for i, item in enumerate(node)
            ],
        )
    return node


def shift_lines(node: Any, delta: int) -> None:
    """Move every line of a parsed tree by `delta` (a document embedded in another file)."""
    seen: set[int] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if not isinstance(current, YamlMap | YamlSeq) or id(current) in seen:
            continue
        seen.add(id(current))  # aliases share nodes: move each once
        current.line += delta
        if isinstance(current, YamlMap):
            current.key_lines = {k: v + delta for k, v in current.key_lines.items()}
            pending.extend(current.values())
        else:
            current.item_lines = [v + delta for v in current.item_lines]
            pending.extend(current)
