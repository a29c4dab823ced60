"""A pod mounts a directory or file of the node (a hostPath volume).

## What it does
Flags every `volumes[]` entry with a `hostPath` source in a pod template, in every kind that
holds one (CronJob included), whatever its `type` and whether the mounts are read-only.
Container runtime sockets and their directories (`/var/run/docker.sock`, `/run/containerd`,
...) are reported once, by WL009 at CRITICAL, and not again here.

## Why is this bad
A hostPath ties the pod to whatever the node's disk holds: `/var/log` or `/var/lib/kubelet`
leak other tenants' logs, tokens and secrets; `/etc` or `/root` let a container rewrite the
node; even a dedicated directory such as `/srv/odoo/acme` is shared by every pod scheduled on
that node, survives the pod, escapes quotas and backups, and breaks as soon as the pod moves to
another node. A writable one lets a container plant files the node later reads or runs, and
`readOnly: true` still lets it read whatever secrets sit below the path.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: odoo, namespace: acme-prod}
spec:
  serviceName: odoo
  selector: {matchLabels: {app: odoo}}
  template:
    metadata: {labels: {app: odoo}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          volumeMounts: [{name: filestore, mountPath: /var/lib/odoo}]
      volumes:
        - name: filestore
          hostPath: {path: /srv/odoo/acme, type: DirectoryOrCreate}
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: odoo, namespace: acme-prod}
spec:
  serviceName: odoo
  selector: {matchLabels: {app: odoo}}
  template:
    metadata: {labels: {app: odoo}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          volumeMounts: [{name: filestore, mountPath: /var/lib/odoo}]
      volumes:
        - name: filestore
          persistentVolumeClaim: {claimName: odoo-filestore}
```

## Remediation
Keep the Odoo filestore on a PersistentVolumeClaim (ReadWriteMany when several web pods share
it) and scratch space on `emptyDir`. Node log or metrics collectors that must read host paths
run as a platform DaemonSet outside tenant namespaces, with `readOnly` mounts of the narrowest
path.

## References
CIS Kubernetes Benchmark 5.2.12; NSA/CISA Kubernetes Hardening Guide (pod security: hostPath);
Pod Security Standards Baseline "HostPath Volumes" and Restricted "Volume Types". Peers:
Kubescape C-0048, Polaris hostPathSet, Trivy KSV-0023 (Checkov has no general hostPath check).
Peers report a runtime socket both here and in their socket check; we report it once, in WL009.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.controls.workload.WL009_container_runtime_socket_mounted import is_runtime_socket
from bulkhead.inventory import PodTemplate
from bulkhead.model import Severity

META = Meta(
    id="WL008",
    slug="host-path-volume",
    title="Pod mounts a hostPath volume",
    domain=Domain.WORKLOAD,
    severity=Severity.HIGH,
    scope=Scope.POD,
    references={
        "kubescape": ("C-0048",),
        "polaris": ("hostPathSet",),
        "trivy": ("KSV-0023",),
        "cis": ("5.2.12",),
        "nsa": ("Pod security: hostPath",),
        "pss": ("baseline: HostPath Volumes", "restricted: Volume Types"),
    },
)


def check(pod: PodTemplate, settings: Settings) -> Iterator[Hit]:
    for index, item in enumerate(as_list(pod.spec.get("volumes"))):
        volume = as_mapping(item)
        host_path = volume.get("hostPath")
        if not isinstance(host_path, Mapping):
            continue
        path = host_path.get("path")
        if is_runtime_socket(path):
            continue
        if isinstance(path, str):
            shown = f"the node's path {(path if len(path) <= 120 else path[:117] + '...')!r}"
        else:
            shown = "a node path"
        yield Hit(
            (*pod.path, "volumes", index, "hostPath"),
            f"volume {volume.get('name')!r} mounts {shown} (hostPath): use a "
            "PersistentVolumeClaim for data or an emptyDir for scratch space instead of hostPath",
        )
