"""A Secret manifest with real values is committed to the repository.

## What it does
Flags every `Secret` (`v1`) that carries at least one non-empty value in `data` or
`stringData`, whatever its `type` (a `kubernetes.io/service-account-token` Secret without data,
which the control plane fills in, passes). Values encrypted in place by SOPS (`ENC[...]`) do
not count. One finding per Secret, at `data` (or `stringData` when `data` holds nothing),
naming the keys; values are never shown.

## Why is this bad
`data` is base64, an encoding: anyone who can read the repository, a fork, a CI cache or a
rendered chart reads the tenant's database password or S3 keys, and Git keeps them forever,
even after the file is fixed. In a multi-tenant GitOps repository, read access to one tenant's
folder is usually read access to all of them. Placeholder values are still a problem: the
manifest is the path by which a real value gets committed next time.

## Example (must fail)
```yaml
apiVersion: v1
kind: Secret
metadata: {name: acme-pg-app, namespace: acme-prod}
type: kubernetes.io/basic-auth
stringData:
  username: acme
  password: S3cr3t-odoo-db
```

## Use instead (must pass)
```yaml
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: acme-pg-app, namespace: acme-prod}
spec:
  refreshInterval: 1h
  secretStoreRef: {kind: ClusterSecretStore, name: vault}
  target:
    name: acme-pg-app
    creationPolicy: Owner
    template:
      type: kubernetes.io/basic-auth
  data:
    - {secretKey: username, remoteRef: {key: odoo/acme, property: db_user}}
    - {secretKey: password, remoteRef: {key: odoo/acme, property: db_password}}
```

## Remediation
Rotate every committed value first (it is in Git history), then delete the Secret manifest and
create it in the cluster from a secret manager: an `ExternalSecret` (External Secrets Operator,
`external-secrets.io/v1`; `v1beta1` is no longer served) with the same `target.name` and a
`template.type` where the consumer needs one (CloudNativePG wants `kubernetes.io/basic-auth`),
a `SealedSecret` (`kubeseal`), or a SOPS-encrypted file decrypted by Flux or a CI step. Purge
history only after rotating (`git filter-repo`), since clones keep the old objects.

## References
CIS Kubernetes Benchmark 5.4.1 (prefer secrets as files, consider external secret storage);
NSA/CISA Kubernetes Hardening Guide (secrets: encryption, external stores); platform checker
rule E1. None of the peers' Kubernetes rule sets in our reference (Checkov, Kubescape,
kube-score, Polaris, Trivy) has a rule for a committed Secret manifest; secret scanners such as
Checkov's `secrets` framework look for high-entropy strings and known token formats, which
miss a low-entropy password under a key named `password`. Here the object kind is the signal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="SC001",
    slug="secret-committed",
    title="Secret with values committed to the repository",
    domain=Domain.SECRETS,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Secret"}),
    references={
        "cis": ("5.4.1",),
        "nsa": ("Secrets",),
    },
)

_SOPS = re.compile(r"ENC\[[A-Za-z0-9_]+,.*\]", re.DOTALL)
_SHOWN = 6


def _holds_value(value: Any) -> bool:
    if value is None:
        return False
    text = (value if isinstance(value, str) else str(value)).strip()
    return bool(text) and _SOPS.fullmatch(text) is None


def _keys(resource: Resource, field: str) -> list[str]:
    return [
        str(key)
        for key, value in as_mapping(resource.doc.get(field)).items()
        if _holds_value(value)
    ]


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    data, string_data = _keys(resource, "data"), _keys(resource, "stringData")
    if not data and not string_data:
        return
    names = [*data, *(k for k in string_data if k not in data)]
    listed = ", ".join(repr(name[:64]) for name in names[:_SHOWN])
    if len(names) > _SHOWN:
        listed += f" and {len(names) - _SHOWN} more"
    field = "data" if data else "stringData"
    yield Hit(
        (field,),
        f"Secret {resource.name!r} commits values for {listed} to the repository (base64 is not "
        "encryption): rotate them, then create the Secret from an ExternalSecret (External "
        "Secrets Operator, external-secrets.io/v1), a SealedSecret or a SOPS-encrypted file",
    )
