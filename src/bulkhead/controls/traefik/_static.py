"""Traefik static (install) configuration, from wherever bulkhead sees it, as one flat mapping.

Two sources, each read as the Traefik instance it configures:

- a `traefik.yml` / `traefik.yaml` / `traefik.toml` file (ConfigKind.TRAEFIK_STATIC): the
  parsed document is flattened to dotted keys (`entryPoints.web.address`);
- a Traefik container (image repository ending in `traefik`, or a command `traefik`) of any
  workload: its `--flag=value` arguments (command and args), or, when it has none, its literal
  `TRAEFIK_*` environment variables (Traefik reads one source only: file, then flags, then env).

Keys are compared lower-cased, as Traefik's parser (paerser) does. Values keep their type from
a file (a list stays a list); flags and variables give strings. Booleans are read as Traefik
reads them (Go's strconv.ParseBool: `true`, `True`, `TRUE`, `t`, `1`), and a flag without a
value is true. Nothing here raises on an odd shape.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bulkhead.controls import Hit
from bulkhead.controls._support import as_list, as_mapping, parse_image
from bulkhead.inventory import Container, Inventory
from bulkhead.model import FieldPath, Resource
from bulkhead.sources.configfiles import ConfigKind
from bulkhead.sources.yamldoc import line_of, load_documents

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_ENV_PREFIX = "TRAEFIK_"
# Flags Traefik types as bool (or as a section pointer): without `=value` they never take the
# next word as their value.
_BOOL_LEAVES = frozenset(
    {
        "insecure",
        "dashboard",
        "debug",
        "allowcrossnamespace",
        "allowexternalnameservices",
        "allowemptyservices",
        "permanent",
        "sanitizepath",
        "nativelbbydefault",
        "disableclusterscoperesources",
    }
)
_SECTIONS = frozenset(
    {
        "api",
        "ping",
        "accesslog",
        "log",
        "metrics",
        "metrics.prometheus",
        "providers.kubernetescrd",
        "providers.kubernetesingress",
        "providers.kubernetesgateway",
        "providers.file",
    }
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One static-configuration key as written, and where it is."""

    key: str
    """Lower-cased dotted key, e.g. "entrypoints.web.address"."""
    spelled: str
    """The key as written (for messages), e.g. "entryPoints.web.address"."""
    value: Any
    file: str
    line: int
    path: FieldPath
    resource: Resource | None

    def hit(self, message: str, key: str = "") -> Hit:
        return Hit(
            self.path,
            message,
            resource=self.resource,
            file=self.file,
            line=self.line,
            key=key or self.key,
        )


@dataclass(frozen=True, slots=True)
class StaticConfig:
    origin: str
    """Names the source in messages: a file, or a container of a workload."""
    file: str
    line: int
    path: FieldPath
    """Where to point a finding about something missing (the file root, the container)."""
    resource: Resource | None
    entries: Mapping[str, Entry]
    reads_file: bool
    """A container that names a configuration file (`--configFile`): its entry points may be
    defined there."""

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def hit(self, message: str, key: str) -> Hit:
        return Hit(
            self.path, message, resource=self.resource, file=self.file, line=self.line, key=key
        )

    def entry_points(self) -> dict[str, dict[str, Entry]]:
        """Entry point name (lower case) -> {sub-key (lower case, dotted): Entry}."""
        found: dict[str, dict[str, Entry]] = {}
        for key, entry in self.entries.items():
            parts = key.split(".", 2)
            if len(parts) < 2 or parts[0] != "entrypoints" or not parts[1]:
                continue
            found.setdefault(parts[1], {})[parts[2] if len(parts) == 3 else ""] = entry
        return found


def truthy(value: Any) -> bool:
    """True as Traefik reads a boolean (strconv.ParseBool); a real bool from a file counts."""
    if value is True:
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == 1
    return isinstance(value, str) and value.strip() in _TRUE


def words(value: Any) -> list[str]:
    """A list value: a list from a file, or a comma-separated string from a flag or variable."""
    if isinstance(value, list):
        return [str(item).strip() for item in value if isinstance(item, str | int | float)]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return []


def covers_everyone(value: Any) -> str | None:
    """The first range of a trustedIPs value that admits every address (prefix length 0)."""
    for item in words(value):
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            continue
        if network.prefixlen == 0:
            return item
    return None


_PORT = re.compile(r":(?P<port>\d+)(?:/(?P<proto>[A-Za-z]+))?$")


def address_port(value: Any) -> tuple[int | None, str]:
    """The port and protocol (default "tcp") of an entry point address such as `:80/tcp`."""
    if not isinstance(value, str):
        return None, "tcp"
    match = _PORT.search(value.strip())
    if match is None:
        return None, "tcp"
    return int(match.group("port")), (match.group("proto") or "tcp").lower()


def static_configs(inventory: Inventory) -> tuple[StaticConfig, ...]:
    """Every Traefik static configuration of the scan, gathered once per inventory."""
    return inventory.derived(_gather)


def _gather(inventory: Inventory) -> tuple[StaticConfig, ...]:
    return tuple(_each(inventory))


def _each(inventory: Inventory) -> Iterator[StaticConfig]:
    for config in inventory.configs:
        if config.kind is not ConfigKind.TRAEFIK_STATIC:
            continue
        document = config.document
        if document is not None and not isinstance(document, Mapping):
            continue  # not a configuration Traefik would start with
        file = config.location.file
        entries: dict[str, Entry] = {}
        for path, value in _flatten(document, ()):
            spelled = ".".join(str(p) for p in path)
            entries[spelled.lower()] = Entry(
                spelled.lower(), spelled, value, file, line_of(document, path) or 1, path, None
            )
        yield StaticConfig(file, file, 1, (), None, entries, False)
    for resource in inventory.of_kind("ConfigMap"):
        yield from _from_configmap(resource)
    for container in inventory.containers():
        long_lived = container.kind == "containers" or container.is_sidecar
        if long_lived and is_traefik_container(container):
            found = _from_container(container)
            if found is not None:
                yield found


_STATIC_FILE_NAMES = frozenset({"traefik.yml", "traefik.yaml", "traefik.toml"})


def _from_configmap(resource: Resource) -> Iterator[StaticConfig]:
    """A static configuration mounted from a ConfigMap entry named traefik.yml/yaml/toml."""
    data = resource.doc.get("data")
    if not isinstance(data, Mapping):
        return
    for name, text in data.items():
        if str(name).lower() not in _STATIC_FILE_NAMES or not isinstance(text, str):
            continue
        key_line = line_of(resource.doc, ("data", name)) or resource.location.line
        first = key_line + 1 if "\n" in text else key_line  # a block scalar starts below its key
        document = _parse_embedded(text, str(name))
        if not isinstance(document, Mapping):
            continue
        entries: dict[str, Entry] = {}
        for path, value in _flatten(document, ()):
            spelled = ".".join(str(p) for p in path)
            inner = line_of(document, path)
            line = first + inner - 1 if inner else key_line
            entries[spelled.lower()] = Entry(
                spelled.lower(),
                spelled,
                value,
                resource.location.file,
                line,
                ("data", name),
                resource,
            )
        origin = f"ConfigMap {resource.namespace}/{resource.name} ({name})"
        yield StaticConfig(
            origin, resource.location.file, key_line, ("data", name), resource, entries, False
        )


def _parse_embedded(text: str, name: str) -> Any:
    if name.lower().endswith(".toml"):
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return None
    documents, diagnostics = load_documents(text, name, yaml12=True)
    if diagnostics or not documents:
        return None
    return documents[0].data


def _flatten(node: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(node, Mapping) and node and len(path) < 32:
        for key, value in node.items():
            if isinstance(key, str | int):
                yield from _flatten(value, (*path, str(key)))
    elif path:
        yield path, node


def is_traefik_container(container: Container) -> bool:
    image = container.spec.get("image")
    if isinstance(image, str) and image.strip():
        name = parse_image(image).repository.rsplit("/", 1)[-1].lower()
        if name.endswith("traefik"):
            return True
    command = as_list(container.spec.get("command"))
    first = command[0] if command else None
    return isinstance(first, str) and first.rsplit("/", 1)[-1] == "traefik"


def _from_container(container: Container) -> StaticConfig | None:
    resource = container.pod.resource
    file = resource.location.file
    entries: dict[str, Entry] = {}
    for list_name in ("command", "args"):
        items = as_list(container.spec.get(list_name))
        for spelled, value, index in parse_flags(items):
            path = (*container.path, list_name, index)
            line = line_of(resource.doc, path) or resource.location.line
            entries[spelled.lower()] = Entry(
                spelled.lower(), f"--{spelled}", value, file, line, path, resource
            )
    if not entries:
        # Without command-line flags Traefik reads TRAEFIK_* variables.
        for index, item in enumerate(as_list(container.spec.get("env"))):
            env = as_mapping(item)
            name, literal = env.get("name"), env.get("value")
            if not isinstance(name, str) or not name.upper().startswith(_ENV_PREFIX):
                continue
            if not isinstance(literal, str | int | bool):
                continue
            key = name[len(_ENV_PREFIX) :].lower().replace("_", ".")
            if not key:
                continue
            path = (*container.path, "env", index, "value")
            line = line_of(resource.doc, path) or resource.location.line
            text = ("true" if literal else "false") if isinstance(literal, bool) else str(literal)
            entries[key] = Entry(key, name, text, file, line, path, resource)
    if not entries:
        return None
    origin = (
        f"container {container.name!r} of {resource.kind} "
        f"{resource.namespace or '<no namespace>'}/{resource.name}"
    )
    line = line_of(resource.doc, container.path) or resource.location.line
    reads_file = any(k in ("configfile", "configfile.path") for k in entries)
    return StaticConfig(origin, file, line, container.path, resource, entries, reads_file)


def parse_flags(items: Sequence[Any]) -> Iterator[tuple[str, str, int]]:
    """(flag name as written, value, index of the word holding the name) for each flag.

    `--name=value`; `--name value` for a flag that takes a value; `--name` alone is true.
    """
    index = 0
    while index < len(items):
        word = items[index]
        if not isinstance(word, str) or not word.startswith("-") or word.strip("-") == "":
            index += 1
            continue
        name, equals, value = word.lstrip("-").partition("=")
        name = name.strip()
        if not equals:
            value = "true"
            lowered = name.lower()
            is_bool = lowered.rsplit(".", 1)[-1] in _BOOL_LEAVES or lowered in _SECTIONS
            following = items[index + 1] if index + 1 < len(items) else None
            if (
                not is_bool
                and isinstance(following, str)
                and following
                and not following.startswith("-")
            ):
                value = following
                yield name, value, index
                index += 2
                continue
        if name:
            yield name, value, index
        index += 1
