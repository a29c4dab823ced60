"""odoo.yaml and upgrade.yaml: odoo.conf, the filestore, the web and cron tiers, the upgrade Job.

odoo.conf holds no secret: the database password reaches libpq as PGPASSWORD and the session
store password as ODOO_SESSION_REDIS_PASSWORD, both from Secrets the External Secrets Operator
creates; the master password is empty, which turns the database manager off.
"""

from __future__ import annotations

from bulkhead.platform.model import EffectiveEnvironment
from bulkhead.render.common import (
    ODOO_GEVENT_PORT,
    ODOO_HTTP_PORT,
    ODOO_UID,
    REDIS_PORT,
    Manifest,
    container_security,
    metadata,
    object_labels,
    placement,
    pod_labels,
    pod_security,
    resources,
    selector,
)
from bulkhead.render.secrets import REDIS_SECRET, app_secret
from bulkhead.render.sizing import (
    DB_MAXCONN,
    LIMIT_REQUEST,
    cron_replicas,
    memory_limits,
)

CONFIG = "odoo-config"
FILESTORE = "odoo-filestore"
CONFIG_PATH = "/etc/odoo/odoo.conf"
DATA_DIR = "/var/lib/odoo"
ADDONS_PATH = "/mnt/extra-addons"
HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE = "argocd.argoproj.io/hook-delete-policy"


def pooler_name(env: EffectiveEnvironment) -> str:
    return f"{env.postgres.cluster_name}-pooler"


def pooler_host(env: EffectiveEnvironment) -> str:
    return f"{pooler_name(env)}.{env.namespace}.svc"


def redis_host(env: EffectiveEnvironment) -> str:
    return f"redis.{env.namespace}.svc"


def odoo_series(env: EffectiveEnvironment) -> int:
    return int(env.odoo_version.split(".", 1)[0])


def odoo_conf(env: EffectiveEnvironment) -> str:
    """The production odoo.conf of one environment (options in a fixed order)."""
    soft, hard = memory_limits(env)
    database = env.postgres.database
    series = odoo_series(env)
    wide = "base,rpc,web,session_redis" if series >= 19 else "base,web,session_redis"
    demo = "True" if series >= 19 else "all"
    lines = [
        "[options]",
        "; Rendered by bulkhead (docs/render.md). No secret here: the database password comes",
        "; from PGPASSWORD, the session store password from ODOO_SESSION_REDIS_PASSWORD.",
        "proxy_mode = True",
        "list_db = False",
        f"dbfilter = ^{database}$",
        f"db_name = {database}",
        "; Empty: Odoo refuses every master-password operation (database manager off).",
        "admin_passwd =",
        f"without_demo = {demo}",
        f"db_host = {pooler_host(env)}",
        "db_port = 5432",
        f"db_user = {env.postgres.owner}",
        "db_sslmode = require",
        f"db_maxconn = {DB_MAXCONN}",
        "db_template = template0",
        f"data_dir = {DATA_DIR}",
        f"addons_path = {ADDONS_PATH}",
        f"server_wide_modules = {wide}",
        "http_interface = 0.0.0.0",
        f"http_port = {ODOO_HTTP_PORT}",
        f"gevent_port = {ODOO_GEVENT_PORT}",
        f"workers = {env.workers}",
        "; Scheduled actions run in the odoo-cron pods.",
        "max_cron_threads = 0",
        f"limit_memory_soft = {soft}",
        f"limit_memory_hard = {hard}",
        f"limit_request = {LIMIT_REQUEST}",
        f"limit_time_cpu = {env.limit_time_cpu}",
        f"limit_time_real = {env.limit_time_real}",
        "log_level = info",
        "",
    ]
    return "\n".join(lines)


def config_map(env: EffectiveEnvironment) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(env, CONFIG, object_labels(env, name="odoo", instance=env.name)),
        "data": {"odoo.conf": odoo_conf(env)},
    }


def filestore(env: EffectiveEnvironment) -> Manifest:
    spec: Manifest = {
        # Shared by the web replicas, the cron pods and the upgrade Job.
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": env.filestore_size}},
    }
    if env.storage_class:
        spec["storageClassName"] = env.storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata(env, FILESTORE, object_labels(env, name="odoo", instance=env.name)),
        "spec": spec,
    }


def _env(env: EffectiveEnvironment, sessions: bool, optional: bool = False) -> list[Manifest]:
    password: Manifest = {"name": app_secret(env), "key": "password"}
    if optional:
        password["optional"] = True
    variables: list[Manifest] = [{"name": "PGPASSWORD", "valueFrom": {"secretKeyRef": password}}]
    if sessions:
        variables += [
            # camptocamp session_redis: HTTP sessions in this environment's Redis.
            {"name": "ODOO_SESSION_REDIS", "value": "1"},
            {"name": "ODOO_SESSION_REDIS_HOST", "value": redis_host(env)},
            {"name": "ODOO_SESSION_REDIS_PORT", "value": str(REDIS_PORT)},
            {"name": "ODOO_SESSION_REDIS_PREFIX", "value": env.name},
            {
                "name": "ODOO_SESSION_REDIS_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": REDIS_SECRET, "key": "password"}},
            },
        ]
    return variables


def _volumes(optional_config: bool = False) -> list[Manifest]:
    config: Manifest = {"name": CONFIG, "items": [{"key": "odoo.conf", "path": "odoo.conf"}]}
    if optional_config:
        config["optional"] = True
    return [
        {"name": "config", "configMap": config},
        {"name": "filestore", "persistentVolumeClaim": {"claimName": FILESTORE}},
        {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
    ]


def _mounts() -> list[Manifest]:
    return [
        {"name": "config", "mountPath": "/etc/odoo", "readOnly": True},
        {"name": "filestore", "mountPath": DATA_DIR},
        {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 (an emptyDir of the pod)
    ]


def _probe(period: int, failures: int = 3) -> Manifest:
    return {
        "httpGet": {"path": "/web/health", "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def _pod_spec(env: EffectiveEnvironment, container: Manifest, grace: int) -> Manifest:
    spec: Manifest = {
        "serviceAccountName": "odoo",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "terminationGracePeriodSeconds": grace,
        "securityContext": pod_security(ODOO_UID),
    }
    placement(env, spec)
    spec["containers"] = [container]
    spec["volumes"] = _volumes()
    return spec


def _spread(env: EffectiveEnvironment, labels: dict[str, str], spec: Manifest) -> None:
    strict = "DoNotSchedule" if env.production else "ScheduleAnyway"
    spec["topologySpreadConstraints"] = [
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": strict,
            "labelSelector": {"matchLabels": labels},
            "matchLabelKeys": ["pod-template-hash"],
        },
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": labels},
            "matchLabelKeys": ["pod-template-hash"],
        },
    ]
    spec["affinity"] = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {"matchLabels": dict(labels)},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }


def _container(
    env: EffectiveEnvironment, args: list[str], ports: list[Manifest], probes: bool
) -> Manifest:
    container: Manifest = {
        "name": "odoo",
        "image": env.image,
        "imagePullPolicy": "IfNotPresent",
        # odoo itself, not the image's entrypoint.sh (which puts --db_password on argv).
        "command": ["odoo"],
        "args": args,
        "ports": ports,
        "env": _env(env, sessions=True),
        "securityContext": container_security(),
        "resources": resources(env.resources),
    }
    if probes:
        container["startupProbe"] = _probe(5, failures=60)
        container["livenessProbe"] = _probe(20)
        container["readinessProbe"] = _probe(10)
    container["volumeMounts"] = _mounts()
    return container


def _http_port() -> Manifest:
    return {"name": "http", "containerPort": ODOO_HTTP_PORT, "protocol": "TCP"}


def web(env: EffectiveEnvironment) -> Manifest:
    labels = selector(env, "odoo", "web")
    ports = [_http_port()]
    if env.workers > 0:
        ports.append({"name": "websocket", "containerPort": ODOO_GEVENT_PORT, "protocol": "TCP"})
    container = _container(env, [f"--config={CONFIG_PATH}"], ports, probes=True)
    spec = _pod_spec(env, container, grace=60)
    _spread(env, labels, spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(
            env, "odoo-web", object_labels(env, name="odoo", instance=env.name, component="web")
        ),
        "spec": {
            "replicas": env.replicas,
            "revisionHistoryLimit": 5,
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": pod_labels(env, "odoo", "web")},
                "spec": spec,
            },
        },
    }


def cron(env: EffectiveEnvironment) -> Manifest:
    """Scheduled actions in their own pods (threaded server, HTTP for the probes only)."""
    labels = selector(env, "odoo", "cron")
    args = [
        f"--config={CONFIG_PATH}",
        "--workers=0",
        f"--max-cron-threads={env.cron_threads}",
    ]
    container = _container(env, args, [_http_port()], probes=True)
    spec = _pod_spec(env, container, grace=300)
    _spread(env, labels, spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(
            env, "odoo-cron", object_labels(env, name="odoo", instance=env.name, component="cron")
        ),
        "spec": {
            "replicas": cron_replicas(env),
            "revisionHistoryLimit": 5,
            # Replace cron pods one at a time; database locks keep a job from running twice.
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
            },
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": pod_labels(env, "odoo", "cron")},
                "spec": spec,
            },
        },
    }


def service(env: EffectiveEnvironment) -> Manifest:
    # Threaded mode (workers = 0) serves /websocket on 8069: the websocket port follows it.
    websocket_target = "websocket" if env.workers > 0 else "http"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(env, "odoo", object_labels(env, name="odoo", instance=env.name)),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(env, "odoo", "web"),
            "ports": [
                {"name": "http", "port": ODOO_HTTP_PORT, "targetPort": "http", "protocol": "TCP"},
                {
                    "name": "websocket",
                    "port": ODOO_GEVENT_PORT,
                    "targetPort": websocket_target,
                    "protocol": "TCP",
                },
            ],
        },
    }


def disruption_budget(env: EffectiveEnvironment, component: str) -> Manifest:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(
            env,
            f"odoo-{component}",
            object_labels(env, name="odoo", instance=env.name, component=component),
        ),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": selector(env, "odoo", component)},
        },
    }


def documents(env: EffectiveEnvironment) -> list[Manifest]:
    docs = [config_map(env), filestore(env), web(env), service(env)]
    if cron_replicas(env):
        docs.append(cron(env))
    if env.production:
        docs.append(disruption_budget(env, "web"))
        if cron_replicas(env):
            docs.append(disruption_budget(env, "cron"))
    return docs


# --- the upgrade Job ------------------------------------------------------------------------

UPGRADE_SCRIPT = """\
set -eu
if [ ! -s {config} ]; then
  echo "bulkhead: {config} is not there yet (first sync): nothing to upgrade"
  exit 0
fi
exec odoo --config={config} --database={database}{init} --update=all \\
  --stop-after-init --no-http --workers=0 --max-cron-threads=0
"""


def upgrade_script(env: EffectiveEnvironment) -> str:
    init = f" --init={','.join(env.addons)}" if env.addons else ""
    return UPGRADE_SCRIPT.format(config=CONFIG_PATH, database=env.postgres.database, init=init)


def upgrade_job(env: EffectiveEnvironment) -> Manifest:
    """`-i <addons> -u all --stop-after-init` before Argo CD applies the new manifests."""
    labels = pod_labels(env, "odoo", "upgrade")
    container: Manifest = {
        "name": "upgrade",
        "image": env.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/bin/sh", "-c"],
        "args": [upgrade_script(env)],
        "env": _env(env, sessions=False, optional=True),
        "securityContext": container_security(),
        "resources": resources(env.resources),
        "volumeMounts": _mounts(),
    }
    spec: Manifest = {
        "serviceAccountName": "odoo-upgrade",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "restartPolicy": "Never",
        "securityContext": pod_security(ODOO_UID),
    }
    placement(env, spec)
    spec["containers"] = [container]
    spec["volumes"] = _volumes(optional_config=True)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata(
            env,
            "odoo-upgrade",
            object_labels(env, name="odoo", instance=env.name, component="upgrade"),
            {HOOK: "PreSync", HOOK_DELETE: "BeforeHookCreation"},
        ),
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": 7200,
            "template": {"metadata": {"labels": labels}, "spec": spec},
        },
    }


def upgrade_documents(env: EffectiveEnvironment) -> list[Manifest]:
    account: Manifest = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(
            env,
            "odoo-upgrade",
            object_labels(env, name="odoo-upgrade"),
            # A hook too: it must exist before the Job on the very first sync.
            {HOOK: "PreSync", HOOK_DELETE: "BeforeHookCreation"},
        ),
        "automountServiceAccountToken": False,
    }
    return [account, upgrade_job(env)]
