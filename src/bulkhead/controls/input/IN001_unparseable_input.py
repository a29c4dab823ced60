"""An input could not be read or parsed, so nothing in it was checked.

## What it does
Reports every input that bulkhead could not read safely: YAML or JSON syntax errors, invalid
UTF-8, binary content, files over the size limit, nesting deeper than 256 levels, YAML alias
bombs, unsupported tags such as `!!python/object`, Dockerfiles without `FROM`, unreadable
paths and symlinks that leave the scanned root. The finding names the file and the line.

## Why is this bad
A scanner that skips what it cannot parse passes the pipeline while checking nothing: the most
reported failure of the peers. A file that breaks our parser may also break, or be read
differently by, the tools that deploy it. bulkhead fails closed instead.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: odoo-config
  namespace: acme-prod
data: {odoo.conf: "[options]"
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: odoo-config
  namespace: acme-prod
data: {odoo.conf: "[options]"}
```

## Remediation
Fix the file at the reported line, or exclude it with `--exclude` if it is not a manifest.
Raise `max-file-size` in bulkhead.toml for a legitimately large file.

## References
Peers: Checkov, Kubescape and Trivy log unparseable or unrenderable inputs and go on with exit 0
(checkov#3619, checkov#3499, kubescape#1625); bulkhead reports them as findings instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="IN001",
    slug="unparseable-input",
    title="Input could not be read or parsed",
    domain=Domain.INPUT,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

CODES = frozenset({"unparseable", "unreadable"})


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for diagnostic in inventory.diagnostics:
        if diagnostic.code in CODES:
            yield Hit(
                diagnostic.path,
                f"not scanned: {diagnostic.message}",
                file=diagnostic.location.file,
                line=diagnostic.location.line,
                key=diagnostic.message,
            )
