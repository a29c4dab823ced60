"""A long-running container has no liveness or readiness probe.

## What it does
For long-running workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController and bare Pods), flags each app container and each native sidecar (an
init container with `restartPolicy: Always`) without a `livenessProbe` or without a
`readinessProbe`: one finding per missing probe. Jobs, CronJobs, bare Pods with
`restartPolicy: Never` or `OnFailure`, ordinary init containers and ephemeral containers are
not checked: they run to completion or cannot have probes.

## Why is this bad
Without readiness, a Service sends traffic to an Odoo pod that is still loading its registry or
running a module upgrade, and users of that tenant get 502s on every rollout. Without liveness,
a deadlocked worker (stuck on a database lock, a hung longpolling/websocket loop on 8072)
keeps its slot forever and is never restarted. On a shared platform these silent failures are
what turns one tenant's bad deploy into an incident.

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
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          ports: [{containerPort: 8069}]
          readinessProbe:
            httpGet: {path: /web/health, port: 8069}
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
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          ports: [{containerPort: 8069}, {containerPort: 8072}]
          startupProbe: {httpGet: {path: /web/health, port: 8069}, failureThreshold: 60}
          readinessProbe: {httpGet: {path: /web/health, port: 8069}}
          livenessProbe: {httpGet: {path: /web/health, port: 8069}, periodSeconds: 20}
```

## Remediation
Odoo serves `GET /web/health` without authentication. Use it for readiness and liveness, and
add a `startupProbe` with a generous `failureThreshold` so slow module loading or upgrades are
not killed by the liveness probe. A cron-only Odoo started with `--no-http` has no endpoint:
give it an `exec` probe (a small script checking that its process is alive). For sidecars (log
shippers, PgBouncer, a metrics exporter) use their own health endpoint or a `tcpSocket` probe.

## References
Peers: Checkov CKV_K8S_8 / CKV_K8S_9, Kubescape C-0056 / C-0018, kube-score pod-probes,
Polaris livenessProbeMissing / readinessProbeMissing. kube-score requires a readiness probe
only when a Service targets the pod; we require both probes for every long-running workload on
purpose: Odoo cron and queue workers are not behind a Service yet still need liveness to
recover from a hang, and a Service added later (or defined in another repository) must not
silently start routing to a pod with no readiness. Native sidecars are checked too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL016",
    slug="probe-missing",
    title="Long-running container has no liveness or readiness probe",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_8", "CKV_K8S_9"),
        "kubescape": ("C-0056", "C-0018"),
        "kube-score": ("pod-probes",),
        "polaris": ("livenessProbeMissing", "readinessProbeMissing"),
    },
)

RUN_TO_COMPLETION = frozenset({"Never", "OnFailure"})
PROBES = (("livenessProbe", "liveness"), ("readinessProbe", "readiness"))


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    pod = container.pod
    restart_policy = pod.spec.get("restartPolicy")
    if not pod.long_running or (
        isinstance(restart_policy, str) and restart_policy in RUN_TO_COMPLETION
    ):
        return
    if container.kind != "containers" and not container.is_sidecar:
        return
    role = "sidecar" if container.is_sidecar else "container"
    for field, label in PROBES:
        probe = container.spec.get(field)
        if isinstance(probe, Mapping) and probe:
            continue
        yield Hit(
            (*container.path, field),
            f"{role} {container.name!r} has no {label} probe: add {field} (for Odoo, an "
            "httpGet on /web/health port 8069)",
        )
