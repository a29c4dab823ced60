"""argocd/: one AppProject per tenant and one Application per environment.

The project confines the tenant: this repository only, its own namespaces only (its Namespace
objects by name, every namespaced kind the renderer writes and nothing else), commits signed by
the platform's keys, and sync windows from the environments' change and maintenance windows,
each window scoped to its environment's Application. Each Application deploys its environment's
directory at the pinned release, with automated sync (prune and self-heal).
"""

from __future__ import annotations

from collections.abc import Sequence

from bulkhead.platform.model import EffectiveEnvironment
from bulkhead.render.common import Manifest, go_duration
from bulkhead.render.namespace import namespace_labels

ARGOCD = "argoproj.io/v1alpha1"
NAMESPACED_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "",
        (
            "ConfigMap",
            "LimitRange",
            "PersistentVolumeClaim",
            "ResourceQuota",
            "Service",
            "ServiceAccount",
        ),
    ),
    ("apps", ("Deployment", "StatefulSet")),
    ("batch", ("CronJob", "Job")),
    ("policy", ("PodDisruptionBudget",)),
    ("networking.k8s.io", ("NetworkPolicy",)),
    ("rbac.authorization.k8s.io", ("Role", "RoleBinding")),
    ("external-secrets.io", ("ExternalSecret",)),
    ("cert-manager.io", ("Certificate",)),
    ("traefik.io", ("IngressRoute", "Middleware", "TLSOption")),
    ("postgresql.cnpg.io", ("Cluster", "Pooler", "ScheduledBackup")),
    ("barmancloud.cnpg.io", ("ObjectStore",)),
)


def _labels(env: EffectiveEnvironment, environment: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/managed-by": "bulkhead",
        "bulkhead.io/tenant": env.tenant,
        "bulkhead.io/environment": environment,
        "bulkhead.io/tier": env.tier,
        "bulkhead.io/tenancy": env.tenancy.value,
    }


def project(envs: Sequence[EffectiveEnvironment]) -> Manifest:
    """The tenant's AppProject; `envs` are its environments in dev, staging, prod order."""
    first, last = envs[0], envs[-1]
    gitops = first.gitops
    destinations = [{"server": e.cluster_server, "namespace": e.namespace} for e in envs]
    windows: list[Manifest] = []
    for env in envs:
        for window in env.sync_windows:
            item: Manifest = {
                "kind": window.kind.value,
                "schedule": window.schedule,
                "duration": go_duration(window.duration),
                "applications": [env.gitops.application],
                "manualSync": window.manual_sync,
            }
            if window.time_zone:
                item["timeZone"] = window.time_zone
            windows.append(item)
    spec: Manifest = {
        "description": f"Tenant {first.tenant} ({first.tenancy.value}, tier {first.tier})",
        "sourceRepos": [gitops.repository],
        "destinations": destinations,
        "clusterResourceWhitelist": [
            {"group": "", "kind": "Namespace", "name": e.namespace} for e in envs
        ],
        "namespaceResourceWhitelist": [
            {"group": group, "kind": kind} for group, kinds in NAMESPACED_KINDS for kind in kinds
        ],
        "orphanedResources": {"warn": True},
        "sourceIntegrity": {
            "git": {
                "policies": [
                    {
                        "repos": [{"url": gitops.repository}],
                        "gpg": {"mode": "strict", "keys": list(gitops.signing_keys)},
                    }
                ]
            }
        },
    }
    if windows:
        spec["syncWindows"] = windows
    return {
        "apiVersion": ARGOCD,
        "kind": "AppProject",
        "metadata": {
            "name": gitops.project,
            "namespace": gitops.argocd_namespace,
            # The project covers every environment: it is as critical as the most critical one.
            "labels": _labels(first, last.environment.value),
        },
        "spec": spec,
    }


def application(env: EffectiveEnvironment) -> Manifest:
    gitops = env.gitops
    options = ["CreateNamespace=true", "PruneLast=true", "FailOnSharedResource=true"]
    spec: Manifest = {
        "project": gitops.project,
        "source": {
            "repoURL": gitops.repository,
            "targetRevision": gitops.revision,
            "path": gitops.path,
        },
        "destination": {"server": gitops.destination_server, "namespace": env.namespace},
        "syncPolicy": {
            "automated": {"prune": True, "selfHeal": True},
            # Argo CD creates the namespace with its labels (Pod Security restricted) before the
            # PreSync upgrade Job runs on the first sync.
            "managedNamespaceMetadata": {"labels": namespace_labels(env)},
            "syncOptions": options,
            "retry": {
                "limit": 5,
                "backoff": {"duration": "30s", "factor": 2, "maxDuration": "10m"},
            },
        },
        "revisionHistoryLimit": 10,
    }
    if env.off_hours is not None:
        # The off-hours scaler owns the replica counts while the environment is parked.
        options.append("RespectIgnoreDifferences=true")
        spec["ignoreDifferences"] = [
            {
                "group": "apps",
                "kind": "Deployment",
                "name": name,
                "namespace": env.namespace,
                "jsonPointers": ["/spec/replicas"],
            }
            for name in ("odoo-web", "odoo-cron")
        ]
    return {
        "apiVersion": ARGOCD,
        "kind": "Application",
        "metadata": {
            "name": gitops.application,
            "namespace": gitops.argocd_namespace,
            "labels": _labels(env, env.environment.value),
        },
        "spec": spec,
    }
