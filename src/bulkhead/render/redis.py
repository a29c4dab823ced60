"""redis.yaml: the environment's own Redis, Odoo's HTTP session store.

The whole configuration is fed to `redis-server -` on stdin from a here-document in the pod
spec, so a reader (and bulkhead's Redis controls) sees every directive, and the password, which
the shell expands from the `redis-auth` Secret at start, is in neither a file in Git nor argv:

- the `default` user (the one session_redis authenticates as, with a password only) gets that
  password, only the `session:*` keys, and every command except the `@dangerous` and `@admin`
  categories (FLUSHALL, FLUSHDB, KEYS, CONFIG, DEBUG, MODULE, ACL, SHUTDOWN, ...);
- protected mode stays on, DEBUG and MODULE stay off, CONFIG SET of protected options too;
- sessions must survive a restart: append-only file (fsync every second) on a volume, no RDB
  snapshots; sessions carry TTLs, so memory pressure evicts the ones closest to expiry;
- a ClusterIP Service only; the NetworkPolicy admits the environment's Odoo pods only.
"""

from __future__ import annotations

from bulkhead.platform.model import EffectiveEnvironment
from bulkhead.render.common import (
    REDIS_PORT,
    REDIS_UID,
    Manifest,
    container_security,
    metadata,
    object_labels,
    placement,
    pod_labels,
    pod_security,
    selector,
)
from bulkhead.render.secrets import REDIS_SECRET
from bulkhead.render.sizing import redis_maxmemory, redis_resources, redis_storage

IGNORE = "bulkhead.io/ignore"
SINGLE_REPLICA_REASON = (
    "WL021: one Redis per environment holds only the HTTP sessions, on an append-only file "
    "that survives restarts. A second replica without Sentinel would be an independent "
    "primary, not a standby: high availability needs Sentinel (docs/render.md, Redis)"
)

SERVER_SCRIPT = """\
exec redis-server - <<EOF
bind * -::*
protected-mode yes
port {port}
dir /data
appendonly yes
appendfsync everysec
save ""
maxmemory {maxmemory}
maxmemory-policy volatile-lru
enable-protected-configs no
enable-debug-command no
enable-module-command no
user default on >${{REDIS_PASSWORD}} ~session:* resetchannels +@all -@dangerous -@admin
EOF
"""
PROBE = 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 ping | grep -q PONG'


def statefulset(env: EffectiveEnvironment, image: str) -> Manifest:
    labels = selector(env, "redis")
    container: Manifest = {
        "name": "redis",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/bin/sh", "-c"],
        "args": [SERVER_SCRIPT.format(port=REDIS_PORT, maxmemory=redis_maxmemory(env))],
        "env": [
            {
                "name": "REDIS_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": REDIS_SECRET, "key": "password"}},
            }
        ],
        "ports": [{"name": "redis", "containerPort": REDIS_PORT, "protocol": "TCP"}],
        "securityContext": container_security(),
        "resources": redis_resources(env),
        "livenessProbe": {
            "tcpSocket": {"port": "redis"},
            "initialDelaySeconds": 10,
            "periodSeconds": 20,
        },
        "readinessProbe": {
            "exec": {"command": ["/bin/sh", "-c", PROBE]},
            "periodSeconds": 10,
            "timeoutSeconds": 3,
        },
        "volumeMounts": [
            {"name": "data", "mountPath": "/data"},
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108 (an emptyDir of the pod)
        ],
    }
    spec: Manifest = {
        "serviceAccountName": "redis",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": pod_security(REDIS_UID),
    }
    placement(env, spec)
    spec["containers"] = [container]
    spec["volumes"] = [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
    claim: Manifest = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": redis_storage(env)}},
    }
    if env.storage_class:
        claim["storageClassName"] = env.storage_class
    annotations = {IGNORE: SINGLE_REPLICA_REASON} if env.production else None
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": metadata(
            env, "redis", object_labels(env, name="redis", instance=env.name), annotations
        ),
        "spec": {
            "serviceName": "redis",
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": pod_labels(env, "redis")}, "spec": spec},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": claim}],
        },
    }


def service(env: EffectiveEnvironment) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(env, "redis", object_labels(env, name="redis", instance=env.name)),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(env, "redis"),
            "ports": [
                {"name": "redis", "port": REDIS_PORT, "targetPort": "redis", "protocol": "TCP"}
            ],
        },
    }


def documents(env: EffectiveEnvironment, image: str) -> list[Manifest]:
    return [statefulset(env, image), service(env)]
