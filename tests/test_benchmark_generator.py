"""benchmarks/generate.py writes the repository the benchmarks promise, the same every time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from benchmarks.generate import ENVIRONMENTS, generate, main

from bulkhead.sources.yamldoc import load_documents

TENANTS = 2


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _objects(path: Path) -> int:
    documents = yaml.load_all(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    return sum(1 for d in documents if isinstance(d, dict) and "kind" in d)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("repo")
    return root, generate(root, TENANTS)


def test_layout_and_counts(generated: tuple[Path, dict[str, object]]) -> None:
    root, counts = generated
    tenant_dirs = sorted(p for p in (root / "tenants").iterdir() if p.is_dir())
    assert len(tenant_dirs) == TENANTS
    total_files = total_objects = 0
    for tenant_dir in tenant_dirs:
        assert (tenant_dir / "Dockerfile").is_file()
        assert sorted(p.name for p in tenant_dir.iterdir() if p.is_dir()) == sorted(ENVIRONMENTS)
        for env in ENVIRONMENTS:
            files = sorted((tenant_dir / env).glob("*.yaml"))
            objects = sum(_objects(f) for f in files)
            assert 8 <= len(files) <= 12, (tenant_dir.name, env, len(files))
            assert 12 <= objects <= 18, (tenant_dir.name, env, objects)
            total_files += len(files)
            total_objects += objects
    assert counts["tenants"] == TENANTS
    assert counts["manifest_files"] == total_files
    assert counts["objects"] == total_objects
    assert counts["dockerfiles"] == TENANTS
    assert counts["files"] == len(_tree(root))


def test_each_tenant_environment_has_the_expected_kinds(
    generated: tuple[Path, dict[str, object]],
) -> None:
    root, _ = generated
    env_dir = next((root / "tenants").iterdir()) / "prod"
    kinds: Counter[str] = Counter()
    for path in env_dir.glob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            kinds[document["kind"]] += 1
    assert kinds == Counter(
        {
            "Namespace": 1,
            "Deployment": 3,
            "Service": 2,
            "ConfigMap": 1,
            "ExternalSecret": 1,
            "ServiceAccount": 1,
            "Role": 1,
            "RoleBinding": 1,
            "NetworkPolicy": 2,
            "PodDisruptionBudget": 1,
            "HorizontalPodAutoscaler": 1,
            "IngressRoute": 1,
            "Cluster": 1,
            "ScheduledBackup": 1,
        }
    )


def test_manifests_load_cleanly_apart_from_injected_duplicate_keys(
    generated: tuple[Path, dict[str, object]],
) -> None:
    root, counts = generated
    duplicates = 0
    for path in sorted(root.rglob("*.yaml")):
        documents, diagnostics = load_documents(path.read_text(encoding="utf-8"), str(path))
        assert documents
        assert all(d.code == "duplicate-key" for d in diagnostics), diagnostics
        duplicates += bool(diagnostics)
    flaws = counts["flaws"]
    assert isinstance(flaws, dict)
    # Both Odoo Deployments of a tenant-environment carry the injected duplicate key.
    assert duplicates == 2 * flaws.get("duplicate-key", 0)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert generate(first, TENANTS, seed=11) == generate(second, TENANTS, seed=11)
    assert _tree(first) == _tree(second)


def test_other_seed_other_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", TENANTS, seed=1)
    generate(tmp_path / "b", TENANTS, seed=2)
    assert _tree(tmp_path / "a") != _tree(tmp_path / "b")


def test_prefix_stable_when_growing(tmp_path: Path) -> None:
    """The first tenants are the same whatever the total, so sizes compare like for like."""
    generate(tmp_path / "small", 1)
    generate(tmp_path / "large", 3)
    small = _tree(tmp_path / "small" / "tenants")
    large = _tree(tmp_path / "large" / "tenants")
    assert small.items() <= large.items()


def test_flaws_are_injected_at_scale(tmp_path: Path) -> None:
    counts = generate(tmp_path, 100)
    flaws = counts["flaws"]
    assert isinstance(flaws, dict)
    assert set(flaws) >= {"privileged", "latest-tag", "host-path", "missing-probes", "dockerfile"}
    # About 1% of the 300 tenant-environments, but never most of them.
    assert 0 < flaws.get("duplicate-key", 0) < 15


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--tenants", "1", "--output", str(tmp_path / "out")]) == 0
    assert '"manifest_files": 33' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--tenants", "0", "--output", str(tmp_path / "bad")])
