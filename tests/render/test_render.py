"""Rendering the example platform: what comes out, and that it is what the issue asks for."""

from __future__ import annotations

import configparser
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bulkhead.platform import load_platform
from bulkhead.platform.model import (
    Platform,
    Tenancy,
    effective_environments,
    longest_gap,
    memory_bytes,
)
from bulkhead.render import RenderError, RenderOptions, is_rendered, render, render_objects
from bulkhead.render.sizing import pieces
from tests.platform.strategies import minimal_platform_data
from tests.render import crd_fields, k8s_schemas
from tests.render.helpers import EXAMPLE, objects, scan_render, unexpected

ENV_FILES = {
    "namespace.yaml",
    "secrets.yaml",
    "odoo.yaml",
    "upgrade.yaml",
    "postgres.yaml",
    "redis.yaml",
    "network.yaml",
    "ingress.yaml",
}


@pytest.fixture(scope="module")
def example() -> Platform:
    return load_platform(EXAMPLE)


@pytest.fixture(scope="module")
def files(example: Platform) -> dict[str, str]:
    return render(example)


def _by_kind(files: dict[str, str], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(path, obj) for path, obj in objects(files) if obj["kind"] == kind]


def _one(files: dict[str, str], path: str, kind: str, name: str | None = None) -> dict[str, Any]:
    found = [
        obj
        for p, obj in objects({path: files[path]})
        if obj["kind"] == kind and (name is None or obj["metadata"]["name"] == name)
    ]
    assert len(found) == 1, (path, kind, name, len(found))
    return found[0]


def _pod_specs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    kind = obj["kind"]
    if kind in ("Deployment", "StatefulSet", "Job"):
        return [obj["spec"]["template"]["spec"]]
    if kind == "CronJob":
        return [obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    return []


# --- the invariant -------------------------------------------------------------------------


def test_example_scans_clean(tmp_path: Path, example: Platform, files: dict[str, str]) -> None:
    report = scan_render(tmp_path, example, files)
    problems = unexpected(report)
    assert not problems, "\n".join(problems)
    assert report.worst() is None
    # The one reviewed exception, once per production Redis, and nowhere else.
    suppressed = sorted(f.resource.namespace or "" for f in report.findings if f.resource)
    prod = sorted(e.namespace for e in effective_environments(example) if e.production)
    assert suppressed == prod


def test_rendering_is_deterministic(example: Platform, files: dict[str, str]) -> None:
    again = render(load_platform(EXAMPLE))
    assert again == files
    assert list(again) == sorted(again)


def test_files_read_back_as_the_rendered_objects(example: Platform, files: dict[str, str]) -> None:
    rendered = render_objects(example)
    assert set(rendered) == set(files)
    for path, text in files.items():
        assert [obj for p, obj in objects({path: text})] == rendered[path], path


def test_layout(example: Platform, files: dict[str, str]) -> None:
    envs = effective_environments(example)
    expected: set[str] = set()
    for env in envs:
        names = ENV_FILES | ({"scheduling.yaml"} if env.off_hours is not None else set())
        expected |= {f"tenants/{env.tenant}/{env.environment.value}/{n}" for n in names}
        expected.add(f"argocd/{env.tenant}-{env.environment.value}-application.yaml")
    expected |= {f"argocd/{t.name}-project.yaml" for t in example.tenants}
    assert set(files) == expected
    for text in files.values():
        assert text.startswith("# Rendered by bulkhead from bulkhead.yaml; do not edit.\n---\n")
        assert is_rendered(text)
    assert (
        RenderOptions(source="other.yaml").source
        in render(example, RenderOptions(source="other.yaml"))["argocd/nordfreight-project.yaml"]
    )


def test_names_are_stable_and_scoped(files: dict[str, str]) -> None:
    for path, obj in objects(files):
        meta = obj["metadata"]
        assert len(meta["name"]) <= 63, meta["name"]
        if path.startswith("tenants/"):
            _, tenant, env, _ = path.split("/")
            if obj["kind"] != "Namespace":
                assert meta["namespace"] == f"{tenant}-{env}"
            assert meta["labels"]["bulkhead.io/tenant"] == tenant
            assert meta["labels"]["bulkhead.io/environment"] == env


# --- schemas -------------------------------------------------------------------------------


def test_every_kind_is_validated(files: dict[str, str]) -> None:
    kinds = {(obj["apiVersion"], obj["kind"]) for _, obj in objects(files)}
    unchecked = {k for k in kinds if not k8s_schemas.supported(*k) and not crd_fields.supported(*k)}
    assert not unchecked


def test_core_kinds_validate_against_kubernetes_schemas(files: dict[str, str]) -> None:
    problems = [
        f"{path} {obj['kind']}/{obj['metadata']['name']}: {error}"
        for path, obj in objects(files)
        if k8s_schemas.supported(obj["apiVersion"], obj["kind"])
        for error in k8s_schemas.errors(obj)
    ]
    assert not problems, "\n".join(problems)


def test_custom_resources_use_documented_fields(files: dict[str, str]) -> None:
    problems = [
        f"{path} {obj['kind']}/{obj['metadata']['name']}: {error}"
        for path, obj in objects(files)
        if crd_fields.supported(obj["apiVersion"], obj["kind"])
        for error in crd_fields.unknown_fields(obj)
    ]
    assert not problems, "\n".join(problems)


def test_the_schema_checks_catch_mistakes() -> None:
    typo = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {
            "selector": {},
            "template": {"spec": {"containers": [{"name": "a", "imag": "x"}]}},
        },
    }
    assert any("imag" in e for e in k8s_schemas.errors(typo))
    legacy = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": "x"},
        "spec": {"instances": 2, "backup": {"barmanObjectStore": {}}},
    }
    assert crd_fields.unknown_fields(legacy) == ["spec.backup: not a documented field"]


# --- what each part says ---------------------------------------------------------------------


def test_no_secret_values(files: dict[str, str]) -> None:
    assert not _by_kind(files, "Secret")
    for _, obj in objects(files):
        for spec in _pod_specs(obj):
            for container in spec["containers"]:
                for variable in container.get("env", []):
                    if re.search("PASSW|SECRET|TOKEN", variable["name"]):
                        assert "value" not in variable and "valueFrom" in variable
    for text in files.values():
        assert not re.search(r"(?im)^\s*(db_password|requirepass|masterauth)\b", text)


def test_external_secrets_cover_every_secret_reference(files: dict[str, str]) -> None:
    by_namespace: dict[str, set[str]] = {}
    for _, obj in _by_kind(files, "ExternalSecret"):
        meta = obj["metadata"]
        by_namespace.setdefault(meta["namespace"], set()).add(obj["spec"]["target"]["name"])
        assert obj["spec"]["secretStoreRef"] == {
            "kind": "ClusterSecretStore",
            "name": "vault-platform",
        }
    for _, obj in objects(files):
        namespace = obj["metadata"].get("namespace")
        for spec in _pod_specs(obj):
            for container in spec["containers"]:
                for variable in container.get("env", []):
                    ref = variable.get("valueFrom", {}).get("secretKeyRef")
                    if ref:
                        assert ref["name"] in by_namespace[namespace]
    for _, obj in _by_kind(files, "Cluster"):
        secret = obj["spec"]["bootstrap"]["initdb"]["secret"]["name"]
        assert secret in by_namespace[obj["metadata"]["namespace"]]


def test_namespace_pod_security_quota_and_limits(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        base = f"tenants/{env.tenant}/{env.environment.value}/namespace.yaml"
        namespace = _one(files, base, "Namespace")
        labels = namespace["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
        assert labels["bulkhead.io/tenant"] == env.tenant
        assert labels["bulkhead.io/environment"] == env.environment.value
        quota = _one(files, base, "ResourceQuota")["spec"]["hard"]
        assert quota["services.loadbalancers"] == "0"
        assert quota["services.nodeports"] == "0"
        parts = pieces(env, scaler=env.off_hours is not None)
        memory = sum(p.count * p.memory for p in parts)
        factor = 1.5 if env.tenancy is Tenancy.DEDICATED else 1.0
        assert memory_bytes(quota["requests.memory"]) == pytest.approx(memory * factor, rel=0.01)
        assert _one(files, base, "LimitRange")["spec"]["limits"]
        for account in _by_kind({base: files[base]}, "ServiceAccount"):
            assert account[1]["automountServiceAccountToken"] is False


def test_odoo_conf(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/odoo.yaml"
        text = _one(files, path, "ConfigMap", "odoo-config")["data"]["odoo.conf"]
        parser = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=None)
        parser.read_string(text)
        options = parser["options"]
        assert options["proxy_mode"] == "True"
        assert options["list_db"] == "False"
        assert options["dbfilter"] == f"^{env.postgres.database}$"
        assert options["db_name"] == env.postgres.database
        assert options["admin_passwd"] == ""
        assert options["db_sslmode"] == "require"
        assert options["workers"] == str(env.workers)
        assert options["db_host"].startswith(f"{env.postgres.cluster_name}-pooler.")
        soft, hard = int(options["limit_memory_soft"]), int(options["limit_memory_hard"])
        assert 0 < soft < hard
        assert "db_password" not in options


def test_odoo_workloads(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/odoo.yaml"
        web = _one(files, path, "Deployment", "odoo-web")
        assert web["spec"]["replicas"] == env.replicas
        spec = web["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsUser"] == 101
        container = spec["containers"][0]
        assert container["image"] == env.image
        assert "@sha256:" in container["image"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert {m["mountPath"] for m in container["volumeMounts"]} == {
            "/etc/odoo",
            "/var/lib/odoo",
            "/tmp",
        }
        assert container["resources"]["requests"]["cpu"] == env.resources.requests.cpu
        assert {"startupProbe", "livenessProbe", "readinessProbe"} <= set(container)
        keys = {c["topologyKey"] for c in spec["topologySpreadConstraints"]}
        assert keys == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}
        assert "podAntiAffinity" in spec["affinity"]
        service = _one(files, path, "Service", "odoo")
        ports = {p["name"]: p for p in service["spec"]["ports"]}
        assert ports["http"]["port"] == 8069
        assert ports["websocket"]["port"] == 8072
        assert ports["websocket"]["targetPort"] == ("websocket" if env.workers else "http")
        budgets = {
            o["metadata"]["name"] for _, o in _by_kind({path: files[path]}, "PodDisruptionBudget")
        }
        assert budgets == ({"odoo-web", "odoo-cron"} if env.production else set())


def test_upgrade_job_is_a_presync_hook(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/upgrade.yaml"
        job = _one(files, path, "Job", "odoo-upgrade")
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
        script = job["spec"]["template"]["spec"]["containers"][0]["args"][0]
        assert "--update=all" in script and "--stop-after-init" in script
        assert f"--database={env.postgres.database}" in script
        if env.addons:
            assert f"--init={','.join(env.addons)}" in script
        account = _one(files, path, "ServiceAccount", "odoo-upgrade")
        assert account["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"


def test_postgres(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/postgres.yaml"
        cluster = _one(files, path, "Cluster")
        spec = cluster["spec"]
        assert cluster["metadata"]["name"] == env.postgres.cluster_name
        assert spec["instances"] == env.postgres.instances
        assert spec["enableSuperuserAccess"] is False
        assert "backup" not in spec
        assert spec["postgresql"]["pg_hba"][0] == "hostnossl all all all reject"
        assert all(r.startswith(("hostssl", "hostnossl")) for r in spec["postgresql"]["pg_hba"])
        assert spec["affinity"]["podAntiAffinityType"] == (
            "required" if env.production else "preferred"
        )
        assert spec["plugins"][0]["isWALArchiver"] is True
        store = _one(files, path, "ObjectStore")
        assert store["spec"]["retentionPolicy"] == env.backup.retention_policy
        assert store["spec"]["configuration"]["destinationPath"] == env.backup.destination_path
        assert spec["plugins"][0]["parameters"]["barmanObjectName"] == store["metadata"]["name"]
        backup = _one(files, path, "ScheduledBackup")["spec"]
        assert backup["method"] == "plugin"
        assert len(backup["schedule"].split()) == 6
        assert backup["schedule"] == f"0 {env.backup.schedule}"
        pooler = _one(files, path, "Pooler")["spec"]
        assert pooler["pgbouncer"]["poolMode"] == "session"


def test_backups_meet_the_strictest_rpo(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        if not env.production or not env.processes:
            continue
        strictest = min(p.rpo for p in env.processes)
        path = f"tenants/{env.tenant}/prod/postgres.yaml"
        backup = _one(files, path, "ScheduledBackup")
        worst = longest_gap(backup["spec"]["schedule"].split(" ", 1)[1])
        cluster = _one(files, path, "Cluster")["spec"]
        if env.backup.wal_archiving:
            timeout = cluster["postgresql"]["parameters"]["archive_timeout"]
            worst = int(timeout.removesuffix("s"))
        assert worst <= strictest, (env.name, worst, strictest)
        assert "bulkhead.io/strictest-rpo" in backup["metadata"]["annotations"]


def test_redis(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/redis.yaml"
        redis = _one(files, path, "StatefulSet", "redis")
        script = redis["spec"]["template"]["spec"]["containers"][0]["args"][0]
        assert "user default on >${REDIS_PASSWORD} ~session:*" in script
        assert "-@dangerous -@admin" in script
        assert "appendonly yes" in script and "protected-mode yes" in script
        service = _one(files, path, "Service", "redis")
        assert service["spec"]["type"] == "ClusterIP"
        ignored = redis["metadata"].get("annotations", {}).get("bulkhead.io/ignore", "")
        assert ignored.startswith("WL021: ") == env.production


def _policies(files: dict[str, str], path: str) -> dict[str, dict[str, Any]]:
    return {
        o["metadata"]["name"]: o["spec"] for _, o in _by_kind({path: files[path]}, "NetworkPolicy")
    }


def test_network_policies(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/network.yaml"
        policies = _policies(files, path)
        assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        traefik = policies["odoo-web-from-traefik"]["ingress"][0]
        assert traefik["from"] == [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}}}
        ]
        assert [p["port"] for p in traefik["ports"]] == [8069, 8072]
        if env.egress:
            rules = policies["odoo-integrations"]["egress"]
            assert len(rules) == len(env.egress)
            for rule, allowed in zip(rules, env.egress, strict=True):
                assert [p["port"] for p in rule["ports"]] == list(allowed.ports)
                if allowed.cidr:
                    assert rule["to"] == [{"ipBlock": {"cidr": allowed.cidr}}]
        else:
            assert "odoo-integrations" not in policies
        for name, spec in policies.items():
            for rule in spec.get("ingress", []):
                for peer in rule["from"]:
                    assert peer.get("namespaceSelector") != {}, name
                    assert peer.get("podSelector") != {}, name


def test_ingress(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/ingress.yaml"
        tls = _one(files, path, "TLSOption")["spec"]
        assert tls["minVersion"] == "VersionTLS12" and tls["sniStrict"] is True
        route = _one(files, path, "IngressRoute", "odoo")["spec"]
        assert route["tls"]["options"] == {"name": "tls-modern"}
        matches = [r["match"] for r in route["routes"]]
        assert any("`/websocket`" in m for m in matches)
        websocket = next(r for r in route["routes"] if "`/websocket`" in r["match"])
        assert websocket["services"][0]["port"] == 8072
        database = next(r for r in route["routes"] if "`/web/database`" in r["match"])
        assert [m["name"] for m in database["middlewares"]] == ["secure-headers", "deny-all"]
        for host in env.ingress.hostnames:
            assert f"Host(`{host}`)" in route["routes"][-1]["match"]
        redirect = _one(files, path, "IngressRoute", "odoo-http")["spec"]
        assert redirect["entryPoints"] == ["web"]
        assert redirect["routes"][0]["middlewares"] == [{"name": "https-redirect"}]
        headers = _one(files, path, "Middleware", "secure-headers")["spec"]["headers"]
        assert headers["stsSeconds"] >= 31_536_000
        certificate = _one(files, path, "Certificate")["spec"]
        assert certificate["dnsNames"] == list(env.ingress.hostnames)
        assert certificate["secretName"] == route["tls"]["secretName"]


def test_placement_and_node_pools(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/odoo.yaml"
        spec = _one(files, path, "Deployment", "odoo-web")["spec"]["template"]["spec"]
        assert spec["nodeSelector"] == {"bulkhead.io/node-pool": env.placement.pool}
        tolerations = spec.get("tolerations", [])
        dedicated = [t for t in tolerations if t["key"] == "bulkhead.io/dedicated"]
        if env.tenancy is Tenancy.DEDICATED:
            assert dedicated == [
                {
                    "key": "bulkhead.io/dedicated",
                    "operator": "Equal",
                    "value": env.tenant,
                    "effect": "NoSchedule",
                }
            ]
        else:
            assert not dedicated
        cluster = _one(files, path.replace("odoo.yaml", "postgres.yaml"), "Cluster")["spec"]
        assert cluster["affinity"]["nodeSelector"] == spec["nodeSelector"]


def test_argocd(example: Platform, files: dict[str, str]) -> None:
    envs = effective_environments(example)
    for tenant in example.tenants:
        project = _one(files, f"argocd/{tenant.name}-project.yaml", "AppProject")["spec"]
        assert "*" not in project["sourceRepos"]
        assert all("*" not in (d["server"], d["namespace"]) for d in project["destinations"])
        mine = [e for e in envs if e.tenant == tenant.name]
        assert {d["namespace"] for d in project["destinations"]} == {e.namespace for e in mine}
        assert project["sourceIntegrity"]["git"]["policies"][0]["gpg"]["mode"] == "strict"
        windows = Counter(w["applications"][0] for w in project.get("syncWindows", []))
        for env in mine:
            assert windows[env.gitops.application] == len(env.sync_windows)
            app = _one(files, f"argocd/{env.gitops.application}-application.yaml", "Application")
            assert app["spec"]["source"]["targetRevision"] == env.release
            assert app["spec"]["source"]["path"] == f"tenants/{env.tenant}/{env.environment.value}"
            assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    hansa = _one(files, "argocd/hansa-wholesale-project.yaml", "AppProject")["spec"]
    prod = [w for w in hansa["syncWindows"] if w["applications"] == ["hansa-wholesale-prod"]]
    assert {(w["kind"], w["schedule"], w["timeZone"]) for w in prod} == {
        ("allow", "0 21 * * 2,4", "Europe/Berlin"),
        ("deny", "0 5 * * 1-6", "Europe/Berlin"),
        ("allow", "0 1 * * 0", "Europe/Berlin"),
    }
    app = _one(files, "argocd/hansa-wholesale-prod-application.yaml", "Application")
    assert app["spec"]["source"]["targetRevision"] == "v2025.8.4"


def test_off_hours_scheduling_only_where_declared(example: Platform, files: dict[str, str]) -> None:
    for env in effective_environments(example):
        path = f"tenants/{env.tenant}/{env.environment.value}/scheduling.yaml"
        assert (path in files) == (env.off_hours is not None)
        if env.off_hours is None:
            continue
        assert not env.production
        cron = _one(files, path, "CronJob")
        spec = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert spec["automountServiceAccountToken"] is False
        role = _one(files, path, "Role")
        assert role["rules"][0]["resources"] == ["deployments/scale"]
        assert role["rules"][0]["verbs"] == ["get", "patch"]


_TCP_443 = {"port": 443, "protocol": "TCP"}
_API_PORTS = [_TCP_443, {"port": 6443, "protocol": "TCP"}]


def test_options_change_the_output(example: Platform) -> None:
    image = "registry.example.com/odoo/redis@sha256:" + "b" * 64
    options = RenderOptions(
        redis_image=image,
        api_server_cidrs=("192.0.2.10/32",),
        object_storage_cidrs=("203.0.113.0/24",),
    )
    files = render(example, options)
    assert image in files["tenants/nordfreight/prod/redis.yaml"]
    policies = _policies(files, "tenants/nordfreight/prod/network.yaml")
    api = {"to": [{"ipBlock": {"cidr": "192.0.2.10/32"}}], "ports": _API_PORTS}
    storage = {"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}], "ports": [_TCP_443]}
    assert api in policies["pooler"]["egress"]
    assert policies["postgres"]["egress"][1:] == [api, storage]
    default = _policies(render(example), "tenants/nordfreight/prod/network.yaml")
    assert default["postgres"]["egress"][1]["to"] == [{"ipBlock": {"cidr": "0.0.0.0/0"}}]


def test_unsafe_gitops_paths_are_refused() -> None:
    data = minimal_platform_data()
    data["platform"]["gitops"]["path_template"] = "../outside/{tenant}/{environment}"
    with pytest.raises(RenderError, match="GitOps path"):
        render(Platform.model_validate(data))
    data["platform"]["gitops"]["path_template"] = "argocd/{tenant}/{environment}"
    with pytest.raises(RenderError, match="argocd"):
        render(Platform.model_validate(data))


def test_custom_path_template(tmp_path: Path) -> None:
    data = minimal_platform_data()
    data["platform"]["gitops"]["path_template"] = "clusters/{tier}/{tenant}-{environment}"
    files = render(Platform.model_validate(data))
    assert "clusters/shared-standard/nordfreight-prod/odoo.yaml" in files
    app = files["argocd/nordfreight-prod-application.yaml"]
    assert "path: clusters/shared-standard/nordfreight-prod\n" in app


@pytest.mark.parametrize(
    ("provider", "store_kind"),
    [("s3", "SecretStore"), ("gcs", "ClusterSecretStore"), ("azure", "ClusterSecretStore")],
)
def test_other_backends_and_store_kinds_scan_clean(
    tmp_path: Path, provider: str, store_kind: str
) -> None:
    data = minimal_platform_data()
    data["platform"]["object_storage"]["provider"] = provider
    if provider == "azure":
        data["platform"]["object_storage"]["endpoint"] = "https://backups.blob.core.example.net"
    data["platform"]["secret_store"]["kind"] = store_kind
    platform = Platform.model_validate(data)
    files = render(platform)
    problems = unexpected(scan_render(tmp_path, platform, files))
    assert not problems, "\n".join(problems)
    for _, obj in objects(files):
        if crd_fields.supported(obj["apiVersion"], obj["kind"]):
            assert not crd_fields.unknown_fields(obj)
        if obj["kind"] == "ExternalSecret":
            assert obj["spec"]["secretStoreRef"]["kind"] == store_kind
        if obj["kind"] == "ObjectStore":
            configuration = obj["spec"]["configuration"]
            expected = {"s3": "s3Credentials", "gcs": "googleCredentials"}.get(
                provider, "azureCredentials"
            )
            assert expected in configuration
            assert configuration["destinationPath"].startswith(
                {"s3": "s3://", "gcs": "gs://"}.get(provider, "https://")
            )
