"""Sizes the renderer derives from an environment: replica counts, Odoo limits, pools, quotas.

Every formula is documented in docs/render.md ("Sizing"); the numbers here are the defaults for
what bulkhead.yaml does not say (Redis, PgBouncer and sidecar resources).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bulkhead.platform.model import EffectiveEnvironment, Tenancy, memory_bytes
from bulkhead.render.common import MIB, Manifest, cpu_of, cpu_text, memory_text, small_resources

SOFT_FLOOR = 512 * MIB
"""limit_memory_soft never goes below this: an Odoo worker's address space starts near it."""
LIMIT_REQUEST = 8192
DB_MAXCONN = 16
MAX_CLIENT_CONN = 1000
DEDICATED_QUOTA_HEADROOM = 1.5
"""Dedicated tenants own their nodes: their quota leaves room for operations work."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One kind of pod of the environment: how many may run at once, and each one's resources."""

    count: int
    cpu: int
    """CPU request, millicores."""
    memory: int
    """Memory request, bytes."""
    memory_limit: int
    pod: bool = True
    """False for a sidecar container: resources, but no pod of its own."""


def redis_resources(env: EffectiveEnvironment) -> Manifest:
    if env.production:
        return small_resources("100m", "256Mi", "256Mi")
    return small_resources("50m", "128Mi", "128Mi")


def redis_storage(env: EffectiveEnvironment) -> str:
    return "2Gi" if env.production else "1Gi"


def redis_maxmemory(env: EffectiveEnvironment) -> str:
    """75% of the container's memory limit: room for the AOF rewrite buffer and overhead."""
    limit = memory_bytes(redis_resources(env)["limits"]["memory"])
    return f"{limit * 3 // 4 // MIB}mb"


POOLER_RESOURCES = small_resources("100m", "128Mi", "256Mi")
SIDECAR_RESOURCES = small_resources("100m", "128Mi", "512Mi")
SCALER_RESOURCES = small_resources("50m", "64Mi", "128Mi")


def cron_replicas(env: EffectiveEnvironment) -> int:
    """Cron pods: two in production (spread, each job locked in the database), else one;
    none when the environment runs no cron threads."""
    if env.cron_threads == 0:
        return 0
    return 2 if env.production else 1


def pooler_instances(env: EffectiveEnvironment) -> int:
    return 2 if env.production else 1


def memory_limits(env: EffectiveEnvironment) -> tuple[int, int]:
    """(limit_memory_soft, limit_memory_hard) in bytes for one Odoo worker.

    The pod's memory limit is shared by the workers and the gevent worker: soft is that share
    (never below 512 MiB), hard is soft + 25%. Rounded down to whole MiB.
    """
    pod = memory_bytes(env.resources.limits.memory)
    share = pod // (max(env.workers, 0) + 1)
    soft = max(share, SOFT_FLOOR) // MIB * MIB
    hard = soft * 5 // 4 // MIB * MIB
    return soft, hard


def pool_size(env: EffectiveEnvironment) -> int:
    """PgBouncer default_pool_size in session mode: each Odoo process holds its connections.

    Per web pod: workers (or 1 threaded server) + the gevent worker + the bus listener; per cron
    pod: its cron threads + 2; the upgrade Job 2. Doubled for rollouts, at least 20.
    """
    web = (env.replicas + 1) * (max(env.workers, 1) + 2)
    cron = cron_replicas(env) * (env.cron_threads + 2)
    return max(20, 2 * (web + cron + 2))


def max_connections(env: EffectiveEnvironment) -> int:
    """PostgreSQL max_connections: two pools (the tenant's database and `postgres`, where
    Odoo's bus listens), plus superuser and replication reserve."""
    return max(100, 2 * pool_size(env) + 20)


def pieces(env: EffectiveEnvironment, scaler: bool) -> list[Piece]:
    """Every pod the environment may run at the same time, by kind."""
    odoo = (
        cpu_of(env.resources.requests.cpu),
        memory_bytes(env.resources.requests.memory),
        memory_bytes(env.resources.limits.memory),
    )
    pg = env.postgres.resources
    result = [
        Piece(env.replicas + 1, *odoo),  # web replicas plus the rolling-update surge
        Piece(cron_replicas(env), *odoo),
        Piece(1, *odoo),  # the upgrade Job
        # PostgreSQL instances plus CloudNativePG's bootstrap or join Job, and their sidecars
        Piece(
            env.postgres.instances + 1,
            cpu_of(pg.requests.cpu),
            memory_bytes(pg.requests.memory),
            memory_bytes(pg.limits.memory),
        ),
        Piece(env.postgres.instances + 1, *_small(SIDECAR_RESOURCES), pod=False),
        Piece(pooler_instances(env), *_small(POOLER_RESOURCES)),
        Piece(1, *_small(redis_resources(env))),
    ]
    if scaler:
        result.append(Piece(1, *_small(SCALER_RESOURCES)))
    return result


def _small(resources: Manifest) -> tuple[int, int, int]:
    return (
        cpu_of(resources["requests"]["cpu"]),
        memory_bytes(resources["requests"]["memory"]),
        memory_bytes(resources["limits"]["memory"]),
    )


def claims(env: EffectiveEnvironment) -> tuple[int, int]:
    """(number of PersistentVolumeClaims, bytes they request): filestore, PostgreSQL data and
    WAL volumes, Redis."""
    pg = env.postgres
    per_instance = memory_bytes(pg.storage) + (
        memory_bytes(pg.wal_storage) if pg.wal_storage else 0
    )
    count = 1 + pg.instances * (2 if pg.wal_storage else 1) + 1
    size = memory_bytes(env.filestore_size) + pg.instances * per_instance
    return count, size + memory_bytes(redis_storage(env))


def quota_hard(env: EffectiveEnvironment, scaler: bool) -> Manifest:
    """ResourceQuota spec.hard: everything the environment runs at once and nothing more for a
    shared tenant; half as much again for a dedicated one."""
    parts = pieces(env, scaler)
    factor = DEDICATED_QUOTA_HEADROOM if env.tenancy is Tenancy.DEDICATED else 1.0
    cpu = sum(p.count * p.cpu for p in parts)
    memory = sum(p.count * p.memory for p in parts)
    limit = sum(p.count * p.memory_limit for p in parts)
    pods = sum(p.count for p in parts if p.pod)
    count, size = claims(env)
    return {
        "requests.cpu": cpu_text(math.ceil(cpu * factor)),
        "requests.memory": memory_text(math.ceil(memory * factor)),
        "limits.memory": memory_text(math.ceil(limit * factor)),
        "requests.storage": memory_text(math.ceil(size * factor)),
        "persistentvolumeclaims": str(math.ceil(count * factor)),
        "pods": str(math.ceil(pods * factor)),
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    }


def largest_memory_limit(env: EffectiveEnvironment) -> str:
    return memory_text(max(p.memory_limit for p in pieces(env, scaler=True)))
