"""A Redis server lets clients in without a password.

## What it does
Reads every `redis.conf` (and `valkey.conf`) file and every container whose image repository
ends in `redis` or `valkey` (or is `redis-stack-server`) and that runs the server (default command, `redis-server ...`, or a
`sh -c` script that starts it). It works out the `default` user the way Redis does: open unless
`requirepass` gives it a password, or a `user default ...` line (which replaces `requirepass`)
turns it `off` or gives it a `>password`/`#hash` instead of `nopass`. It flags the default user
left open: no password visible, `requirepass ""`, or `user default on nopass ...`. A user line
for another account does not help: clients that do not AUTH are still the open default user.
Accepted as a password: `requirepass` / `--requirepass` (also in a here-document fed to
`redis-server ... -`, as examples/hardened does to keep it out of argv), an `aclfile`, and an env
`REDIS_PASSWORD` or `REDIS_PASSWORD_FILE` (literal or `valueFrom`; Bitnami images read it, the
official image only if your command uses it). A container given a config file or stdin we
cannot see is not judged unless its arguments set the password empty.

## Why is this bad
Odoo keeps its HTTP sessions (and queue jobs) in this Redis: whoever reaches port 6379 can read
every session id and take over any logged-in user, admin included, or write arbitrary keys.
The official image also turns protected mode off itself when started without a config file.

## Example (must fail)
```conf file=redis.conf
bind * -::*
port 6379
appendonly yes
user odoo on >c0rrect-h0rse ~session:* +@all -@dangerous
```

## Use instead (must pass)
```conf file=redis.conf
bind * -::*
port 6379
appendonly yes
user default off
user odoo on >c0rrect-h0rse ~session:* +@all -@dangerous
```

## Remediation
Prefer ACLs: `user default off` plus one user per application with a long random password from
a Secret (or `aclfile /etc/redis/users.acl` mounted from a Secret). At least set `requirepass`
from a Secret without putting it in argv:
`exec redis-server /etc/redis/redis.conf - <<EOF` / `requirepass ${REDIS_PASSWORD}` / `EOF`,
with `REDIS_PASSWORD` from `secretKeyRef`. For the Bitnami chart: `auth.enabled: true` and
`auth.existingSecret`.

## References
Redis `redis.conf` (requirepass is a compatibility layer over the default user, ignored with
`aclfile`) and ACL documentation; platform notes §6 and checker rule R1; NSA/CISA Kubernetes
Hardening Guide (authentication). No peer scanner reads redis.conf or Redis arguments.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.redis._redis import RedisServer, servers, users
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="RD001",
    slug="redis-without-auth",
    title="Redis accepts clients without a password",
    domain=Domain.REDIS,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={"nsa": ("Authentication and authorization",)},
)

_FIX = (
    "set 'user default off' with an ACL user per application, or requirepass from a Secret "
    "(REDIS_PASSWORD via secretKeyRef)"
)


def _judge(server: RedisServer) -> Hit | None:
    aclfile = server.last("aclfile")
    if aclfile is not None and aclfile.args and aclfile.args[0]:
        return None  # users come from an ACL file we cannot see
    default = users(server)[0]
    directive = default.directive
    if not default.enabled or not default.nopass:
        return None
    if directive is not None and directive.name == "user":
        reason = "'user default' is on with nopass"
    elif directive is not None:
        reason = "requirepass is empty"
    elif server.password_env is not None or server.opaque:
        return None  # a password we can see in env, or a config we cannot see
    else:
        reason = "no password is visible: no requirepass, 'user default' line or aclfile"
    return server.hit(
        directive,
        f"{server.label}: the default user needs no password ({reason}), so anyone who reaches "
        f"the port reads every session: {_FIX}",
        "default-user",
    )


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for server in servers(inventory):
        hit = _judge(server)
        if hit is not None:
            yield hit
