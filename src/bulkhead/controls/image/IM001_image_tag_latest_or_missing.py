"""A container image has no tag, uses `:latest`, or has no image at all.

## What it does
Flags every container, init container and ephemeral container whose `image` has neither a tag
nor a digest, whose tag is `latest` (any case) without a digest, or whose `image` is missing,
empty or not a string. A reference pinned by a valid `@sha256:<64 hex>` digest passes whatever
its tag says, because the runtime pulls the digest and ignores the tag.

## Why is this bad
An image without a tag is pulled as `:latest`, and `:latest` is whatever was pushed last. Two
nodes can run two different Odoo builds under the same Deployment, a rollback re-pulls the
broken build, and nobody can tell which code served a tenant's invoices last Tuesday. A
compromised registry account only has to push one tag to reach every tenant on the next
restart.

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
          image: registry.example.com/odoo:latest
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
Resolve the tag you tested to its digest and pin it, keeping the tag for humans:
`crane digest registry.example.com/odoo:19.0` (or `docker buildx imagetools inspect`), then
`image: registry.example.com/odoo:19.0@sha256:<digest>`. Let the release pipeline (Renovate,
Flux image automation, Argo CD Image Updater) bump the digest instead of re-pushing a tag.

## References
CIS Kubernetes Benchmark 5.5.1 (image provenance); NSA/CISA Kubernetes Hardening Guide
(building secure container images). Peers: Checkov CKV_K8S_14, kube-score container-image-tag,
Polaris tagNotSpecified, Trivy KSV-0013, KICS 583053b7 (Invalid Image), Kyverno
disallow-latest-tag. A registry with a port and no tag (`registry.example.com:5000/odoo`) has
no tag and is flagged here; Polaris only matches the regex `^.+:.+$`, so the port's colon makes
it pass there. Init and ephemeral containers are covered too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import parse_image
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="IM001",
    slug="image-tag-latest-or-missing",
    title="Image has no tag or uses :latest",
    domain=Domain.IMAGE,
    severity=Severity.HIGH,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_14",),
        "kube-score": ("container-image-tag",),
        "polaris": ("tagNotSpecified",),
        "trivy": ("KSV-0013",),
        "cis": ("5.5.1",),
        "nsa": ("Pod security: building secure container images",),
    },
)

FIX = "pin it by digest (image: <repo>:<version>@sha256:<digest>)"


def _kind_of(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "a mapping" if isinstance(value, Mapping) else f"a {type(value).__name__}"


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    path = (*container.path, "image")
    image = container.spec.get("image")
    if image is None or (isinstance(image, str) and not image.strip()):
        yield Hit(path, f"container {container.name!r} has no image: set one and {FIX}")
        return
    if not isinstance(image, str):
        yield Hit(
            path,
            f"container {container.name!r} has an image that is {_kind_of(image)}, not a "
            f"string: set a string reference and {FIX}",
        )
        return
    ref = parse_image(image)
    if ref.pinned:
        return
    if ref.tag is None:
        yield Hit(
            path,
            f"container {container.name!r} image {image!r} has no tag, so the runtime pulls "
            f":latest: {FIX}",
        )
    elif ref.tag.lower() == "latest":
        yield Hit(
            path,
            f"container {container.name!r} image {image!r} uses the mutable tag {ref.tag!r}: {FIX}",
        )
