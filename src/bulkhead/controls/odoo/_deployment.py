"""Helpers for the Odoo deployment controls (OD007-OD012): which containers read a ConfigMap's
odoo.conf and which options they override on their command line, the Odoo version an image tag
shows, and which Services select a pod.

Built once per check call from the inventory's indexes; nothing here loops over pairs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bulkhead.controls._support import as_list, as_mapping, parse_image
from bulkhead.controls.odoo._odoo import FALSE_VALUES, OdooConfig, Option, is_odoo_container
from bulkhead.controls.odoo._odoo import odoo_configs as _odoo_configs
from bulkhead.inventory import Container, Inventory, PodTemplate
from bulkhead.model import Resource
from bulkhead.selectors import Selector, parse_map_selector

_MAJOR = re.compile(r"^(?:saas-)?(\d{1,2})(?:[.\-_]|$)")

Key = tuple[Any, ...]


def odoo_major(image: Any) -> int | None:
    """The Odoo series an Odoo image's tag names (`odoo:15.0` -> 15); None when not visible."""
    if not isinstance(image, str) or not image.strip():
        return None
    ref = parse_image(image)
    if "odoo" not in ref.repository.rsplit("/", 1)[-1].lower() or ref.tag is None:
        return None
    match = _MAJOR.match(ref.tag)
    if match is None:
        return None
    major = int(match.group(1))
    return major if 8 <= major <= 40 else None


def option_int(option: Option | None) -> int | None:
    if option is None:
        return None
    try:
        return int(option.value.strip())
    except ValueError:
        return None


def is_set(option: Option | None) -> bool:
    """An option given a true value (a bare command-line switch counts as given)."""
    if option is None:
        return False
    value = option.value.strip().lower()
    if value == "" and is_command_line(option):
        return True
    return value not in FALSE_VALUES


def missing_path(config: OdooConfig, key: str) -> tuple[Any, ...]:
    """Where an option a complete configuration leaves unset belongs."""
    return ("options", key) if config.resource is None else config.path


def is_command_line(option: Option) -> bool:
    return any(part in ("args", "command") for part in option.path if isinstance(part, str))


def _container_key(container: Container) -> Key:
    resource = container.pod.resource
    return (resource.location.file, resource.doc_index, container.path)


def _config_key(config: OdooConfig) -> Key | None:
    if config.complete or config.resource is None:
        return None
    return (config.resource.location.file, config.resource.doc_index, config.path)


def _mounted_configmaps(container: Container) -> Iterable[str]:
    """Names of the ConfigMaps whose volumes this container mounts."""
    mounted = {
        name
        for mount in as_list(container.spec.get("volumeMounts"))
        if isinstance(name := as_mapping(mount).get("name"), str)
    }
    for volume in as_list(container.pod.spec.get("volumes")):
        volume = as_mapping(volume)
        name = volume.get("name")
        if not isinstance(name, str) or name not in mounted:
            continue
        names = [as_mapping(volume.get("configMap")).get("name")]
        projected = as_mapping(volume.get("projected"))
        for source in as_list(projected.get("sources")):
            names.append(as_mapping(as_mapping(source).get("configMap")).get("name"))
        yield from (n for n in names if isinstance(n, str) and n)


@dataclass(frozen=True, slots=True)
class Deployment:
    """Every Odoo configuration of a scan, and who reads which."""

    configs: tuple[OdooConfig, ...]
    command_lines: Mapping[Key, OdooConfig]
    containers: Mapping[Key, Container]
    readers_of: Mapping[tuple[str | None, str], tuple[Container, ...]]
    dockerfile_majors: frozenset[int]

    @classmethod
    def build(cls, inventory: Inventory) -> Deployment:
        """The scan's Odoo deployment, worked out once and shared by the Odoo controls."""
        return inventory.derived(cls._build)

    @classmethod
    def _build(cls, inventory: Inventory) -> Deployment:
        configs = tuple(_odoo_configs(inventory))
        command_lines = {k: c for c in configs if (k := _config_key(c)) is not None}
        containers: dict[Key, Container] = {}
        readers: dict[tuple[str | None, str], list[Container]] = defaultdict(list)
        for container in inventory.containers():
            if container.kind == "containers" and is_odoo_container(container):
                containers[_container_key(container)] = container
                for name in _mounted_configmaps(container):
                    readers[(container.pod.resource.namespace, name)].append(container)
        majors = set()
        for dockerfile in inventory.dockerfiles:
            for stage in dockerfile.stages:
                major = odoo_major(stage.image)
                if major is not None:
                    majors.add(major)
        return cls(
            configs,
            command_lines,
            containers,
            {k: tuple(v) for k, v in readers.items()},
            frozenset(majors),
        )

    def command_line(self, container: Container) -> OdooConfig | None:
        """What the container's arguments and ODOO_* environment set."""
        return self.command_lines.get(_container_key(container))

    def readers(self, config: OdooConfig) -> tuple[Container, ...] | None:
        """The Odoo containers that run with this configuration; None when not visible."""
        resource = config.resource
        if resource is None:
            return None
        if not config.complete:
            own = self.containers.get((resource.location.file, resource.doc_index, config.path))
            return (own,) if own is not None else None
        found = self.readers_of.get((resource.namespace, resource.name))
        return found or None

    def affected(self, config: OdooConfig, key: str) -> tuple[Container, ...] | None:
        """The containers that take this configuration's `key` (no command line overrides it).

        None when nobody is known to read the configuration (a bare odoo.conf, a ConfigMap no
        scanned pod mounts): then the configuration is judged alone.
        """
        readers = self.readers(config)
        if readers is None:
            return None
        if not config.complete:
            return readers
        out = []
        for container in readers:
            own = self.command_line(container)
            if own is None or own.get(key) is None:
                out.append(container)
        return tuple(out)

    def majors(self, config: OdooConfig) -> frozenset[int]:
        """The Odoo series the configuration's readers run, from their image tags (for a bare
        odoo.conf, from the Odoo base images of the scanned Dockerfiles)."""
        readers = self.readers(config)
        if readers is None:
            return self.dockerfile_majors if config.resource is None else frozenset()
        found = (odoo_major(c.spec.get("image")) for c in readers)
        return frozenset(m for m in found if m is not None)


def services_by_namespace(inventory: Inventory) -> dict[str | None, list[Resource]]:
    found: dict[str | None, list[Resource]] = defaultdict(list)
    for service in inventory.of_kind("Service"):
        found[service.namespace].append(service)
    return found


def _service_selector(service: Resource) -> Selector | None:
    raw = as_mapping(service.doc.get("spec")).get("selector")
    if not isinstance(raw, Mapping) or not raw:
        return None  # no selector: endpoints are managed by hand, no pod is selected
    selector = parse_map_selector(raw)
    return selector if selector.error is None else None


def is_selected(template: PodTemplate, services: Mapping[str | None, list[Resource]]) -> bool:
    """Whether any Service of the pod's namespace selects its labels."""
    for service in services.get(template.resource.namespace, ()):
        selector = _service_selector(service)
        if selector is not None and selector.matches(template.labels):
            return True
    return False


class PodIndex:
    """Pod templates by (namespace, label key, label value), built once per check."""

    def __init__(self, inventory: Inventory) -> None:
        self._index: dict[tuple[str | None, str, str], list[PodTemplate]] = defaultdict(list)
        for template in inventory.pod_templates:
            for key, value in template.labels.items():
                self._index[(template.resource.namespace, str(key), str(value))].append(template)

    def selected(self, service: Resource) -> tuple[PodTemplate, ...]:
        selector = _service_selector(service)
        if selector is None:
            return ()
        equalities = selector.equalities()
        if not equalities:
            return ()
        key, value = next(iter(equalities.items()))
        candidates = self._index.get((service.namespace, key, value), ())
        return tuple(t for t in candidates if selector.matches(t.labels))
