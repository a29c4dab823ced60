"""An ExternalSecret reads from a secret store that is missing or closed to its namespace.

## What it does
For every ExternalSecret (`external-secrets.io`, any version) follows `spec.secretStoreRef` and
each `spec.data[]`/`spec.dataFrom[]` `sourceRef.storeRef`: `kind: SecretStore` (the default)
must name a SecretStore of the same namespace, `kind: ClusterSecretStore` one in the scan. When
that ClusterSecretStore has `spec.conditions`, also reports it if no condition admits the
namespace, as the operator decides: by `namespaces[]`, by a `namespaceSelector` matching the
scanned Namespace's labels (plus `kubernetes.io/metadata.name`; with no Namespace object in the
scan, a selector gets the benefit of the doubt), or by a `namespaceRegexes[]` match anywhere in
the name. A manifest's regex runs only if it has at most 256 characters, four quantifiers and
no repeated group (where nested quantifiers live); otherwise it counts as matching.
DR rule: a reference dangles when its target is not among the scanned objects of the target
namespace while the scan holds an object of it; a ClusterSecretStore must be in the scan.

## Why is this bad
The operator reports `SecretSyncedError` and never creates the Secret: Odoo pods wait in
`CreateContainerConfigError` for their database password, and rotation stops. A store whose
conditions leave out the namespace is the same outage, often a tenant pointed at another's vault.

## Example (must fail)
```yaml
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: vault-acme}
spec:
  conditions:
    - namespaces: [acme-prod]
  provider:
    vault: {server: "https://vault.example.com", path: odoo, version: v2}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: acme-pg-app, namespace: acme-staging}
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: vault-acme}
  target: {name: acme-pg-app}
  data:
    - {secretKey: password, remoteRef: {key: acme/postgres, property: password}}
```

## Use instead (must pass)
```yaml
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: vault-acme}
spec:
  conditions:
    - namespaceRegexes: ["^acme-(prod|staging)$"]
  provider:
    vault: {server: "https://vault.example.com", path: odoo, version: v2}
---
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: acme-pg-app, namespace: acme-staging}
spec:
  secretStoreRef: {kind: ClusterSecretStore, name: vault-acme}
  target: {name: acme-pg-app}
  data:
    - {secretKey: password, remoteRef: {key: acme/postgres, property: password}}
```

## Remediation
Reference a store that exists (`kubectl get clustersecretstore,secretstore -A`) with the right
`kind`; when a ClusterSecretStore is meant for this tenant, add the namespace to its
`spec.conditions` (`namespaces: [acme-prod]`). A tenant repository scanned without the
platform's stores reports them: scan both, or record a config exception with a reason.

## References
No peer (checkov, Kubescape, kube-score, Polaris) reads ESO objects. Platform rule E1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.inventory import Inventory
from bulkhead.model import FieldPath, Resource, Severity
from bulkhead.selectors import parse_selector

META = Meta(
    id="DR005",
    slug="external-secret-store-missing",
    title="ExternalSecret references a missing or unavailable secret store",
    domain=Domain.EXPOSURE,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

ESO_GROUP = "external-secrets.io"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
MAX_PATTERN = 256
MAX_QUANTIFIERS = 4
MAX_NAMESPACE = 63  # a namespace name is a DNS label
_REPEATED_GROUP = re.compile(r"\)\s*[*+{]")


def _is_eso(resource: Resource | None) -> bool:
    return resource is not None and str(resource.api_version).startswith(f"{ESO_GROUP}/")


def _store_refs(spec: Mapping[str, Any]) -> Iterator[tuple[FieldPath, Mapping[str, Any]]]:
    if isinstance(spec.get("secretStoreRef"), Mapping):
        yield ("spec", "secretStoreRef"), spec["secretStoreRef"]
    for list_name in ("data", "dataFrom"):
        for index, item in enumerate(as_list(spec.get(list_name))):
            store = as_mapping(as_mapping(as_mapping(item).get("sourceRef")).get("storeRef"))
            if store:
                yield ("spec", list_name, index, "sourceRef", "storeRef"), store


def regex_may_match(pattern: str, name: str) -> bool:
    """Whether ESO's regexp.MatchString(pattern, name) may be true; risky patterns count."""
    quantifiers = sum(pattern.count(c) for c in "*+?{")
    if (
        len(pattern) > MAX_PATTERN
        or len(name) > MAX_NAMESPACE
        or quantifiers > MAX_QUANTIFIERS
        or _REPEATED_GROUP.search(pattern)
    ):
        return True
    try:
        return re.search(pattern, name) is not None
    except (re.error, RecursionError):
        return True  # Python and Go syntax differ: do not guess a refusal


def _admits(inventory: Inventory, store: Resource, namespace: str) -> bool:
    conditions = as_mapping(store.doc.get("spec")).get("conditions")
    if not isinstance(conditions, list) or not conditions:
        return True
    found = inventory.get("Namespace", None, namespace)
    labels: dict[str, str] = {}
    if found is not None:
        labels = {str(k): str(v) for k, v in found.labels.items()}
    labels[NAMESPACE_NAME_LABEL] = namespace
    for condition in conditions:
        condition = as_mapping(condition)
        raw = condition.get("namespaceSelector")
        if raw is not None and (found is None or parse_selector(raw).matches(labels)):
            return True
        if namespace in as_list(condition.get("namespaces")):
            return True
        for pattern in as_list(condition.get("namespaceRegexes")):
            if isinstance(pattern, str) and regex_may_match(pattern, namespace):
                return True
    return False


def _problem(inventory: Inventory, secret: Resource, ref: Mapping[str, Any]) -> str | None:
    """What is wrong with one store reference, and what to change; None when it resolves."""
    name = ref.get("name")
    kind = ref.get("kind") or "SecretStore"
    if not isinstance(name, str) or not name or kind not in ("SecretStore", "ClusterSecretStore"):
        return None
    namespace = secret.namespace or ""
    if kind == "SecretStore":
        if _is_eso(inventory.get("SecretStore", secret.namespace, name)):
            return None
        return (
            f"SecretStore {name!r}, which is not in namespace {namespace!r}: add the "
            "SecretStore to this namespace, or reference an existing store with the right kind"
        )
    store = inventory.get("ClusterSecretStore", None, name)
    if store is None or not _is_eso(store):
        return (
            f"ClusterSecretStore {name!r}, which is not in the scan: fix the name or kind, or "
            "scan the platform's stores together with this repository"
        )
    if not _admits(inventory, store, namespace):
        return (
            f"ClusterSecretStore {name!r}, whose spec.conditions do not admit namespace "
            f"{namespace!r}: add the namespace to a condition if this tenant may use the "
            "store, else use the tenant's own store"
        )
    return None


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for secret in inventory.of_kind("ExternalSecret"):
        if not _is_eso(secret):
            continue
        for path, ref in _store_refs(as_mapping(secret.doc.get("spec"))):
            problem = _problem(inventory, secret, ref)
            if problem is None:
                continue
            yield Hit(
                (*path, "name"),
                f"ExternalSecret {secret.name!r} reads from {problem} (until then the operator "
                "never creates the Secret, and pods that need it do not start)",
                resource=secret,
            )
