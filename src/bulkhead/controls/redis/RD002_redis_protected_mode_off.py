"""Redis turns protected mode off while listening on a non-loopback address.

## What it does
Reads every `redis.conf` file and every Redis server container (image repository ending in
`redis` or `valkey`; options from `args`, a `sh -c` script, `REDIS_ARGS` or
`REDIS_EXTRA_FLAGS`). It flags `protected-mode no` (the last one wins) when `bind` is missing,
since Redis then listens on every interface, or lists any address other than loopback
(`127.0.0.0/8`, `::1`, `localhost`, with or without the `-` prefix that makes an address
optional). When a container also loads a config file or stdin we cannot see and its arguments
give no `--bind`, the bind is unknown and nothing is reported.

## Why is this bad
Protected mode is Redis's last guard: with it on, a server whose default user has no password
answers only loopback and unix-socket clients. Turned off on a pod address, one missing password
(see RD001) exposes every tenant session to any pod that can reach port 6379, and it lets
`CONFIG SET dir` tricks write files as the Redis user. Note that the official image's entrypoint
itself adds `--protected-mode no` when started without a config file: RD001 (password) is the
check that matters most there.

## Example (must fail)
```conf file=redis.conf
bind 0.0.0.0 -::*
protected-mode no
requirepass c0rrect-h0rse-battery
```

## Use instead (must pass)
```conf file=redis.conf
bind * -::*
protected-mode yes
requirepass c0rrect-h0rse-battery
```

## Remediation
Remove `protected-mode no` (or set `protected-mode yes`) and give the default user a password or
turn it off with ACLs. In Kubernetes keep `bind * -::*` and restrict who reaches the pod with a
NetworkPolicy that admits only the tenant's Odoo pods on port 6379.

## References
Redis `redis.conf` (protected mode, bind) and security documentation; platform notes §6 and
checker rule R1; NSA/CISA Kubernetes Hardening Guide (network separation). No peer scanner reads
redis.conf or Redis arguments.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.redis._redis import first_arg, servers
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="RD002",
    slug="redis-protected-mode-off",
    title="Redis protected mode off on a non-loopback address",
    domain=Domain.REDIS,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={"nsa": ("Network separation and hardening",)},
)


def _loopback(address: str) -> bool:
    text = address.strip().lstrip("-").lower()
    return text in ("localhost", "::1") or text.startswith("127.")


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for server in servers(inventory):
        protected = server.last("protected-mode")
        if first_arg(protected) != "no":
            continue
        bind = server.last("bind")
        if bind is not None:
            exposed = [a for a in bind.args if a.strip() and not _loopback(a)]
            if not exposed:
                continue
            where = f"binds {' '.join(exposed)[:80]}"
        elif server.opaque:
            continue
        else:
            where = "has no bind, so it listens on every interface"
        yield server.hit(
            protected,
            f"{server.label}: protected-mode is no and the server {where}: set protected-mode "
            "yes (and a password on the default user), and limit clients with a NetworkPolicy",
            "protected-mode",
        )
