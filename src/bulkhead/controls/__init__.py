"""The control catalog.

A control is one module under this package, `<domain>/<ID>_<slug>.py`, holding:

- a docstring with the user docs (sections: What it does; Why is this bad; Example (must fail);
  Use instead (must pass); Remediation; References),
- `META`: a `Meta` with its ID, slug, title, domain, severity, scope and references,
- `check(subject, settings)`: a generator of `Hit`s. It keeps no state and never decides
  severity; the engine applies context, overrides and suppressions.

The catalog finds controls by walking this package, so adding a control touches nothing else.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

from bulkhead.model import FieldPath, Resource, Severity

DOC_SECTIONS = (
    "What it does",
    "Why is this bad",
    "Example (must fail)",
    "Use instead (must pass)",
    "Remediation",
    "References",
)
REFERENCE_KEYS = (
    "checkov",
    "kubescape",
    "kube-score",
    "polaris",
    "trivy",
    "hadolint",
    "cis",
    "nsa",
    "pss",
)


class Scope(enum.StrEnum):
    CONTAINER = "container"
    """check(container: inventory.Container, settings): every container of every pod template."""
    POD = "pod"
    """check(pod: inventory.PodTemplate, settings): every pod template."""
    RESOURCE = "resource"
    """check(resource: model.Resource, settings): every object whose kind is in Meta.kinds."""
    DOCKERFILE = "dockerfile"
    """check(dockerfile: sources.dockerfile.Dockerfile, settings)."""
    CONFIG = "config"
    """check(config: sources.configfiles.ConfigFile, settings): every configuration file whose
    kind (a ConfigKind value such as "odoo.conf") is in Meta.kinds, or every one if empty."""
    INVENTORY = "inventory"
    """check(inventory: inventory.Inventory, settings): cross-object and input controls."""


class Domain(enum.StrEnum):
    INPUT = "input"
    WORKLOAD = "workload"
    IMAGE = "image"
    EXPOSURE = "exposure"
    RBAC = "rbac"
    DOCKERFILE = "dockerfile"
    TRAEFIK = "traefik"
    POSTGRES = "postgres"
    SECRETS = "secrets"
    GITOPS = "gitops"
    NETWORK = "network"
    ODOO = "odoo"
    REDIS = "redis"
    CICD = "cicd"


@dataclass(frozen=True, slots=True)
class Meta:
    id: str
    slug: str
    title: str
    domain: Domain
    severity: Severity
    scope: Scope
    references: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    kinds: frozenset[str] = frozenset()
    severity_outside_production: Severity | None = None
    """If set, the severity used for objects whose environment is not production."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One violation, located by the JSON path of the offending (or missing) field.

    Per-object controls give only `path` and `message`; inventory and Dockerfile controls also
    say which resource or file and line it concerns. `key` tells apart several hits with the
    same path (it feeds the fingerprint, never the output).
    """

    path: FieldPath
    message: str
    resource: Resource | None = None
    file: str | None = None
    line: int | None = None
    key: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """What controls may read from the configuration."""

    approved_registries: tuple[str, ...] = ()
    """Registry hosts (optionally with a path prefix); empty means the check is off."""


Check = Callable[[Any, Settings], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Control:
    meta: Meta
    check: Check
    doc: str
    module: str

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.meta.title

    def section(self, name: str) -> str:
        return doc_sections(self.doc).get(name, "")


def doc_sections(doc: str) -> dict[str, str]:
    """Split a control docstring into its `## Section` parts."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in doc.splitlines():
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = line[3:].strip(), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return sections


def _control_from(module: ModuleType) -> Control | None:
    meta = getattr(module, "META", None)
    check = getattr(module, "check", None)
    if not isinstance(meta, Meta) or not callable(check):
        return None
    return Control(meta=meta, check=check, doc=module.__doc__ or "", module=module.__name__)


@cache
def catalog() -> tuple[Control, ...]:
    """Every control in this package, sorted by ID."""
    controls: list[Control] = []
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf.startswith("_") or info.ispkg:
            continue
        control = _control_from(importlib.import_module(info.name))
        if control is not None:
            controls.append(control)
    return tuple(sorted(controls, key=lambda c: c.id))


def by_id() -> dict[str, Control]:
    return {control.id: control for control in catalog()}
