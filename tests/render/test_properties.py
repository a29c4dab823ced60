"""Properties over random valid platforms: scan-clean, deterministic, and tenants kept apart."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from bulkhead.platform.model import Platform, effective_environments
from bulkhead.render import render, render_objects
from tests.platform.strategies import platforms
from tests.render import crd_fields, k8s_schemas
from tests.render.helpers import scan_render, unexpected

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PLATFORM_NAMESPACES = {"traefik", "kube-system", "cnpg-system"}


@SETTINGS
@given(platforms())
def test_rendered_platforms_scan_clean(platform: Platform) -> None:
    files = render(platform)
    with tempfile.TemporaryDirectory() as directory:
        report = scan_render(Path(directory), platform, files)
    problems = unexpected(report)
    assert not problems, "\n".join(problems)


@SETTINGS
@given(platforms())
def test_rendering_is_deterministic_and_valid(platform: Platform) -> None:
    first = render_objects(platform)
    assert render_objects(platform) == first
    assert render(platform) == render(platform)
    for path, items in first.items():
        for obj in items:
            key = (obj["apiVersion"], obj["kind"])
            if k8s_schemas.supported(*key):
                assert not k8s_schemas.errors(obj), (path, obj["metadata"]["name"])
            else:
                assert not crd_fields.unknown_fields(obj), (path, obj["metadata"]["name"])


def _env_var(container: dict[str, Any], name: str) -> str | None:
    for variable in container.get("env", []):
        if variable["name"] == name:
            value = variable.get("value")
            return value if isinstance(value, str) else None
    return None


@SETTINGS
@given(platforms())
def test_tenants_share_no_namespace_database_or_redis(platform: Platform) -> None:
    envs = effective_environments(platform)
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    clusters: dict[tuple[str, str], set[str]] = defaultdict(set)
    databases: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    redis: dict[str, set[str]] = defaultdict(set)
    stores: dict[str, set[str]] = defaultdict(set)
    for items in render_objects(platform).values():
        for obj in items:
            meta, spec = obj["metadata"], obj.get("spec", {})
            tenant = meta.get("labels", {}).get("bulkhead.io/tenant", "")
            namespace = meta.get("namespace") or meta["name"]
            if obj["kind"] == "Namespace":
                owners[meta["name"]].add((tenant, meta["labels"]["bulkhead.io/environment"]))
            elif obj["kind"] == "Cluster":
                clusters[(namespace, meta["name"])].add(tenant)
                database = spec["bootstrap"]["initdb"]["database"]
                databases[(namespace, meta["name"], database)].add(tenant)
            elif obj["kind"] == "StatefulSet" and meta["name"] == "redis":
                redis[namespace].add(tenant)
            elif obj["kind"] == "ObjectStore":
                stores[spec["configuration"]["destinationPath"]].add(tenant)
            elif obj["kind"] == "Deployment":
                container = spec["template"]["spec"]["containers"][0]
                assert _env_var(container, "ODOO_SESSION_REDIS_HOST") == f"redis.{namespace}.svc"
            elif obj["kind"] == "NetworkPolicy":
                for rule in [*spec.get("ingress", []), *spec.get("egress", [])]:
                    for peer in [*rule.get("from", []), *rule.get("to", [])]:
                        selector = peer.get("namespaceSelector")
                        if selector is not None:
                            name = selector["matchLabels"]["kubernetes.io/metadata.name"]
                            assert name in PLATFORM_NAMESPACES | {
                                platform.platform.ingress.namespace
                            }
            elif obj["kind"] == "ConfigMap" and meta["name"] == "odoo-config":
                assert f".{namespace}.svc\n" in obj["data"]["odoo.conf"]
    expected = {e.namespace: {(e.tenant, e.environment.value)} for e in envs}
    assert dict(owners) == expected
    for table in (clusters, databases, stores):
        assert all(len(tenants) == 1 for tenants in table.values())
        assert len(table) == len(envs)
    assert dict(redis) == {e.namespace: {e.tenant} for e in envs}
