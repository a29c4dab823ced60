"""Odoo's database connections go through PgBouncer in transaction (or statement) pooling mode.

## What it does
- A CloudNativePG `Pooler` (`postgresql.cnpg.io/v1`) with `spec.pgbouncer.poolMode:
  transaction` is flagged when an Odoo configuration points at it: `db_host` (odoo.conf, a
  ConfigMap, `--db_host`, `PGHOST`) or the `HOST` variable (official image) of an Odoo
  container names the Pooler's Service (`<pooler>`, `<pooler>.<namespace>`,
  `<pooler>.<namespace>.svc[.cluster.local]`; a bare name in the config's namespace).
- A `pgbouncer.ini` is flagged when any Odoo configuration or container is in the scan and the pool mode
  that applies to the `postgres` database is `transaction` or `statement`: the `postgres`
  entry of `[databases]`, else the `*` fallback entry, else `pool_mode` of `[pgbouncer]`.

## Why is this bad
Odoo's bus (notifications, live chat, discuss, the websocket worker) and its cron wake-ups use
PostgreSQL `LISTEN`/`NOTIFY` on the `postgres` maintenance database. In transaction pooling the
server connection goes back to the pool after each transaction, so the `LISTEN` is lost (or
fires for another client): no notification ever arrives, and users see stale chats, stuck
"loading" widgets and crons that only start on their timer.

## Example (must fail)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata: {name: acme-pg-pooler, namespace: acme-prod}
spec:
  cluster: {name: acme-pg}
  instances: 2
  type: rw
  pgbouncer:
    poolMode: transaction
---
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    db_host = acme-pg-pooler.acme-prod.svc.cluster.local
    db_port = 5432
```

## Use instead (must pass)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Pooler
metadata: {name: acme-pg-pooler, namespace: acme-prod}
spec:
  cluster: {name: acme-pg}
  instances: 2
  type: rw
  pgbouncer:
    poolMode: session
---
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    db_host = acme-pg-pooler.acme-prod.svc.cluster.local
    db_port = 5432
```

## Remediation
Use `poolMode: session` on the Pooler Odoo uses (a CNPG Pooler has one mode for all databases),
or point Odoo straight at `<cluster>-rw`. With a hand-written pgbouncer.ini, give the
`postgres` database its own session-mode entry:
`postgres = host=acme-pg-rw dbname=postgres pool_mode=session`.

## References
PgBouncer feature matrix (LISTEN is not supported in transaction pooling); OCA/server-tools
PRs #1629 and #3692; CloudNativePG `connection_pooling.md`; platform rule O9. No peer scanner
relates a pooler to the application that uses it. A Pooler no Odoo configuration points at is
not reported: transaction pooling is right for many other clients.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.controls.odoo._deployment import Deployment
from bulkhead.controls.odoo._odoo import OdooConfig, is_odoo_container
from bulkhead.inventory import Inventory
from bulkhead.model import Resource, Severity
from bulkhead.sources.configfiles import ConfigFile, ConfigKind, Setting

META = Meta(
    id="OD011",
    slug="pgbouncer-transaction-mode-for-odoo",
    title="PgBouncer in transaction mode in front of Odoo",
    domain=Domain.ODOO,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

CNPG_GROUP = "postgresql.cnpg.io"
BROKEN_MODES = frozenset({"transaction", "statement"})
HOST_VARIABLES = frozenset({"HOST"})  # PGHOST reaches the configs as db_host
_POOL_MODE = re.compile(r"(?:^|\s)pool_mode\s*=\s*'?([A-Za-z]+)")


def _target(host: str, namespace: str | None) -> tuple[str, str | None] | None:
    """(Service name, namespace or None for "any") a host name resolves to in the cluster."""
    host = host.strip().lower().rstrip(".")
    if not host or host.startswith("/") or "," in host:
        return None
    parts = host.split(".")
    if len(parts) == 1:
        return parts[0], namespace
    if len(parts) == 2 or parts[2] == "svc":
        return parts[0], parts[1]
    return None  # an outside host name


def _hosts(deployment: Deployment, inventory: Inventory) -> Iterator[tuple[str, str, str | None]]:
    """(host, what set it, namespace) for every Odoo configuration and container."""
    for config in deployment.configs:
        option = config.get("db_host")
        if option is not None:
            yield option.value, _label(config), _namespace(config)
    for container in inventory.containers():
        if not is_odoo_container(container):
            continue
        resource = container.pod.resource
        for item in as_list(container.spec.get("env")):
            env = as_mapping(item)
            value = env.get("value")
            name = env.get("name")
            if isinstance(name, str) and name in HOST_VARIABLES and isinstance(value, str):
                label = f"container {container.name!r} of {resource.kind} {resource.name!r}"
                yield value, f"{label} ({env.get('name')})", resource.namespace


def _label(config: OdooConfig) -> str:
    return f"{config.origin} (db_host)"


def _namespace(config: OdooConfig) -> str | None:
    return config.resource.namespace if config.resource is not None else None


def _check_poolers(inventory: Inventory, deployment: Deployment) -> Iterator[Hit]:
    poolers: dict[str, list[Resource]] = defaultdict(list)
    for pooler in inventory.of_kind("Pooler"):
        mode = as_mapping(as_mapping(pooler.doc.get("spec")).get("pgbouncer")).get("poolMode")
        if (
            pooler.api_group == CNPG_GROUP
            and isinstance(mode, str)
            and mode.lower() in BROKEN_MODES
        ):
            poolers[pooler.name.lower()].append(pooler)
    if not poolers:
        return
    users: dict[tuple[str | None, str], dict[str, None]] = defaultdict(dict)
    found: dict[tuple[str | None, str], Resource] = {}
    for host, label, namespace in _hosts(deployment, inventory):
        target = _target(host, namespace)
        if target is None:
            continue
        name, target_namespace = target
        for pooler in poolers.get(name, ()):
            if target_namespace is None or pooler.namespace == target_namespace:
                key = (pooler.namespace, pooler.name)
                found[key] = pooler
                users[key][label] = None
    for key, pooler in found.items():
        labels = list(users[key])
        more = f" and {len(labels) - 1} more" if len(labels) > 1 else ""
        mode = as_mapping(as_mapping(pooler.doc.get("spec")).get("pgbouncer")).get("poolMode")
        yield Hit(
            ("spec", "pgbouncer", "poolMode"),
            f"Pooler {pooler.name!r} pools in {mode} mode and Odoo connects through it "
            f"({labels[0]}{more}): the bus's LISTEN/NOTIFY on the postgres database is lost "
            "between transactions, so notifications, chat and cron wake-ups stop. Use "
            "poolMode: session, or point Odoo at <cluster>-rw",
            resource=pooler,
            key=pooler.name,
        )


def _database_mode(setting: Setting) -> str | None:
    match = _POOL_MODE.search(setting.value)
    return match.group(1).lower() if match else None


def _postgres_mode(config: ConfigFile) -> tuple[str, Setting, tuple[str, str]] | None:
    """The pool mode the `postgres` database gets, with the setting that decides it."""
    entries: Mapping[str, Setting] = {
        s.key: s for s in config.settings if (s.section or "").lower() == "databases"
    }
    entry = entries.get("postgres") or entries.get("*")
    if entry is not None:
        mode = _database_mode(entry)
        if mode is not None:
            return mode, entry, ("databases", entry.key)
    for setting in reversed(config.settings):
        if (setting.section or "").lower() == "pgbouncer" and setting.key == "pool_mode":
            return setting.value.strip().lower(), setting, ("pgbouncer", "pool_mode")
    return None  # PgBouncer's default: session


def _check_ini(inventory: Inventory, deployment: Deployment) -> Iterator[Hit]:
    files = [c for c in inventory.configs if c.kind is ConfigKind.PGBOUNCER]
    if not files:
        return
    if not deployment.configs and not any(is_odoo_container(c) for c in inventory.containers()):
        return
    for config in files:
        found = _postgres_mode(config)
        if found is None or found[0] not in BROKEN_MODES:
            continue
        mode, setting, path = found
        yield Hit(
            path,
            f"pgbouncer.ini gives the postgres database {mode} pooling while Odoo runs in this "
            "scan: Odoo's bus LISTENs on the postgres database, which transaction pooling "
            "cannot keep. Add `postgres = host=<cluster>-rw dbname=postgres pool_mode=session` "
            "under [databases], or set pool_mode = session",
            file=config.location.file,
            line=setting.line,
            key=f"{config.location.file}:{'.'.join(path)}",
        )


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    deployment = Deployment.build(inventory)
    yield from _check_poolers(inventory, deployment)
    yield from _check_ini(inventory, deployment)
