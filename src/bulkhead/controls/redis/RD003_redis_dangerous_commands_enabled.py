"""The application's Redis user can run FLUSHALL, FLUSHDB, CONFIG, DEBUG, MODULE or KEYS.

## What it does
Reads every `redis.conf` file and every Redis server container, and reports one finding per
dangerous command the application can still run (so a baseline or exception covers exactly one
command). A command is disabled when it is renamed away (`rename-command FLUSHALL ""`, also as
`--rename-command` arguments or Bitnami's `REDIS_DISABLE_COMMANDS`) or when the ACL rules of
the application user deny it (`-@dangerous`, `-@admin`, `-flushall`, `nocommands`, ... applied
in order; `+config|get` grants one subcommand only and does not count). The application user is
the default user when it is enabled, otherwise each enabled user whose name does not contain
`admin`. `DEBUG` and `MODULE` are off since Redis 7.0 unless `enable-debug-command` /
`enable-module-command` is `yes` (`local` counts as off); for a container image tagged below 7
they count as on by default. A rename to a non-empty name still counts as usable. Configurations
with an `aclfile`, an `include`, or a config file or stdin we cannot see are not judged.

## Why is this bad
One leaked session-store password then wipes every session of every tenant user (`FLUSHALL`),
rewrites the server's configuration or dumps memory (`CONFIG`, `DEBUG`), loads native code
(`MODULE LOAD`), or blocks the single Redis thread for seconds (`KEYS *` on a large keyspace),
logging out every Odoo user of the tenant.

## Example (must fail)
```conf file=redis.conf
requirepass c0rrect-h0rse-battery
rename-command FLUSHALL ""
rename-command FLUSHDB ""
rename-command CONFIG ""
```

## Use instead (must pass)
```conf file=redis.conf
user default off
user odoo on >c0rrect-h0rse ~session:* &* +@all -@dangerous
user ops-admin on >an0ther-l0ng-secret ~* &* +@all
```

## Remediation
Use ACLs rather than the deprecated `rename-command`: give the application its own user with
`+@all -@dangerous` (or `-@admin -flushall -flushdb -keys`) and turn the default user off. Keep
`enable-debug-command no` and `enable-module-command no`. On the Bitnami chart,
`master.disableCommands: [FLUSHDB, FLUSHALL, CONFIG, KEYS]`.

## References
Redis ACL documentation (command categories, `@dangerous`) and `redis.conf` (rename-command
deprecated in favour of ACLs; enable-*-command since 7.0); platform notes §6 and checker rule
R1. No peer scanner reads redis.conf or Redis arguments.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.redis._redis import (
    DANGEROUS,
    GATES,
    Directive,
    app_users,
    first_arg,
    servers,
)
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="RD003",
    slug="redis-dangerous-commands-enabled",
    title="Dangerous Redis commands usable by the application user",
    domain=Domain.REDIS,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for server in servers(inventory):
        if server.opaque or server.last("aclfile") is not None:
            continue
        renamed: dict[str, Directive] = {}
        for directive in server.all("rename-command"):
            if len(directive.args) >= 2:
                renamed[directive.args[0].upper()] = directive
        judged = app_users(server)
        for command in DANGEROUS:
            where: Directive | None
            rename = renamed.get(command)
            if rename is not None and rename.args[1] == "":
                continue
            gate = server.last(GATES[command]) if command in GATES else None
            if command in GATES and (
                first_arg(gate) != "yes" if gate is not None else not server.legacy
            ):
                continue
            allowed = [u for u in judged if u.allowed.get(command)]
            if not allowed:
                continue
            if rename is not None:
                where, why = rename, "is renamed to a secret name, which is still callable"
            elif gate is not None:
                where, why = gate, f"is enabled by {gate.name} yes"
            elif command in GATES:
                where, why = None, "is enabled by default before Redis 7.0"
            else:
                where = next((u.directive for u in allowed if u.directive is not None), None)
                if where is not None and where.name != "user":
                    where = None
                why = "is neither renamed away nor denied by the ACL"
            names = ", ".join(u.name for u in allowed)
            yield server.hit(
                where,
                f"{server.label}: {command} {why}, so user(s) {names} can run it: deny it in "
                f'the application user\'s ACL (-@dangerous) or add rename-command {command} ""',
                command,
                missing="rename-command",
            )
