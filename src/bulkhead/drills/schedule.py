"""Kubernetes manifests that run drills on a schedule (`bulkhead drill schedule`).

Drills run in one platform namespace (`bulkhead-drills` by default), not in the tenants'
namespaces: the drill needs the platform-wide drill key, the scratch server and the store, which
no tenant should read. The output, one YAML stream:

- the Namespace (Pod Security `restricted`), a ResourceQuota and a LimitRange;
- ServiceAccount `bulkhead-drill` without an API token (a drill never calls the API server);
- NetworkPolicies: default deny, then egress to DNS and to PostgreSQL (5432) in tenant
  namespaces (`bulkhead.io/tenant` label) and namespaces labelled
  `bulkhead.io/drill-target: "true"` (scratch server, store); no ingress at all;
- ExternalSecret `bulkhead-drill` from the platform's secret store, remote key
  `--secret-key` (default `bulkhead/drills`), properties `drill_key`, `scratch_url`,
  `database_url`, `ledger_key`; and per tenant environment an ExternalSecret with the
  source URL (`<key_template>` of the platform, property `drill_source_url`);
- ConfigMap `bulkhead-drill-objectives`: each tenant's processes as an objectives file;
- per tenant environment a CronJob `drill-<tenant>-<environment>` running `bulkhead drill run`
  as non-root with a read-only root filesystem, no privilege escalation, every capability
  dropped, the runtime seccomp profile, requests and limits, an emptyDir work volume bounded
  by `sizeLimit`, no retries (`backoffLimit: 0`: a failed drill is a result, not a glitch) and
  `concurrencyPolicy: Forbid`.

Schedules are staggered: without `--schedule`, each tenant environment gets a weekly slot
(Sunday, 01:00-04:59 UTC) derived from its name, so drills do not all hit the scratch server at
once. Every secret comes from the secret store; the manifests carry none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import yaml

from bulkhead.drills.errors import DrillError
from bulkhead.platform.model import (
    EnvironmentName,
    Platform,
    check_cron,
    format_duration,
    parse_image,
    registry_approved,
)

DEFAULT_NAMESPACE = "bulkhead-drills"
DEFAULT_REMOTE_KEY = "bulkhead/drills"
APP = "bulkhead-drill"
OBJECTIVES_MOUNT = "/etc/bulkhead/objectives"
USER_ID = 65532


def default_schedule(tenant: str, environment: str) -> str:
    digest = hashlib.sha256(f"{tenant}/{environment}".encode()).digest()
    return f"{digest[0] % 60} {1 + digest[1] % 4} * * 0"


def _labels(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": APP,
        "app.kubernetes.io/part-of": "bulkhead",
        "app.kubernetes.io/managed-by": "bulkhead",
        **(extra or {}),
    }


def _objectives_yaml(platform: Platform, tenant: str) -> str:
    processes = [
        {
            "name": p.name,
            "priority": p.priority.value,
            "rto": format_duration(p.rto),
            "rpo": format_duration(p.rpo),
            "workarounds": list(p.manual_workarounds),
        }
        for p in platform.tenant(tenant).processes
    ]
    return yaml.safe_dump({"processes": processes}, sort_keys=False)


def render_schedule(
    platform: Platform,
    *,
    image: str,
    tenants: Sequence[str] = (),
    environments: Sequence[str] = ("prod",),
    schedule: str | None = None,
    namespace: str = DEFAULT_NAMESPACE,
    remote_key: str = DEFAULT_REMOTE_KEY,
    work_size: str = "20Gi",
    jobs: int = 2,
    deadline_seconds: int = 4 * 3600,
) -> str:
    """The manifests as one YAML stream. DrillError for an unknown tenant or a bad image."""
    try:
        parse_image(image)
    except ValueError as error:
        raise DrillError(f"--image {error}") from None
    if not registry_approved(image, platform.platform.registries):
        raise DrillError(
            f"--image {image} is not in an approved registry of the platform "
            f"({', '.join(platform.platform.registries)})"
        )
    if schedule is not None:
        try:
            schedule = check_cron(schedule)
        except ValueError as error:
            raise DrillError(f"--schedule: {error}") from None
    known = {t.name for t in platform.tenants}
    for name in tenants:
        if name not in known:
            raise DrillError(f"tenant {name!r} is not in the platform definition")
    chosen = [t for t in platform.tenants if not tenants or t.name in tenants]
    wanted = {EnvironmentName(e) for e in environments} if environments else set()
    pairs = [
        (tenant.name, env.value)
        for tenant in chosen
        for env in (EnvironmentName.DEV, EnvironmentName.STAGING, EnvironmentName.PROD)
        if env in tenant.environments and (not wanted or env in wanted)
    ]
    if not pairs:
        raise DrillError("no tenant environment to schedule drills for")
    store = platform.platform.secret_store
    store_ref = {"kind": store.kind.value, "name": store.name}
    refresh = format_duration(store.refresh_interval)
    documents: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": namespace,
                "labels": {
                    **_labels(),
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": APP, "namespace": namespace, "labels": _labels()},
            "spec": {
                "hard": {
                    "requests.cpu": "8",
                    "requests.memory": "16Gi",
                    "limits.memory": "32Gi",
                    "persistentvolumeclaims": "0",
                }
            },
        },
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": {"name": APP, "namespace": namespace, "labels": _labels()},
            "spec": {
                "limits": [
                    {
                        "type": "Container",
                        "defaultRequest": {"cpu": "250m", "memory": "256Mi"},
                        "default": {"memory": "1Gi"},
                    }
                ]
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": APP, "namespace": namespace, "labels": _labels()},
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": namespace, "labels": _labels()},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": f"{APP}-egress", "namespace": namespace, "labels": _labels()},
            "spec": {
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": APP}},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                                },
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    },
                    {
                        "to": [
                            {
                                "namespaceSelector": {
                                    "matchExpressions": [
                                        {"key": "bulkhead.io/tenant", "operator": "Exists"}
                                    ]
                                }
                            },
                            {
                                "namespaceSelector": {
                                    "matchLabels": {"bulkhead.io/drill-target": "true"}
                                }
                            },
                        ],
                        "ports": [{"protocol": "TCP", "port": 5432}],
                    },
                ],
            },
        },
        {
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": {"name": APP, "namespace": namespace, "labels": _labels()},
            "spec": {
                "refreshInterval": refresh,
                "secretStoreRef": store_ref,
                "target": {"name": APP, "creationPolicy": "Owner"},
                "data": [
                    {"secretKey": env_name, "remoteRef": {"key": remote_key, "property": prop}}
                    for env_name, prop in (
                        ("BULKHEAD_DRILL_KEY", "drill_key"),
                        ("BULKHEAD_DRILL_SCRATCH_URL", "scratch_url"),
                        ("BULKHEAD_DATABASE_URL", "database_url"),
                        ("BULKHEAD_LEDGER_KEY", "ledger_key"),
                    )
                ],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": f"{APP}-objectives",
                "namespace": namespace,
                "labels": _labels(),
            },
            "data": {
                f"{tenant.name}.yaml": _objectives_yaml(platform, tenant.name) for tenant in chosen
            },
        },
    ]
    for tenant, env in pairs:
        name = f"drill-{tenant}-{env}"
        labels = _labels({"bulkhead.io/drill-tenant": tenant, "bulkhead.io/drill-environment": env})
        tier = platform.tenant(tenant).tier
        remote = store.key_template.format(tenant=tenant, environment=env, tier=tier)
        documents.append(
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ExternalSecret",
                "metadata": {"name": name, "namespace": namespace, "labels": labels},
                "spec": {
                    "refreshInterval": refresh,
                    "secretStoreRef": store_ref,
                    "target": {"name": name, "creationPolicy": "Owner"},
                    "data": [
                        {
                            "secretKey": "BULKHEAD_DRILL_SOURCE_URL",
                            "remoteRef": {"key": remote, "property": "drill_source_url"},
                        }
                    ],
                },
            }
        )
        documents.append(
            _cronjob(
                name,
                namespace,
                labels,
                image,
                tenant,
                env,
                schedule or default_schedule(tenant, env),
                work_size,
                jobs,
                deadline_seconds,
            )
        )
    return yaml.safe_dump_all(documents, sort_keys=False, explicit_start=True)


def _secret_env(variable: str, secret: str, optional: bool = False) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": secret, "key": variable}
    if optional:
        ref["optional"] = True
    return {"name": variable, "valueFrom": {"secretKeyRef": ref}}


def _cronjob(
    name: str,
    namespace: str,
    labels: dict[str, str],
    image: str,
    tenant: str,
    environment: str,
    schedule: str,
    work_size: str,
    jobs: int,
    deadline_seconds: int,
) -> dict[str, Any]:
    container = {
        "name": "drill",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "args": [
            "drill",
            "run",
            "--tenant",
            tenant,
            "--environment",
            environment,
            "--objectives",
            f"{OBJECTIVES_MOUNT}/{tenant}.yaml",
            "--work-dir",
            "/work",
            "--jobs",
            str(jobs),
            "--format",
            "json",
        ],
        "env": [
            _secret_env("BULKHEAD_DRILL_SOURCE_URL", name),
            _secret_env("BULKHEAD_DRILL_SCRATCH_URL", APP),
            _secret_env("BULKHEAD_DRILL_KEY", APP),
            _secret_env("BULKHEAD_DATABASE_URL", APP),
            _secret_env("BULKHEAD_LEDGER_KEY", APP, optional=True),
            {"name": "BULKHEAD_ACTOR", "value": f"cronjob/{namespace}/{name}"},
            # Paths inside the container (an emptyDir), not temporary files of this process.
            {"name": "HOME", "value": "/tmp"},  # noqa: S108
        ],
        "resources": {
            "requests": {"cpu": "500m", "memory": "512Mi", "ephemeral-storage": "1Gi"},
            "limits": {"cpu": "2", "memory": "2Gi", "ephemeral-storage": work_size},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": USER_ID,
            "runAsGroup": USER_ID,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "volumeMounts": [
            {"name": "work", "mountPath": "/work"},
            {"name": "tmp", "mountPath": "/tmp"},  # noqa: S108
            {"name": "objectives", "mountPath": OBJECTIVES_MOUNT, "readOnly": True},
        ],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "schedule": schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 5,
            "jobTemplate": {
                "metadata": {"labels": labels},
                "spec": {
                    "backoffLimit": 0,
                    "activeDeadlineSeconds": deadline_seconds,
                    "ttlSecondsAfterFinished": 7 * 86_400,
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "serviceAccountName": APP,
                            "automountServiceAccountToken": False,
                            "restartPolicy": "Never",
                            "securityContext": {
                                "runAsNonRoot": True,
                                "runAsUser": USER_ID,
                                "runAsGroup": USER_ID,
                                "fsGroup": USER_ID,
                                "seccompProfile": {"type": "RuntimeDefault"},
                            },
                            "containers": [container],
                            "volumes": [
                                {"name": "work", "emptyDir": {"sizeLimit": work_size}},
                                {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
                                {
                                    "name": "objectives",
                                    "configMap": {
                                        "name": f"{APP}-objectives",
                                        "defaultMode": 0o444,
                                    },
                                },
                            ],
                        },
                    },
                },
            },
        },
    }
