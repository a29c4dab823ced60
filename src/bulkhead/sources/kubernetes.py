"""Kubernetes objects out of parsed YAML/JSON documents."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bulkhead.model import Location, Resource
from bulkhead.sources.yamldoc import Document, YamlMap, YamlSeq

CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "PodSecurityPolicy",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "APIService",
        "CSIDriver",
        "VolumeSnapshotClass",
        "ClusterIssuer",
        "ClusterSecretStore",
        "ClusterExternalSecret",
    }
)

_HELM_TEMPLATE = re.compile(
    r"\{\{-?\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|\.Files|\.Template|include\b"
    r"|template\b|if\b|range\b|with\b|end\b|define\b|toYaml\b|tpl\b|\$)"
)


def helm_template_line(text: str) -> int | None:
    """The line of the first Helm template action, if the text is an unrendered template."""
    match = _HELM_TEMPLATE.search(text)
    if match is None:
        return None
    return text.count("\n", 0, match.start()) + 1


def _is_object(data: Any) -> bool:
    return (
        isinstance(data, YamlMap)
        and isinstance(data.get("apiVersion"), str)
        and isinstance(data.get("kind"), str)
    )


def _expand(data: YamlMap) -> Iterable[YamlMap]:
    """`kind: List` and typed lists (`PodList`, ...) hold their objects under `items`."""
    kind: str = data["kind"]
    items = data.get("items")
    if kind.endswith("List") and isinstance(items, YamlSeq) and "spec" not in data:
        for item in items:
            if _is_object(item):
                yield from _expand(item)
        return
    yield data


def resources_from_documents(
    documents: Iterable[Document], file: str, default_namespace: str
) -> list[Resource]:
    resources: list[Resource] = []
    for document in documents:
        if not _is_object(document.data):
            continue
        for obj in _expand(document.data):
            metadata = obj.get("metadata")
            metadata = metadata if isinstance(metadata, dict) else {}
            name = metadata.get("name") or metadata.get("generateName") or "<unnamed>"
            kind: str = obj["kind"]
            if kind in CLUSTER_SCOPED_KINDS:
                namespace = None
            else:
                declared = metadata.get("namespace")
                namespace = str(declared) if declared else default_namespace
            resources.append(
                Resource(
                    api_version=obj["apiVersion"],
                    kind=kind,
                    name=str(name),
                    namespace=namespace,
                    doc=obj,
                    location=Location(file, obj.line),
                    doc_index=document.index,
                )
            )
    return resources
