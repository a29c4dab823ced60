"""A container may run as root: no non-root guarantee, or an explicit UID 0.

## What it does
For every container, init container and ephemeral container, resolves `runAsUser` and
`runAsNonRoot` as the kubelet does, each field on its own (the container value overrides the
pod's). Flags the container when the effective `runAsUser` is 0, or when neither
`runAsNonRoot: true` nor a non-zero `runAsUser` is in effect, so the image's `USER` decides.
`runAsNonRoot: true` with `runAsUser: 0` is flagged too: the kubelet refuses to start it.

## Why is this bad
Root in the container is root on the node's kernel, one namespace bug away from the host and
from every other tenant's Odoo pods on it; it also owns every file of the image. A named image
user does not help: with `USER odoo` the kubelet cannot verify non-root and fails the pod with
"image has non-numeric user (odoo), cannot verify user is non-root". Only a numeric UID works.
`hostUsers: false` (user namespaces) maps root to an unprivileged host UID and softens the risk,
but root still owns the container's files and volumes, so it is still reported.

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
      securityContext: {runAsNonRoot: true}
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          securityContext: {runAsUser: 0}
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
      securityContext: {runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001}
      containers:
        - name: odoo
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
```

## Remediation
Set `runAsNonRoot: true` and a numeric `runAsUser`/`runAsGroup` in the pod `securityContext`
(look the image's UID up with `docker run --rm --entrypoint id <image>`, or build the image with
`USER 10001`), `fsGroup` so the filestore volume is writable, and remove any container-level
`runAsUser: 0` or `runAsNonRoot: false` override, init containers included.

## References
CIS Kubernetes Benchmark 5.2.7; NSA/CISA Kubernetes Hardening Guide (non-root containers);
Pod Security Standards Restricted "Running as Non-root" and "Running as Non-root user". Peers:
Checkov CKV_K8S_23, Kubescape C-0013, Polaris runAsRootAllowed, Trivy KSV-0012 and KSV-0105.
Differences: Checkov CKV_K8S_23 looks at `containers` only; Polaris passes a container that
sets `runAsNonRoot: true` with `runAsUser: 0`. We cover init and ephemeral containers and flag
that pair. An integral float (`runAsUser: 0.0`) counts as the integer kubectl sends. The UID
floor of kube-score (container-security-context-user-group-id) and Checkov CKV_K8S_40 (>10000)
is a different rule, not this one.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_int
from bulkhead.inventory import Container
from bulkhead.model import FieldPath, Severity

META = Meta(
    id="WL003",
    slug="runs-as-root",
    title="Container may run as root",
    domain=Domain.WORKLOAD,
    severity=Severity.HIGH,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_23",),
        "kubescape": ("C-0013",),
        "polaris": ("runAsRootAllowed",),
        "trivy": ("KSV-0012", "KSV-0105"),
        "cis": ("5.2.7",),
        "nsa": ("Non-root containers",),
        "pss": ("restricted: Running as Non-root", "restricted: Running as Non-root user"),
    },
)


def _level(container: Container, path: FieldPath) -> str:
    return "container" if path[: len(container.path)] == container.path else "pod"


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    name = container.name
    user, user_path = container.effective("runAsUser")
    non_root, non_root_path = container.effective("runAsNonRoot")
    uid = as_int(user)
    if user_path is not None and uid == 0:
        level = _level(container, user_path)
        if non_root is True:
            problem = (
                f"has runAsUser 0 ({level} level) with runAsNonRoot true, so the kubelet "
                "refuses to start it"
            )
        else:
            problem = f"runs as root: runAsUser is 0 ({level} level)"
        yield Hit(
            user_path,
            f"container {name!r} {problem}: set runAsUser to the image's numeric non-root UID",
            key=name,
        )
        return
    if (uid is not None and uid > 0) or non_root is True:
        return
    if non_root_path is not None:
        state = "false" if non_root is False else "not the boolean true"
        yield Hit(
            non_root_path,
            f"container {name!r} may run as root: runAsNonRoot is {state} (set at "
            f"{_level(container, non_root_path)} level) and no non-zero runAsUser is in effect: "
            "set runAsNonRoot: true and a numeric runAsUser",
            key=name,
        )
        return
    yield Hit(
        (*container.path, "securityContext", "runAsNonRoot"),
        f"container {name!r} may run as root: neither runAsNonRoot: true nor a non-zero "
        "runAsUser is set on the container or the pod: set runAsNonRoot: true and a numeric "
        "runAsUser",
        key=name,
    )
