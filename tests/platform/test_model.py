"""The platform definition: formats, rules and their messages, effective settings, schema."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml
from croniter import croniter
from hypothesis import given, settings
from pydantic import ValidationError

from bulkhead.platform import (
    EnvironmentName,
    Platform,
    PlatformError,
    Tenancy,
    effective_environment,
    effective_environments,
    load_platform,
    parse_platform,
    platform_json_schema,
)
from bulkhead.platform.load import validate_platform
from bulkhead.platform.model import (
    check_cron,
    cpu_millicores,
    format_duration,
    longest_gap,
    memory_bytes,
    parse_duration,
    parse_image,
    registry_approved,
)
from tests.platform.strategies import minimal_platform_data, platform_data, platforms

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "platform" / "bulkhead.yaml"

Data = dict[str, Any]


@functools.cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(platform_json_schema())


def _errors(mutate: Callable[[Data], None]) -> list[str]:
    data = minimal_platform_data()
    mutate(data)
    with pytest.raises(PlatformError) as caught:
        validate_platform(data)
    return list(caught.value.messages)


# ---- the example -------------------------------------------------------------------------------


def test_example_loads() -> None:
    platform = load_platform(EXAMPLE)
    tenants = {t.name: t for t in platform.tenants}
    assert len(tenants) == 14
    shared_tiers = {"shared-standard", "shared-plus"}
    assert sum(t.tier in shared_tiers for t in tenants.values()) == 13
    hansa = effective_environment(platform, "hansa-wholesale", "prod")
    assert hansa.tenancy is Tenancy.DEDICATED
    assert hansa.placement.pool == "hansa"
    assert hansa.replicas == 4
    assert hansa.backup.achievable_rpo == 60
    nordfreight = effective_environment(platform, "nordfreight", EnvironmentName.PROD)
    assert nordfreight.placement.pool == "plus"
    assert nordfreight.ingress.hostnames[0] == "erp.nordfreight.example"
    assert len(effective_environments(platform)) == sum(
        len(t.environments) for t in platform.tenants
    )


def test_json_schema_is_draft_2020_12_and_the_example_validates() -> None:
    schema = platform_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(example)] == []
    assert [e.message for e in validator.iter_errors(minimal_platform_data())] == []


def test_json_schema_rejects_unknown_keys_and_documents_fields() -> None:
    schema = platform_json_schema()
    data = minimal_platform_data()
    data["tenants"][0]["colour"] = "red"
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)
    tenant = schema["$defs"]["Tenant"]
    assert tenant["additionalProperties"] is False
    assert "description" in tenant["properties"]["tenancy"]


# ---- messages ----------------------------------------------------------------------------------


def _set(path: str, value: object) -> Callable[[Data], None]:
    """A mutation setting `a.b.0.c` to `value` in the minimal definition."""

    def mutate(data: Data) -> None:
        parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = data
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value

    return mutate


def _lower_guardrail(data: Data) -> None:
    data["tiers"]["dedicated-enterprise"]["min_prod_replicas"] = 2
    data["tenants"][2]["environments"]["prod"]["replicas"] = 1


CASES: list[tuple[str, Callable[[Data], None], str]] = [
    (
        "tier guardrail (the issue's example)",
        _lower_guardrail,
        "tenants[2].environments.prod.replicas: must be >= 2 for tier dedicated-enterprise (got 1)",
    ),
    (
        "tier guardrail raised by the tier",
        _set("tenants.2.environments.prod.replicas", 2),
        "tenants[2].environments.prod.replicas: must be >= 3 for tier dedicated-enterprise (got 2)",
    ),
    (
        "unknown key with a suggestion",
        _set("tenants.0.tenacy", "shared"),
        "tenants[0].tenacy: unknown key (did you mean 'tenancy'?)",
    ),
    (
        "unknown key with the allowed keys",
        _set("tenants.0.replicas", 3),
        "tenants[0].replicas: unknown key (allowed: addons, change_windows, cluster, "
        "description, egress, environments, image, maintenance_windows, name, node_pool, "
        "odoo_version, processes, release, risk, tenancy, tier)",
    ),
    (
        "unknown environment",
        _set("tenants.0.environments.qa", {}),
        "tenants[0].environments.qa: unknown key 'qa': use 'dev', 'staging' or 'prod'",
    ),
    (
        "missing key",
        lambda d: d["tenants"][0].pop("image"),
        "tenants[0].image: required key is missing",
    ),
    (
        "RPO shorter than the backup schedule allows",
        _set("tenants.0.processes.0.rpo", "1h"),
        "tenants[0].processes[0].rpo: must be >= 6h: prod backs up on schedule "
        "'0 */6 * * *', up to 6h apart; back up more often or enable backup.wal_archiving "
        "(got 1h)",
    ),
    (
        "RPO with WAL archiving",
        _set("tenants.2.processes.0.rpo", "1m"),
        "tenants[2].processes[0].rpo: must be >= 5m: prod archives WAL at least every 5m "
        "(backup.wal_archive_timeout) (got 1m)",
    ),
    (
        "prod PostgreSQL instances",
        _set("tenants.0.environments.prod.postgres", {"instances": 1}),
        "tenants[0].environments.prod.postgres.instances: must be >= 2 in prod, so PostgreSQL "
        "can fail over to a standby (got 1)",
    ),
    (
        "tier default PostgreSQL instances, reported at the tier",
        _set("tiers.shared-standard.postgres.instances", 1),
        "tiers.shared-standard.postgres.instances: must be >= 2 in prod, so PostgreSQL can "
        "fail over to a standby (got 1)",
    ),
    (
        "prod workers",
        _set("tenants.0.environments.prod.workers", 0),
        "tenants[0].environments.prod.workers: must be >= 1 in prod: workers 0 is Odoo's "
        "threaded development server (got 0)",
    ),
    (
        "duplicate hostname",
        _set("tenants.1.environments.prod.hostnames", ["nordfreight.odoo.example.com"]),
        "tenants[1].environments.prod.hostnames[0]: hostname 'nordfreight.odoo.example.com' "
        "is already used by tenants[0].environments.prod (nordfreight prod)",
    ),
    (
        "image from an unapproved registry",
        _set("tenants.0.image", "docker.io/library/odoo@sha256:" + "a" * 64),
        "tenants[0].image: registry 'docker.io/library/odoo' is not under an approved registry "
        "(registry.example.com/odoo, registry.example.com/cnpg)",
    ),
    (
        "image in a sibling path of an approved prefix",
        _set(
            "tenants.0.environments.dev.image",
            "registry.example.com/odoo-fork/x@sha256:" + "a" * 64,
        ),
        "tenants[0].environments.dev.image: registry 'registry.example.com/odoo-fork/x' is not "
        "under an approved registry (registry.example.com/odoo, registry.example.com/cnpg)",
    ),
    (
        "image by tag",
        _set("tenants.0.image", "registry.example.com/odoo/standard:18.0"),
        "tenants[0].image: must be pinned by digest: <registry>/<repository>@sha256:<64 hex "
        "digits> (got 'registry.example.com/odoo/standard:18.0')",
    ),
    (
        "tenant name too long",
        _set("tenants.0.name", "a" * 31),
        f"tenants[0].name: tenant name must be at most 30 characters (got 31: {'a' * 31!r})",
    ),
    (
        "unknown tier",
        _set("tenants.0.tier", "shared-standart"),
        "tenants[0].tier: unknown tier 'shared-standart' (did you mean 'shared-standard'?)",
    ),
    (
        "duplicate tenant",
        _set("tenants.1.name", "nordfreight"),
        "tenants[1].name: duplicate tenant name 'nordfreight' (also tenants[0])",
    ),
    (
        "off hours in prod",
        _set(
            "tenants.0.environments.prod.off_hours",
            {"windows": [{"schedule": "0 19 * * *", "duration": "13h"}]},
        ),
        "tenants[0].environments.prod.off_hours: not allowed in prod: only dev and staging "
        "scale down off hours",
    ),
    (
        "shared tenant with its own change windows",
        _set("tenants.0.change_windows", [{"schedule": "0 1 * * *", "duration": "1h"}]),
        "tenants[0].change_windows: only dedicated tenants set their own change windows; "
        "shared tenants follow tier shared-standard (tenancy shared)",
    ),
    (
        "limit below request",
        _set("tenants.0.environments.prod.resources", {"limits": {"memory": "512Mi"}}),
        "tenants[0].environments.prod.resources.limits.memory: must be >= requests.memory "
        "(1Gi) (got 512Mi)",
    ),
    (
        "retention shorter than the backup gap",
        _set("tiers.shared-standard.environments.dev.backup", {"retention": "2h"}),
        "tiers.shared-standard.environments.dev.backup.retention: must be a whole number of "
        "days (got 2h)",
    ),
    (
        "six-field cron",
        _set("tiers.shared-standard.backup.schedule", "0 0 2 * * *"),
        "tiers.shared-standard.backup.schedule: must be a cron expression with 5 fields "
        "(minute hour day-of-month month day-of-week), got 6 in '0 0 2 * * *'; write the "
        "5-field form, the renderer adds the seconds field CloudNativePG needs",
    ),
    (
        "boolean where a number belongs",
        _set("tiers.shared-standard.replicas", True),
        "tiers.shared-standard.replicas: must be a whole number (got true)",
    ),
    (
        "bad duration",
        _set("tenants.0.processes.0.rto", "soon"),
        "tenants[0].processes[0].rto: must be a duration such as 90s, 15m, 4h, 1d or 1h30m, "
        "or a number of seconds (got 'soon')",
    ),
    (
        "dedicated tenant without a dedicated pool",
        lambda d: d["platform"]["clusters"][0]["node_pools"].pop(),
        "tenants[2].tenancy: tenant declares tenancy dedicated, but cluster 'main' has no node "
        "pool with dedicated_to: acme for its prod environment",
    ),
    (
        "pool dedicated to nobody",
        _set("platform.clusters.0.node_pools.1.dedicated_to", "acne"),
        "platform.clusters[0].node_pools[1].dedicated_to: unknown tenant 'acne' "
        "(did you mean 'acme'?)",
    ),
    (
        "unknown cluster",
        _set("tenants.0.environments.prod.cluster", "eu-west"),
        "tenants[0].environments.prod.cluster: unknown cluster 'eu-west' (clusters: main)",
    ),
    (
        "schema version",
        _set("version", 2),
        "version: must be 1 (got 2)",
    ),
    (
        "unsupported Odoo version written as a number",
        _set("tenants.0.odoo_version", 15.0),
        "tenants[0].odoo_version: must be one of 16.0, 17.0, 18.0, 19.0 (got '15.0')",
    ),
    (
        "egress needs host or cidr",
        _set(
            "tenants.0.egress", [{"name": "edi", "host": "edi.example.com", "cidr": "10.0.0.0/8"}]
        ),
        "tenants[0].egress[0]: set exactly one of host or cidr",
    ),
    (
        "egress open to everything",
        _set("tenants.0.egress", [{"name": "all", "cidr": "0.0.0.0/0"}]),
        "tenants[0].egress[0]: cidr: an allowlist entry must not open every destination",
    ),
    (
        "label-like keys are quoted in paths",
        _set("platform.node_pool_label", "Bad Label"),
        "platform.node_pool_label: must be a Kubernetes label key such as "
        "bulkhead.io/node-pool (got 'Bad Label')",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in CASES], ids=[name for name, _, _ in CASES]
)
def test_error_messages(mutate: Callable[[Data], None], expected: str) -> None:
    assert expected in _errors(mutate)


def test_every_structural_error_is_reported_at_once() -> None:
    def mutate(data: Data) -> None:
        data["tenants"][0]["name"] = "Bad"
        data["tenants"][1]["odoo_version"] = "12.0"
        data["tiers"]["shared-standard"]["colour"] = "blue"

    messages = _errors(mutate)
    assert len(messages) == 3
    assert [m.split(":")[0] for m in messages] == [
        "tiers.shared-standard.colour",
        "tenants[0].name",
        "tenants[1].odoo_version",
    ]


def test_direct_model_validation_also_enforces_the_rules() -> None:
    data = minimal_platform_data()
    data["tenants"][0]["environments"]["prod"]["postgres"] = {"instances": 1}
    with pytest.raises(ValidationError, match=r"postgres\.instances: must be >= 2 in prod"):
        Platform.model_validate(data)


# ---- loading -----------------------------------------------------------------------------------


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bulkhead.yaml"
    path.write_text("version: 1\nplatform: {name: [x\n", encoding="utf-8")
    with pytest.raises(PlatformError) as caught:
        load_platform(path)
    assert len(caught.value.messages) == 1
    assert caught.value.messages[0].startswith(f"{path}:3: invalid YAML: ")


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bulkhead.yaml"
    path.write_text("version: 1\ntiers: {}\nversion: 1\n", encoding="utf-8")
    with pytest.raises(PlatformError) as caught:
        load_platform(path)
    assert caught.value.messages == (
        f"{path}:3: duplicate key 'version' in top level (first at line 1)",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "x.yaml:1: empty: expected a platform definition"),
        (
            "- 1\n",
            "x.yaml:1: the platform definition must be a mapping with version, "
            "platform, tiers and tenants",
        ),
        ("a: 1\n---\nb: 2\n", "x.yaml:3: expected one YAML document, found 2"),
        (
            "a: !!python/object:os.system x\n",
            "x.yaml:1: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'",
        ),
    ],
)
def test_document_shape_errors(text: str, message: str) -> None:
    with pytest.raises(PlatformError) as caught:
        parse_platform(text, "x.yaml")
    assert caught.value.messages == (message,)


def test_validation_problems_carry_yaml_lines(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "      prod:\n        replicas: 4\n", "      prod:\n        replicas: 2\n"
    )
    path = tmp_path / "bulkhead.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlatformError) as caught:
        load_platform(path)
    (problem,) = caught.value.problems
    assert problem.path == "tenants[13].environments.prod.replicas"
    assert problem.message == "must be >= 3 for tier dedicated-enterprise (got 2)"
    assert problem.line is not None
    assert text.splitlines()[problem.line - 1].strip() == "replicas: 2"


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "bulkhead.yaml"
    path.write_text("version: 1\n" + "#" * 100 + "\n", encoding="utf-8")
    with pytest.raises(PlatformError, match="larger than 50 bytes"):
        load_platform(path, max_bytes=50)


def test_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(PlatformError, match="not a regular file"):
        load_platform(tmp_path)
    with pytest.raises(PlatformError, match="cannot read"):
        load_platform(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"version: 1\n\xff\xfe\n")
    with pytest.raises(PlatformError, match=r"binary\.yaml:2: not UTF-8 text"):
        load_platform(binary)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "bulkhead.yaml"
    os.mkfifo(fifo)
    with pytest.raises(PlatformError, match="not a regular file"):
        load_platform(fifo)


def test_json_input_and_yaml12_booleans() -> None:
    import json

    data = minimal_platform_data()
    assert parse_platform(json.dumps(data), "bulkhead.json").tenants[0].name == "nordfreight"
    # YAML 1.2: `yes` is a string, so a boolean field refuses it instead of guessing.
    text = yaml.safe_dump(data).replace("wal_archiving: true", "wal_archiving: yes")
    with pytest.raises(PlatformError) as caught:
        parse_platform(text, "x.yaml")
    assert caught.value.messages == (
        "tiers.dedicated-enterprise.backup.wal_archiving: must be true or false (got 'yes')",
    )


# ---- value formats -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("15m", 900),
        ("4h", 14_400),
        ("1d", 86_400),
        ("1h30m", 5_400),
        ("90s", 90),
        ("2w", 1_209_600),
        (900, 900),
        ("900", 900),
        ("0s", 0),
    ],
)
def test_parse_duration(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "m", "1.5h", "4 h", "1m1h", "-5m", "367d", True, 1.5, None])
def test_parse_duration_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match=r"duration|negative|366d"):
        parse_duration(bad)


@pytest.mark.parametrize("seconds", [1, 59, 60, 3_599, 3_600, 5_400, 86_400, 90_061, 366 * 86_400])
def test_format_duration_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


def test_quantities() -> None:
    assert cpu_millicores("500m") == 500
    assert cpu_millicores("2") == 2_000
    assert cpu_millicores("0.25") == 250
    assert memory_bytes("2Gi") == 2 * 2**30
    assert memory_bytes("500M") == 500_000_000
    assert memory_bytes("1.5Gi") == 3 * 2**29
    with pytest.raises(ValueError, match="CPU quantity"):
        cpu_millicores("2Gi")
    with pytest.raises(ValueError, match="millicores"):
        cpu_millicores("0.0005")
    with pytest.raises(ValueError, match="size"):
        memory_bytes("2GB")


def test_numbers_are_accepted_as_quantities() -> None:
    data = minimal_platform_data()
    data["tiers"]["shared-standard"]["resources"]["limits"]["cpu"] = 2
    data["tiers"]["shared-standard"]["resources"]["requests"]["cpu"] = 0.5
    platform = validate_platform(data)
    resources = effective_environment(platform, "nordfreight", "prod").resources
    assert (resources.requests.cpu, resources.limits.cpu) == ("0.5", "2")


@pytest.mark.parametrize(
    ("schedule", "gap"),
    [
        ("0 */6 * * *", 6 * 3600),
        ("30 2 * * *", 86_400),
        ("0 2 * * 1-5", 3 * 86_400),  # Friday 02:00 to Monday 02:00
        ("*/15 * * * *", 900),
        ("0 1,13 * * *", 12 * 3600),
        ("0 8-18 * * *", 14 * 3600),  # 18:00 to 08:00
        ("0 0 1 * *", 31 * 86_400),
        ("0 0 1,15 * *", 17 * 86_400),  # 15 January to 1 February
        ("0 0 29 2 *", (4 * 365 + 1) * 86_400),  # leap days, within the 28-year span
    ],
)
def test_longest_gap(schedule: str, gap: int) -> None:
    assert longest_gap(schedule) == gap


@pytest.mark.parametrize(
    "schedule",
    ["0 */6 * * *", "30 2 * * 1-5", "15,45 8-18/2 * * 1,3,5", "0 3 * * SUN", "5 4 * * 0,6"],
)
def test_longest_gap_matches_croniter_over_two_weeks(schedule: str) -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    runs = croniter(schedule, start - dt.timedelta(seconds=1))
    times = [runs.get_next(float)]
    while times[-1] < start.timestamp() + 14 * 86_400:
        times.append(runs.get_next(float))
    assert longest_gap(schedule) == max(b - a for a, b in itertools.pairwise(times))


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("@daily", "5 fields"),
        ("0 0 L * *", "'L' is not portable"),
        ("0 0 * * 1#2", "only numbers"),
        ("0 0 * * 7", "days run 0-6"),
        ("0 0 31 2 *", "never runs"),
        ("61 * * * *", "not a valid cron expression"),
        ("H * * * *", "'H' is not portable"),
    ],
)
def test_check_cron_rejects(expression: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        check_cron(expression)


def test_check_cron_normalizes() -> None:
    assert check_cron(" 0  20 * * MON-FRI ") == "0 20 * * MON-FRI"
    assert check_cron("0 0 1 JAN *") == "0 0 1 JAN *"


def test_images_and_registries() -> None:
    ref = parse_image("registry.example.com:5000/odoo/acme@sha256:" + "0" * 64)
    assert ref.registry == "registry.example.com:5000"
    assert ref.repository == "odoo/acme"
    image = "registry.example.com/odoo/acme@sha256:" + "0" * 64
    assert registry_approved(image, ["registry.example.com"])
    assert registry_approved(image, ["registry.example.com/odoo"])
    assert not registry_approved(image, ["registry.example.com/od"])
    assert not registry_approved(image, ["registry.example.com.evil.io"])
    with pytest.raises(ValueError, match="without a tag"):
        parse_image("registry.example.com/odoo:18@sha256:" + "0" * 64)
    with pytest.raises(ValueError, match="64 lowercase hex"):
        parse_image("registry.example.com/odoo@sha256:abc")
    with pytest.raises(ValueError, match="name the registry"):
        parse_image("odoo@sha256:" + "0" * 64)


# ---- effective settings ------------------------------------------------------------------------


def test_resolution_order_and_derived_names() -> None:
    data = minimal_platform_data()
    data["platform"]["time_zone"] = "Europe/Riga"
    data["tiers"]["shared-standard"]["environments"]["dev"]["workers"] = 1
    data["tenants"][0]["maintenance_windows"] = [{"schedule": "0 3 * * 0", "duration": "2h"}]
    data["tenants"][0]["environments"]["dev"] = {
        "workers": 3,
        "off_hours": {"windows": [{"schedule": "0 19 * * 1-5", "duration": "13h"}]},
    }
    platform = validate_platform(data)
    dev = effective_environment(platform, "nordfreight", "dev")
    assert dev.replicas == 1  # tier environment override
    assert dev.workers == 3  # tenant environment override beats the tier environment
    assert dev.cron_threads == 1  # tier default (field default)
    assert dev.postgres.instances == 1
    assert dev.namespace == dev.name == "nordfreight-dev"
    assert not dev.production
    assert dev.ingress.hostnames == ("nordfreight-dev.odoo.example.com",)
    assert dev.ingress.tls_secret_name == "nordfreight-dev-tls"
    assert dev.postgres.cluster_name == "nordfreight-dev-pg"
    assert dev.postgres.database == "nordfreight"
    assert dev.backup.cnpg_schedule == "0 0 */6 * * *"
    assert dev.backup.retention_policy == "14d"
    assert dev.backup.destination_path == "s3://pg-backups/nordfreight/dev/"
    assert dev.gitops.path == "tenants/nordfreight/dev"
    assert dev.gitops.project == "nordfreight"
    assert dev.gitops.application == "nordfreight-dev"
    assert dev.gitops.revision == "v2025.9.1"
    assert dev.secrets.key == "odoo/nordfreight/dev"
    assert dev.labels["bulkhead.io/environment"] == "dev"
    assert dev.change_windows[0].time_zone == "Europe/Riga"  # tier windows, platform zone
    assert [w.schedule for w in dev.maintenance_windows] == ["0 3 * * 0"]  # tenant level
    assert dev.off_hours is not None
    assert dev.off_hours.windows[0].time_zone == "Europe/Riga"
    assert dev.placement.pool == "general"
    assert not dev.placement.dedicated
    assert dev.placement.tolerations == ()
    assert dev.sync_windows == dev.change_windows + dev.maintenance_windows


def test_dedicated_placement_and_own_windows() -> None:
    data = minimal_platform_data()
    data["tenants"][2]["change_windows"] = [
        {"schedule": "0 21 * * 2", "duration": "3h", "time_zone": "Europe/Berlin"}
    ]
    data["tenants"][2]["release"] = "v2025.8.4"
    prod = effective_environment(validate_platform(data), "acme", "prod")
    assert prod.tenancy is Tenancy.DEDICATED
    assert prod.placement.pool == "acme-pool"
    assert prod.placement.node_selector == {"bulkhead.io/node-pool": "acme-pool"}
    assert [(t.key, t.value, t.effect, t.operator) for t in prod.placement.tolerations] == [
        ("bulkhead.io/dedicated", "acme", "NoSchedule", "Equal")
    ]
    assert prod.gitops.revision == "v2025.8.4"
    assert [w.time_zone for w in prod.change_windows] == ["Europe/Berlin"]
    assert prod.backup.wal_archiving
    assert prod.backup.achievable_rpo == 300


def test_auto_tenancy_resolves_with_the_advisor() -> None:
    data = minimal_platform_data()
    assert effective_environment(validate_platform(data), "baltic-parcel", "prod").tenancy is (
        Tenancy.SHARED
    )
    data["tenants"][2]["tenancy"] = "auto"
    acme = effective_environment(validate_platform(data), "acme", "prod")
    assert acme.tenancy is Tenancy.DEDICATED
    assert acme.placement.dedicated
    # An auto tenant that the advisor makes dedicated needs a dedicated pool.
    data["tenants"][1]["risk"] = {"compliance": ["pci-dss", "hipaa"]}
    with pytest.raises(PlatformError) as caught:
        validate_platform(data)
    assert (
        "tenants[1].tenancy: tenant has tenancy auto, which the advisor resolves to dedicated, "
        "but cluster 'main' has no node pool with dedicated_to: baltic-parcel for its prod "
        "environment" in caught.value.messages
    )


def test_unknown_tenant_or_environment() -> None:
    platform = validate_platform(minimal_platform_data())
    with pytest.raises(KeyError):
        effective_environment(platform, "nobody", "prod")
    with pytest.raises(KeyError):
        effective_environment(platform, "baltic-parcel", "dev")
    with pytest.raises(ValueError, match="qa"):
        effective_environment(platform, "baltic-parcel", "qa")


# ---- properties --------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(platform_data())
def test_generated_platforms_validate_resolve_and_round_trip(data: Data) -> None:
    _schema_validator().validate(data)  # the JSON Schema accepts what the model accepts
    platform = Platform.model_validate(data)
    assert Platform.model_validate(platform.model_dump()) == platform
    assert Platform.model_validate_json(platform.model_dump_json()) == platform
    for effective in effective_environments(platform):
        assert effective.production == (effective.environment is EnvironmentName.PROD)
        if effective.production:
            assert effective.replicas >= 2
            assert effective.postgres.instances >= 2
            assert effective.sync_windows
            for process in effective.processes:
                assert process.rpo >= effective.backup.achievable_rpo
        assert effective.placement.dedicated == (effective.tenancy is Tenancy.DEDICATED)


@settings(max_examples=10, deadline=None)
@given(platforms())
def test_platforms_strategy_yields_models(platform: Platform) -> None:
    assert isinstance(platform, Platform)


@pytest.mark.parametrize(
    ("rpo", "wal", "schedule"),
    [
        (None, False, "0 2 * * *"),
        (86_400 * 2, False, "0 2 * * *"),
        (86_400, False, "0 2 * * *"),
        (14_400, False, "0 */4 * * *"),
        (18_000, False, "0 */4 * * *"),  # 5h: every 4 hours, the next one down
        (3_600, False, "0 * * * *"),
        (1_800, False, "*/30 * * * *"),
        (300, False, "*/5 * * * *"),
        (60, False, "*/5 * * * *"),  # cannot be met: the RPO rule asks for WAL archiving
        (60, True, "0 2 * * *"),
    ],
)
def test_derived_backup_schedule(rpo: int | None, wal: bool, schedule: str) -> None:
    from bulkhead.platform.model import derived_backup_schedule, longest_gap

    assert derived_backup_schedule(rpo, wal) == schedule
    if rpo is not None and rpo >= 300 and not wal:
        assert longest_gap(schedule) <= rpo


def test_auto_schedule_follows_the_tenants_strictest_rpo() -> None:
    from bulkhead.platform import effective_environment, load_platform

    example = Path(__file__).resolve().parents[2] / "examples" / "platform" / "bulkhead.yaml"
    platform = load_platform(example)
    schedules = {}
    for tenant in platform.tenants:
        if tenant.tier != "shared-standard":
            continue
        effective = effective_environment(platform, tenant.name, "prod")
        strictest = min((p.rpo for p in tenant.processes), default=None)
        assert effective.backup.longest_gap <= (strictest or 86_400)
        schedules[tenant.name] = effective.backup.schedule
    assert len(set(schedules.values())) > 1  # tenants of one tier back up at different rates
