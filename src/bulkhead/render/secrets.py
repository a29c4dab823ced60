"""secrets.yaml: one ExternalSecret per credential; no secret value is ever rendered.

Remote layout in the secret store (docs/render.md, "Secrets"):

- `<secret_store.key_template>` (default `odoo/<tenant>/<environment>`), properties
  `db_password` (the Odoo database role) and `redis_password`;
- `<object_storage.credentials_key>`, properties by provider: `access_key_id` and
  `secret_access_key` (s3), `credentials_json` (gcs), `connection_string` (azure).
"""

from __future__ import annotations

from bulkhead.platform.model import EffectiveEnvironment
from bulkhead.render.common import Manifest, go_duration, object_labels

REDIS_SECRET = "redis-auth"  # noqa: S105 (a Secret's name)
BACKUP_SECRET = "backup-credentials"  # noqa: S105 (a Secret's name)

BACKUP_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "s3": (("ACCESS_KEY_ID", "access_key_id"), ("ACCESS_SECRET_KEY", "secret_access_key")),
    "gcs": (("credentials.json", "credentials_json"),),
    "azure": (("AZURE_CONNECTION_STRING", "connection_string"),),
}


def app_secret(env: EffectiveEnvironment) -> str:
    """The CloudNativePG application role's Secret (kubernetes.io/basic-auth)."""
    return f"{env.postgres.cluster_name}-app"


def _external_secret(
    env: EffectiveEnvironment,
    name: str,
    data: list[tuple[str, str, str]],
    template: Manifest | None = None,
) -> Manifest:
    target: Manifest = {"name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain"}
    if template is not None:
        target["template"] = template
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {
            "name": name,
            "namespace": env.namespace,
            "labels": object_labels(env, name=name),
        },
        "spec": {
            "refreshInterval": go_duration(env.secrets.refresh_interval),
            "secretStoreRef": {"kind": env.secrets.store_kind, "name": env.secrets.store_name},
            "target": target,
            "data": [
                {"secretKey": secret_key, "remoteRef": {"key": key, "property": prop}}
                for secret_key, key, prop in data
            ],
        },
    }


def documents(env: EffectiveEnvironment, provider: str) -> list[Manifest]:
    key = env.secrets.key
    database = _external_secret(
        env,
        app_secret(env),
        [("password", key, "db_password")],
        # CloudNativePG wants a basic-auth Secret; the user name is the role, not a secret.
        {
            "type": "kubernetes.io/basic-auth",
            "mergePolicy": "Merge",
            "data": {"username": env.postgres.owner},
        },
    )
    redis = _external_secret(env, REDIS_SECRET, [("password", key, "redis_password")])
    backup = _external_secret(
        env,
        BACKUP_SECRET,
        [(name, env.backup.credentials_key, prop) for name, prop in BACKUP_KEYS[provider]],
    )
    return [database, redis, backup]
