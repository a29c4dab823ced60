"""A YAML mapping repeats a key, so tools may disagree on which value applies.

## What it does
Reports every mapping key that appears twice in the same mapping of a manifest, at the line of
the repeated key. Evaluation goes on with the last value, as the API server's lenient decoder
does.

## Why is this bad
Parsers disagree on duplicates: some keep the first value, some the last, strict Kubernetes
validation rejects the file. An attacker can hide `privileged: true` from one reviewer or tool
and not from another, and Git diffs of such files mislead reviewers.

## Example (must fail)
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: odoo
  namespace: acme-prod
spec:
  containers:
    - name: odoo
      image: registry.example.com/odoo:19.0
      securityContext:
        privileged: false
        privileged: true
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: odoo
  namespace: acme-prod
spec:
  containers:
    - name: odoo
      image: registry.example.com/odoo:19.0
      securityContext:
        privileged: false
```

## Remediation
Delete one of the two keys, keeping the value you mean. `kubectl apply --validate=strict`
rejects such files too.

## References
Kubernetes strict field validation (duplicate fields); Helm added a duplicate-key lint for
values files. Peers: Checkov and go-yaml based tools keep the last value silently; actionlint
reports duplicates in workflows.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="IN002",
    slug="duplicate-key",
    title="Duplicate mapping key",
    domain=Domain.INPUT,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for diagnostic in inventory.diagnostics:
        if diagnostic.code == "duplicate-key":
            yield Hit(
                diagnostic.path,
                diagnostic.message,
                file=diagnostic.location.file,
                line=diagnostic.location.line,
            )
