"""A pod mounts the container runtime's socket (Docker, containerd, CRI-O) from the node.

## What it does
Flags every `hostPath` volume of a pod template whose path is a container runtime socket, a
directory that holds one, or Docker's state directory: `/var/run/docker.sock`, `/run/docker.sock`,
`/var/run/containerd/containerd.sock`, `/run/containerd/containerd.sock`,
`/var/run/crio/crio.sock`, `/run/crio/crio.sock`, `/var/run/cri-dockerd.sock`,
`/var/run/dockershim.sock`, k3s's `/run/k3s/containerd/containerd.sock`, Podman's
`/run/podman/podman.sock`, and the directories that hold them: `/var/run`, `/run`,
`/var/run/docker`, `/var/run/containerd`, `/run/containerd`, `/var/run/crio`, `/run/crio`,
`/run/k3s/containerd`, `/run/podman`, `/var/lib/docker`, `/var/lib/containerd`, and the node's
`/var` and `/` themselves. Paths are compared after removing repeated and trailing slashes
(`//var/run/docker.sock/` is the socket). WL008 reports every other hostPath volume.

## Why is this bad
Whoever talks to the runtime socket is root on the node: one API call starts a privileged
container with the host's `/` mounted, reads every other container's filesystem and
environment, or execs into another tenant's Odoo pod. A read-only mount does not help (a socket
is written by connecting to it). Admission policies on pods do not see what the runtime is asked
to start this way, so it also bypasses Pod Security Admission.

## Example (must fail)
```yaml
apiVersion: batch/v1
kind: CronJob
metadata: {name: odoo-addons-build, namespace: acme-prod}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: build
              image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
              volumeMounts: [{name: docker, mountPath: /var/run/docker.sock}]
          volumes:
            - name: docker
              hostPath: {path: /var/run/docker.sock, type: Socket}
```

## Use instead (must pass)
```yaml
apiVersion: batch/v1
kind: CronJob
metadata: {name: odoo-addons-build, namespace: acme-prod}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: build
              image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
              volumeMounts: [{name: work, mountPath: /workspace}]
          volumes:
            - name: work
              emptyDir: {}
```

## Remediation
Remove the volume. Build images in CI or with a daemonless, rootless builder (BuildKit rootless,
kaniko, buildah) that needs no socket; collect logs and metrics through the kubelet and the
Kubernetes API. A node agent that must reach the runtime belongs in a platform namespace.

## References
CIS Kubernetes Benchmark 5.2.12; NSA/CISA Kubernetes Hardening Guide (pod security: hostPath);
Pod Security Standards Baseline "HostPath Volumes". Peers: Checkov CKV_K8S_27, Kubescape
C-0074, Trivy KSV-0006. Checkov only matches the exact string `/var/run/docker.sock`, so
containerd, CRI-O, `/run/...` and the parent directory all pass there.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.inventory import PodTemplate
from bulkhead.model import Severity

META = Meta(
    id="WL009",
    slug="container-runtime-socket-mounted",
    title="Pod mounts the container runtime socket",
    domain=Domain.WORKLOAD,
    severity=Severity.CRITICAL,
    scope=Scope.POD,
    references={
        "checkov": ("CKV_K8S_27",),
        "kubescape": ("C-0074",),
        "trivy": ("KSV-0006",),
        "cis": ("5.2.12",),
        "nsa": ("Pod security: hostPath",),
        "pss": ("baseline: HostPath Volumes",),
    },
)

RUNTIME_SOCKET_PATHS = frozenset(
    {
        "/var/run/docker.sock",
        "/run/docker.sock",
        "/var/run/containerd/containerd.sock",
        "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock",
        "/run/crio/crio.sock",
        "/var/run/cri-dockerd.sock",
        "/var/run",
        "/run",
        "/var/run/docker",
        "/var/run/containerd",
        "/run/containerd",
        "/var/lib/docker",
        "/var/lib/containerd",
        "/var/run/crio",
        "/run/crio",
        "/var/run/dockershim.sock",
        "/run/k3s/containerd",
        "/run/k3s/containerd/containerd.sock",
        "/run/podman",
        "/run/podman/podman.sock",
        "/var",
        "/",
    }
)
"""Runtime sockets and the directories that hold them (shared with WL008)."""

_SLASHES = re.compile(r"/{2,}")


def is_runtime_socket(path: Any) -> bool:
    """Whether a hostPath `path` is a runtime socket or its directory, after normalization."""
    if not isinstance(path, str) or not path:
        return False
    return posixpath.normpath(_SLASHES.sub("/", path)) in RUNTIME_SOCKET_PATHS


def check(pod: PodTemplate, settings: Settings) -> Iterator[Hit]:
    for index, volume in enumerate(as_list(pod.spec.get("volumes"))):
        host_path = as_mapping(as_mapping(volume).get("hostPath"))
        path = host_path.get("path")
        if not is_runtime_socket(path):
            continue
        name = as_mapping(volume).get("name")
        yield Hit(
            (*pod.path, "volumes", index, "hostPath", "path"),
            f"volume {name!r} mounts the node's container runtime socket or directory {path!r}, "
            "which gives root on the node: remove the volume and use a daemonless builder or "
            "the Kubernetes API instead",
        )
