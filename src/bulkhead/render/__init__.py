"""Manifests from the platform model: `render(platform) -> {relative path: file text}`.

Pure and deterministic: the same platform and options give byte-identical files, in a stable
order with stable names. Writing them, `--check` and removing stale files are the CLI's work
(bulkhead.cli.render). docs/render.md describes every file and each security choice.

Layout (`<path>` is `platform.gitops.path_template`, by default `tenants/<tenant>/<env>`):

    <path>/namespace.yaml    Namespace (Pod Security restricted), ResourceQuota, LimitRange,
                             ServiceAccounts
    <path>/secrets.yaml      ExternalSecrets: database role, Redis, backup storage
    <path>/odoo.yaml         odoo.conf ConfigMap, filestore, web and cron Deployments, Service,
                             PodDisruptionBudgets (production)
    <path>/upgrade.yaml      the upgrade Job (Argo CD PreSync hook) and its ServiceAccount
    <path>/postgres.yaml     CloudNativePG Cluster, ObjectStore, ScheduledBackup, Pooler
    <path>/redis.yaml        Redis StatefulSet and Service
    <path>/network.yaml      NetworkPolicies
    <path>/ingress.yaml      Certificate, TLSOption, Middlewares, IngressRoutes
    <path>/scheduling.yaml   off-hours scale-down (only with `off_hours`)
    argocd/<tenant>-project.yaml              the tenant's AppProject
    argocd/<application>-application.yaml     one Application per environment
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager

from bulkhead.platform.model import EffectiveEnvironment, Platform, effective_environments
from bulkhead.render import (
    gitops,
    ingress,
    namespace,
    network,
    odoo,
    postgres,
    redis,
    scheduling,
    secrets,
)
from bulkhead.render.common import (
    HEADER_PREFIX,
    HEADER_SUFFIX,
    Manifest,
    RenderOptions,
    header,
    is_rendered,
)
from bulkhead.render.emit import documents

__all__ = [
    "HEADER_PREFIX",
    "HEADER_SUFFIX",
    "RenderError",
    "RenderOptions",
    "environment_files",
    "header",
    "is_rendered",
    "render",
    "render_objects",
]


class RenderError(ValueError):
    """The platform asks for something the renderer cannot write safely."""


_SAFE_PATH = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")


def _directory(env: EffectiveEnvironment) -> str:
    """The environment's directory (gitops path), checked to stay inside the output."""
    path = env.gitops.path.strip("/")
    parts = path.split("/")
    if not _SAFE_PATH.fullmatch(path) or any(part in (".", "..") for part in parts):
        raise RenderError(
            f"{env.name}: GitOps path {env.gitops.path!r} (platform.gitops.path_template) must "
            "be a relative path of letters, digits, '.', '_' and '-' without '.' or '..' parts"
        )
    if parts[0] == "argocd":
        raise RenderError(
            f"{env.name}: GitOps path {path!r} must not be under argocd/, where bulkhead writes "
            "the Argo CD objects"
        )
    return path


def environment_files(
    platform: Platform, env: EffectiveEnvironment, options: RenderOptions
) -> dict[str, list[Manifest]]:
    """The objects of one environment by file name (inside the environment's directory)."""
    provider = platform.platform.object_storage.provider.value
    files = {
        "namespace.yaml": namespace.documents(env),
        "secrets.yaml": secrets.documents(env, provider),
        "odoo.yaml": odoo.documents(env),
        "upgrade.yaml": odoo.upgrade_documents(env),
        "postgres.yaml": postgres.documents(env, provider),
        "redis.yaml": redis.documents(env, options.redis_image_for(platform)),
        "network.yaml": network.documents(env, options),
        "ingress.yaml": ingress.documents(env, options),
    }
    if env.off_hours is not None:
        files["scheduling.yaml"] = scheduling.documents(env)
    return files


def _files(platform: Platform, options: RenderOptions) -> Iterator[tuple[str, list[Manifest]]]:
    """(relative path, objects) of every file, tenant by tenant (one tenant in memory)."""
    by_tenant: dict[str, list[EffectiveEnvironment]] = {}
    for env in effective_environments(platform):
        by_tenant.setdefault(env.tenant, []).append(env)
    for tenant, envs in by_tenant.items():
        for env in envs:
            base = _directory(env)
            for name, objects in environment_files(platform, env, options).items():
                yield f"{base}/{name}", objects
        yield f"argocd/{tenant}-project.yaml", [gitops.project(envs)]
        for env in envs:
            yield f"argocd/{env.gitops.application}-application.yaml", [gitops.application(env)]


def render_objects(
    platform: Platform, options: RenderOptions | None = None
) -> dict[str, list[Manifest]]:
    """Every rendered object by relative file path, paths sorted."""
    return dict(sorted(_files(platform, options or RenderOptions())))


def render(platform: Platform, options: RenderOptions | None = None) -> dict[str, str]:
    """Every rendered file: relative path -> YAML text, each starting with bulkhead's header,
    paths sorted."""
    options = options or RenderOptions()
    first_line = header(options.source)
    with _collector_paused():
        files = {
            path: documents(objects, first_line) for path, objects in _files(platform, options)
        }
    return dict(sorted(files.items()))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Rendering allocates hundreds of thousands of small acyclic dicts and lists: the cyclic
    garbage collector would rescan them again and again (half the time at 1,000 tenants) and
    free nothing. Reference counting still frees everything; the previous state is restored."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
