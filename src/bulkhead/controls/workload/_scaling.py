"""Which Deployments and StatefulSets a HorizontalPodAutoscaler scales, read once per scan."""

from __future__ import annotations

from bulkhead.controls._support import as_int, as_mapping
from bulkhead.inventory import Inventory
from bulkhead.model import Resource

SCALED_KINDS = ("Deployment", "StatefulSet")
SCALE_GROUPS = frozenset({"apps", "extensions"})

Target = tuple[str | None, str, str]
"""(namespace, kind, name) of a workload."""


def hpa_targets(inventory: Inventory) -> dict[Target, Resource]:
    """Each workload an HPA scales -> the first HPA that scales it."""
    return inventory.derived(_build)


def _build(inventory: Inventory) -> dict[Target, Resource]:
    targets: dict[Target, Resource] = {}
    for hpa in inventory.of_kind("HorizontalPodAutoscaler"):
        ref = as_mapping(as_mapping(hpa.doc.get("spec")).get("scaleTargetRef"))
        kind, name, api_version = ref.get("kind"), ref.get("name"), ref.get("apiVersion")
        if not isinstance(kind, str) or kind not in SCALED_KINDS or not isinstance(name, str):
            continue
        if isinstance(api_version, str) and api_version.partition("/")[0] not in SCALE_GROUPS:
            continue
        targets.setdefault((hpa.namespace, kind, name), hpa)
    return targets


def min_replicas(hpa: Resource) -> int | None:
    """The HPA's minReplicas (1 when unset, as the API server defaults it)."""
    raw = as_mapping(hpa.doc.get("spec")).get("minReplicas")
    return 1 if raw is None else as_int(raw)
