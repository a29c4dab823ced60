"""The inventory: every loaded object, indexed once, with pod templates normalized.

Workload controls are written once against `PodTemplate` and `Container`, whatever the owning
kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

from bulkhead.model import Context, Diagnostic, FieldPath, InputRecord, Resource
from bulkhead.sources.configfiles import ConfigFile
from bulkhead.sources.dockerfile import Dockerfile

T = TypeVar("T")

TENANT_LABEL = "bulkhead.io/tenant"
ENVIRONMENT_LABEL = "bulkhead.io/environment"

POD_SPEC_PATHS: Mapping[str, FieldPath] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
LONG_RUNNING_KINDS = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}
)
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
DEPLOYING_KINDS = frozenset({"Application"})


def _text(value: Any) -> str | None:
    return str(value) if value else None


def _mapping(value: Any) -> Mapping[str, Any]:
    # Loaded data is always dict-based, and the concrete check is much cheaper than the ABC's.
    return value if isinstance(value, dict) else {}


def _get(data: Any, path: FieldPath) -> Any:
    for part in path:
        if isinstance(part, str) and isinstance(data, dict):
            data = data.get(part)
        elif isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


@dataclass(frozen=True, slots=True)
class Container:
    """One container of a pod template; `path` leads to it from the object root."""

    pod: PodTemplate
    spec: Mapping[str, Any]
    path: FieldPath
    kind: str
    """"containers", "initContainers" or "ephemeralContainers"."""

    @property
    def name(self) -> str:
        return str(self.spec.get("name", ""))

    @property
    def security_context(self) -> Mapping[str, Any]:
        return _mapping(self.spec.get("securityContext"))

    @property
    def is_sidecar(self) -> bool:
        """An init container with restartPolicy Always runs for the pod's whole life."""
        return self.kind == "initContainers" and self.spec.get("restartPolicy") == "Always"

    def effective(self, field_name: str) -> tuple[Any, FieldPath | None]:
        """A securityContext field as the kubelet applies it: container first, then pod.

        Returns the value and the path where it was set (None when set nowhere). An explicit
        null is unset, as the API server treats it, so it never hides the pod's value.
        """
        own = self.security_context.get(field_name)
        if own is not None:
            return own, (*self.path, "securityContext", field_name)
        inherited = self.pod.security_context.get(field_name)
        if inherited is not None:
            return inherited, (*self.pod.path, "securityContext", field_name)
        return None, None


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """A pod spec wherever it sits in its owning object."""

    resource: Resource
    spec: Mapping[str, Any]
    path: FieldPath
    containers: tuple[Container, ...] = field(default=())
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """The template's metadata (labels, annotations); the object's own for a bare Pod."""
    labels: Mapping[str, Any] = field(default_factory=dict)
    """The labels its pods carry, which Services and NetworkPolicies select on."""

    @property
    def security_context(self) -> Mapping[str, Any]:
        return _mapping(self.spec.get("securityContext"))

    @property
    def labels_path(self) -> FieldPath:
        if self.resource.kind == "Pod":
            return ("metadata", "labels")
        return (*self.path[:-1], "metadata", "labels")

    @property
    def long_running(self) -> bool:
        return self.resource.kind in LONG_RUNNING_KINDS


def pod_template(resource: Resource) -> PodTemplate | None:
    path = POD_SPEC_PATHS.get(resource.kind)
    if path is None:
        return None
    spec = _get(resource.doc, path)
    if not isinstance(spec, Mapping):
        return None
    if resource.kind == "Pod":
        metadata = resource.metadata
    else:
        metadata = _mapping(_get(resource.doc, (*path[:-1], "metadata")))
    template = PodTemplate(resource, spec, path, (), metadata, _mapping(metadata.get("labels")))
    containers: list[Container] = []
    for list_name in CONTAINER_LISTS:
        items = spec.get(list_name)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                containers.append(Container(template, item, (*path, list_name, index), list_name))
    object.__setattr__(template, "containers", tuple(containers))
    return template


@dataclass(frozen=True, slots=True)
class ContextRules:
    """Where tenant and environment come from when namespace labels do not say."""

    path_pattern: str | None = None

    def compile(self) -> re.Pattern[str] | None:
        if not self.path_pattern:
            return None
        pattern = re.escape(self.path_pattern.strip("/"))
        pattern = pattern.replace(r"\{tenant\}", r"(?P<tenant>[^/]+)")
        pattern = pattern.replace(r"\{environment\}", r"(?P<environment>[^/]+)")
        return re.compile(r"(?:^|/)" + pattern + r"(?:/|$)")


def context_from_path(pattern: re.Pattern[str] | None, file: str) -> Context:
    if pattern is None:
        return Context()
    match = pattern.search(file.replace("\\", "/"))
    if match is None:
        return Context()
    groups = match.groupdict()
    return Context(groups.get("tenant"), groups.get("environment"))


class Inventory:
    """All objects of one scan, indexed by kind, namespace, name and labels."""

    def __init__(
        self,
        resources: Iterable[Resource],
        dockerfiles: Sequence[Dockerfile] = (),
        diagnostics: Sequence[Diagnostic] = (),
        inputs: Sequence[InputRecord] = (),
        context_rules: ContextRules | None = None,
        configs: Sequence[ConfigFile] = (),
    ) -> None:
        rules = context_rules or ContextRules()
        pattern = rules.compile()
        resources = list(resources)
        namespace_context: dict[str, Context] = {}
        for resource in resources:
            if resource.kind == "Namespace":
                labels = resource.labels
                tenant, environment = labels.get(TENANT_LABEL), labels.get(ENVIRONMENT_LABEL)
                if tenant or environment:
                    namespace_context[resource.name] = Context(
                        str(tenant) if tenant else None, str(environment) if environment else None
                    )
        self.resources: tuple[Resource, ...] = tuple(
            replace(r, context=self._context(r, namespace_context, pattern)) for r in resources
        )
        self.dockerfiles = tuple(dockerfiles)
        self.dockerfile_contexts: tuple[Context, ...] = tuple(
            context_from_path(pattern, d.location.file) for d in self.dockerfiles
        )
        self._derived: dict[Callable[[Inventory], Any], Any] = {}
        self.configs = tuple(configs)
        self.config_contexts: tuple[Context, ...] = tuple(
            context_from_path(pattern, c.location.file) for c in self.configs
        )
        self.diagnostics = tuple(diagnostics)
        self.inputs = tuple(inputs)
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_key: dict[tuple[str, str | None, str], Resource] = {}
        self._by_label: dict[tuple[str | None, str, str], list[Resource]] = defaultdict(list)
        for resource in self.resources:
            self._by_kind[resource.kind].append(resource)
            self._by_key[(resource.kind, resource.namespace, resource.name)] = resource
            for key, value in resource.labels.items():
                self._by_label[(resource.namespace, str(key), str(value))].append(resource)
        self.pod_templates: tuple[PodTemplate, ...] = tuple(
            t for t in (pod_template(r) for r in self.resources) if t is not None
        )

    @staticmethod
    def _context(
        resource: Resource, by_namespace: Mapping[str, Context], pattern: re.Pattern[str] | None
    ) -> Context:
        """The object's own labels, then its namespace's, then the path pattern's.

        A GitOps Application lives in the GitOps controller's namespace but deploys into its
        destination namespace: that namespace's context is the one it carries.
        """
        namespace = resource.name if resource.kind == "Namespace" else resource.namespace
        if resource.kind in DEPLOYING_KINDS:
            destination = _get(resource.doc, ("spec", "destination", "namespace"))
            if isinstance(destination, str) and destination in by_namespace:
                namespace = destination
        own = Context(
            _text(resource.labels.get(TENANT_LABEL)), _text(resource.labels.get(ENVIRONMENT_LABEL))
        )
        labelled = by_namespace.get(namespace or "", Context())
        from_path = context_from_path(pattern, resource.location.file)
        return Context(
            own.tenant or labelled.tenant or from_path.tenant,
            own.environment or labelled.environment or from_path.environment,
        )

    def derived(self, build: Callable[[Inventory], T]) -> T:
        """A view computed from this inventory once and shared by every control that asks.

        The inventory never changes after it is built, so a view of it (NetworkPolicy
        selections, the Odoo options of every deployment) is valid for the whole scan.
        """
        if build not in self._derived:
            self._derived[build] = build(self)
        return cast(T, self._derived[build])

    def of_kind(self, *kinds: str) -> Iterator[Resource]:
        for kind in kinds:
            yield from self._by_kind.get(kind, ())

    def get(self, kind: str, namespace: str | None, name: str) -> Resource | None:
        return self._by_key.get((kind, namespace, name))

    def with_label(self, namespace: str | None, key: str, value: str) -> Sequence[Resource]:
        return self._by_label.get((namespace, key, value), ())

    def containers(self) -> Iterator[Container]:
        for template in self.pod_templates:
            yield from template.containers
