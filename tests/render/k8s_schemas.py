"""Kubernetes JSON Schemas of the core kinds bulkhead renders, vendored for offline validation.

`k8s-schemas.json` holds the strict schemas (unknown fields rejected) of Kubernetes v1.32 for
the kinds in `KINDS`, with only the definitions they reach: about 0.1 MB, without the prose, instead of the
110 MB kubernetes-validate package they come from (Apache-2.0; generated from the Kubernetes
OpenAPI documents). Regenerate with kubernetes-validate installed somewhere:

    python tests/render/k8s_schemas.py /path/to/site-packages/kubernetes_validate
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from referencing import Registry, Resource

VERSION = "v1.32.0"
HERE = Path(__file__).resolve().parent
VENDORED = HERE / "k8s-schemas.json"
DEFINITIONS = "https://kubernetes.io/api/_definitions.json"

KINDS: dict[tuple[str, str], str] = {
    ("v1", "Namespace"): "namespace-v1.json",
    ("v1", "ResourceQuota"): "resourcequota-v1.json",
    ("v1", "LimitRange"): "limitrange-v1.json",
    ("v1", "ServiceAccount"): "serviceaccount-v1.json",
    ("v1", "ConfigMap"): "configmap-v1.json",
    ("v1", "PersistentVolumeClaim"): "persistentvolumeclaim-v1.json",
    ("v1", "Service"): "service-v1.json",
    ("apps/v1", "Deployment"): "deployment-apps-v1.json",
    ("apps/v1", "StatefulSet"): "statefulset-apps-v1.json",
    ("batch/v1", "Job"): "job-batch-v1.json",
    ("batch/v1", "CronJob"): "cronjob-batch-v1.json",
    ("policy/v1", "PodDisruptionBudget"): "poddisruptionbudget-policy-v1.json",
    ("networking.k8s.io/v1", "NetworkPolicy"): "networkpolicy-networking-v1.json",
    ("rbac.authorization.k8s.io/v1", "Role"): "role-rbac-v1.json",
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): "rolebinding-rbac-v1.json",
}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _strip(node: Any) -> Any:
    """The schema without its prose (`description`): a tenth of the size, same validation."""
    if isinstance(node, dict):
        return {
            k: _strip(v) for k, v in node.items() if not (k == "description" and isinstance(v, str))
        }
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def extract(package: Path) -> dict[str, Any]:
    """The kinds' schemas and the definitions they reach, from a kubernetes-validate tree."""
    base = package / "kubernetes-json-schema" / f"{VERSION}-local-strict"
    definitions = json.loads((base / "_definitions.json").read_text(encoding="utf-8"))["$defs"]
    kinds = {
        f"{api}/{kind}": json.loads((base / name).read_text(encoding="utf-8"))
        for (api, kind), name in KINDS.items()
    }
    wanted: dict[str, Any] = {}
    queue = [ref for schema in kinds.values() for ref in _refs(schema)]
    while queue:
        name = queue.pop().rsplit("/", 1)[-1]
        if name in wanted:
            continue
        wanted[name] = definitions[name]
        queue.extend(_refs(definitions[name]))
    result: dict[str, Any] = _strip(
        {"version": VERSION, "kinds": kinds, "definitions": dict(sorted(wanted.items()))}
    )
    return result


@cache
def _vendored() -> tuple[dict[str, Any], Registry[Any]]:
    data = json.loads(VENDORED.read_text(encoding="utf-8"))
    resource: Resource[Any] = Resource.opaque({"$defs": data["definitions"]})
    registry: Registry[Any] = Registry().with_resource(DEFINITIONS, resource)
    return data["kinds"], registry


def supported(api_version: str, kind: str) -> bool:
    return (api_version, kind) in KINDS


def errors(manifest: dict[str, Any]) -> list[str]:
    """Schema violations of one manifest of a vendored kind, as `path: message` lines."""
    kinds, registry = _vendored()
    schema = kinds[f"{manifest['apiVersion']}/{manifest['kind']}"]
    validator = jsonschema.Draft202012Validator(schema, registry=registry)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    ]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    data = extract(Path(argv[0]))
    VENDORED.write_text(json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"wrote {VENDORED} ({VENDORED.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
