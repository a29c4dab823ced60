"""A pod sets a kernel sysctl outside the safe, pod-isolated set.

## What it does
Flags each entry of `spec.securityContext.sysctls` whose name is not in the Pod Security
Standards Baseline safe set: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
`net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
`net.ipv4.ip_local_reserved_ports`, `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
`net.ipv4.tcp_keepalive_intvl` and `net.ipv4.tcp_keepalive_probes`. One finding per unsafe
entry. Slash-separated names (`net/ipv4/tcp_syncookies`) are read as the kubelet reads them;
an entry without a string name cannot be verified and is flagged.

## Why is this bad
Only the safe set is both namespaced per pod and isolated from its neighbours. Anything else
(`vm.*`, `kernel.sem`, `kernel.msgmax`, `net.core.somaxconn`, ...) either changes the whole
node, and so every other tenant's Odoo on it, or can exhaust shared kernel memory. The kubelet
refuses unsafe sysctls unless an admin allow-lists them with `--allowed-unsafe-sysctls`; a
manifest asking for them is either broken or depends on a weakened node.

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
      securityContext:
        sysctls:
          - {name: net.core.somaxconn, value: "4096"}
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
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
      securityContext:
        sysctls:
          - {name: net.ipv4.tcp_keepalive_time, value: "600"}
          - {name: net.ipv4.tcp_keepalive_intvl, value: "60"}
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
```

## Remediation
Remove the entry. Connection tuning for the Odoo longpolling/websocket port 8072 usually fits
the safe keepalive sysctls above; node-wide tuning such as `net.core.somaxconn` belongs in the
node image (or a node-tuning operator) for a dedicated pool, not in a tenant's pod spec.

## References
Pod Security Standards Baseline "Sysctls"; NSA/CISA Kubernetes Hardening Guide (pod security).
Peers: Trivy KSV-0026. The safe set follows the current standard (`ip_local_reserved_ports`
since Kubernetes 1.27, the keepalive and `tcp_fin_timeout` entries since 1.29), so recent safe
sysctls are not reported as older allow-lists would. Each unsafe entry is located on its own
line rather than one finding for the whole list.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.inventory import PodTemplate
from bulkhead.model import Severity

META = Meta(
    id="WL013",
    slug="unsafe-sysctl",
    title="Pod sets an unsafe sysctl",
    domain=Domain.WORKLOAD,
    severity=Severity.HIGH,
    scope=Scope.POD,
    references={
        "trivy": ("KSV-0026",),
        "nsa": ("Pod security",),
        "pss": ("baseline: Sysctls",),
    },
)

SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)


def normalize(name: str) -> str:
    """`net/ipv4/tcp_syncookies` -> `net.ipv4.tcp_syncookies`, as the kubelet converts it."""
    dot, slash = name.find("."), name.find("/")
    if slash != -1 and (dot == -1 or slash < dot):
        return name.translate(str.maketrans("./", "/."))
    return name


def check(pod: PodTemplate, settings: Settings) -> Iterator[Hit]:
    sysctls = pod.security_context.get("sysctls")
    for index, item in enumerate(as_list(sysctls)):
        path = (*pod.path, "securityContext", "sysctls", index)
        name = as_mapping(item).get("name")
        if not isinstance(name, str) or not name:
            yield Hit(path, "sysctl entry has no valid name, so it cannot be checked: remove it")
        elif normalize(name) not in SAFE_SYSCTLS:
            yield Hit(
                path,
                f"sysctl {name!r} is not in the safe, pod-isolated set and can affect the node "
                "and other pods on it: remove it, or tune the nodes of a dedicated pool instead",
            )
