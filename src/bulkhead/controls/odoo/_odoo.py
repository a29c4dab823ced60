"""Odoo server options, gathered from everywhere a deployment can set them.

- odoo.conf files (section `[options]`),
- odoo.conf content embedded in ConfigMaps (any data entry holding an `[options]` section),
- the command line of Odoo containers (`--workers=0`, `--no-database-list`, `--dev=all`),
- `ODOO_<OPTION>` environment variables, which Odoo 19 reads for every option.

A file or ConfigMap is a complete configuration: an option it does not set takes Odoo's default.
A container's arguments and environment only override: controls judge what they set, and judge
what is missing only on complete configurations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bulkhead.controls._support import as_list, as_mapping, parse_image
from bulkhead.inventory import Container, Inventory
from bulkhead.model import Context, FieldPath, Resource
from bulkhead.sources.configfiles import ConfigKind, parse_ini
from bulkhead.sources.yamldoc import line_of

FALSE_VALUES = frozenset({"false", "0", "no", "off", "none", ""})
"""How Odoo's config parser reads a boolean option as false."""

_OPTIONS_SECTION = re.compile(r"^\s*\[options\]\s*$", re.MULTILINE)

# Command-line spellings whose option name differs from the odoo.conf key.
_FLAG_ALIASES = {"db_filter": "dbfilter", "dev": "dev_mode", "database": "db_name", "d": "db_name"}
_SWITCHES = {"no_database_list": ("list_db", "False"), "proxy_mode": ("proxy_mode", "True")}
# Odoo 19 reads ODOO_<OPTION> for every option, except those with a variable of their own.
_OWN_VARIABLES = {
    "PGDATABASE": "db_name",
    "PGUSER": "db_user",
    "PGPASSWORD": "db_password",
    "PGHOST": "db_host",
    "PGPORT": "db_port",
    "PGSSLMODE": "db_sslmode",
    "PGAPPNAME": "db_app_name",
    "PGHOST_REPLICA": "db_replica_host",
    "PGPORT_REPLICA": "db_replica_port",
    "PGDATABASE_TEMPLATE": "db_template",
    "PGPATH": "pg_path",
    "ODOO_DEV": "dev_mode",
    "ODOO_RC": "config",
}


@dataclass(frozen=True, slots=True)
class Option:
    key: str
    value: str
    file: str
    line: int
    path: FieldPath


@dataclass(frozen=True, slots=True)
class OdooConfig:
    origin: str
    """What the options came from, for messages: `odoo.conf`, `ConfigMap ns/name (odoo.conf)`."""
    file: str
    line: int
    complete: bool
    context: Context
    resource: Resource | None = None
    path: FieldPath = ()
    options: Mapping[str, Option] = field(default_factory=dict)

    def get(self, key: str) -> Option | None:
        return self.options.get(key)

    def is_false(self, key: str) -> bool | None:
        """True/False when set, None when unset."""
        option = self.options.get(key)
        if option is None:
            return None
        return option.value.strip().lower() in FALSE_VALUES


def is_odoo_container(container: Container) -> bool:
    image = container.spec.get("image")
    if isinstance(image, str) and "odoo" in parse_image(image).repository.rsplit("/", 1)[-1]:
        return True
    words = (*as_list(container.spec.get("command")), *as_list(container.spec.get("args")))
    return any(isinstance(w, str) and w.rsplit("/", 1)[-1] in ("odoo", "odoo-bin") for w in words)


def odoo_configs(inventory: Inventory) -> tuple[OdooConfig, ...]:
    """Every Odoo configuration of the scan, gathered once per inventory."""
    return inventory.derived(_gather)


def _gather(inventory: Inventory) -> tuple[OdooConfig, ...]:
    return tuple(_each(inventory))


def _each(inventory: Inventory) -> Iterator[OdooConfig]:
    for config, context in zip(inventory.configs, inventory.config_contexts, strict=True):
        if config.kind is ConfigKind.ODOO:
            options = {
                s.key: Option(s.key, s.value, config.location.file, s.line, ("options", s.key))
                for s in config.settings
                if s.section == "options"
            }
            yield OdooConfig("odoo.conf", config.location.file, 1, True, context, options=options)
    for resource in inventory.of_kind("ConfigMap"):
        yield from _from_configmap(resource)
    for container in inventory.containers():
        if container.kind == "containers" and is_odoo_container(container):
            found = _from_container(container)
            if found is not None:
                yield found


def _from_configmap(resource: Resource) -> Iterator[OdooConfig]:
    data = as_mapping(resource.doc.get("data"))
    for key, value in data.items():
        if not isinstance(value, str) or _OPTIONS_SECTION.search(value) is None:
            continue
        key_line = line_of(resource.doc, ("data", key)) or resource.location.line
        # A block scalar's content starts on the line after its key.
        first = key_line + 1 if "\n" in value else key_line
        options = {
            s.key: Option(s.key, s.value, resource.location.file, s.line, ("data", key))
            for s in parse_ini(value, first_line=first)
            if s.section == "options"
        }
        yield OdooConfig(
            f"ConfigMap {resource.namespace}/{resource.name} ({key})",
            resource.location.file,
            key_line,
            True,
            resource.context,
            resource,
            ("data", key),
            options,
        )


def _from_container(container: Container) -> OdooConfig | None:
    resource = container.pod.resource
    file = resource.location.file
    options: dict[str, Option] = {}
    for list_name in ("command", "args"):
        words = as_list(container.spec.get(list_name))
        for key, value, index in _parse_flags(words):
            path = (*container.path, list_name, index)
            line = line_of(resource.doc, path) or resource.location.line
            options[key] = Option(key, value, file, line, path)
    for index, item in enumerate(as_list(container.spec.get("env"))):
        env = as_mapping(item)
        name, literal = env.get("name"), env.get("value")
        if not isinstance(name, str) or not isinstance(literal, str | int | bool):
            continue
        option = _env_option(name)
        if option is not None:
            path = (*container.path, "env", index, "value")
            line = line_of(resource.doc, path) or resource.location.line
            options[option] = Option(option, _text(literal), file, line, path)
    if not options:
        return None
    origin = f"container {container.name!r} of {resource.kind} {resource.namespace}/{resource.name}"
    line = line_of(resource.doc, container.path) or resource.location.line
    return OdooConfig(
        origin, file, line, False, resource.context, resource, container.path, options
    )


def _env_option(name: str) -> str | None:
    """The option an environment variable sets for Odoo 19, if any."""
    if name in _OWN_VARIABLES:
        return _OWN_VARIABLES[name]
    if not name.startswith("ODOO_"):
        return None
    dest = name[len("ODOO_") :].lower()
    # An option with a variable of its own does not read ODOO_<OPTION>.
    return None if dest in _OWN_VARIABLES.values() else dest


def _parse_flags(words: Sequence[Any]) -> Iterator[tuple[str, str, int]]:
    index = 0
    while index < len(words):
        word = words[index]
        if not isinstance(word, str) or not word.startswith("-") or word in ("-", "--"):
            index += 1
            continue
        name, equals, inline = word.lstrip("-").partition("=")
        value: str = inline
        dest = name.replace("-", "_")
        if dest in _SWITCHES:
            # A switch takes no value: `--proxy-mode=False` is an error for Odoo, not False.
            if not equals:
                key, switch_value = _SWITCHES[dest]
                yield key, switch_value, index
            index += 1
            continue
        if not equals:
            following = words[index + 1] if index + 1 < len(words) else None
            if isinstance(following, str) and not following.startswith("-"):
                value = following
                index += 1
        yield _FLAG_ALIASES.get(dest, dest), value, index
        index += 1


def _text(value: Any) -> str:
    if value is True:
        return "True"
    if value is False:
        return "False"
    return str(value)
