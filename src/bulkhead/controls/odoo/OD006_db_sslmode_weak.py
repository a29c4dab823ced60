"""Odoo connects to a remote PostgreSQL without requiring TLS (`db_sslmode` weaker than `require`).

## What it does
For every Odoo configuration whose `db_host` names a remote server (anything but `localhost`,
a loopback address such as `127.0.0.1` or `::1`, or a unix-socket directory starting with `/`;
in a comma-separated host list, any remote entry counts), flags `db_sslmode` set to `disable`,
`allow` or `prefer`, and on a complete configuration (an `odoo.conf` file or a ConfigMap
holding one) a missing `db_sslmode`, whose default is `prefer`. An Odoo container is judged on
what it sets itself: its `--db_host` together with its `--db_sslmode`.

## Why is this bad
`prefer` and `allow` silently fall back to plain text when the server (or anyone on the path
who answers first) does not offer TLS, and `disable` never encrypts. The connection carries the
database password exchange, every tenant's business data and session payloads across the pod
network, which on a shared cluster is a network other tenants' workloads and node agents can
reach. Only `require` and stronger make libpq refuse an unencrypted connection; CloudNativePG
serves TLS on every cluster, so requiring it costs nothing.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    db_host = acme-pg-rw.acme-prod.svc.cluster.local
    db_port = 5432
    db_user = acme
    db_sslmode = prefer
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    db_host = acme-pg-rw.acme-prod.svc.cluster.local
    db_port = 5432
    db_user = acme
    db_sslmode = verify-full
```

## Remediation
Set `db_sslmode = require` in `[options]` (or `--db_sslmode=require`). Better, `verify-full`
with the CloudNativePG CA mounted from the `<cluster>-ca` Secret and `PGSSLROOTCERT` pointing
at it, so a spoofed Service cannot impersonate the database. Enforce it on the server side too:
`hostssl` lines in `pg_hba` (PG005).

## References
Odoo `--db_sslmode` (since 11.0) and libpq "SSL mode descriptions"; platform reference §1.2,
§5.2 and checker rule O6. Peers: none. A host given only as `PGHOST` or a mode given only as
`PGSSLMODE` in the environment is not read here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.odoo._odoo import odoo_configs
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD006",
    slug="db-sslmode-weak",
    title="Odoo database connection does not require TLS (db_sslmode)",
    domain=Domain.ODOO,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

WEAK_MODES = frozenset({"disable", "allow", "prefer"})
_UNSET = frozenset({"", "false", "none"})


def _is_local(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() == "localhost" or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def remote_host(value: str) -> str | None:
    """The first remote host of a db_host value, or None when it is unset or local."""
    if value.strip().lower() in _UNSET:
        return None
    for host in value.split(","):
        if host.strip() and not _is_local(host):
            return host.strip()
    return None


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for config in odoo_configs(inventory):
        host_option = config.get("db_host")
        host = remote_host(host_option.value) if host_option is not None else None
        if host is None:
            continue
        mode = config.get("db_sslmode")
        if mode is not None:
            value = mode.value.strip()
            if value.lower() in WEAK_MODES or value.lower() in _UNSET:
                yield Hit(
                    mode.path,
                    f"{config.origin}: db_sslmode = {value or '(empty)'} lets the connection to {host} run "
                    "unencrypted; set db_sslmode = require (or verify-full).",
                    config.resource,
                    mode.file,
                    mode.line,
                    key="db_sslmode",
                )
        elif config.complete:
            yield Hit(
                config.path,
                f"{config.origin}: db_sslmode is not set, so the connection to {host} uses "
                "libpq's prefer and may run unencrypted; set db_sslmode = require "
                "(or verify-full).",
                config.resource,
                config.file,
                config.line,
                key="db_sslmode",
            )
