"""A CloudNativePG cluster has no WAL archive, no scheduled base backup, or no retention policy.

## What it does
For every CloudNativePG `Cluster` (`postgresql.cnpg.io/v1`), one finding per missing piece:
- backup method: a WAL-archiver plugin in `spec.plugins` (`isWALArchiver: true`, not
  `enabled: false`) or the deprecated `spec.backup.barmanObjectStore`; if absent, only this;
- a `ScheduledBackup` in its namespace with `spec.cluster.name` = the cluster, not suspended,
  whose `method` the cluster configures (`barmanObjectStore`, the default, needs the in-tree
  store; `plugin` the plugin; `volumeSnapshot` needs `spec.backup.volumeSnapshot`);
- retention: `spec.retentionPolicy` of the `ObjectStore` (`barmancloud.cnpg.io/v1`) named by
  the plugin's `parameters.barmanObjectName` (a missing ObjectStore is reported here), or
  `spec.backup.retentionPolicy` for the in-tree store.

## Why is this bad
Without WAL archiving there is no point-in-time recovery: a `DROP TABLE`, a failed Odoo module
upgrade or ransomware in a tenant's database cannot be undone, and replicas copy the damage at
once. Without scheduled base backups, recovery replays every WAL since the first backup, or is
impossible. Without retention the bucket grows until its quota stops archiving, which fills the
WAL volume and stops the primary.

## Example (must fail)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: acme-pg, namespace: acme-prod}
spec:
  instances: 3
  storage: {size: 50Gi}
```

## Use instead (must pass)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: acme-pg, namespace: acme-prod}
spec:
  instances: 3
  storage: {size: 50Gi}
  plugins:
    - name: barman-cloud.cloudnative-pg.io
      isWALArchiver: true
      parameters: {barmanObjectName: acme-backups}
---
apiVersion: barmancloud.cnpg.io/v1
kind: ObjectStore
metadata: {name: acme-backups, namespace: acme-prod}
spec:
  retentionPolicy: 30d
  configuration: {destinationPath: s3://odoo-saas-backups/acme/prod}
---
apiVersion: postgresql.cnpg.io/v1
kind: ScheduledBackup
metadata: {name: acme-pg-nightly, namespace: acme-prod}
spec:
  schedule: "0 0 2 * * *"
  cluster: {name: acme-pg}
  method: plugin
  pluginConfiguration: {name: barman-cloud.cloudnative-pg.io}
```

## Remediation
Install the Barman Cloud plugin (CloudNativePG >= 1.26, cert-manager), create an `ObjectStore`
with `retentionPolicy` (e.g. `30d`) and a pre-created bucket, reference it from `spec.plugins`
with `isWALArchiver: true`, and add a `ScheduledBackup` with `method: plugin` (six-field cron,
seconds first). Test a restore into a new Cluster regularly: `bootstrap.recovery`.

## References
CloudNativePG `backup.md`, `wal_archiving.md`, Barman Cloud plugin `usage.md`; platform checker
rules P1 and P2; NSA/CISA Kubernetes Hardening Guide (audit and recovery). No peer scanner reads
CloudNativePG objects. A third-party WAL-archiver plugin (e.g. pgBackRest) counts as a method;
its retention is not judged. Volume snapshots alone do not count: no point-in-time recovery.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping, is_true
from bulkhead.inventory import Inventory
from bulkhead.model import FieldPath, Resource, Severity

META = Meta(
    id="PG003",
    slug="cnpg-backup-missing",
    title="CloudNativePG cluster has no backup, scheduled backup or retention",
    domain=Domain.POSTGRES,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
    references={"nsa": ("Audit logging and threat detection: backups",)},
)

CNPG = "postgresql.cnpg.io/"
BARMAN_GROUP = "barmancloud.cnpg.io/"
BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io"


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _archiver(spec: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]] | None:
    """The enabled WAL-archiver plugin entry and its index (the CRD allows at most one)."""
    for index, item in enumerate(as_list(spec.get("plugins"))):
        plugin = as_mapping(item)
        if (
            is_true(plugin.get("isWALArchiver"))
            and plugin.get("enabled") is not False
            and _text(plugin.get("name"))
        ):
            return index, plugin
    return None


def _schedules(inventory: Inventory) -> dict[tuple[str | None, str], list[Resource]]:
    by_cluster: dict[tuple[str | None, str], list[Resource]] = {}
    for backup in inventory.of_kind("ScheduledBackup"):
        if not backup.api_version.startswith(CNPG):
            continue
        cluster = _text(as_mapping(as_mapping(backup.doc.get("spec")).get("cluster")).get("name"))
        if cluster:
            by_cluster.setdefault((backup.namespace, cluster), []).append(backup)
    return by_cluster


def _schedule_problem(
    cluster: Resource, schedules: list[Resource], methods: set[str]
) -> str | None:
    """None when one ScheduledBackup would back the cluster up, else what is wrong."""
    if not schedules:
        return "no ScheduledBackup names it in spec.cluster.name"
    reasons = []
    for backup in schedules:
        spec = as_mapping(backup.doc.get("spec"))
        method = _text(spec.get("method")) or "barmanObjectStore"
        if is_true(spec.get("suspend")):
            reasons.append(f"ScheduledBackup {backup.name!r} is suspended")
        elif method not in methods:
            reasons.append(
                f"ScheduledBackup {backup.name!r} uses method {method!r}, which the cluster "
                "does not configure"
            )
        else:
            return None
    return "; ".join(reasons)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    schedules = _schedules(inventory)
    for cluster in inventory.of_kind("Cluster"):
        if not cluster.api_version.startswith(CNPG):
            continue
        spec = as_mapping(cluster.doc.get("spec"))
        backup = as_mapping(spec.get("backup"))
        in_tree = backup.get("barmanObjectStore") is not None
        archiver = _archiver(spec)
        name = cluster.name
        if archiver is None and not in_tree:
            yield Hit(
                ("spec", "plugins"),
                f"Cluster {name!r} has no backup method (no WAL archive, so no point-in-time "
                "recovery): add the barman-cloud.cloudnative-pg.io plugin with isWALArchiver: "
                "true pointing at an ObjectStore with a retentionPolicy, and a ScheduledBackup",
                resource=cluster,
                key="method",
            )
            continue
        methods = {
            method
            for method, present in (
                ("plugin", archiver is not None),
                ("barmanObjectStore", in_tree),
                ("volumeSnapshot", backup.get("volumeSnapshot") is not None),
            )
            if present
        }
        problem = _schedule_problem(cluster, schedules.get((cluster.namespace, name), []), methods)
        if problem:
            yield Hit(
                ("metadata", "name"),
                f"Cluster {name!r} has no working scheduled base backup ({problem}): add a "
                "ScheduledBackup in its namespace with spec.cluster.name "
                f"{name!r}, method: plugin and a six-field schedule such as '0 0 2 * * *'",
                resource=cluster,
                key="schedule",
            )
        yield from _retention(inventory, cluster, backup, archiver)


def _retention(
    inventory: Inventory,
    cluster: Resource,
    backup: Mapping[str, Any],
    archiver: tuple[int, Mapping[str, Any]] | None,
) -> Iterator[Hit]:
    name = cluster.name
    if archiver is None:
        if not _text(backup.get("retentionPolicy")):
            yield Hit(
                ("spec", "backup", "retentionPolicy"),
                f"Cluster {name!r} keeps backups forever (no spec.backup.retentionPolicy): set "
                "one such as '30d' (better: move to the Barman Cloud plugin and set the "
                "ObjectStore's spec.retentionPolicy)",
                resource=cluster,
                key="retention",
            )
        return
    index, plugin = archiver
    if _text(plugin.get("name")) != BARMAN_PLUGIN:
        return  # Another archiver keeps its retention in its own objects.
    parameters = as_mapping(plugin.get("parameters"))
    store_name = _text(parameters.get("barmanObjectName"))
    path: FieldPath = ("spec", "plugins", index, "parameters", "barmanObjectName")
    if not store_name:
        yield Hit(
            path,
            f"Cluster {name!r} enables the Barman Cloud plugin without "
            "parameters.barmanObjectName, so it has no object store and no retention: name "
            "an ObjectStore that sets spec.retentionPolicy",
            resource=cluster,
            key="retention",
        )
        return
    store = inventory.get("ObjectStore", cluster.namespace, store_name)
    if store is None or not store.api_version.startswith(BARMAN_GROUP):
        yield Hit(
            path,
            f"Cluster {name!r} archives to ObjectStore {store_name!r}, which is not among the "
            "scanned objects, so its retention cannot be verified: add the ObjectStore "
            "(barmancloud.cnpg.io/v1) to the namespace with spec.retentionPolicy such as '30d'",
            resource=cluster,
            key="retention",
        )
        return
    if not _text(as_mapping(store.doc.get("spec")).get("retentionPolicy")):
        yield Hit(
            ("spec", "retentionPolicy"),
            f"ObjectStore {store_name!r} (backups of Cluster {name!r}) has no "
            "spec.retentionPolicy, so backups and WAL pile up until the bucket is full: set "
            "one such as '30d'",
            resource=store,
            key=f"retention:{cluster.namespace}/{name}",
        )
