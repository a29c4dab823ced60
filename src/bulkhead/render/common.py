"""What every renderer module shares: options, names, labels, security contexts and quantities.

Everything here is pure and cheap: rendering 3,000 environments builds about 120,000 objects,
so the helpers build small fresh dicts and never deep-copy templates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bulkhead.platform.model import (
    ComputeResources,
    EffectiveEnvironment,
    Platform,
    cpu_millicores,
    memory_bytes,
)

Manifest = dict[str, Any]
"""One Kubernetes object as a plain dict, keys in the order they are written."""

HEADER_PREFIX = "# Rendered by bulkhead from "
HEADER_SUFFIX = "; do not edit."

ODOO_UID = 101
"""Numeric user and group of the Odoo images (`USER 101:101`, as examples/hardened/Dockerfile)."""
REDIS_UID = 999
"""The redis user of the official Debian-based Redis image."""
ODOO_HTTP_PORT = 8069
ODOO_GEVENT_PORT = 8072
REDIS_PORT = 6379
POSTGRES_PORT = 5432
DEFAULT_API_SERVER_CIDRS = ("0.0.0.0/0",)
DEFAULT_OBJECT_STORAGE_CIDRS = ("0.0.0.0/0",)
PLACEHOLDER_REDIS_DIGEST = "0" * 64
"""Digest of the default Redis image reference: a placeholder until --redis-image is given."""
CNPG_OPERATOR_NAMESPACE = "cnpg-system"
CNPG_OPERATOR_LABELS: Mapping[str, str] = {"app.kubernetes.io/name": "cloudnative-pg"}
DNS_NAMESPACE = "kube-system"
DNS_LABELS: Mapping[str, str] = {"k8s-app": "kube-dns"}
BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"
PRIVATE_IPV4 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16")
PRIVATE_IPV6 = ("fc00::/7", "fe80::/10")


def header(source: str) -> str:
    """The first line of every rendered file; the CLI deletes stale files only if they have it."""
    return f"{HEADER_PREFIX}{source}{HEADER_SUFFIX}\n"


def is_rendered(text: str) -> bool:
    """Whether a file's text starts with bulkhead's header (whatever the platform file)."""
    first = text.split("\n", 1)[0]
    return first.startswith(HEADER_PREFIX) and first.endswith(HEADER_SUFFIX)


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What the renderer needs beyond bulkhead.yaml (see docs/render.md, "Options").

    The platform model has no field for these yet; each has a documented default.
    """

    source: str = "bulkhead.yaml"
    """Name of the platform file, written in each file's header comment."""
    redis_image: str | None = None
    """Redis image by digest; default `<first approved registry>/redis@sha256:<placeholder>`."""
    api_server_cidrs: tuple[str, ...] = DEFAULT_API_SERVER_CIDRS
    """Where the Kubernetes API server answers (PostgreSQL, pooler and scaler pods call it)."""
    object_storage_cidrs: tuple[str, ...] = DEFAULT_OBJECT_STORAGE_CIDRS
    """Where the backup object storage answers (port 443, PostgreSQL pods only)."""
    http_entry_point: str = "web"
    """Traefik's plain-HTTP entry point: a route there only redirects to HTTPS."""

    def redis_image_for(self, platform: Platform) -> str:
        if self.redis_image:
            return self.redis_image
        registry = platform.platform.registries[0]
        return f"{registry}/redis@sha256:{PLACEHOLDER_REDIS_DIGEST}"


# --- labels ------------------------------------------------------------------------------


def object_labels(env: EffectiveEnvironment, **app: str) -> dict[str, str]:
    """Labels of an object: app.kubernetes.io/* first, then the tenant context labels."""
    labels = {f"app.kubernetes.io/{key}": value for key, value in app.items()}
    labels["app.kubernetes.io/managed-by"] = "bulkhead"
    labels.update(env.labels)
    return labels


def selector(env: EffectiveEnvironment, name: str, component: str | None = None) -> dict[str, str]:
    """The immutable selector labels of a workload."""
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": env.name}
    if component is not None:
        labels["app.kubernetes.io/component"] = component
    return labels


def pod_labels(
    env: EffectiveEnvironment, name: str, component: str | None = None
) -> dict[str, str]:
    labels = selector(env, name, component)
    labels["app.kubernetes.io/part-of"] = "odoo"
    labels["bulkhead.io/tenant"] = env.tenant
    labels["bulkhead.io/environment"] = env.environment.value
    return labels


def metadata(
    env: EffectiveEnvironment,
    name: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str] | None = None,
    namespace: str | None = None,
) -> Manifest:
    meta: Manifest = {"name": name, "namespace": namespace or env.namespace, "labels": labels}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


# --- pods --------------------------------------------------------------------------------


def pod_security(uid: int) -> Manifest:
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security() -> Manifest:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def placement(env: EffectiveEnvironment, spec: Manifest) -> Manifest:
    """Add the node pool's nodeSelector and tolerations to a pod spec (in place) and return it."""
    where = env.placement
    if where.node_selector:
        spec["nodeSelector"] = dict(where.node_selector)
    if where.tolerations:
        spec["tolerations"] = tolerations(env)
    return spec


def tolerations(env: EffectiveEnvironment) -> list[Manifest]:
    return [
        {"key": t.key, "operator": t.operator, "value": t.value, "effect": t.effect}
        for t in env.placement.tolerations
    ]


def resources(compute: ComputeResources) -> Manifest:
    limits: Manifest = {"memory": compute.limits.memory}
    if compute.limits.cpu is not None:
        limits["cpu"] = compute.limits.cpu
    return {
        "requests": {"cpu": compute.requests.cpu, "memory": compute.requests.memory},
        "limits": limits,
    }


def small_resources(cpu: str, memory: str, limit: str) -> Manifest:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": limit}}


# --- quantities ---------------------------------------------------------------------------

MIB = 2**20


def mebibytes(quantity: str) -> int:
    return memory_bytes(quantity) // MIB


def cpu_text(millicores: int) -> str:
    """Millicores as a quantity, rounded up to 100m: 1250 -> "1300m", 2000 -> "2"."""
    rounded = math.ceil(millicores / 100) * 100
    return str(rounded // 1000) if rounded % 1000 == 0 else f"{rounded}m"


def memory_text(size: int) -> str:
    """Bytes as a quantity, rounded up to whole MiB (or GiB when exact)."""
    mib = math.ceil(size / MIB)
    return f"{mib // 1024}Gi" if mib % 1024 == 0 else f"{mib}Mi"


def cpu_of(quantity: str | None) -> int:
    return cpu_millicores(quantity) if quantity else 0


def go_duration(seconds: int) -> str:
    """A duration as Go's time.ParseDuration reads it (hours at most): 86400 -> "24h"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    text += f"{secs}s" if secs or not text else ""
    return text


def host_rule(hosts: tuple[str, ...]) -> str:
    """Traefik v3 rule matching any of the hosts: Host(`a`) || Host(`b`)."""
    rules = [f"Host(`{host}`)" for host in hosts]
    return rules[0] if len(rules) == 1 else "(" + " || ".join(rules) + ")"
