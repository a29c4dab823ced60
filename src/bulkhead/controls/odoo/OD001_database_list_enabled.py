"""Odoo lists its databases and serves the database manager: `list_db` is not `False`.

## What it does
Reads the Odoo options of every `odoo.conf` file, every ConfigMap holding an `[options]`
section, and every Odoo container's arguments and `ODOO_*` environment. Flags `list_db` set to
anything Odoo reads as true (`True`, `1`, a typo), and, on a complete configuration (a file or a
ConfigMap), a missing `list_db`: Odoo's default is `True`. Container arguments and variables
only override a file, so there only an explicit value is judged (`--no-database-list` and
`ODOO_LIST_DB=False` pass).

## Why is this bad
With `list_db` on, every visitor can enumerate the databases of the server (`/web/database/list`
and the selector) and reach `/web/database/manager`, which creates, backs up, restores,
duplicates and drops databases behind the single master password. On a platform where one
PostgreSQL server holds many tenants, one guessed password exports or wipes all of them, and the
list alone tells an attacker the names of your customers. Odoo's deployment guide says to set
`list_db = False` on every internet-facing system.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    dbfilter = ^acme$
    workers = 4
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
    list_db = False
    dbfilter = ^acme$
    workers = 4
```

## Remediation
Add `list_db = False` to the `[options]` section of the tenant's odoo.conf (or start Odoo with
`--no-database-list`), together with `db_name` or an anchored `dbfilter` (OD003) so each host
resolves to one database. Create, copy and back up databases from internal jobs instead
(`odoo --stop-after-init -d <db> -i base`, `pg_dump`), and also block `/web/database` at the
edge (TR004).

## References
Odoo deployment documentation: "Security" and "Database Manager Security" (`list_db`);
platform reference §1.2 and checker rule O1. Peers: none, no other scanner reads odoo.conf.
Values are read the way Odoo's parser reads booleans, so `list_db = 0` or an empty value counts
as off, and any other spelling as on.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.odoo._odoo import OdooConfig, Option, odoo_configs
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD001",
    slug="database-list-enabled",
    title="Odoo database list and manager enabled (list_db)",
    domain=Domain.ODOO,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)


def _hit(config: OdooConfig, option: Option | None, message: str) -> Hit:
    if option is not None:
        return Hit(option.path, message, config.resource, option.file, option.line, key=option.key)
    return Hit(config.path, message, config.resource, config.file, config.line, key="list_db")


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for config in odoo_configs(inventory):
        off = config.is_false("list_db")
        if off is True:
            continue
        option = config.get("list_db")
        if option is not None:
            yield _hit(
                config,
                option,
                f"{config.origin}: list_db is on, so anyone can list the databases and reach "
                "the database manager; set list_db = False (or --no-database-list).",
            )
        elif config.complete:
            yield _hit(
                config,
                None,
                f"{config.origin}: list_db is not set and Odoo's default is True (database "
                "list and manager public); add list_db = False to [options].",
            )
