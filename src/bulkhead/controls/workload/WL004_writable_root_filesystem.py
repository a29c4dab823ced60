"""A container can write to its root filesystem (readOnlyRootFilesystem is not true).

## What it does
Flags every container, init container and ephemeral container whose
`securityContext.readOnlyRootFilesystem` is not the boolean `true` (absent, `false`, or a
string the API server would reject). The field exists only at container level.

## Why is this bad
A writable root filesystem lets an attacker who got code execution in Odoo (a malicious
addon, a server-side template injection) drop tools, patch Python files under
`/usr/lib/python3/dist-packages/odoo` or plant a module that survives until the pod is
replaced, and it hides drift: what runs is no longer the image that was scanned and signed.
With a read-only root, everything Odoo may write is an explicit volume you can reason about.

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
          securityContext: {readOnlyRootFilesystem: false}
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
          securityContext: {readOnlyRootFilesystem: true}
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
            - {name: filestore, mountPath: /var/lib/odoo}
      volumes:
        - name: tmp
          emptyDir: {sizeLimit: 1Gi}
        - name: filestore
          persistentVolumeClaim: {claimName: odoo-filestore}
```

## Remediation
Set `readOnlyRootFilesystem: true` and give Odoo the few writable paths it needs: an `emptyDir`
at `/tmp` (uploads, report rendering by wkhtmltopdf, gevent scratch files) and the `data_dir`
(`/var/lib/odoo`: filestore and sessions) on a PersistentVolumeClaim. Never `pip install` or
download addons at start-up: bake them into the image.

## References
NSA/CISA Kubernetes Hardening Guide (immutable container file systems); no CIS 5.2 item and no
Pod Security Standards rule. Peers: Checkov CKV_K8S_22, Kubescape C-0017, kube-score
container-security-context-readonlyrootfilesystem, Polaris notReadOnlyRootFilesystem, Trivy
KSV-0014. Checkov tests truthiness, so `readOnlyRootFilesystem: "false"` passes there; only a
real `true` passes here. Init and ephemeral containers are checked too.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import is_true
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL004",
    slug="writable-root-filesystem",
    title="Container root filesystem is writable",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_22",),
        "kubescape": ("C-0017",),
        "kube-score": ("container-security-context-readonlyrootfilesystem",),
        "polaris": ("notReadOnlyRootFilesystem",),
        "trivy": ("KSV-0014",),
        "nsa": ("Immutable container file systems",),
    },
)


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    if is_true(container.security_context.get("readOnlyRootFilesystem")):
        return
    yield Hit(
        (*container.path, "securityContext", "readOnlyRootFilesystem"),
        f"container {container.name!r} has a writable root filesystem: set "
        "securityContext.readOnlyRootFilesystem to true and mount an emptyDir (or a volume) "
        "at each path it must write, such as /tmp",
    )
