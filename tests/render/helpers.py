"""Helpers of the render tests: write a render to disk, scan it as CI would, read it back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from bulkhead.config import Config
from bulkhead.model import Finding, Report, Severity
from bulkhead.platform.model import Platform, effective_environments
from bulkhead.render import emit
from bulkhead.scan import scan
from tests.helpers import TODAY

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "platform" / "bulkhead.yaml"

EXPECTED_SUPPRESSION = ("WL021", "StatefulSet", "redis")
"""The one reviewed exception: a production Redis runs one replica (docs/render.md, Redis)."""


def write(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def platform_stores(platform: Platform) -> str:
    """The platform's secret store(s) the ExternalSecrets read from, for the scan.

    bulkhead does not render them (the model has no provider settings): CI scans the
    platform's own stores with the tenants. A ClusterSecretStore admits tenant namespaces only.
    """
    store = platform.platform.secret_store
    provider = {"vault": {"server": "https://vault.example.com", "path": "odoo", "version": "v2"}}
    if store.kind.value == "ClusterSecretStore":
        documents: list[dict[str, Any]] = [
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ClusterSecretStore",
                "metadata": {"name": store.name},
                "spec": {
                    "conditions": [
                        {
                            "namespaceSelector": {
                                "matchExpressions": [
                                    {"key": "bulkhead.io/tenant", "operator": "Exists"}
                                ]
                            }
                        }
                    ],
                    "provider": provider,
                },
            }
        ]
    else:
        documents = [
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "SecretStore",
                "metadata": {"name": store.name, "namespace": env.namespace},
                "spec": {"provider": provider},
            }
            for env in effective_environments(platform)
        ]
    return emit.documents(documents, "# platform stores (test fixture)\n")


def scan_render(root: Path, platform: Platform, files: Mapping[str, str]) -> Report:
    """Write the files and the platform's stores under root, then scan with every control,
    the platform's approved registries, and --fail-on low."""
    (root / "out").mkdir(parents=True, exist_ok=True)
    write(root / "out", files)
    (root / "platform-stores.yaml").write_text(platform_stores(platform), encoding="utf-8")
    config = Config(approved_registries=platform.platform.registries, fail_on=Severity.LOW)
    return scan([str(root / "out"), str(root / "platform-stores.yaml")], config, today=TODAY)


def _expected(finding: Finding) -> bool:
    resource = finding.resource
    return (
        finding.suppressed
        and resource is not None
        and (finding.control, resource.kind, resource.name) == EXPECTED_SUPPRESSION
    )


def unexpected(report: Report) -> list[str]:
    """Every finding (active or suppressed) but the reviewed Redis exception, and notices."""
    lines = [
        f"{f.control} {f.location.file}:{f.location.line} {f.path}: {f.message}"
        f"{' (suppressed)' if f.suppressed else ''}"
        for f in report.findings
        if not _expected(f)
    ]
    return lines + [f"notice: {n.message}" for n in report.notices]


def objects(files: Mapping[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every YAML document of every rendered file, read back with PyYAML's safe loader."""
    for relative, text in files.items():
        for document in yaml.load_all(text, Loader=yaml.CSafeLoader):
            assert isinstance(document, dict), relative
            yield relative, document
