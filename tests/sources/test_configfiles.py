from __future__ import annotations

from pathlib import Path

from bulkhead.sources import load
from bulkhead.sources.configfiles import (
    ConfigKind,
    config_kind,
    parse_config_file,
    parse_ini,
    parse_postgresql_conf,
    parse_token_lines,
)


def test_kinds_by_name_and_path() -> None:
    assert config_kind("deploy/odoo.conf") is ConfigKind.ODOO
    assert config_kind("odoo-prod.conf") is ConfigKind.ODOO
    assert config_kind("repo/.github/workflows/ci.yml") is ConfigKind.GITHUB_WORKFLOW
    assert config_kind(".github/workflows/release.yaml") is ConfigKind.GITHUB_WORKFLOW
    assert config_kind("repo/.gitlab-ci.yml") is ConfigKind.GITLAB_CI
    assert config_kind("pg/pg_hba.conf") is ConfigKind.PG_HBA
    assert config_kind("postgresql.auto.conf") is ConfigKind.POSTGRESQL
    assert config_kind("pgbouncer.ini") is ConfigKind.PGBOUNCER
    assert config_kind("redis-sessions.conf") is ConfigKind.REDIS
    assert config_kind("traefik.toml") is ConfigKind.TRAEFIK_STATIC
    assert config_kind("deploy/workflows/ci.yml") is None
    assert config_kind("values.yaml") is None


def test_ini_as_configparser_reads_it_with_lines() -> None:
    text = "; comment\n[options]\nAdmin_Passwd = $pbkdf2-sha512$x\nlist_db: False\naddons_path = /a,\n    /b\n[queue_job]\nchannels = root:2\n"
    settings = parse_ini(text)
    assert [(s.line, s.section, s.key, s.value) for s in settings] == [
        (3, "options", "admin_passwd", "$pbkdf2-sha512$x"),
        (4, "options", "list_db", "False"),
        (5, "options", "addons_path", "/a,\n/b"),
        (8, "queue_job", "channels", "root:2"),
    ]


def test_ini_line_offset_for_embedded_content() -> None:
    [setting] = parse_ini("[options]\nworkers = 0\n", first_line=10)
    assert setting.line == 11


def test_postgresql_conf() -> None:
    text = "ssl = off   # TLS\npassword_encryption 'md5'\nlisten_addresses = '*'\n#port = 5432\nsearch_path = '\"$user\", public'\n"
    assert [(s.line, s.key, s.value) for s in parse_postgresql_conf(text)] == [
        (1, "ssl", "off"),
        (2, "password_encryption", "md5"),
        (3, "listen_addresses", "*"),
        (5, "search_path", '"$user", public'),
    ]


def test_token_lines_for_pg_hba_and_redis() -> None:
    hba = parse_token_lines(
        "# TYPE DATABASE USER ADDRESS METHOD\nhostssl all all 0.0.0.0/0 scram-sha-256\nhost all all all trust # bad\n"
    )
    assert [(s.line, s.tokens) for s in hba] == [
        (2, ("hostssl", "all", "all", "0.0.0.0/0", "scram-sha-256")),
        (3, ("host", "all", "all", "all", "trust")),
    ]
    redis = parse_token_lines(
        'rename-command FLUSHALL ""\nuser odoo on >secret ~* +@all -@dangerous\n'
    )
    assert [(s.key, s.tokens) for s in redis] == [
        ("rename-command", ("rename-command", "FLUSHALL", "")),
        ("user", ("user", "odoo", "on", ">secret", "~*", "+@all", "-@dangerous")),
    ]


def test_structured_files_and_their_errors() -> None:
    workflow, diagnostics = parse_config_file(
        ConfigKind.GITHUB_WORKFLOW, "on: push\njobs: {}\n", "ci.yml"
    )
    assert diagnostics == []
    assert workflow is not None and workflow.document == {"on": "push", "jobs": {}}
    broken, diagnostics = parse_config_file(ConfigKind.GITHUB_WORKFLOW, "jobs: [\n", "ci.yml")
    assert broken is None and diagnostics[0].code == "unparseable"
    toml, _ = parse_config_file(
        ConfigKind.TRAEFIK_STATIC, "[api]\ninsecure = true\n", "traefik.toml"
    )
    assert toml is not None and toml.document == {"api": {"insecure": True}}
    bad_toml, diagnostics = parse_config_file(ConfigKind.TRAEFIK_STATIC, "[api\n", "traefik.toml")
    assert bad_toml is None and diagnostics[0].location.line == 1


def test_ignore_comments_in_config_files() -> None:
    text = "[options]\n# bulkhead:ignore OD001 demo database for sales, ticket SALES-9\n\nlist_db = True\n; bulkhead:ignore-file OD002 reviewed\n"
    config, _ = parse_config_file(ConfigKind.ODOO, text, "odoo.conf")
    assert config is not None
    assert [(i.controls, i.line, i.applies_to_line) for i in config.ignores] == [
        (("OD001",), 2, 4),
        (("OD002",), 5, None),
    ]


def test_discovery_loads_config_files(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: [push]\njobs: {}\n")
    (tmp_path / "odoo.conf").write_text("[options]\nworkers = 4\n")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    loaded = load([str(tmp_path)])
    kinds = sorted((Path(c.location.file).name, c.kind.value) for c in loaded.configs)
    assert kinds == [("ci.yml", "github-workflow"), ("odoo.conf", "odoo.conf")]
    assert [r.name for r in loaded.resources] == ["c"]
    statuses = sorted((Path(i.path).name, i.kind, i.status.value) for i in loaded.inputs)
    assert statuses == [
        ("ci.yml", "github-workflow", "scanned"),
        ("cm.yaml", "manifest", "scanned"),
        ("odoo.conf", "odoo.conf", "scanned"),
    ]


def test_gitlab_component_header_is_skipped() -> None:
    config, _ = parse_config_file(
        ConfigKind.GITLAB_CI,
        "spec:\n  inputs:\n    stage: {default: test}\n---\nbuild:\n  image: alpine\n",
        ".gitlab-ci.yml",
    )
    assert config is not None and config.document == {"build": {"image": "alpine"}}
