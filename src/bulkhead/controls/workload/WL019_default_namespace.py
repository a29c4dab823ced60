"""An object is deployed into the `default` namespace instead of a tenant namespace.

## What it does
Flags namespaced objects (workloads, Services, ConfigMaps, Secrets, ServiceAccounts, Roles,
RoleBindings, Ingresses, NetworkPolicies, PVCs, PDBs, HPAs) whose namespace is `default`.
An object without `metadata.namespace` goes where it is applied: into the namespace given with
`--namespace` (or `namespace = "..."` in bulkhead.toml), and into `default` only when none is
given, as with `kubectl apply` and `helm install`.

## Why is this bad
`default` belongs to nobody: it has no tenant label, usually no NetworkPolicy, no
ResourceQuota and no Pod Security admission level, and every cluster user tends to have
rights in it. An Odoo database Secret or worker landing there escapes the tenant's isolation
(network policy, quotas, RBAC, backup selection) and is visible to whoever else uses
`default`. It is also the classic symptom of a forgotten `-n acme-prod`.

## Example (must fail)
```yaml
apiVersion: v1
kind: Secret
metadata:
  name: odoo-db
  namespace: default
type: Opaque
stringData:
  PGHOST: acme-pg-rw.acme-prod.svc
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Secret
metadata: {name: odoo-db, namespace: acme-prod}
type: Opaque
stringData:
  PGHOST: acme-pg-rw.acme-prod.svc
```

## Remediation
Set `metadata.namespace: acme-prod` (kustomize: `namespace: acme-prod` in kustomization.yaml).
For Helm charts and other output meant to be installed with `-n`, leave the field out and
scan with the target namespace: `--namespace acme-prod`, or `namespace = "acme-prod"` in
bulkhead.toml (Helm charts are then rendered with that namespace too). Label tenant
namespaces with `bulkhead.io/tenant` and a Pod Security level, and restrict RBAC on `default`.

## References
CIS Kubernetes Benchmark 5.7.4; NSA/CISA Kubernetes Hardening Guide (namespaces). Peers:
Checkov CKV_K8S_21, Kubescape C-0061 / C-0212, Trivy KSV-0110. Checkov CKV_K8S_21 also fails
every object that omits `metadata.namespace`, which is how Helm charts and kustomize bases
are written, so a chart gets one false positive per template; we resolve an omitted namespace
to the one the scan targets and report only objects that really end up in `default`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.model import Resource, Severity

META = Meta(
    id="WL019",
    slug="default-namespace",
    title="Object is in the default namespace",
    domain=Domain.WORKLOAD,
    severity=Severity.LOW,
    scope=Scope.RESOURCE,
    references={
        "checkov": ("CKV_K8S_21",),
        "kubescape": ("C-0061", "C-0212"),
        "trivy": ("KSV-0110",),
        "cis": ("5.7.4",),
        "nsa": ("Namespaces",),
    },
    kinds=frozenset(
        {
            "Pod",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ReplicationController",
            "Job",
            "CronJob",
            "Service",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "Ingress",
            "NetworkPolicy",
            "PersistentVolumeClaim",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
        }
    ),
)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if resource.namespace != "default":
        return
    if resource.metadata.get("namespace"):
        why = "is in the default namespace: move it to its tenant namespace"
    else:
        why = (
            "has no metadata.namespace and the scan's target namespace is default: set "
            "metadata.namespace, or scan with --namespace NAME if it is chosen at install time"
        )
    yield Hit(("metadata", "namespace"), f"{resource.kind} {resource.name!r} {why}")
