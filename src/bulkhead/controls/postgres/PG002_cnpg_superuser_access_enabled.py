"""A CloudNativePG cluster enables network login for the `postgres` superuser.

## What it does
Flags a CloudNativePG `Cluster` (`postgresql.cnpg.io/v1`) with `spec.enableSuperuserAccess:
true`. The default is false; only a real boolean true counts (YAML 1.1 `yes`/`on` included).

## Why is this bad
With superuser access on, the operator gives `postgres` a password and stores it in the
`<cluster>-superuser` Secret, and the role may log in over the network. Anyone who can read that
Secret, or who phishes it out of a support session, owns every database of the cluster:
`COPY ... TO PROGRAM` runs shell commands in the instance pod, other tenants' databases on a
shared cluster are one `\\c` away, and audit roles can be dropped. Odoo never needs it: its role
owns only its own database. Day-2 work is done with `kubectl cnpg psql`, which uses the local
peer-authenticated socket inside the pod and needs no password.

## Example (must fail)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: acme-pg
  namespace: acme-prod
spec:
  instances: 3
  enableSuperuserAccess: true
  storage: {size: 50Gi}
```

## Use instead (must pass)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: acme-pg
  namespace: acme-prod
spec:
  instances: 3
  enableSuperuserAccess: false
  storage: {size: 50Gi}
```

## Remediation
Remove `enableSuperuserAccess` (or set it to false) and drop any `superuserSecret`; the operator
then disables the password of `postgres` and deletes the generated Secret. Run administrative
SQL with `kubectl cnpg psql acme-pg -n acme-prod`, and give migrations a dedicated role declared
in `spec.managed.roles` or a `DatabaseRole` (`superuser: false`, `createdb: false`).

## References
CloudNativePG `security.md` and API reference (`enableSuperuserAccess`, default false);
platform checker rule P3; NSA/CISA Kubernetes Hardening Guide (least privilege). No peer
scanner (Checkov, Kubescape, kube-score, Polaris, Trivy) reads CloudNativePG objects.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping, is_true
from bulkhead.model import Resource, Severity

META = Meta(
    id="PG002",
    slug="cnpg-superuser-access-enabled",
    title="CloudNativePG cluster enables superuser access",
    domain=Domain.POSTGRES,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Cluster"}),
    references={"nsa": ("Authentication and authorization: least privilege",)},
)


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not resource.api_version.startswith("postgresql.cnpg.io/"):
        return
    if is_true(as_mapping(resource.doc.get("spec")).get("enableSuperuserAccess")):
        yield Hit(
            ("spec", "enableSuperuserAccess"),
            f"Cluster {resource.name!r} lets the postgres superuser log in with a password "
            "stored in a Secret: set spec.enableSuperuserAccess to false and use "
            "'kubectl cnpg psql' for administration",
        )
