"""The bundled examples (used by `make demo`) stay what they claim to be.

- every YAML file parses without diagnostics, except the one intended duplicate key in flawed/;
- both Dockerfiles parse;
- the hardened tenant's objects all belong to tenant acme, environment prod;
- the hardened tenant scans clean, the flawed one triggers a representative set of controls.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkhead.config import Config, load_config
from bulkhead.scan import build_inventory, scan
from bulkhead.sources.dockerfile import parse_dockerfile
from bulkhead.sources.yamldoc import load_documents

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HARDENED = EXAMPLES / "hardened"
FLAWED = EXAMPLES / "flawed"
CONFIG = EXAMPLES / "bulkhead.toml"

YAML_FILES = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".yml"))

# (file relative to examples/, repeated key) of every intended duplicate key.
INTENDED_DUPLICATES = {("flawed/odoo-cron.yaml", "privileged")}

# Controls the flawed tenant must trigger: one or more per domain.
REPRESENTATIVE_CONTROLS = {
    "WL001",
    "WL003",
    "WL009",
    "IM001",
    "IM002",
    "IM003",
    "EX001",
    "RB002",
    "DF004",
    "IN002",
}


def _config() -> Config:
    return load_config(CONFIG)


def _relative(path: Path) -> str:
    return path.relative_to(EXAMPLES).as_posix()


def test_examples_exist() -> None:
    assert YAML_FILES, "no YAML files under examples/"
    assert (HARDENED / "Dockerfile").is_file()
    assert (FLAWED / "Dockerfile").is_file()
    assert CONFIG.is_file()


def test_both_tenants_have_the_same_files() -> None:
    """The flawed tenant mirrors the hardened one file for file (it may add files)."""
    hardened = {p.relative_to(HARDENED) for p in HARDENED.rglob("*") if p.is_file()}
    flawed = {p.relative_to(FLAWED) for p in FLAWED.rglob("*") if p.is_file()}
    assert hardened <= flawed, sorted(hardened - flawed)


@pytest.mark.parametrize("path", YAML_FILES, ids=_relative)
def test_yaml_parses_without_unintended_diagnostics(path: Path) -> None:
    documents, diagnostics = load_documents(path.read_text(encoding="utf-8"), str(path))
    assert documents, f"{_relative(path)} has no documents"
    unexpected = [
        d
        for d in diagnostics
        if not (
            d.code == "duplicate-key"
            and (_relative(path), str(d.path[-1]) if d.path else "") in INTENDED_DUPLICATES
        )
    ]
    assert unexpected == []


def test_the_intended_duplicate_key_is_reported() -> None:
    path = FLAWED / "odoo-cron.yaml"
    _, diagnostics = load_documents(path.read_text(encoding="utf-8"), str(path))
    duplicates = [d for d in diagnostics if d.code == "duplicate-key"]
    assert len(duplicates) == 1
    assert duplicates[0].path[-2:] == ("securityContext", "privileged")


@pytest.mark.parametrize("tenant", [HARDENED, FLAWED], ids=lambda p: p.name)
def test_dockerfile_parses(tenant: Path) -> None:
    dockerfile = parse_dockerfile((tenant / "Dockerfile").read_text(encoding="utf-8"), "Dockerfile")
    assert len(dockerfile.stages) == 1


def test_hardened_objects_belong_to_acme_prod() -> None:
    inventory = build_inventory([str(HARDENED)], _config())
    assert inventory.resources
    assert not inventory.diagnostics
    for resource in inventory.resources:
        assert resource.context.tenant == "acme", resource.ref
        assert resource.context.environment == "prod", resource.ref
        if resource.api_version.startswith("argoproj.io/"):
            assert resource.namespace == "argocd", resource.ref  # Argo CD's own namespace
        elif resource.kind not in ("Namespace", "ClusterSecretStore"):
            assert resource.namespace == "acme-prod", resource.ref


def test_flawed_flaws_are_marked() -> None:
    """Every flawed file says what is wrong with it; no hardened file carries a FLAW marker."""
    for path in sorted(p for p in FLAWED.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if "FLAW:" not in text:
            pytest.fail(f"{_relative(path)} has no '# FLAW:' comment")
    for path in sorted(p for p in HARDENED.rglob("*") if p.is_file()):
        assert "FLAW" not in path.read_text(encoding="utf-8"), _relative(path)


def test_hardened_example_is_clean() -> None:
    report = scan([str(HARDENED)], _config())
    active = [
        f"{f.control} {f.location.file}:{f.location.line} {f.path}: {f.message}"
        for f in report.active
    ]
    assert active == []


def test_flawed_example_triggers_controls() -> None:
    report = scan([str(FLAWED)], _config())
    found = {f.control for f in report.active}
    missing = REPRESENTATIVE_CONTROLS - found
    assert not missing, f"controls not triggered by examples/flawed: {sorted(missing)}"


def test_flawed_example_triggers_every_control_but_the_input_ones() -> None:
    """A new control lands with a flaw in examples/flawed that shows it (the demo's promise)."""
    from bulkhead.controls import catalog

    report = scan([str(FLAWED)], _config())
    found = {f.control for f in report.active}
    expected = {c.id for c in catalog() if c.meta.domain.value != "input"}
    assert sorted(expected - found) == []
