"""Every control survives manifests whose fields have the wrong shape (never an EngineError).

A seeded mutation of the example tenants replaces values with other types (null, numbers,
lists, mappings where names are expected, ...) and runs the whole catalog over the result.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from bulkhead.config import Config
from bulkhead.scan import scan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
JUNK: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x",
    [],
    {},
    [1, "a", None],
    {"a": [{}]},
    "*",
    {"name": {"x": 1}},
    [{"name": []}],
]


def _documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(EXAMPLES.glob("*/*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and "kind" in document:
                found.append(document)
    return found


def _mutate(node: Any, rng: random.Random) -> None:
    if isinstance(node, dict):
        for key in list(node):
            roll = rng.random()
            if roll < 0.1:
                node[key] = copy.deepcopy(rng.choice(JUNK))
            elif roll < 0.12:
                del node[key]
            else:
                _mutate(node[key], rng)
    elif isinstance(node, list):
        for index in range(len(node)):
            if rng.random() < 0.1:
                node[index] = copy.deepcopy(rng.choice(JUNK))
            else:
                _mutate(node[index], rng)


@pytest.mark.parametrize("seed", range(6))
def test_whole_catalog_survives_mutated_examples(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    documents = _documents()
    batch = []
    for _ in range(60):
        document = copy.deepcopy(rng.choice(documents))
        _mutate(document, rng)
        batch.append(document)
    (tmp_path / "mutated.yaml").write_text(yaml.safe_dump_all(batch))
    report = scan([str(tmp_path)], Config(namespace="acme-prod"))  # raises EngineError on a crash
    assert report.inputs[0].status.value == "scanned"


def test_names_given_as_mappings() -> None:
    """The two shapes that crashed OD007 and OD011: a mapping where a name belongs."""
    manifest = """apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo, namespace: acme-prod}
spec:
  template:
    spec:
      volumes: [{name: {x: 1}, configMap: {name: odoo}}]
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
          volumeMounts: [{name: {x: 1}, mountPath: /etc/odoo}]
          env: [{name: {x: 1}, value: db}]
"""
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "odoo.yaml").write_text(manifest)
        report = scan([directory], Config())
    assert report.inputs[0].status.value == "scanned"
