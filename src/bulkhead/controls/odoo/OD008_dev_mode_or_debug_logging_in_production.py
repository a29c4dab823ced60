"""A production Odoo server runs in developer mode or logs at a debug level.

## What it does
Reads every Odoo configuration of production tenants (odoo.conf files, odoo.conf in ConfigMaps,
Odoo container arguments, `ODOO_*` environment) and flags `dev_mode` (`--dev`, `ODOO_DEV`) set
to anything but empty/False; `log_level` `debug`, `debug_rpc`, `debug_rpc_answer` or
`debug_sql`; a `log_handler` entry at `:DEBUG`; and the `--log-sql` / `--log-web` shortcuts.
A ConfigMap value is not reported when every Odoo container that mounts it overrides it.

## Why is this bad
`--dev` reloads Python and XML from disk, serves QWeb templates and assets unminified, turns on
werkzeug's interactive debugger on errors (`--dev=werkzeug`, `all`) and skips access caches:
it is a code-execution and information-disclosure risk on a public server. Debug logging writes
every RPC call with its arguments (`debug_rpc_answer`: with the answers) or every SQL query with
its parameters to stdout: customer data, session ids and password-reset tokens end up in the
log pipeline, often shared by tenants, and the volume slows every request.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    workers = 5
    dev_mode = reload,qweb
    log_level = debug_rpc
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    workers = 5
    log_level = info
    log_handler = :INFO,werkzeug:WARNING
```

## Remediation
Remove `dev_mode` and `--dev=...` from production, set `log_level = info` (or `warn`) and keep
`log_handler` entries at INFO or above. To debug one tenant, run a separate non-production pod
against a copy of its database instead of raising the log level in production.

## References
Odoo command-line reference (`--dev`, `--log-level`, `--log-handler`, `--log-sql`); Odoo
deployment guide (security); platform rule O3 ("never dev_mode"). No peer scanner reads Odoo's
configuration. Only production tenants are checked: a staging namespace may debug.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.odoo._deployment import Deployment, is_set
from bulkhead.controls.odoo._odoo import OdooConfig, Option
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD008",
    slug="dev-mode-or-debug-logging-in-production",
    title="Production Odoo in developer mode or with debug logging",
    domain=Domain.ODOO,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

DEBUG_LEVELS = frozenset({"debug", "debug_rpc", "debug_rpc_answer", "debug_sql"})
SHORTCUTS = {"log_sql": "odoo.sql_db:DEBUG", "log_web": "odoo.http:DEBUG"}


def _debug_handler(value: str) -> bool:
    for entry in value.replace("\n", ",").split(","):
        _, _, level = entry.strip().rpartition(":")
        if level.strip().upper() == "DEBUG":
            return True
    return False


def _problems(config: OdooConfig) -> Iterator[tuple[str, Option, str]]:
    for key in ("dev_mode", "dev"):
        option = config.get(key)
        if option is not None and option.value.strip() and is_set(option):
            yield key, option, f"developer mode is on (dev_mode = {option.value.strip()[:40]})"
    option = config.get("log_level")
    if option is not None and option.value.strip().lower() in DEBUG_LEVELS:
        yield "log_level", option, f"log_level = {option.value.strip()}"
    option = config.get("log_handler")
    if option is not None and _debug_handler(option.value):
        yield "log_handler", option, f"log_handler = {option.value.strip()[:60]}"
    for key, handler in SHORTCUTS.items():
        option = config.get(key)
        if option is not None:
            yield key, option, f"--{key.replace('_', '-')} (log_handler {handler})"


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    deployment = Deployment.build(inventory)
    for config in deployment.configs:
        if not config.context.is_production:
            continue
        for key, option, what in _problems(config):
            if deployment.affected(config, key) == ():
                continue  # every container that mounts it overrides the option
            fix = (
                "remove it (never --dev in production)"
                if key in ("dev_mode", "dev")
                else "set log_level = info and keep log_handler entries at INFO or above"
            )
            yield Hit(
                option.path,
                f"{config.origin} in production: {what}; debug output leaks RPC arguments, "
                f"SQL parameters and session data into the logs: {fix}",
                resource=config.resource,
                file=option.file,
                line=option.line,
                key=f"{config.origin}:{key}",
            )
