"""namespace.yaml: the Namespace, its quota and default limits, and the workloads' identities."""

from __future__ import annotations

from bulkhead.platform.model import EffectiveEnvironment, memory_bytes
from bulkhead.render.common import Manifest, memory_text, object_labels
from bulkhead.render.sizing import largest_memory_limit, quota_hard, redis_storage

PSA_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
}


def namespace_labels(env: EffectiveEnvironment) -> dict[str, str]:
    """The Namespace's labels, also stamped by Argo CD when it creates the namespace."""
    return {**env.labels, **PSA_LABELS}


def namespace(env: EffectiveEnvironment) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": env.namespace, "labels": namespace_labels(env)},
    }


def resource_quota(env: EffectiveEnvironment) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {
            "name": "tenant-quota",
            "namespace": env.namespace,
            "labels": object_labels(env, name="tenant-quota"),
        },
        "spec": {"hard": quota_hard(env, scaler=env.off_hours is not None)},
    }


def limit_range(env: EffectiveEnvironment) -> Manifest:
    pg = env.postgres
    largest_claim = max(
        memory_bytes(env.filestore_size),
        memory_bytes(pg.storage),
        memory_bytes(pg.wal_storage) if pg.wal_storage else 0,
        memory_bytes(redis_storage(env)),
    )
    return {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {
            "name": "tenant-limits",
            "namespace": env.namespace,
            "labels": object_labels(env, name="tenant-limits"),
        },
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"memory": "256Mi"},
                    "defaultRequest": {"cpu": "50m", "memory": "128Mi"},
                    "max": {"memory": largest_memory_limit(env)},
                },
                {"type": "PersistentVolumeClaim", "max": {"storage": memory_text(largest_claim)}},
            ]
        },
    }


def service_account(env: EffectiveEnvironment, name: str, **extra: str) -> Manifest:
    meta: Manifest = {
        "name": name,
        "namespace": env.namespace,
        "labels": object_labels(env, name=name),
    }
    if extra:
        meta["annotations"] = dict(extra)
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta,
        "automountServiceAccountToken": False,
    }


def documents(env: EffectiveEnvironment) -> list[Manifest]:
    return [
        namespace(env),
        resource_quota(env),
        limit_range(env),
        service_account(env, "odoo"),
        service_account(env, "redis"),
    ]
