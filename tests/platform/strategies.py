"""Hypothesis strategies for VALID platform definitions (bulkhead.yaml).

- `platform_data()`: a plain dict, as a YAML file would hold it (durations as "4h" strings,
  sizes as "2Gi", Odoo versions as strings), valid by construction;
- `platforms()`: the same, validated into a `Platform`.
- `minimal_platform_data()`: one small, fixed, valid definition to mutate in example tests.

Generated platforms have 1-3 tiers, 0-4 tenants with 1-3 environments each, one cluster or a
prod/non-prod pair, a shared pool per cluster and a dedicated pool for every tenant that may
end up dedicated (`dedicated` or `auto`). They respect every cross-field rule: prod replicas and
PostgreSQL instances, limits >= requests, RPO >= what the prod backups guarantee, retention >=
the backup gap, unique derived hostnames, prod sync windows, and shared tenants never setting
their own release or change windows.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from bulkhead.platform.model import Platform

REGISTRY = "registry.example.com"
TENANT_NAMES = (
    "nordfreight",
    "baltic-parcel",
    "fjord-logistics",
    "kattegat-cargo",
    "riga-express",
    "vaasa-cold-chain",
    "hansa-wholesale",
    "polar-pharma",
    "a",
    "x1",
    "tallinn-forwarding-and-customs",  # 30 characters: the longest allowed
)
ENVIRONMENTS = ("dev", "staging", "prod")
# Backup schedules with their longest gap between runs, in seconds.
BACKUP_SCHEDULES = {
    "0 * * * *": 3_600,
    "0 */4 * * *": 14_400,
    "0 */6 * * *": 21_600,
    "0 1,13 * * *": 43_200,
    "30 2 * * *": 86_400,
}
WINDOW_SCHEDULES = ("0 20 * * 1-4", "0 22 * * 0", "30 21 * * 2,4", "0 1 * * 6")
TIME_ZONES = (None, "UTC", "Europe/Stockholm", "Europe/Riga")
COMPLIANCE = ("gdpr", "gdpr-special-category", "pci-dss", "hipaa", "soc2", "iso27001", "nis2")
PROCESSES = ("warehouse", "transport", "customer-service", "billing", "edi-intake")


_BOOL = st.booleans()
_DIGEST = st.integers(0, 2**256 - 1).map(lambda n: f"{n:064x}")


def _seconds(value: int) -> str:
    """Spell a duration the way people write it: 3600 -> "1h", 90 -> "90s"."""
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}s"


def _digest(draw: st.DrawFn) -> str:
    return draw(_DIGEST)


def _image(draw: st.DrawFn, repository: str) -> str:
    return f"{REGISTRY}/odoo/{repository}@sha256:{_digest(draw)}"


@st.composite
def window_data(draw: st.DrawFn, *, sync: bool = True) -> dict[str, Any]:
    window: dict[str, Any] = {
        "schedule": draw(st.sampled_from(WINDOW_SCHEDULES)),
        "duration": _seconds(draw(st.sampled_from((3_600, 7_200, 10_800, 5_400)))),
    }
    time_zone = draw(st.sampled_from(TIME_ZONES))
    if time_zone is not None:
        window["time_zone"] = time_zone
    if sync:
        if draw(_BOOL):
            window["kind"] = draw(st.sampled_from(("allow", "deny")))
        if draw(_BOOL):
            window["manual_sync"] = True
    return window


@st.composite
def resources_data(draw: st.DrawFn) -> dict[str, Any]:
    cpu = draw(st.sampled_from((100, 250, 500, 1000, 2000)))
    memory = draw(st.sampled_from((256, 512, 1024, 2048, 4096)))
    limits: dict[str, Any] = {"memory": f"{memory * draw(st.sampled_from((1, 2)))}Mi"}
    if draw(_BOOL):
        limits["cpu"] = f"{cpu * draw(st.sampled_from((1, 2, 4)))}m"
    return {"requests": {"cpu": f"{cpu}m", "memory": f"{memory}Mi"}, "limits": limits}


_SYNC_WINDOW = window_data()
_TIME_WINDOW = window_data(sync=False)
_RESOURCES = resources_data()


@st.composite
def tier_data(draw: st.DrawFn) -> dict[str, Any]:
    """A tier whose prod defaults satisfy every guardrail."""
    min_prod = draw(st.integers(2, 3))
    schedule = draw(st.sampled_from([*sorted(BACKUP_SCHEDULES), "auto"]))
    tier: dict[str, Any] = {
        "release": draw(st.sampled_from(("v2025.9.1", "v1.2.3", "v2026.1.0-rc.1", "a" * 40))),
        "replicas": draw(st.integers(min_prod, min_prod + 2)),
        "min_prod_replicas": min_prod,
        "workers": draw(st.integers(1, 8)),
        "resources": draw(_RESOURCES),
        "filestore_size": draw(st.sampled_from(("10Gi", "20Gi", "50Gi"))),
        "postgres": {
            "instances": draw(st.integers(2, 3)),
            "storage": draw(st.sampled_from(("10Gi", "20Gi", "100Gi"))),
            "resources": draw(_RESOURCES),
        },
        "backup": {
            "schedule": schedule,
            "retention": f"{draw(st.integers(2, 35))}d",
            "wal_archiving": draw(_BOOL),
        },
        "change_windows": draw(st.lists(_SYNC_WINDOW, min_size=1, max_size=2)),
    }
    if draw(_BOOL):
        tier["maintenance_windows"] = [draw(_SYNC_WINDOW)]
    if draw(_BOOL):
        tier["environments"] = {
            "dev": {
                "replicas": 1,
                "workers": draw(st.integers(0, 2)),
                "postgres": {"instances": 1},
                "change_windows": [],
                "off_hours": {"windows": [draw(_TIME_WINDOW)]},
            }
        }
    return tier


_TIER = tier_data()


def _prod_rpo_floor(tier: dict[str, Any], overrides: dict[str, Any]) -> int:
    """What the tenant's prod backups guarantee (see docs/platform.md, RPO rule)."""
    backup = {**tier["backup"], **overrides.get("backup", {})}
    if backup.get("wal_archiving") or backup["schedule"] == "auto":
        return 300  # `auto` backs up as often as the strictest RPO needs, down to 5 minutes
    return BACKUP_SCHEDULES[backup["schedule"]]


@st.composite
def tenant_data(
    draw: st.DrawFn, name: str, tier_name: str, tier: dict[str, Any], tenancy: str
) -> dict[str, Any]:
    envs = draw(st.lists(st.sampled_from(ENVIRONMENTS), min_size=1, max_size=3, unique=True))
    environments: dict[str, dict[str, Any]] = {}
    for env in envs:
        overrides: dict[str, Any] = {}
        if env == "prod":
            if draw(_BOOL):
                overrides["replicas"] = draw(
                    st.integers(tier["min_prod_replicas"], tier["min_prod_replicas"] + 3)
                )
            if draw(_BOOL):
                overrides["postgres"] = {"instances": draw(st.integers(2, 4))}
            if draw(_BOOL):
                overrides["hostnames"] = [f"erp.{name}.customer.example"]
            if draw(_BOOL):
                overrides["backup"] = {"schedule": draw(st.sampled_from(sorted(BACKUP_SCHEDULES)))}
        else:
            if draw(_BOOL):
                overrides["replicas"] = 1
                overrides["postgres"] = {"instances": 1}
            if draw(_BOOL):
                overrides["off_hours"] = {
                    "windows": [draw(_TIME_WINDOW)],
                    "replicas": 0,
                }
            if draw(_BOOL):
                overrides["image"] = _image(draw, f"{name}-rc")
        environments[env] = overrides
    tenant: dict[str, Any] = {
        "name": name,
        "tier": tier_name,
        "tenancy": tenancy,
        "risk": {
            "compliance": draw(st.lists(st.sampled_from(COMPLIANCE), max_size=3, unique=True)),
            "customization": {
                "custom_modules": draw(st.integers(0, 120)),
                "integrations": draw(st.integers(0, 30)),
            },
            "data_sensitivity": draw(st.sampled_from(("low", "medium", "high", "restricted"))),
            "peak_orders_per_hour": draw(st.integers(0, 20_000)),
        },
        "odoo_version": draw(st.sampled_from(("16.0", "17.0", "18.0", "19.0"))),
        "image": _image(draw, name),
        "addons": draw(st.lists(st.sampled_from(("stock", "delivery", "account")), unique=True)),
        "environments": environments,
    }
    floor = _prod_rpo_floor(tier, environments.get("prod", {}))
    processes = draw(st.lists(st.sampled_from(PROCESSES), max_size=3, unique=True))
    tenant["processes"] = [
        {
            "name": process,
            "priority": draw(st.sampled_from(("critical", "high", "medium", "low"))),
            "rto": _seconds(draw(st.sampled_from((900, 1_800, 3_600, 14_400, 86_400)))),
            "rpo": _seconds(floor * draw(st.integers(1, 4))),
            "manual_workarounds": draw(st.lists(st.sampled_from(("Use paper forms.",)))),
        }
        for process in processes
    ]
    if draw(_BOOL):
        tenant["egress"] = [
            {"name": "carrier-api", "kind": "carrier-api", "host": "api.carrier.example"},
            {"name": "edi", "kind": "edi", "cidr": "203.0.113.0/28", "ports": [22]},
        ]
    if tenancy == "dedicated" and draw(_BOOL):
        tenant["change_windows"] = [draw(_SYNC_WINDOW)]
        tenant["release"] = "v2025.8.4"
    return tenant


def _pool(name: str, dedicated_to: str | None = None) -> dict[str, Any]:
    pool: dict[str, Any] = {
        "name": name,
        "node_size": {"cpu": "8", "memory": "32Gi"},
        "min_nodes": 1,
        "max_nodes": 6,
    }
    if dedicated_to is not None:
        pool["dedicated_to"] = dedicated_to
        pool["node_size"] = {"cpu": "16", "memory": "64Gi"}
    return pool


@st.composite
def platform_data(draw: st.DrawFn) -> dict[str, Any]:
    tier_names = [f"tier-{n}" for n in range(draw(st.integers(1, 3)))]
    tiers = {name: draw(_TIER) for name in tier_names}
    names = draw(st.lists(st.sampled_from(TENANT_NAMES), max_size=4, unique=True))
    tenants: list[dict[str, Any]] = []
    for name in names:
        tier_name = draw(st.sampled_from(tier_names))
        tenancy = draw(st.sampled_from(("shared", "dedicated", "auto")))
        tenants.append(draw(tenant_data(name, tier_name, tiers[tier_name], tenancy)))
    may_be_dedicated = [t["name"] for t in tenants if t["tenancy"] != "shared"]
    if draw(_BOOL):
        layout = [("prod", ["prod"]), ("nonprod", ["dev", "staging"])]
    else:
        layout = [("main", list(ENVIRONMENTS))]
    clusters = [
        {
            "name": cluster,
            "server": f"https://{cluster}.k8s.example:6443",
            "environments": hosted,
            "node_pools": [_pool("general")] + [_pool(f"ded-{t}", t) for t in may_be_dedicated],
        }
        for cluster, hosted in layout
    ]
    return {
        "version": 1,
        "platform": {
            "name": "generated",
            "base_domain": "odoo.example.com",
            "time_zone": draw(st.sampled_from(("UTC", "Europe/Stockholm"))),
            "registries": [f"{REGISTRY}/odoo", f"{REGISTRY}/cnpg"],
            "postgres_image": f"{REGISTRY}/cnpg/postgresql@sha256:{_digest(draw)}",
            "secret_store": {"provider": "vault", "name": "vault"},
            "clusters": clusters,
            "ingress": {"certificate_issuer": {"name": "letsencrypt"}},
            "object_storage": {"bucket": "pg-backups", "credentials_key": "platform/s3"},
            "gitops": {
                "repository": "https://git.example.com/platform/tenants.git",
                "signing_keys": ["D56C4FCA57A46444"],
            },
        },
        "tiers": tiers,
        "tenants": tenants,
    }


def platforms() -> st.SearchStrategy[Platform]:
    """Valid `Platform` objects (few tenants, 1-3 environments each)."""
    return platform_data().map(Platform.model_validate)


_MINIMAL: dict[str, Any] = {
    "version": 1,
    "platform": {
        "name": "demo",
        "base_domain": "odoo.example.com",
        "registries": [f"{REGISTRY}/odoo", f"{REGISTRY}/cnpg"],
        "postgres_image": f"{REGISTRY}/cnpg/postgresql@sha256:{'c' * 64}",
        "secret_store": {"provider": "vault", "name": "vault"},
        "clusters": [
            {
                "name": "main",
                "server": "https://kubernetes.default.svc",
                "node_pools": [
                    {"name": "general", "node_size": {"cpu": "8", "memory": "32Gi"}},
                    {
                        "name": "acme-pool",
                        "node_size": {"cpu": "16", "memory": "64Gi"},
                        "dedicated_to": "acme",
                    },
                ],
            }
        ],
        "ingress": {"certificate_issuer": {"name": "letsencrypt"}},
        "object_storage": {"bucket": "pg-backups", "credentials_key": "platform/s3"},
        "gitops": {
            "repository": "https://git.example.com/platform/tenants.git",
            "signing_keys": ["D56C4FCA57A46444"],
        },
    },
    "tiers": {
        "shared-standard": {
            "release": "v2025.9.1",
            "replicas": 2,
            "workers": 2,
            "resources": {
                "requests": {"cpu": "250m", "memory": "1Gi"},
                "limits": {"memory": "2Gi"},
            },
            "filestore_size": "20Gi",
            "postgres": {
                "instances": 2,
                "storage": "20Gi",
                "resources": {
                    "requests": {"cpu": "250m", "memory": "1Gi"},
                    "limits": {"memory": "1Gi"},
                },
            },
            "backup": {"schedule": "0 */6 * * *", "retention": "14d"},
            "change_windows": [{"schedule": "0 20 * * 1-4", "duration": "2h"}],
            "environments": {"dev": {"replicas": 1, "postgres": {"instances": 1}}},
        },
        "dedicated-enterprise": {
            "release": "v2025.9.1",
            "replicas": 3,
            "min_prod_replicas": 3,
            "workers": 4,
            "resources": {
                "requests": {"cpu": "1", "memory": "2Gi"},
                "limits": {"memory": "4Gi", "cpu": "2"},
            },
            "filestore_size": "100Gi",
            "postgres": {
                "instances": 3,
                "storage": "100Gi",
                "resources": {
                    "requests": {"cpu": "1", "memory": "4Gi"},
                    "limits": {"memory": "4Gi"},
                },
            },
            "backup": {"schedule": "0 1 * * *", "retention": "30d", "wal_archiving": True},
            "maintenance_windows": [{"schedule": "0 1 * * 0", "duration": "4h"}],
        },
    },
    "tenants": [
        {
            "name": "nordfreight",
            "tier": "shared-standard",
            "tenancy": "shared",
            "odoo_version": "18.0",
            "image": f"{REGISTRY}/odoo/standard@sha256:{'a' * 64}",
            "environments": {"dev": {}, "prod": {}},
            "processes": [{"name": "billing", "priority": "medium", "rto": "1d", "rpo": "6h"}],
        },
        {
            "name": "baltic-parcel",
            "tier": "shared-standard",
            "tenancy": "auto",
            "odoo_version": "17.0",
            "image": f"{REGISTRY}/odoo/standard@sha256:{'a' * 64}",
            "environments": {"prod": {}},
        },
        {
            "name": "acme",
            "tier": "dedicated-enterprise",
            "tenancy": "dedicated",
            "risk": {"compliance": ["pci-dss", "soc2"], "data_sensitivity": "high"},
            "odoo_version": "18.0",
            "image": f"{REGISTRY}/odoo/acme@sha256:{'b' * 64}",
            "environments": {"staging": {"replicas": 1}, "prod": {"replicas": 3}},
            "processes": [
                {
                    "name": "warehouse",
                    "priority": "critical",
                    "rto": "30m",
                    "rpo": "5m",
                    "manual_workarounds": ["Pick from the printed wave plan."],
                }
            ],
        },
    ],
}


def minimal_platform_data() -> dict[str, Any]:
    """A small valid definition (a fresh deep copy: mutate freely).

    tenants[0] nordfreight (shared-standard, shared, dev+prod), tenants[1] baltic-parcel
    (shared-standard, auto, prod), tenants[2] acme (dedicated-enterprise, dedicated,
    staging+prod, on pool acme-pool).
    """
    return copy.deepcopy(_MINIMAL)
