"""A container keeps the runtime's default Linux capabilities (capabilities.drop lacks ALL).

## What it does
Flags every container, init container and ephemeral container whose
`securityContext.capabilities.drop` list has no item equal to `ALL` (compared case-insensitively,
as containerd and CRI-O do). The item must be exactly `ALL`: `ALL_CAPS` or `CAP_ALL` do not count.

## Why is this bad
Without `drop: [ALL]` the runtime grants its default set; containerd's includes `CHOWN`,
`DAC_OVERRIDE`, `FOWNER`, `SETUID`, `SETGID`, `SETPCAP`, `KILL`, `MKNOD` and `NET_RAW`. They turn
a foothold in an Odoo worker into more: `NET_RAW` forges packets and spoofs ARP or DNS towards
other tenants' pods on the node, `DAC_OVERRIDE` ignores file permissions, `SETUID` changes
identity. Odoo listens on 8069/8072 as an unprivileged user and needs none of them.

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
          securityContext:
            capabilities: {drop: [NET_RAW]}
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
          securityContext:
            capabilities: {drop: [ALL]}
```

## Remediation
Set `capabilities: {drop: [ALL]}` in every container, init containers included, and add back
only what one proven need requires (`add: [NET_BIND_SERVICE]` for a port below 1024; Odoo does
not need it). Write `ALL` in upper case: the runtime accepts `all`, but Pod Security Admission
at the `restricted` level compares the string exactly and rejects the pod.

## References
CIS Kubernetes Benchmark 5.2.8 and 5.2.10; NSA/CISA Kubernetes Hardening Guide (pod security:
capabilities); Pod Security Standards Restricted "Capabilities". Peers: Checkov CKV_K8S_37
and CKV_K8S_28, Trivy KSV-0003 and KSV-0004, Polaris insecureCapabilities. Checkov tests
substrings (`"ALL" in item`), so `drop: [ALL_BUT_NET]` or `drop: [NET_RAW_ALL]` passes there;
here only a whole item counts. Polaris also passes a drop list that names every default
capability; we ask for `ALL`, which stays correct when a runtime's default set grows.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL005",
    slug="capabilities-not-dropped",
    title="Container does not drop all capabilities",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_37", "CKV_K8S_28"),
        "polaris": ("insecureCapabilities",),
        "trivy": ("KSV-0003", "KSV-0004"),
        "cis": ("5.2.8", "5.2.10"),
        "nsa": ("Pod security: capabilities",),
        "pss": ("restricted: Capabilities",),
    },
)


def _is_all(item: object) -> bool:
    return isinstance(item, str) and item.isascii() and item.upper() == "ALL"


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    capabilities = as_mapping(container.security_context.get("capabilities"))
    if any(_is_all(item) for item in as_list(capabilities.get("drop"))):
        return
    yield Hit(
        (*container.path, "securityContext", "capabilities", "drop"),
        f"container {container.name!r} keeps the runtime's default capabilities: set "
        "securityContext.capabilities.drop to [ALL] and add back only what it proves it needs",
    )
