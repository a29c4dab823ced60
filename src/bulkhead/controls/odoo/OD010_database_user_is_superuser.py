"""Odoo connects to PostgreSQL as a superuser.

## What it does
Flags, where the manifests show it:
- `db_user = postgres` in odoo.conf (file or ConfigMap), `--db_user=postgres` / `-r postgres`
  in an Odoo container's arguments;
- an Odoo container (init containers included) whose `PGUSER` (read by libpq and Odoo 19) or
  `USER` (the official image's entrypoint variable) is the literal `postgres`;
- an Odoo container taking `PGUSER`, `PGPASSWORD`, `USER` or `PASSWORD` from the CloudNativePG
  superuser Secret (`<cluster>-superuser`, through `secretKeyRef`).

## Why is this bad
A superuser bypasses every privilege: one SQL injection or a compromised Odoo worker can read
and drop every tenant database on the cluster, `COPY ... TO PROGRAM` runs shell commands on the
PostgreSQL pod, and the database manager can create and drop databases at will. Odoo's
deployment guide says the database role must not be a superuser and databases should be owned
by another role.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:15beeeffd4baf3bf8be19f8848a16cfc3730e76c7981419e33574c8df4eb9d37
          env:
            - name: PGUSER
              valueFrom: {secretKeyRef: {name: acme-pg-superuser, key: username}}
            - name: PGPASSWORD
              valueFrom: {secretKeyRef: {name: acme-pg-superuser, key: password}}
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:15beeeffd4baf3bf8be19f8848a16cfc3730e76c7981419e33574c8df4eb9d37
          env:
            - name: PGUSER
              valueFrom: {secretKeyRef: {name: acme-pg-app, key: username}}
            - name: PGPASSWORD
              valueFrom: {secretKeyRef: {name: acme-pg-app, key: password}}
```

## Remediation
Use the CloudNativePG application role (`bootstrap.initdb.owner`, Secret `<cluster>-app`) or a
`DatabaseRole` / `managed.roles` entry with `superuser: false` and `createdb: false`, set
`db_user` to it, and set `enableSuperuserAccess: false` on the Cluster (PG002).

## References
Odoo deployment guide ("the database user must not be a superuser"); CloudNativePG security
and `enableSuperuserAccess`; platform rule O7. No peer scanner reads Odoo's configuration. Only
what the manifests show is judged: a role named otherwise but created with SUPERUSER, or a
user taken from a Secret whose name does not give it away, is not visible here.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.controls.odoo._deployment import Deployment
from bulkhead.controls.odoo._odoo import is_odoo_container
from bulkhead.inventory import Container, Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD010",
    slug="database-user-is-superuser",
    title="Odoo connects to PostgreSQL as a superuser",
    domain=Domain.ODOO,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

SUPERUSER = "postgres"
USER_KEYS = ("db_user", "r")
USER_VARIABLES = frozenset({"PGUSER", "USER"})
CREDENTIAL_VARIABLES = frozenset({"PGUSER", "PGPASSWORD", "USER", "PASSWORD"})
CNPG_SUPERUSER_SUFFIX = "-superuser"


def _from_env(container: Container, seen: set[tuple[object, ...]]) -> Iterator[Hit]:
    resource = container.pod.resource
    for index, item in enumerate(as_list(container.spec.get("env"))):
        env = as_mapping(item)
        name = env.get("name")
        if not isinstance(name, str) or name not in CREDENTIAL_VARIABLES:
            continue
        value = env.get("value")
        path = (*container.path, "env", index, "value")
        if name in USER_VARIABLES and isinstance(value, str) and value.strip() == SUPERUSER:
            if (resource.location.file, resource.doc_index, path) in seen:
                continue  # already reported as the container's db_user (PGUSER)
            yield Hit(
                path,
                f"container {container.name!r} of {resource.kind} {resource.name!r} connects "
                f"to PostgreSQL as the superuser ({name}=postgres): use the application role "
                "(the CloudNativePG <cluster>-app Secret), which owns only its database",
                resource=resource,
                key=f"{container.name}:{name}",
            )
            continue
        ref = as_mapping(as_mapping(env.get("valueFrom")).get("secretKeyRef"))
        secret = ref.get("name")
        if isinstance(secret, str) and secret.endswith(CNPG_SUPERUSER_SUFFIX):
            yield Hit(
                (*container.path, "env", index, "valueFrom", "secretKeyRef", "name"),
                f"container {container.name!r} of {resource.kind} {resource.name!r} takes "
                f"{name} from Secret {secret!r}, CloudNativePG's superuser Secret: Odoo then "
                "connects as postgres. Use the <cluster>-app Secret (the application role) and "
                "set enableSuperuserAccess: false on the Cluster",
                resource=resource,
                key=f"{container.name}:{name}",
            )


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    deployment = Deployment.build(inventory)
    seen: set[tuple[object, ...]] = set()
    for config in deployment.configs:
        for key in USER_KEYS:
            option = config.get(key)
            if option is None or option.value.strip() != SUPERUSER:
                continue
            if deployment.affected(config, "db_user") == ():
                continue  # every container that mounts it names another user
            if config.resource is not None:
                seen.add((config.resource.location.file, config.resource.doc_index, option.path))
            yield Hit(
                option.path,
                f"{config.origin} connects to PostgreSQL as the superuser (db_user = postgres): "
                "a compromised worker could read or drop every database on the cluster; use a "
                "role that owns only this tenant's database (NOSUPERUSER, NOCREATEDB)",
                resource=config.resource,
                file=option.file,
                line=option.line,
                key=f"{config.origin}:{key}",
            )
    for container in inventory.containers():
        if is_odoo_container(container):
            yield from _from_env(container, seen)
