"""Odoo runs prefork workers without explicit memory and time limits (`limit_memory_*`, `limit_time_*`).

## What it does
For every complete Odoo configuration (an `odoo.conf` file or a ConfigMap holding one) with
`workers` greater than 0, reports each of `limit_memory_soft`, `limit_memory_hard`,
`limit_time_cpu` and `limit_time_real` that is not set, one finding per missing option. The
limits are per-worker rules of the prefork server: the master recycles a worker above
`limit_memory_soft` after its request, sets `RLIMIT_AS` to `limit_memory_hard` and
`RLIMIT_CPU` to `limit_time_cpu` in each worker, and kills a worker busy longer than
`limit_time_real`. With `workers = 0` (the threaded server) there is no worker to limit, so
these options are not judged there; running threaded in production is another control's
finding. Container arguments only override a file, so they are not judged for missing options.

## Why is this bad
Unset, the defaults apply: 2 GiB soft and 2.5 GiB hard per worker, 60 s CPU and 120 s wall
time. They are not sized for the pod: four workers at 2.5 GiB exceed a 2 GiB memory limit long
before Odoo's own limit fires, so the kernel OOM-kills the whole container (every in-flight
request of the tenant fails and the pod restarts) instead of Odoo recycling one worker. Time
limits that do not match the proxy timeouts leave long reports cut by Traefik while the worker
keeps burning CPU, or kill legitimate imports. Odoo's deployment guide sizes them explicitly.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    workers = 4
    limit_time_real = 1200
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    workers = 4
    limit_memory_soft = 671088640
    limit_memory_hard = 805306368
    limit_time_cpu = 600
    limit_time_real = 1200
```

## Remediation
Size the limits from the pod: `limit_memory_hard` times `workers`, plus the gevent worker and
the master, must stay under `resources.limits.memory`; `limit_memory_soft` about 80 % of the
hard limit; `limit_time_real` below the Traefik timeout and above your slowest legitimate
request; `limit_time_cpu` about half of it. The deployment guide's sample for 8 workers:
`limit_memory_soft = 629145600`, `limit_memory_hard = 1677721600`, `limit_time_cpu = 600`,
`limit_time_real = 1200`.

## References
Odoo deployment documentation ("Builtin server", "Configuration sample"); platform reference
§1.2, §1.3 and checker rule O4. Peers: none (kube-score's container-resources check covers the
pod limit, not Odoo's). A configuration whose `workers` only comes from a container argument
is not linked to its file here.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.odoo._odoo import odoo_configs
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD005",
    slug="resource-limits-unset",
    title="Odoo worker memory and time limits unset",
    domain=Domain.ODOO,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
)

LIMITS = {
    "limit_memory_soft": "2 GiB",
    "limit_memory_hard": "2.5 GiB",
    "limit_time_cpu": "60 s",
    "limit_time_real": "120 s",
}


def _workers(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        return 0


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for config in odoo_configs(inventory):
        workers = config.get("workers")
        if not config.complete or workers is None or _workers(workers.value) <= 0:
            continue
        for key, default in LIMITS.items():
            if config.get(key) is None:
                yield Hit(
                    config.path,
                    f"{config.origin}: {key} is not set for {workers.value.strip()} workers, so "
                    f"Odoo's generic default ({default}) applies; size it to the pod's "
                    "resources and set it in [options].",
                    config.resource,
                    config.file,
                    config.line,
                    key=key,
                )
