"""A Redis that carries queues or sessions runs with persistence off.

## What it does
Reads every `redis.conf` file and every Redis server container and flags a configuration with
both AOF and RDB off: `appendonly no` (or no `appendonly` at all, the default) and a last `save`
that is `save ""` (Bitnami: `REDIS_AOF_ENABLED=no` and `REDIS_RDB_POLICY_DISABLED=yes`). It only
reports when the instance says it carries queues or sessions, a heuristic: a name containing
`queue`, `session`, `celery` or `job` among the file's base name and the values of its
directives (ACL key patterns such as `~session:*`, `dir`, user names), or, for a container, the
workload, container and mounted ConfigMap names. Comments are not read (the config parser drops
them), and a cache named `redis-cache` is left alone on purpose: losing a cache is fine. A
container that also loads a config file we cannot see is judged only on `--appendonly no`
given explicitly.

## Why is this bad
Without AOF or RDB every restart, eviction of the node or OOM kill empties Redis: all Odoo users
of the tenant are logged out at once, and queued jobs (queue_job channels, Celery tasks, mail
and invoice jobs) disappear without a trace or an error.

## Example (must fail)
```conf file=redis-sessions.conf
appendonly no
save ""
maxmemory-policy volatile-lru
user odoo on >c0rrect-h0rse ~session:* +@all -@dangerous
```

## Use instead (must pass)
```conf file=redis-sessions.conf
appendonly yes
appendfsync everysec
save ""
maxmemory-policy volatile-lru
user odoo on >c0rrect-h0rse ~session:* +@all -@dangerous
```

## Remediation
Set `appendonly yes` (with `appendfsync everysec`) on a persistent volume (a StatefulSet
`volumeClaimTemplate`, not `emptyDir`), or at least keep RDB snapshots (`save 3600 1 300 100`).
Give a pure cache its own instance and name it so.

## References
Redis persistence documentation and `redis.conf` (`appendonly`, `save ""`); platform notes §6
(appendonly yes for durable sessions). No peer scanner reads redis.conf or Redis arguments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.redis._redis import RedisServer, first_arg, servers
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="RD004",
    slug="redis-persistence-off-for-queues",
    title="Redis holding queues or sessions has persistence off",
    domain=Domain.REDIS,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
)

_MARKER = re.compile(r"queue|session|celery|job", re.IGNORECASE)


def _marker(server: RedisServer) -> str | None:
    for name in server.names:
        match = _MARKER.search(name)
        if match:
            return f"name {name[:60]!r}"
    for directive in server.directives:
        for arg in directive.args:
            if "pass" in directive.name or "auth" in directive.name:
                continue  # never quote a secret
            if not arg.startswith((">", "#", "<")) and _MARKER.search(arg):
                return f"{directive.name} {arg[:60]!r}"
    return None


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for server in servers(inventory):
        save = server.last("save")
        if save is None or not save.args or any(a.strip() for a in save.args):
            continue
        appendonly = server.last("appendonly")
        if appendonly is None and server.opaque:
            continue
        if appendonly is not None and first_arg(appendonly) != "no":
            continue
        marker = _marker(server)
        if marker is None:
            continue
        aof = "appendonly no" if appendonly is not None else "no appendonly (default no)"
        yield server.hit(
            save,
            f'{server.label}: {aof} and save "" leave no persistence, but it carries queues '
            f"or sessions ({marker}): set appendonly yes on a persistent volume",
            "persistence",
        )
