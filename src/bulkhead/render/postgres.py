"""postgres.yaml: CloudNativePG Cluster, Barman Cloud ObjectStore, ScheduledBackup and Pooler.

- one Cluster per environment, in its namespace: instances and sizes from the tier, instances
  on different nodes (anti-affinity required in production), no superuser access, TLS only
  (`hostnossl ... reject` before a `hostssl ... scram-sha-256` rule; TLS 1.3 minimum);
- backups through the Barman Cloud plugin (CloudNativePG's current method; the in-tree
  `barmanObjectStore` is deprecated): an ObjectStore per environment with its retention, WAL
  archiving, and a ScheduledBackup whose schedule the platform model has checked against the
  strictest RPO of the tenant's business processes;
- a PgBouncer Pooler in session mode in front of it: Odoo's bus and cron LISTEN on connections
  that transaction pooling would hand to other clients.
"""

from __future__ import annotations

from bulkhead.platform.model import EffectiveEnvironment, format_duration
from bulkhead.render.common import (
    BARMAN_PLUGIN,
    Manifest,
    metadata,
    object_labels,
    resources,
    tolerations,
)
from bulkhead.render.odoo import pooler_name
from bulkhead.render.secrets import BACKUP_KEYS, BACKUP_SECRET, app_secret
from bulkhead.render.sizing import (
    MAX_CLIENT_CONN,
    POOLER_RESOURCES,
    SIDECAR_RESOURCES,
    max_connections,
    pool_size,
    pooler_instances,
)


def object_store_name(env: EffectiveEnvironment) -> str:
    return f"{env.postgres.cluster_name}-backups"


def _labels(env: EffectiveEnvironment, name: str) -> dict[str, str]:
    return object_labels(env, name=name, instance=env.name, component="database")


def cluster(env: EffectiveEnvironment) -> Manifest:
    pg = env.postgres
    parameters: Manifest = {
        "max_connections": str(max_connections(env)),
        "password_encryption": "scram-sha-256",
        "ssl_min_protocol_version": "TLSv1.3",
    }
    if env.backup.wal_archiving:
        parameters["archive_timeout"] = f"{env.backup.wal_archive_timeout}s"
    storage: Manifest = {"size": pg.storage}
    if pg.storage_class:
        storage["storageClass"] = pg.storage_class
    affinity: Manifest = {
        "enablePodAntiAffinity": True,
        "topologyKey": "kubernetes.io/hostname",
        "podAntiAffinityType": "required" if env.production else "preferred",
    }
    if env.placement.node_selector:
        affinity["nodeSelector"] = dict(env.placement.node_selector)
    if env.placement.tolerations:
        affinity["tolerations"] = tolerations(env)
    spec: Manifest = {
        "instances": pg.instances,
        "imageName": pg.image,
        "primaryUpdateStrategy": "unsupervised",
        "primaryUpdateMethod": "switchover",
        "enableSuperuserAccess": False,
        "bootstrap": {
            "initdb": {
                "database": pg.database,
                "owner": pg.owner,
                "secret": {"name": app_secret(env)},
                "encoding": "UTF8",
            }
        },
        "postgresql": {
            "parameters": parameters,
            "pg_hba": [
                # CloudNativePG's last rule is `host` (TLS optional): refuse plain connections.
                "hostnossl all all all reject",
                "hostssl all all all scram-sha-256",
            ],
        },
        "storage": storage,
    }
    if pg.wal_storage:
        wal: Manifest = {"size": pg.wal_storage}
        if pg.storage_class:
            wal["storageClass"] = pg.storage_class
        spec["walStorage"] = wal
    spec["affinity"] = affinity
    spec["resources"] = resources(pg.resources)
    spec["plugins"] = [
        {
            "name": BARMAN_PLUGIN,
            # Barman Cloud base backups need the WAL written during the backup: archiving is
            # always on; backup.wal_archiving false only means the RPO promised is the interval.
            "isWALArchiver": True,
            "parameters": {"barmanObjectName": object_store_name(env)},
        }
    ]
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": metadata(env, pg.cluster_name, _labels(env, "postgresql")),
        "spec": spec,
    }


def object_store(env: EffectiveEnvironment, provider: str) -> Manifest:
    backup = env.backup
    configuration: Manifest = {"destinationPath": backup.destination_path}
    if backup.endpoint:
        configuration["endpointURL"] = backup.endpoint
    keys = BACKUP_KEYS[provider]
    if provider == "s3":
        configuration["s3Credentials"] = {
            "accessKeyId": {"name": BACKUP_SECRET, "key": keys[0][0]},
            "secretAccessKey": {"name": BACKUP_SECRET, "key": keys[1][0]},
        }
        configuration["wal"] = {"compression": "gzip", "encryption": "AES256", "maxParallel": 2}
        configuration["data"] = {"compression": "gzip", "encryption": "AES256", "jobs": 2}
    else:
        if provider == "gcs":
            configuration["googleCredentials"] = {
                "applicationCredentials": {"name": BACKUP_SECRET, "key": keys[0][0]}
            }
        else:
            configuration["azureCredentials"] = {
                "connectionString": {"name": BACKUP_SECRET, "key": keys[0][0]}
            }
        configuration["wal"] = {"compression": "gzip", "maxParallel": 2}
        configuration["data"] = {"compression": "gzip", "jobs": 2}
    return {
        "apiVersion": "barmancloud.cnpg.io/v1",
        "kind": "ObjectStore",
        "metadata": metadata(env, object_store_name(env), _labels(env, "backups")),
        "spec": {
            "retentionPolicy": backup.retention_policy,
            "configuration": configuration,
            "instanceSidecarConfiguration": {"resources": dict(SIDECAR_RESOURCES)},
        },
    }


def scheduled_backup(env: EffectiveEnvironment) -> Manifest:
    backup = env.backup
    annotations = {
        "bulkhead.io/backup-schedule": f"{backup.schedule} (UTC)",
        "bulkhead.io/achievable-rpo": format_duration(backup.achievable_rpo),
    }
    if env.production and env.processes:
        strictest = min(env.processes, key=lambda p: (p.rpo, p.name))
        annotations["bulkhead.io/strictest-rpo"] = (
            f"{format_duration(strictest.rpo)} ({strictest.name})"
        )
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "ScheduledBackup",
        "metadata": metadata(
            env, f"{env.postgres.cluster_name}-scheduled", _labels(env, "backups"), annotations
        ),
        "spec": {
            "schedule": backup.cnpg_schedule,
            "backupOwnerReference": "self",
            "cluster": {"name": env.postgres.cluster_name},
            "method": "plugin",
            "pluginConfiguration": {"name": BARMAN_PLUGIN},
            "immediate": True,
            "target": "prefer-standby",
        },
    }


def pooler(env: EffectiveEnvironment) -> Manifest:
    name = pooler_name(env)
    pod_spec: Manifest = {}
    if env.placement.node_selector:
        pod_spec["nodeSelector"] = dict(env.placement.node_selector)
    if env.placement.tolerations:
        pod_spec["tolerations"] = tolerations(env)
    pod_spec["affinity"] = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": {"cnpg.io/poolerName": name}},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }
    pod_spec["containers"] = [{"name": "pgbouncer", "resources": dict(POOLER_RESOURCES)}]
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Pooler",
        "metadata": metadata(env, name, _labels(env, "pgbouncer")),
        "spec": {
            "cluster": {"name": env.postgres.cluster_name},
            "instances": pooler_instances(env),
            "type": "rw",
            "pgbouncer": {
                "poolMode": "session",
                "parameters": {
                    "max_client_conn": str(MAX_CLIENT_CONN),
                    "default_pool_size": str(pool_size(env)),
                    "client_tls_sslmode": "require",
                },
            },
            "template": {"metadata": {"labels": {"cnpg.io/poolerName": name}}, "spec": pod_spec},
        },
    }


def documents(env: EffectiveEnvironment, provider: str) -> list[Manifest]:
    return [cluster(env), object_store(env, provider), scheduled_backup(env), pooler(env)]
