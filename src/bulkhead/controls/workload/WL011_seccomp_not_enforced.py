"""A container runs without a seccomp profile (or with Unconfined), so every syscall is open.

## What it does
Flags each container, init container and ephemeral container whose effective
`seccompProfile.type` is missing or not `RuntimeDefault`/`Localhost` (so `Unconfined` too).
The container's `securityContext.seccompProfile` overrides the pod's, as the kubelet applies
it. Pods with `spec.os.name: windows` are skipped (seccomp is a Linux feature).

## Why is this bad
Without seccomp a container can call every one of the 300-plus syscalls of the shared node
kernel, including the rarely used ones behind most container-escape CVEs (`unshare`, `keyctl`,
`bpf`, ...). Odoo needs none of them. On a multi-tenant platform one exploited Odoo module
(tenants upload their own addons) is then one kernel bug away from every tenant on the node.
Kubernetes defaults to `Unconfined` unless the kubelet runs with `--seccomp-default`.

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
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          securityContext:
            seccompProfile: {type: Unconfined}
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
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
```

## Remediation
Set the profile once at pod level, `spec.securityContext.seccompProfile: {type: RuntimeDefault}`,
and remove container-level `Unconfined` overrides. If the runtime default blocks a syscall you
need, ship a tailored profile to the nodes and use `{type: Localhost, localhostProfile:
profiles/odoo.json}` rather than `Unconfined`. Enforce it cluster-side with the namespace label
`pod-security.kubernetes.io/enforce: restricted`.

## References
CIS Kubernetes Benchmark 5.7.2; NSA/CISA Kubernetes Hardening Guide (seccomp); Pod Security
Standards Restricted "Seccomp" (Baseline forbids only `Unconfined`). Peers: Checkov CKV_K8S_31,
Kubescape C-0210, kube-score container-seccomp-profile (optional, off by default), Trivy
KSV-0030 / KSV-0104. The legacy annotations `seccomp.security.alpha.kubernetes.io/pod` and
`container.seccomp.security.alpha.kubernetes.io/<name>` are not honoured: Kubernetes 1.27
removed them and the kubelet ignores them, so a pod that only has the annotation runs
unconfined and is flagged (peers that still accept the annotation pass it). Unlike peers that
read only one level, the verdict follows container-over-pod precedence per container, and
init and ephemeral containers are covered.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL011",
    slug="seccomp-not-enforced",
    title="Container runs without a seccomp profile",
    domain=Domain.WORKLOAD,
    severity=Severity.MEDIUM,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_31",),
        "kubescape": ("C-0210",),
        "kube-score": ("container-seccomp-profile",),
        "trivy": ("KSV-0030", "KSV-0104"),
        "cis": ("5.7.2",),
        "nsa": ("Pod security: seccomp",),
        "pss": ("restricted: Seccomp", "baseline: Seccomp"),
    },
)

ENFORCING = frozenset({"RuntimeDefault", "Localhost"})


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    if as_mapping(container.pod.spec.get("os")).get("name") == "windows":
        return
    profile, where = container.effective("seccompProfile")
    if profile is None and where is not None:
        # An explicit `seccompProfile: null` on the container means "unset": the pod's applies.
        pod_profile = container.pod.security_context.get("seccompProfile")
        if pod_profile is not None:
            profile = pod_profile
            where = (*container.pod.path, "securityContext", "seccompProfile")
        else:
            where = None
    kind = as_mapping(profile).get("type")
    if isinstance(kind, str) and kind in ENFORCING:
        return
    key = "/".join(str(part) for part in container.path)
    fix = "set securityContext.seccompProfile.type to RuntimeDefault (on the pod or the container)"
    if where is None:
        yield Hit(
            (*container.path, "securityContext", "seccompProfile", "type"),
            f"container {container.name!r} has no seccomp profile (Kubernetes defaults to "
            f"Unconfined): {fix}",
            key=key,
        )
        return
    level = "container" if where[: len(container.path)] == container.path else "pod"
    if isinstance(kind, str):
        problem = f"gets seccompProfile.type {kind!r} from its {level} securityContext"
    else:
        problem = f"has a seccompProfile with no valid type in its {level} securityContext"
    yield Hit(
        (*where, "type"),
        f"container {container.name!r} {problem}, so syscalls are not filtered: {fix}",
        key=key,
    )
