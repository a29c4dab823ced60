"""Scheduled drills scan clean; the drill_results migration on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
import yaml
from sqlalchemy import Engine, inspect
from typer.testing import CliRunner

from bulkhead.cli.drill import register
from bulkhead.config import Config
from bulkhead.drills.errors import DrillError
from bulkhead.drills.schedule import default_schedule, render_schedule
from bulkhead.platform.load import load_platform
from bulkhead.store import current_revision, upgrade
from bulkhead.store.db import StoreError
from tests.database import BACKENDS, engine_for
from tests.helpers import scan_files

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = ROOT / "examples" / "platform" / "bulkhead.yaml"
IMAGE = "registry.example.com/odoo/bulkhead@sha256:" + "ab" * 32
CONFIG = Config(approved_registries=("registry.example.com/odoo",))
# The platform's secret store, as the platform repository defines it: the drill manifests
# reference it, and DR005 rightly wants to see it.
STORE = """\
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault-platform
spec:
  provider:
    vault:
      server: https://vault.example.com
      path: secret
      auth:
        kubernetes: {mountPath: kubernetes, role: external-secrets}
"""


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(app)
    return app


def test_schedule_scans_clean_at_fail_on_low(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        _app(),
        [
            "drill",
            "schedule",
            "--platform",
            str(PLATFORM),
            "--image",
            IMAGE,
            "-e",
            "prod",
            "-e",
            "staging",
        ],
    )
    assert result.exit_code == 0, result.output
    report = scan_files(
        tmp_path / "clean", {"drills.yaml": result.stdout, "store.yaml": STORE}, config=CONFIG
    )
    assert [(f.control, f.message) for f in report.findings] == []
    documents = list(yaml.safe_load_all(result.stdout))
    cronjobs = [d for d in documents if d["kind"] == "CronJob"]
    assert {c["metadata"]["name"] for c in cronjobs} >= {
        "drill-hansa-wholesale-prod",
        "drill-hansa-wholesale-staging",
    }
    job = next(c for c in cronjobs if c["metadata"]["name"] == "drill-hansa-wholesale-prod")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["runAsNonRoot"] is True
    assert container["args"][:6] == [
        "drill",
        "run",
        "--tenant",
        "hansa-wholesale",
        "--environment",
        "prod",
    ]
    assert all("valueFrom" in e or "value" in e for e in container["env"])
    assert not any("secret" in str(e.get("value", "")).lower() for e in container["env"])
    assert job["spec"]["schedule"] == default_schedule("hansa-wholesale", "prod")
    configmap = next(d for d in documents if d["kind"] == "ConfigMap")
    objectives = yaml.safe_load(configmap["data"]["hansa-wholesale.yaml"])
    assert objectives["processes"][0] == {
        "name": "warehouse",
        "priority": "critical",
        "rto": "30m",
        "rpo": "5m",
        "workarounds": [
            "Switch handhelds to offline mode; pick from the last exported wave plan (S3 export "
            "every 15 minutes).",
            "Hand carriers the pre-printed manifest batch; reconcile labels after recovery.",
        ],
    }
    # The scan does look at the CronJobs: a weakened one is caught.
    weakened = result.stdout.replace(
        "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"
    )
    flagged = scan_files(
        tmp_path / "weak", {"drills.yaml": weakened, "store.yaml": STORE}, config=CONFIG
    )
    assert {f.control for f in flagged.findings} == {"WL004"}


def test_schedule_refuses_bad_input() -> None:
    platform = load_platform(PLATFORM)
    with pytest.raises(DrillError, match="not in an approved registry"):
        render_schedule(platform, image="docker.io/library/postgres@sha256:" + "a" * 64)
    with pytest.raises(DrillError, match="pinned by digest"):
        render_schedule(platform, image="registry.example.com/odoo/bulkhead:latest")
    with pytest.raises(DrillError, match="tenant 'nobody'"):
        render_schedule(platform, image=IMAGE, tenants=["nobody"])
    with pytest.raises(DrillError, match="--schedule"):
        render_schedule(platform, image=IMAGE, schedule="every sunday")
    text = render_schedule(platform, image=IMAGE, tenants=["baltic-parcel"], schedule="0 3 * * 6")
    cronjobs = [d for d in yaml.safe_load_all(text) if d["kind"] == "CronJob"]
    assert [(c["metadata"]["name"], c["spec"]["schedule"]) for c in cronjobs] == [
        ("drill-baltic-parcel-prod", "0 3 * * 6")
    ]


def _head() -> str:
    from alembic.script import ScriptDirectory

    from bulkhead.store.db import MIGRATIONS

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def _downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    from bulkhead.store.db import _alembic_config, write_transaction

    with write_transaction(engine) as connection:
        command.downgrade(_alembic_config(connection), revision)


@pytest.mark.parametrize("backend", BACKENDS)
def test_migration_adds_and_removes_drill_results(backend: str, tmp_path: Path) -> None:
    with engine_for(backend, tmp_path) as engine:
        upgrade(engine)
        assert current_revision(engine) == _head()
        assert "drill_results" in inspect(engine).get_table_names()
        columns = {c["name"] for c in inspect(engine).get_columns("drill_results")}
        assert {
            "id",
            "tenant",
            "environment",
            "started_at",
            "passed",
            "rpo_seconds",
            "rto_seconds",
            "result",
            "status",
            "ledger_seq",
        } <= columns
        _downgrade(engine, "0001")
        assert "drill_results" not in inspect(engine).get_table_names()
        assert "ledger_entries" in inspect(engine).get_table_names()
        upgrade(engine)
        assert current_revision(engine) == _head()


def test_store_must_be_initialised(tmp_path: Path) -> None:
    from bulkhead.store import open_engine
    from bulkhead.store.db import require_current_schema as require_schema

    engine = open_engine(f"sqlite:///{tmp_path / 'b.db'}")
    with pytest.raises(StoreError, match="run bulkhead db upgrade"):
        require_schema(engine)
    upgrade(engine, "0001")
    with pytest.raises(StoreError, match=f"schema revision 0001, this bulkhead needs {_head()}"):
        require_schema(engine)
