"""Traefik helpers shared by the TRAEFIK controls: API groups, entry points, middleware
resolution through the inventory, and a small evaluator for router rules.

Everything here is defensive: manifests are hostile, so nothing may raise on an odd shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bulkhead.controls._support import as_int, as_list, as_mapping
from bulkhead.inventory import Inventory
from bulkhead.model import Resource

GROUP_V3 = "traefik.io"
GROUP_REMOVED = "traefik.containo.us"
TRAEFIK_GROUPS = frozenset({GROUP_V3, GROUP_REMOVED})
TRAEFIK_KINDS = frozenset(
    {
        "IngressRoute",
        "IngressRouteTCP",
        "IngressRouteUDP",
        "Middleware",
        "MiddlewareTCP",
        "TLSOption",
        "TLSStore",
        "ServersTransport",
        "ServersTransportTCP",
        "TraefikService",
    }
)
INGRESS_GROUPS = frozenset({"networking.k8s.io", "extensions"})
INTERNAL_MARKERS = ("internal", "private")
ODOO_PORTS = frozenset({8069, 8072})
_CHAIN_DEPTH = 8


def is_traefik(resource: Resource) -> bool:
    return resource.api_group in TRAEFIK_GROUPS


def traefik_objects(inventory: Inventory, kind: str) -> Iterator[Resource]:
    for resource in inventory.of_kind(kind):
        if is_traefik(resource):
            yield resource


def spec_of(resource: Resource) -> Mapping[str, Any]:
    return as_mapping(resource.doc.get("spec"))


def entry_points(spec: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The entry points a route listens on; None means all of them (missing or empty list)."""
    names = tuple(str(e) for e in as_list(spec.get("entryPoints")) if isinstance(e, str | int))
    return names or None


def is_internal_entry_point(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in INTERNAL_MARKERS)


def is_public(spec: Mapping[str, Any]) -> bool:
    """Public unless every entry point listed is named like an internal one."""
    names = entry_points(spec)
    return names is None or any(not is_internal_entry_point(n) for n in names)


def routes(spec: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for index, route in enumerate(as_list(spec.get("routes"))):
        if isinstance(route, Mapping):
            yield index, route


def has_tls(spec: Mapping[str, Any]) -> bool:
    return isinstance(spec.get("tls"), Mapping)


# --- middlewares -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Middlewares:
    """The Middleware specs a route uses (chains expanded) and the references left unverified."""

    specs: tuple[Mapping[str, Any], ...]
    unknown: tuple[str, ...]

    def any(self, predicate: Any) -> bool:
        return any(predicate(spec) for spec in self.specs)


def _lookup(inventory: Inventory, namespace: str | None, name: str) -> Resource | None:
    found = inventory.get("Middleware", namespace, name)
    return found if found is not None and is_traefik(found) else None


def _resolve_ref(
    inventory: Inventory, namespace: str | None, ref: Any
) -> tuple[Resource | None, str]:
    """One `middlewares[]` entry: the Middleware it names, or None and a label for it."""
    ref = as_mapping(ref)
    name = ref.get("name")
    if not isinstance(name, str) or not name:
        return None, "<unnamed>"
    if "@" in name:
        base, _, provider = name.rpartition("@")
        if provider == "file":  # read from file-provider configuration, without a namespace
            return _lookup(inventory, None, name), name
        if provider != "kubernetescrd":
            return None, name  # @docker, @consulcatalog, ...: not in the scanned files
        # `<namespace>-<name>@kubernetescrd` (Traefik's internal name), or a bare name.
        found = _lookup(inventory, namespace, base)
        for index, char in enumerate(base):
            if found is None and char == "-":
                found = _lookup(inventory, base[:index], base[index + 1 :])
        return found, name
    ref_namespace = ref.get("namespace")
    if isinstance(ref_namespace, str) and ref_namespace:
        namespace = ref_namespace
    return _lookup(inventory, namespace, name), name


def resolve(inventory: Inventory, namespace: str | None, refs: Any) -> Middlewares:
    """Resolve middleware references as Traefik does; chains are expanded in their namespace."""
    specs: list[Mapping[str, Any]] = []
    unknown: list[str] = []
    seen: set[tuple[str | None, str]] = set()
    pending: list[tuple[str | None, Any, int]] = [(namespace, ref, 0) for ref in as_list(refs)]
    while pending:
        ref_namespace, ref, depth = pending.pop(0)
        found, label = _resolve_ref(inventory, ref_namespace, ref)
        if found is None:
            unknown.append(label)
            continue
        key = (found.namespace, found.name)
        if key in seen:
            continue
        seen.add(key)
        spec = spec_of(found)
        specs.append(spec)
        chain = as_mapping(spec.get("chain"))
        if chain and depth < _CHAIN_DEPTH:
            for member in as_list(chain.get("middlewares")):
                pending.append((found.namespace, member, depth + 1))
    return Middlewares(tuple(specs), tuple(unknown))


def route_middlewares(
    inventory: Inventory, resource: Resource, route: Mapping[str, Any]
) -> Middlewares:
    return resolve(inventory, resource.namespace, route.get("middlewares"))


_MAX_PATTERN = 256
_NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")
_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def sets_hsts(spec: Mapping[str, Any]) -> bool:
    headers = as_mapping(spec.get("headers"))
    seconds = as_int(headers.get("stsSeconds"))
    if seconds is not None and seconds > 0:
        return True
    for key, value in as_mapping(headers.get("customResponseHeaders")).items():
        if str(key).lower() == "strict-transport-security" and isinstance(value, str):
            match = _MAX_AGE.search(value)
            if match and int(match.group(1)) > 0:
                return True
    return False


def limits_rate(spec: Mapping[str, Any]) -> bool:
    rate = spec.get("rateLimit")
    if not isinstance(rate, Mapping):
        return False
    average = as_int(rate.get("average"))
    return average is not None and average > 0  # average 0 (the default) means no limit


# Source ranges that admit every client (not bind addresses).
_OPEN_RANGES = frozenset({"0.0.0.0/0", "::/0", "0.0.0.0", "::"})  # noqa: S104


def allow_lists(spec: Mapping[str, Any]) -> bool:
    """An ipAllowList (v3) or ipWhiteList (v2) that lets only some addresses through."""
    for field_name in ("ipAllowList", "ipWhiteList"):
        config = spec.get(field_name)
        if isinstance(config, Mapping):
            ranges = [str(r).strip() for r in as_list(config.get("sourceRange"))]
            if ranges and not any(r in _OPEN_RANGES for r in ranges):
                return True
    return False


def redirects_to_https(spec: Mapping[str, Any]) -> bool:
    redirect = as_mapping(spec.get("redirectScheme"))
    scheme = redirect.get("scheme")
    return isinstance(scheme, str) and scheme.lower() == "https"


# --- router rules ------------------------------------------------------------------------

ANY = None
"""Three-valued logic: True, False, or ANY (depends on what we cannot see: host, headers)."""

Node = tuple[Any, ...]

_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||[!(),])|(?P<str>`[^`]*`|\"(?:[^\"\\]|\\.)*\"|'[^']*')"
    r"|(?P<ident>[A-Za-z][A-Za-z0-9]*))"
)


class RuleError(ValueError):
    pass


def _tokens(rule: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    position = 0
    rule = rule.rstrip()
    while position < len(rule):
        match = _TOKEN.match(rule, position)
        if match is None or match.end() == position:
            raise RuleError(f"unexpected text at {position}")
        position = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "str":
            value = value[1:-1]
        out.append((kind, value))
    return out


class _Parser:
    def __init__(self, rule: str) -> None:
        self.tokens = _tokens(rule)
        self.position = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            raise RuleError(f"expected {value or kind}")
        self.position += 1
        return token[1]

    def parse(self) -> Node:
        node = self.or_()
        if self.peek() is not None:
            raise RuleError("trailing text")
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.peek() == ("op", "||"):
            self.position += 1
            items.append(self.and_())
        return items[0] if len(items) == 1 else ("or", tuple(items))

    def and_(self) -> Node:
        items = [self.unary()]
        while self.peek() == ("op", "&&"):
            self.position += 1
            items.append(self.unary())
        return items[0] if len(items) == 1 else ("and", tuple(items))

    def unary(self) -> Node:
        self.depth += 1
        if self.depth > 50:
            raise RuleError("rule nested too deeply")
        try:
            if self.peek() == ("op", "!"):
                self.position += 1
                return ("not", self.unary())
            if self.peek() == ("op", "("):
                self.position += 1
                node = self.or_()
                self.take("op", ")")
                return node
            name = self.take("ident")
            self.take("op", "(")
            args = [self.take("str")]
            while self.peek() == ("op", ","):
                self.position += 1
                args.append(self.take("str"))
            self.take("op", ")")
            return ("match", name.lower(), tuple(args))
        finally:
            self.depth -= 1


def parse_rule(rule: Any) -> Node | None:
    """The rule as a tree, or None when it does not parse (Traefik then refuses the router)."""
    if not isinstance(rule, str) or not rule.strip():
        return None
    try:
        return _Parser(rule).parse()
    except RuleError:
        return None


def _path_matcher(name: str, args: tuple[str, ...], path: str) -> bool | None:
    if name == "path":
        if any("{" in a for a in args):
            return ANY  # v2 path templates
        return path in args
    if name == "pathprefix":
        if any("{" in a for a in args):
            return ANY
        return any(path.startswith(a) for a in args)
    if name == "pathregexp":
        verdicts: list[bool | None] = []
        for pattern in args:
            if len(pattern) > _MAX_PATTERN or _NESTED_QUANTIFIER.search(pattern):
                # A manifest's regex is hostile input: one that could backtrack for minutes
                # is not run, and counts as "may match".
                verdicts.append(ANY)
                continue
            try:
                verdicts.append(re.search(pattern, path) is not None)
            except (re.error, RecursionError):
                verdicts.append(ANY)
        return True if True in verdicts else (False if all(v is False for v in verdicts) else ANY)
    return ANY


def evaluate(node: Node, path: str, host_matches: bool = False) -> bool | None:
    """Whether a request for `path` matches the rule: True, False or ANY.

    Path matchers are decided; Host is True when `host_matches`, else ANY; every other matcher
    (headers, methods, client IP, query) is ANY.
    """
    kind = node[0]
    if kind == "match":
        name, args = node[1], node[2]
        if name in ("path", "pathprefix", "pathregexp"):
            return _path_matcher(name, args, path)
        if name == "host" and host_matches:
            return True
        return ANY
    if kind == "not":
        inner = evaluate(node[1], path, host_matches)
        return ANY if inner is ANY else not inner
    values = [evaluate(child, path, host_matches) for child in node[1]]
    if kind == "and":
        if False in values:
            return False
        return True if all(v is True for v in values) else ANY
    if True in values:
        return True
    return False if all(v is False for v in values) else ANY


def hosts(node: Node) -> frozenset[str]:
    """Host names the rule requires (outside negations); empty means any host."""
    found: set[str] = set()

    def walk(current: Node) -> None:
        if current[0] == "match":
            if current[1] == "host":
                found.update(a.lower() for a in current[2])
        elif current[0] in ("and", "or"):
            for child in current[1]:
                walk(child)

    walk(node)
    return frozenset(found)


def priority(route: Mapping[str, Any]) -> int:
    """Traefik's router priority: the explicit one, else the length of the rule."""
    explicit = as_int(route.get("priority"))
    if explicit is not None and explicit > 0:
        return explicit
    match = route.get("match")
    return len(match) if isinstance(match, str) else 0


# --- services ----------------------------------------------------------------------------


def _port_number(value: Any) -> int | None:
    number = as_int(value)
    if number is None and isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    return number


def is_odoo_service(inventory: Inventory, namespace: str | None, service: Any) -> bool:
    """A route service that reaches Odoo: port 8069/8072, a name with "odoo", or a Service
    whose matching port targets 8069/8072 (or a port named like odoo)."""
    service = as_mapping(service)
    name = service.get("name")
    if not isinstance(name, str):
        return False
    if "odoo" in name.lower():
        return True
    port = service.get("port")
    if _port_number(port) in ODOO_PORTS:
        return True
    if (service.get("kind") or "Service") != "Service":
        return False
    target_namespace = service.get("namespace")
    if isinstance(target_namespace, str) and target_namespace:
        namespace = target_namespace
    found = inventory.get("Service", namespace, name)
    if found is None:
        return False
    for item in as_list(spec_of(found).get("ports")):
        item = as_mapping(item)
        port_name = item.get("name")
        if port != item.get("port") and not (isinstance(port, str) and port == port_name):
            continue
        target = item.get("targetPort")
        if _port_number(target) in ODOO_PORTS:
            return True
        labels = (target, port_name)
        if any(isinstance(label, str) and "odoo" in label.lower() for label in labels):
            return True
    return False


def route_services(route: Mapping[str, Any]) -> Sequence[Any]:
    return as_list(route.get("services"))
