"""A Service selects no pod of its namespace, or targets a container port name no pod declares.

## What it does
For every Service with a non-empty `spec.selector` (ExternalName and selector-less Services
are skipped), looks up the pod templates of its namespace (every workload kind, CronJob
included) whose labels carry the whole selector, and reports the selector when there is none.
Otherwise reports each `spec.ports[].targetPort` given as a name that no selected container (or
restartable init "sidecar") declares in `ports[].name` with the same protocol (TCP by default),
as the endpoints controller does. Pods CloudNativePG creates count when the selector names the
`cnpg.io/cluster` or `cnpg.io/poolerName` of a Cluster or Pooler in the namespace.
DR rule: a reference dangles when its target is not among the scanned objects of the target
namespace while the scan holds an object of that namespace (a Service selects in its own).

## Why is this bad
A Service without endpoints answers with refused connections or a Traefik 503: after a label
rename the tenant's Odoo is down while every object looks healthy. An undeclared named
`targetPort` is subtler: the other ports work while websocket traffic (8072) goes nowhere.

## Example (must fail)
```yaml
apiVersion: v1
kind: Service
metadata: {name: odoo, namespace: acme-prod}
spec:
  selector: {app.kubernetes.io/name: odoo, app.kubernetes.io/component: web}
  ports: [{name: http, port: 8069, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: odoo, app.kubernetes.io/component: http}}
  template:
    metadata: {labels: {app.kubernetes.io/name: odoo, app.kubernetes.io/component: http}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000
          ports: [{name: http, containerPort: 8069}]
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Service
metadata: {name: odoo, namespace: acme-prod}
spec:
  selector: {app.kubernetes.io/name: odoo, app.kubernetes.io/component: web}
  ports: [{name: http, port: 8069, targetPort: http}, {name: ws, port: 8072, targetPort: ws}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: odoo, app.kubernetes.io/component: web}}
  template:
    metadata: {labels: {app.kubernetes.io/name: odoo, app.kubernetes.io/component: web}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:0000000000000000000000000000000000000000000000000000000000000000
          ports: [{name: http, containerPort: 8069}, {name: ws, containerPort: 8072}]
```

## Remediation
Make `spec.selector` a subset of the pod template labels (`kubectl get endpointslices -n
acme-prod -l kubernetes.io/service-name=odoo` lists addresses) and give each named `targetPort`
a container `ports[].name`. Pods of other operators are invisible: annotate the Service
`bulkhead.io/ignore: "DR001: pods created by <operator>"`.

## References
Peers: kube-score service-targets-pod, Kubescape C-0293, KICS 3ca03a61. bulkhead also checks
named target ports, with the endpoints controller's protocol and sidecar rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.inventory import Inventory, PodTemplate
from bulkhead.model import Resource, Severity
from bulkhead.selectors import parse_map_selector

META = Meta(
    id="DR001",
    slug="service-selects-no-pods",
    title="Service selects no pods or targets an undeclared port name",
    domain=Domain.EXPOSURE,
    severity=Severity.MEDIUM,
    scope=Scope.INVENTORY,
    references={
        "kubescape": ("C-0293",),
        "kube-score": ("service-targets-pod",),
    },
)

CNPG_GROUP = "postgresql.cnpg.io"
# Selector keys on pods an operator creates from a custom resource: (label, kind of the owner).
OPERATOR_POD_LABELS = (("cnpg.io/cluster", "Cluster"), ("cnpg.io/poolerName", "Pooler"))

LabelIndex = dict[tuple[str | None, str, str], list[PodTemplate]]


def _index(inventory: Inventory) -> LabelIndex:
    """Pod templates by (namespace, label key, label value)."""
    index: LabelIndex = defaultdict(list)
    for template in inventory.pod_templates:
        for key, value in template.labels.items():
            index[(template.resource.namespace, str(key), str(value))].append(template)
    return index


def _operator_pods(inventory: Inventory, service: Resource, selector: Mapping[str, Any]) -> bool:
    for label, kind in OPERATOR_POD_LABELS:
        value = selector.get(label)
        if isinstance(value, str) and value:
            owner = inventory.get(kind, service.namespace, value)
            if owner is not None and owner.api_group == CNPG_GROUP:
                return True
    return False


def _declares(templates: list[PodTemplate], name: str, protocol: str) -> bool:
    for template in templates:
        for container in template.containers:
            if container.kind != "containers" and not container.is_sidecar:
                continue
            for port in as_list(container.spec.get("ports")):
                port = as_mapping(port)
                if port.get("name") == name and (port.get("protocol") or "TCP") == protocol:
                    return True
    return False


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    index = _index(inventory)
    for service in inventory.of_kind("Service"):
        spec = as_mapping(service.doc.get("spec"))
        raw = spec.get("selector")
        if spec.get("type") == "ExternalName" or not isinstance(raw, Mapping) or not raw:
            continue
        if _operator_pods(inventory, service, raw):
            continue
        selector = parse_map_selector(raw)
        lists = [index.get((service.namespace, k, v), []) for k, v in selector.equalities().items()]
        candidates = min(lists, key=len) if lists else []
        selected = [t for t in candidates if selector.matches(t.labels)]
        if not selected:
            wanted = ", ".join(f"{k}={v}" for k, v in sorted(selector.equalities().items()))
            yield Hit(
                ("spec", "selector"),
                f"Service {service.name!r} selects pods labelled {wanted}, but no workload in "
                f"namespace {service.namespace!r} has a pod template with all these labels, so "
                "the Service has no endpoints: make spec.selector match the pod template labels",
                resource=service,
            )
            continue
        for number, port in enumerate(as_list(spec.get("ports"))):
            port = as_mapping(port)
            target = port.get("targetPort")
            if not isinstance(target, str) or not target or target.strip().isdigit():
                continue  # a number (or the default, the port itself) needs no declaration
            protocol = port.get("protocol") or "TCP"
            if _declares(selected, target, str(protocol)):
                continue
            workloads = ", ".join(
                sorted({f"{t.resource.kind} {t.resource.name}" for t in selected})
            )
            yield Hit(
                ("spec", "ports", number, "targetPort"),
                f"Service {service.name!r} port {port.get('name') or port.get('port')!r} "
                f"targets the port name {target!r}, but no container of the selected pods "
                f"({workloads}) declares a {protocol} port of that name, so this port has no "
                "endpoints: add `ports: [{name: "
                f"{target}, containerPort: ...}}]` to the container or use the port number",
                resource=service,
            )
