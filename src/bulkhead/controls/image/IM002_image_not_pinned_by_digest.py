"""A container image is not pinned by a `@sha256:` digest.

## What it does
Flags every container, init container and ephemeral container whose `image` carries no valid
`@sha256:<64 lowercase hex>` digest, in every kind that holds a pod template. A malformed
digest (too short, upper case) pins nothing and is flagged, and so is another algorithm
(`sha512`). A missing image is left to IM001. Severity is high in production and low outside
it: the environment comes from the namespace label `bulkhead.io/environment` or the
`context-path` pattern, and an unknown environment counts as production.

## Why is this bad
A tag is a pointer anyone with push rights can move. Without a digest, what runs in a tenant's
namespace is decided at pull time, not at review time: a leaked CI token or a careless re-push
of `odoo:19.0` silently changes the code that holds every tenant's accounting data, and
signatures, SBOMs and vulnerability scans no longer describe what is running. A digest makes
the reviewed manifest the exact bytes that run, on every node and on every rollback.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0
          ports: [{containerPort: 8069}, {containerPort: 8072}]
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: odoo-web
  namespace: acme-prod
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image: registry.example.com/odoo:19.0@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          ports: [{containerPort: 8069}, {containerPort: 8072}]
```

## Remediation
Resolve the tested tag once and pin it: `crane digest registry.example.com/odoo:19.0`, then
`image: registry.example.com/odoo:19.0@sha256:<digest>` (the tag stays for readers; the runtime
uses the digest). In Kustomize use `images: [{name: ..., digest: sha256:...}]`; in Helm charts
expose an `image.digest` value. Let Renovate or Flux image automation propose digest bumps.

## References
CIS Kubernetes Benchmark 5.5.1 (image provenance); NSA/CISA Kubernetes Hardening Guide
(building secure container images). Peers: Checkov CKV_K8S_43, Kubescape C-0306, KICS 7c81d34c
(Image Without Digest), Kyverno require-image-checksum. Unlike peers with one fixed severity,
bulkhead relaxes this to low outside production, where fast iteration on tags is normal.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import parse_image
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="IM002",
    slug="image-not-pinned-by-digest",
    title="Image not pinned by digest",
    domain=Domain.IMAGE,
    severity=Severity.HIGH,
    severity_outside_production=Severity.LOW,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_43",),
        "kubescape": ("C-0306",),
        "cis": ("5.5.1",),
        "nsa": ("Pod security: building secure container images",),
    },
)


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    image = container.spec.get("image")
    if not isinstance(image, str) or not image.strip():
        return  # IM001 reports a missing or invalid image.
    if parse_image(image).pinned:
        return
    if "@" in image:
        problem = "has a digest that is not @sha256: with 64 lowercase hex digits"
    else:
        problem = "is not pinned by digest"
    yield Hit(
        (*container.path, "image"),
        f"container {container.name!r} image {image!r} {problem}: resolve the tested tag and "
        "set image: <repo>:<tag>@sha256:<digest>",
    )
