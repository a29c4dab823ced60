"""A credential token (cloud key, private key, API token) is committed in a scanned file.

## What it does
Searches every file bulkhead reads (manifests, rendered charts, Dockerfiles, odoo.conf,
redis.conf, CI workflows, ...) for tokens with a recognisable shape and confirms each with
detect-secrets' detectors: AWS access keys, private keys, GitHub, GitLab, Slack, Stripe, npm,
PyPI, OpenAI, SendGrid, Square and Telegram tokens, Azure storage keys and JSON Web Tokens.
Reports the line and the token type, with a fingerprint instead of the value.

## Why is this bad
A token in Git is in every clone, fork, CI cache and backup of the repository, for ever: rotating
it is the only fix. A carrier-API or cloud key in a tenant's repository reaches far beyond that
tenant. Structured controls judge key names (WL020, SC002, DF005); this one finds tokens
wherever they hide, in comments and scripts included.

## Example (must fail)
```yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: carrier-sync
  namespace: acme-prod
spec:
  schedule: "*/15 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: sync
              image: registry.example.com/carrier-sync:1.4
              # temporary, until the vault role exists: AKIAIOSFODNN7EXAMPLE
              args: ["--bucket", "acme-edi"]
```

## Use instead (must pass)
```yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: carrier-sync
  namespace: acme-prod
spec:
  schedule: "*/15 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: sync
              image: registry.example.com/carrier-sync:1.4
              args: ["--bucket", "acme-edi"]
              envFrom:
                - secretRef: {name: carrier-sync-aws}
```

## Remediation
Revoke and rotate the token first: it is compromised once pushed. Then remove it from the file,
store it in the vault and deliver it through an ExternalSecret, and purge it from history if the
repository is shared (`git filter-repo`). For a test fixture, suppress with a reason
(`# bulkhead:ignore SC003 AWS's documented example key`).

## References
NSA/CISA Kubernetes Hardening Guide (secrets); detect-secrets (Yelp) detectors. Peers: Checkov's
secrets framework and Trivy's secret scanner do this for their inputs; Kubescape and Polaris
judge only environment-variable names. bulkhead uses only detectors with a distinctive token
shape (no entropy or keyword guessing), so a finding is a token, not a hunch.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="SC003",
    slug="secret-token-committed",
    title="Credential token committed in a file",
    domain=Domain.SECRETS,
    severity=Severity.CRITICAL,
    scope=Scope.INVENTORY,
    references={"nsa": ("Secrets management",)},
)


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for diagnostic in inventory.diagnostics:
        if diagnostic.code == "secret":
            yield Hit(
                (),
                f"{diagnostic.message} committed in this file: revoke and rotate it, then deliver "
                "it from the vault through an ExternalSecret",
                file=diagnostic.location.file,
                line=diagnostic.location.line,
                key=diagnostic.message,
            )
