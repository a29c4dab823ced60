"""Recovery objectives: the tenant's business processes with their RTO, RPO and priority.

They come from the platform definition (`bulkhead.yaml`, `tenants[].processes`) or from a
small objectives file for databases the platform does not describe yet::

    processes:
      - name: warehouse
        priority: critical          # critical, high, medium, low
        rto: 4h                     # durations as in bulkhead.yaml: 90s, 15m, 4h, 1d, 1h30m
        rpo: 15m
        workarounds:                # or manual_workarounds
          - Pick from the last printed pick lists.

Both are validated by the platform model's `BusinessProcess`, so the rules (names, durations,
priorities) are the same wherever the objectives come from.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulkhead.drills.errors import ObjectivesError

if TYPE_CHECKING:
    from bulkhead.platform.model import BusinessProcess, Platform

MAX_OBJECTIVES_BYTES = 1024 * 1024
PRIORITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
"""Recovery order of bulkhead.platform.model.Priority (imported lazily: pydantic is heavy)."""


@dataclass(frozen=True, slots=True)
class Process:
    name: str
    priority: str
    rto: int
    """Seconds."""
    rpo: int
    """Seconds."""
    workarounds: tuple[str, ...] = ()
    description: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "priority": self.priority,
            "rto_seconds": self.rto,
            "rpo_seconds": self.rpo,
            "workarounds": list(self.workarounds),
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class Objectives:
    processes: tuple[Process, ...]
    source: str
    """Where they came from: `platform <file>`, `objectives <file>` or `none`."""

    @property
    def strictest_rto(self) -> int | None:
        return min((p.rto for p in self.processes), default=None)

    @property
    def strictest_rpo(self) -> int | None:
        return min((p.rpo for p in self.processes), default=None)


NO_OBJECTIVES = Objectives((), "none")


def recovery_order(processes: Iterable[Process]) -> list[Process]:
    """Critical first; within a priority the tightest RTO first, then by name."""
    return sorted(processes, key=lambda p: (PRIORITY_ORDER.get(p.priority, 99), p.rto, p.name))


def _process(model: BusinessProcess) -> Process:
    return Process(
        name=model.name,
        priority=model.priority.value,
        rto=int(model.rto),
        rpo=int(model.rpo),
        workarounds=tuple(model.manual_workarounds),
        description=model.description,
    )


def from_platform(platform: Platform, tenant: str, source: str) -> Objectives:
    try:
        found = platform.tenant(tenant)
    except KeyError:
        known = ", ".join(t.name for t in platform.tenants) or "none"
        raise ObjectivesError(
            f"tenant {tenant!r} is not in the platform definition {source} (tenants: {known})"
        ) from None
    return Objectives(tuple(_process(p) for p in found.processes), f"platform {source}")


def _processes(items: Sequence[Any], source: str) -> tuple[Process, ...]:
    from pydantic import ValidationError

    from bulkhead.platform.model import BusinessProcess

    processes = []
    names: set[str] = set()
    for number, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ObjectivesError(f"{source}: processes[{number}] must be a mapping")
        data = dict(item)
        if "workarounds" in data:
            if "manual_workarounds" in data:
                raise ObjectivesError(
                    f"{source}: processes[{number}]: give workarounds or manual_workarounds, "
                    "not both"
                )
            data["manual_workarounds"] = data.pop("workarounds")
        try:
            model = BusinessProcess.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ObjectivesError(
                f"{source}: processes[{number}]{'.' + where if where else ''}: {first['msg']}"
            ) from None
        if model.name in names:
            raise ObjectivesError(f"{source}: processes[{number}]: duplicate name {model.name!r}")
        names.add(model.name)
        processes.append(_process(model))
    return tuple(processes)


def parse_objectives(text: str, source: str) -> Objectives:
    from bulkhead.sources.yamldoc import load_documents

    documents, diagnostics = load_documents(text, source, yaml12=True)
    if diagnostics:
        first = diagnostics[0]
        raise ObjectivesError(f"{source}:{first.location.line}: {first.message}")
    if len(documents) != 1 or not isinstance(documents[0].data, Mapping):
        raise ObjectivesError(f"{source}: expected one mapping with a processes list")
    data = documents[0].data
    unknown = sorted(set(data) - {"processes", "tenant", "version"})
    if unknown:
        raise ObjectivesError(f"{source}: unknown key {unknown[0]!r} (expected processes)")
    items = data.get("processes")
    if not isinstance(items, list):
        raise ObjectivesError(f"{source}: processes must be a list")
    return Objectives(_processes(items, source), f"objectives {source}")


def load_objectives(path: Path) -> Objectives:
    name = os.fspath(path)
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_OBJECTIVES_BYTES + 1)
    except OSError as error:
        raise ObjectivesError(f"{name}: cannot read: {error.strerror or error}") from None
    if len(raw) > MAX_OBJECTIVES_BYTES:
        raise ObjectivesError(f"{name}: larger than {MAX_OBJECTIVES_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ObjectivesError(f"{name}: not UTF-8 text") from None
    return parse_objectives(text, name)
