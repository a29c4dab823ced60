"""Meta-tests over the catalog: every control is complete, documented and proven by examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulkhead.config import load_config
from bulkhead.controls import DOC_SECTIONS, REFERENCE_KEYS, Control, catalog
from tests.helpers import scan_files, write_tree

CASES_DIR = Path(__file__).parent / "cases"
ID_PATTERN = re.compile(r"^[A-Z]{2,4}[0-9]{3}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FENCE = re.compile(r"```(?P<lang>\w+)(?:\s+file=(?P<file>\S+))?\n(?P<body>.*?)```", re.DOTALL)

CONTROLS = catalog()


def test_catalog_is_sorted_and_ids_unique() -> None:
    ids = [c.id for c in CONTROLS]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))
    slugs = [c.meta.slug for c in CONTROLS]
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_metadata(control: Control) -> None:
    assert ID_PATTERN.match(control.id)
    assert SLUG_PATTERN.match(control.meta.slug)
    module_leaf = control.module.rsplit(".", 1)[-1]
    assert module_leaf == f"{control.id}_{control.meta.slug.replace('-', '_')}"
    assert control.module.split(".")[-2] == control.meta.domain.value
    assert set(control.meta.references) <= set(REFERENCE_KEYS)
    for ids in control.meta.references.values():
        assert isinstance(ids, tuple) and all(isinstance(i, str) and i for i in ids)
    if control.meta.severity_outside_production is not None:
        assert control.meta.severity_outside_production < control.meta.severity


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_doc_sections(control: Control) -> None:
    headings = [line[3:].strip() for line in control.doc.splitlines() if line.startswith("## ")]
    assert headings == list(DOC_SECTIONS)
    for section in DOC_SECTIONS:
        assert control.section(section), f"{control.id}: empty section {section!r}"


def _scan_example(control: Control, section: str, tmp_path: Path) -> list[str]:
    """Scan one docs example alone; a ```toml file=bulkhead.toml``` block configures it."""
    files = _example_files(control, section)
    config = None
    if "bulkhead.toml" in files:
        write_tree(tmp_path, {"bulkhead.toml": files.pop("bulkhead.toml")})
        config = load_config(tmp_path / "bulkhead.toml")
    report = scan_files(tmp_path / "example", files, [control.id], config=config)
    return [f.message for f in report.findings if f.control == control.id]


def _example_files(control: Control, section: str) -> dict[str, str]:
    blocks = list(FENCE.finditer(control.section(section)))
    assert blocks, f"{control.id}: no code block in {section!r}"
    files = {}
    for block in blocks:
        default = "Dockerfile" if block.group("lang") == "dockerfile" else "manifest.yaml"
        files[block.group("file") or default] = block.group("body")
    return files


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_example_fails(control: Control, tmp_path: Path) -> None:
    assert _scan_example(control, "Example (must fail)", tmp_path)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_use_instead_passes(control: Control, tmp_path: Path) -> None:
    assert _scan_example(control, "Use instead (must pass)", tmp_path) == []


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_has_passing_and_failing_cases(control: Control) -> None:
    import yaml

    case_file = CASES_DIR / f"{control.id}.yaml"
    assert case_file.is_file(), f"missing {case_file}"
    data = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    assert data["control"] == control.id
    expectations = [case["expect"] for case in data["cases"]]
    assert any(expectations), "needs a failing case"
    assert any(not e for e in expectations), "needs a passing case"
