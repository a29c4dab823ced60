"""A production Odoo server runs the threaded server (`workers = 0`) instead of prefork workers.

## What it does
Reads every Odoo configuration (odoo.conf files, odoo.conf embedded in ConfigMaps, `--workers`
in an Odoo container's arguments, `ODOO_WORKERS`) of production tenants and flags `workers = 0`,
set explicitly or left to Odoo's default (0) in a complete odoo.conf. A ConfigMap is judged for
the Odoo containers that mount it and do not override `--workers` themselves. A cron-only pod
is exempt: a container whose own arguments set `--max-cron-threads` above 0 and whose pod no
Service selects (like `odoo-cron` in the hardened example), or one started with `--no-http`
or `--stop-after-init` (a migration job).

## Why is this bad
With `workers = 0` one Python process serves every user of the tenant: one slow report or
import stalls everybody, `limit_time_*` and `limit_memory_*` never recycle anything, and the
process uses one CPU however many the pod has. There is no gevent worker either, so nothing
listens on 8072: the `/websocket` route of the IngressRoute (bus, live chat, notifications) has
nothing behind it. Odoo's deployment guide requires multi-process mode in production.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    workers = 0
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
    workers = 5
    max_cron_threads = 0
    gevent_port = 8072
```

## Remediation
Set `workers = (2 x CPU) + 1` (one worker serves about 6 concurrent users), size the memory
limit as `workers x limit_memory_hard` plus the gevent worker, and route `/websocket` to 8072.
Run scheduled actions in their own pod (`--max-cron-threads=2`, selected by no Service) and set
`max_cron_threads = 0` on the web tier. Odoo 19 also reads `ODOO_WORKERS=5`.

## References
Odoo deployment guide ("Builtin server: multiprocessing", "Worker number calculation"); platform
rule O4. No Checkov, Kubescape, kube-score, Polaris or Trivy check reads Odoo's configuration.
Deliberately narrower than a plain "workers must be > 0": cron-only pods are exempt, since
their threaded server serves no user, and a container's `--workers` overrides its ConfigMap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.odoo._deployment import (
    Deployment,
    is_selected,
    is_set,
    missing_path,
    option_int,
    services_by_namespace,
)
from bulkhead.inventory import Container, Inventory
from bulkhead.model import Resource, Severity

META = Meta(
    id="OD007",
    slug="workers-zero-in-production",
    title="Production Odoo runs the threaded server (workers = 0)",
    domain=Domain.ODOO,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)


def _cron_only(
    container: Container,
    deployment: Deployment,
    services: Mapping[str | None, list[Resource]],
) -> bool:
    own = deployment.command_line(container)
    if own is None:
        return False
    http = own.get("http_enable")
    if own.get("no_http") is not None or own.get("stop_after_init") is not None:
        return True  # serves no HTTP, or exits after an upgrade/init run
    if http is not None and not is_set(http):
        return True
    threads = option_int(own.get("max_cron_threads"))
    return threads is not None and threads > 0 and not is_selected(container.pod, services)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    deployment = Deployment.build(inventory)
    services = services_by_namespace(inventory)
    for config in deployment.configs:
        if not config.context.is_production:
            continue
        option = config.get("workers")
        if option is not None and option_int(option) != 0:
            continue
        if option is None and not config.complete:
            continue
        affected = deployment.affected(config, "workers")
        if affected is not None and all(_cron_only(c, deployment, services) for c in affected):
            continue  # nobody serving users takes this value (an empty tuple included)
        how = "workers = 0" if option is not None else "no workers option (default 0)"
        yield Hit(
            option.path if option is not None else missing_path(config, "workers"),
            f"{config.origin} runs Odoo's threaded server in production ({how}): one process "
            "serves every user, limit_time_*/limit_memory_* recycle nothing, and no gevent "
            "worker listens on 8072, so the /websocket route to port 8072 has nothing behind "
            "it. Set workers = (2 x CPU) + 1 (e.g. workers = 5) and run cron in its own pod "
            "(--max-cron-threads, selected by no Service)",
            resource=config.resource,
            file=option.file if option is not None else config.file,
            line=option.line if option is not None else config.line,
            key=f"{config.origin}:workers",
        )
