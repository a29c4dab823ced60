"""A CloudNativePG cluster uses the deprecated in-tree Barman Cloud support (`barmanObjectStore`).

## What it does
Flags `spec.backup.barmanObjectStore` of a CloudNativePG `Cluster` (`postgresql.cnpg.io/v1`),
and `spec.externalClusters[i].barmanObjectStore` (the in-tree recovery and replica source),
which belong to the same deprecated native support.

## Why is this bad
The native Barman Cloud integration is deprecated since CloudNativePG 1.26, and the 1.30 release
notes announce its removal in 1.31.0. A cluster still using it will stop archiving WAL, or the
operator upgrade will be blocked, on the day the platform moves to 1.31: the backups of every
tenant on this pattern silently end at the upgrade. Migrating is a planned change (new
`ObjectStore`, plugin sidecar, cert-manager), not something to do during an incident.

## Example (must fail)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: acme-pg, namespace: acme-prod}
spec:
  instances: 3
  storage: {size: 50Gi}
  backup:
    retentionPolicy: 30d
    barmanObjectStore:
      destinationPath: s3://odoo-saas-backups/acme/prod
      s3Credentials:
        accessKeyId: {name: acme-backup-s3, key: ACCESS_KEY_ID}
        secretAccessKey: {name: acme-backup-s3, key: ACCESS_SECRET_KEY}
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
  configuration:
    destinationPath: s3://odoo-saas-backups/acme/prod
    s3Credentials:
      accessKeyId: {name: acme-backup-s3, key: ACCESS_KEY_ID}
      secretAccessKey: {name: acme-backup-s3, key: ACCESS_SECRET_KEY}
```

## Remediation
Install the Barman Cloud plugin (needs CloudNativePG >= 1.26 and cert-manager). Move the
content of `barmanObjectStore` unchanged to an `ObjectStore`'s `spec.configuration`, and
`retentionPolicy` to its `spec.retentionPolicy`; replace `spec.backup` with a `spec.plugins`
entry (`isWALArchiver: true`, `parameters.barmanObjectName`); switch ScheduledBackups to
`method: plugin` with `pluginConfiguration.name: barman-cloud.cloudnative-pg.io`; and for
recovery use `externalClusters[].plugin` instead of `barmanObjectStore`. Keep the same
destination path so existing backups stay restorable, then take a fresh base backup.

## References
CloudNativePG 1.26 and 1.30 release notes, `appendixes/backup_barmanobjectstore.md`; Barman
Cloud plugin `migration.mdx`; platform checker rule P1. No peer scanner reads CloudNativePG
objects.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="PG004",
    slug="cnpg-deprecated-barman-object-store",
    title="CloudNativePG cluster uses the deprecated in-tree barmanObjectStore",
    domain=Domain.POSTGRES,
    severity=Severity.MEDIUM,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Cluster"}),
)

FIX = (
    "move it to a barmancloud.cnpg.io/v1 ObjectStore used through the "
    "barman-cloud.cloudnative-pg.io plugin (removed from the operator in 1.31.0)"
)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not resource.api_version.startswith("postgresql.cnpg.io/"):
        return
    spec = as_mapping(resource.doc.get("spec"))
    if as_mapping(spec.get("backup")).get("barmanObjectStore") is not None:
        yield Hit(
            ("spec", "backup", "barmanObjectStore"),
            f"Cluster {resource.name!r} backs up with the deprecated in-tree "
            f"spec.backup.barmanObjectStore: {FIX}",
        )
    for index, item in enumerate(as_list(spec.get("externalClusters"))):
        external = as_mapping(item)
        if external.get("barmanObjectStore") is not None:
            yield Hit(
                ("spec", "externalClusters", index, "barmanObjectStore"),
                f"Cluster {resource.name!r} reads external cluster "
                f"{str(external.get('name', index))!r} through the deprecated in-tree "
                f"barmanObjectStore: use externalClusters[].plugin instead and {FIX}",
            )
