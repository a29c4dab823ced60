"""A container adds a Linux capability that breaks isolation (SYS_ADMIN, NET_RAW, ALL, ...).

## What it does
Flags each item of `securityContext.capabilities.add`, in every container, init container and
ephemeral container, that names one of: `SYS_ADMIN`, `NET_ADMIN`, `NET_RAW`, `SYS_PTRACE`,
`SYS_MODULE`, `SYS_RAWIO`, `SYS_BOOT`, `SYS_TIME`, `MAC_ADMIN`, `MAC_OVERRIDE`, `BPF`, `PERFMON`,
`SETPCAP`, `DAC_READ_SEARCH` or `ALL`. Names are compared in any letter case and without an
optional `CAP_` prefix (containerd upper-cases names; CRI-O also accepts the prefix), so
`sys_admin` and `CAP_SYS_ADMIN` both mean `SYS_ADMIN`. One finding per item.

## Why is this bad
Each of these is a known container-escape or cross-tenant primitive: `SYS_ADMIN` mounts
filesystems and is "the new root", `SYS_MODULE` loads kernel code, `SYS_PTRACE` reads other
processes' memory (Odoo's database password included), `NET_ADMIN`/`NET_RAW` rewrite routes and
spoof traffic to other tenants' pods, `DAC_READ_SEARCH` opens host files by handle
(the "shocker" escape), `BPF`/`PERFMON` read kernel memory. An Odoo web or cron worker needs none.

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
            capabilities: {drop: [ALL], add: [CAP_SYS_PTRACE]}
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
            capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
```

## Remediation
Remove the capability from `add`. Debug with an ephemeral container in a non-production
namespace instead of shipping `SYS_PTRACE`; run network or node tooling as a platform DaemonSet
outside tenant namespaces. If one capability is truly required, scope it to that one workload
with a documented exception that expires.

## References
CIS Kubernetes Benchmark 5.2.8 and 5.2.9; NSA/CISA Kubernetes Hardening Guide (pod security:
capabilities); Pod Security Standards Baseline and Restricted "Capabilities" (Baseline still
allows `SETPCAP`; we do not). Peers: Checkov CKV_K8S_39 and CKV_K8S_25, Kubescape C-0046, Polaris
dangerousCapabilities, Trivy KSV-0005, KSV-0022, KSV-0119 and KSV-0120. Checkov CKV_K8S_39
matches `SYS_ADMIN` literally, so `sys_admin` and `CAP_SYS_ADMIN` pass there; Polaris ignores
case but not the prefix, and only knows `ALL`, `SYS_ADMIN` and `NET_ADMIN`. Our list is
Kubescape's plus `SYS_TIME` and `DAC_READ_SEARCH`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL006",
    slug="dangerous-capability-added",
    title="Container adds a dangerous capability",
    domain=Domain.WORKLOAD,
    severity=Severity.HIGH,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_39", "CKV_K8S_25"),
        "kubescape": ("C-0046",),
        "polaris": ("dangerousCapabilities",),
        "trivy": ("KSV-0005", "KSV-0022", "KSV-0119", "KSV-0120"),
        "cis": ("5.2.8", "5.2.9"),
        "nsa": ("Pod security: capabilities",),
        "pss": ("baseline: Capabilities", "restricted: Capabilities"),
    },
)

DANGEROUS_CAPABILITIES = frozenset(
    {
        "SYS_ADMIN",
        "NET_ADMIN",
        "NET_RAW",
        "SYS_PTRACE",
        "SYS_MODULE",
        "SYS_RAWIO",
        "SYS_BOOT",
        "SYS_TIME",
        "MAC_ADMIN",
        "MAC_OVERRIDE",
        "BPF",
        "PERFMON",
        "SETPCAP",
        "DAC_READ_SEARCH",
        "ALL",
    }
)


def _capability_name(item: str) -> str:
    """A capability as the runtime reads it: upper case, without the optional `CAP_` prefix."""
    name = item.upper()
    return name[4:] if name.startswith("CAP_") else name


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    capabilities = as_mapping(container.security_context.get("capabilities"))
    for index, item in enumerate(as_list(capabilities.get("add"))):
        if not isinstance(item, str):
            continue
        name = _capability_name(item)
        if name not in DANGEROUS_CAPABILITIES:
            continue
        what = "every capability (ALL)" if name == "ALL" else f"the {name} capability"
        yield Hit(
            (*container.path, "securityContext", "capabilities", "add", index),
            f"container {container.name!r} adds {what}: remove {item!r} from "
            "securityContext.capabilities.add (drop ALL and add back only harmless ones)",
        )
