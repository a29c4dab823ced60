"""`bulkhead schema`, `bulkhead tenancy` and `bulkhead render`, through the command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from bulkhead.cli.render import register
from bulkhead.platform import load_platform
from bulkhead.platform.model import platform_json_schema
from bulkhead.render import render
from tests.platform.strategies import minimal_platform_data
from tests.render.helpers import EXAMPLE, ROOT

REDIS = "registry.example.com/odoo/redis@sha256:" + "c" * 64


def _invoke(*args: str) -> Result:
    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def platform_file(tmp_path: Path) -> Path:
    target = tmp_path / "bulkhead.yaml"
    shutil.copy(EXAMPLE, target)
    return target


# --- schema ----------------------------------------------------------------------------------


def test_schema(tmp_path: Path) -> None:
    result = _invoke("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(json.dumps(platform_json_schema()))
    target = tmp_path / "bulkhead.schema.json"
    assert _invoke("schema", "--output", str(target)).exit_code == 0
    assert json.loads(target.read_text()) == json.loads(result.stdout)


# --- tenancy ---------------------------------------------------------------------------------


def test_tenancy_table(platform_file: Path) -> None:
    result = _invoke("tenancy", "--platform", str(platform_file))
    assert result.exit_code == 0, result.output
    assert "polar-pharma" in result.stdout
    assert "contradicts" in result.stdout
    assert "hansa-wholesale: dedicated recommended (score 140" in result.stdout
    assert all(line == line.rstrip() for line in result.stdout.splitlines())


def test_tenancy_json(platform_file: Path) -> None:
    result = _invoke("tenancy", str(platform_file), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["schema_version"] == "1.0"
    assert document["threshold"] == 50
    by_name = {t["tenant"]: t for t in document["tenants"]}
    assert next(iter(by_name)) == "nordfreight"
    polar = by_name["polar-pharma"]
    assert (polar["declared"], polar["recommendation"], polar["contradicts"]) == (
        "shared",
        "dedicated",
        True,
    )
    assert polar["reasons"][0]["factor"] == "compliance"
    assert by_name["aland-couriers"]["resolved"] == "shared"
    assert by_name["nordfreight"]["cost"]["shared"] == 1.0


def test_tenancy_markdown_to_a_file(platform_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "tenancy.md"
    result = _invoke("tenancy", str(platform_file), "-f", "markdown", "-o", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith("# Tenancy advice for bulkhead.yaml\n")
    assert "| polar-pharma | shared-plus | shared | dedicated | 65 |" in text
    assert "## hansa-wholesale" in text


def test_tenancy_defaults_to_bulkhead_yaml(
    platform_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(platform_file.parent)
    assert _invoke("tenancy", "-f", "json").exit_code == 0
    platform_file.unlink()
    result = _invoke("tenancy")
    assert result.exit_code == 2
    assert "bulkhead.yaml" in result.output and "Traceback" not in result.output


def test_invalid_platform_is_reported_per_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bulkhead.yaml"
    data = minimal_platform_data()
    data["tenants"][0]["tenacy"] = "shared"
    bad.write_text(json.dumps(data))
    result = _invoke("tenancy", str(bad))
    assert result.exit_code == 2
    assert "tenants[0].tenacy: unknown key (did you mean 'tenancy'?)" in result.output


def test_two_different_platform_files_are_refused(platform_file: Path) -> None:
    result = _invoke("tenancy", str(platform_file), "--platform", "other.yaml")
    assert result.exit_code == 2
    assert "two platform files" in result.output


# --- render ----------------------------------------------------------------------------------


def _render(platform_file: Path, output: Path, *extra: str) -> Result:
    return _invoke(
        "render", str(platform_file), "--output", str(output), "--redis-image", REDIS, *extra
    )


def test_render_writes_the_tree_and_rerenders_nothing(platform_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "repo"
    result = _render(platform_file, output)
    assert result.exit_code == 0, result.output
    files = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    assert "tenants/nordfreight/prod/odoo.yaml" in files
    assert "argocd/hansa-wholesale-project.yaml" in files
    assert "286 written" in result.output
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*.yaml")}
    again = _render(platform_file, output)
    assert again.exit_code == 0
    assert "0 written, 286 unchanged" in again.output
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*.yaml")} == before
    expected = render(load_platform(platform_file))
    assert "redis@sha256:" + "0" * 64 in expected["tenants/nordfreight/prod/redis.yaml"]
    text = (output / "tenants/nordfreight/prod/redis.yaml").read_text()
    assert REDIS in text


def test_check_passes_on_a_fresh_render(platform_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "repo"
    _render(platform_file, output)
    result = _render(platform_file, output, "--check")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "up to date" in result.output


def test_check_reports_changed_missing_and_stale_files(platform_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "repo"
    _render(platform_file, output)
    odoo = output / "tenants/nordfreight/prod/odoo.yaml"
    odoo.write_text(odoo.read_text().replace("list_db = False", "list_db = True"))
    (output / "tenants/nordfreight/prod/redis.yaml").unlink()
    stale = output / "tenants/gone/prod/odoo.yaml"
    stale.parent.mkdir(parents=True)
    shutil.copy(odoo, stale)
    (output / "tenants/nordfreight/prod/kustomization.yaml").write_text("# hand-written\n")
    result = _render(platform_file, output, "--check")
    assert result.exit_code == 1
    diff = result.stdout
    assert (
        "--- a/tenants/nordfreight/prod/odoo.yaml\n+++ b/tenants/nordfreight/prod/odoo.yaml" in diff
    )
    assert "-    list_db = True\n+    list_db = False\n" in diff
    assert "--- /dev/null\n+++ b/tenants/nordfreight/prod/redis.yaml" in diff
    assert "--- a/tenants/gone/prod/odoo.yaml\n+++ /dev/null" in diff
    assert "kustomization" not in diff
    assert "1 changed, 1 missing, 1 stale" in result.output
    # --check wrote nothing.
    assert "list_db = True" in odoo.read_text()
    assert stale.exists()


def test_render_removes_stale_files_it_rendered_only(platform_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "repo"
    _render(platform_file, output)
    stale = output / "tenants/gone/prod/odoo.yaml"
    stale.parent.mkdir(parents=True)
    shutil.copy(output / "tenants/nordfreight/prod/odoo.yaml", stale)
    mine = output / "tenants/nordfreight/prod/kustomization.yaml"
    mine.write_text("# hand-written override\n")
    result = _render(platform_file, output)
    assert result.exit_code == 0, result.output
    assert "1 stale removed" in result.output
    assert not stale.exists() and not stale.parent.exists()
    assert mine.read_text() == "# hand-written override\n"


def test_render_never_overwrites_a_file_it_did_not_write(
    platform_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "repo"
    target = output / "tenants/nordfreight/prod/odoo.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("# mine\n")
    result = _render(platform_file, output)
    assert result.exit_code == 2
    assert "was not rendered by bulkhead" in result.output
    assert target.read_text() == "# mine\n"
    assert not (output / "argocd").exists()


def test_render_options_are_validated(platform_file: Path, tmp_path: Path) -> None:
    result = _invoke("render", str(platform_file), "-o", str(tmp_path), "--redis-image", "redis:7")
    assert result.exit_code == 2 and "--redis-image" in result.output
    result = _invoke(
        "render", str(platform_file), "-o", str(tmp_path), "--api-server-cidr", "10.0.0.1/8"
    )
    assert result.exit_code == 2 and "--api-server-cidr" in result.output


def test_render_warns_about_the_placeholder_redis_image(
    platform_file: Path, tmp_path: Path
) -> None:
    result = _invoke("render", str(platform_file), "--output", str(tmp_path / "repo"))
    assert result.exit_code == 0
    assert "warning: no --redis-image" in result.output


def test_render_header_names_the_platform_file(platform_file: Path, tmp_path: Path) -> None:
    renamed = platform_file.with_name("nordlog.yaml")
    platform_file.rename(renamed)
    _render(renamed, tmp_path / "repo")
    text = (tmp_path / "repo/argocd/nordfreight-project.yaml").read_text()
    assert text.startswith("# Rendered by bulkhead from nordlog.yaml; do not edit.\n")


def test_cli_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, bulkhead.cli.render; "
        "heavy = [m for m in ('pydantic', 'rich', 'yaml', 'bulkhead.platform', 'bulkhead.render') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


def test_render_does_not_follow_a_link_out_of_the_output(
    platform_file: Path, tmp_path: Path
) -> None:
    output = tmp_path / "repo"
    elsewhere = tmp_path / "elsewhere"
    output.mkdir()
    elsewhere.mkdir()
    (output / "tenants").symlink_to(elsewhere, target_is_directory=True)
    result = _render(platform_file, output)
    assert result.exit_code == 2
    assert "leads outside" in result.output
    assert list(elsewhere.iterdir()) == []
    assert not (output / "argocd").exists()
