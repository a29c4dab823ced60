"""A container binds a port on the node's own address (ports[].hostPort).

## What it does
Flags every `ports[]` entry with a non-zero `hostPort`, in every container, init container and
ephemeral container of every pod-template kind. `hostPort: 0` means "not set" and passes.
With `hostNetwork: true` the API server defaults each `hostPort` to its `containerPort`; that
case is reported by WL007.

## Why is this bad
A host port publishes Odoo on the node's IP, beside the Service and the ingress controller:
anyone who can reach the node finds it, traffic to it skips the TLS, rate limits and
authentication the platform applies at the edge, and whether NetworkPolicy still filters it
depends on the CNI plugin.
It also pins the pod: only one pod per node can hold the port, so rollouts stall and the
scheduler cannot spread replicas. The `8072` longpolling port exposed this way serves live
chat and bus traffic straight from the worker.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          ports:
            - {name: http, containerPort: 8069, hostPort: 8069}
            - {name: longpolling, containerPort: 8072}
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          ports:
            - {name: http, containerPort: 8069}
            - {name: longpolling, containerPort: 8072}
```

## Remediation
Remove `hostPort`. Put a ClusterIP Service in front of the pods and route tenants to it through
the ingress controller (Traefik or NGINX), which handles TLS, `/websocket` and
`/longpolling` routing to 8072. For local debugging use `kubectl port-forward`.

## References
CIS Kubernetes Benchmark 5.2.13; Pod Security Standards Baseline "Host Ports". Peers: Checkov
CKV_K8S_26, Kubescape C-0044, Polaris hostPortSet, Trivy KSV-0024. Checkov fails on any
`hostPort` key, even `0`, which the API server treats as unset; we do not. An integral float
(`8069.0`) counts, as kubectl sends it as an integer; a quoted string is rejected by the API
server and is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int, as_list, as_mapping
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL010",
    slug="host-port",
    title="Container binds a host port",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_26",),
        "kubescape": ("C-0044",),
        "polaris": ("hostPortSet",),
        "trivy": ("KSV-0024",),
        "cis": ("5.2.13",),
        "pss": ("baseline: Host Ports",),
    },
)


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    for index, item in enumerate(as_list(container.spec.get("ports"))):
        host_port = as_int(as_mapping(item).get("hostPort"))
        if host_port is None or host_port == 0:
            continue
        yield Hit(
            (*container.path, "ports", index, "hostPort"),
            f"container {container.name!r} binds host port {host_port} on the node: remove "
            "hostPort and expose the port through a Service and the ingress controller",
        )
