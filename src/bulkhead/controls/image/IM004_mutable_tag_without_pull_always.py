"""A mutable image tag is used without `imagePullPolicy: Always`.

## What it does
Flags every container, init container and ephemeral container whose image is not pinned by a
digest and whose effective `imagePullPolicy` is not `Always`. When the field is omitted,
Kubernetes defaults it to `Always` only for the tag `latest` (exactly, lower case) or for an
image with no tag at all, and to `IfNotPresent` otherwise; this control applies the same
default, so `odoo:19.0` without a policy is flagged and `odoo` without a policy is not (IM001
reports that one). Digest-pinned images pass whatever their policy.

## Why is this bad
With `IfNotPresent` (or `Never`) a node keeps running whatever it pulled first under that tag.
After a re-push of `odoo:19.0`, old and new nodes serve different code to different tenants,
and a security fix never lands on nodes that already hold the tag. On shared nodes a cached
private image can also be started by any pod that knows its name, without the pull secret
(what the AlwaysPullImages admission plugin prevents).

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
          imagePullPolicy: IfNotPresent
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
          imagePullPolicy: IfNotPresent
          ports: [{containerPort: 8069}, {containerPort: 8072}]
```

## Remediation
Best: pin the image by digest (see IM002); then `IfNotPresent` is safe and saves a registry
round trip per start. Otherwise set `imagePullPolicy: Always`, and consider the
`AlwaysPullImages` admission plugin on multi-tenant clusters.

## References
CIS Kubernetes Benchmark 1.2.11 (AlwaysPullImages admission plugin). Peers: Checkov CKV_K8S_15,
kube-score container-image-pull-policy, Polaris pullPolicyNotAlways, KICS caa3479d, Kubescape
C-0075 (latest tag only), Kyverno imagepullpolicy-always. Polaris fails any policy other than
an explicit `Always`, even for digest-pinned images and for an omitted policy that defaults to
`Always`; bulkhead follows the API server's defaulting and accepts digests, so only a tag that
can really move under a cached copy is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import parse_image
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="IM004",
    slug="mutable-tag-without-pull-always",
    title="Mutable image tag without imagePullPolicy Always",
    domain=Domain.IMAGE,
    severity=Severity.LOW,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_15",),
        "kubescape": ("C-0075",),
        "kube-score": ("container-image-pull-policy",),
        "polaris": ("pullPolicyNotAlways",),
        "cis": ("1.2.11",),
    },
)

FIX = "pin the image by digest, or set imagePullPolicy: Always"


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    image = container.spec.get("image")
    if not isinstance(image, str) or not image.strip():
        return  # IM001 reports a missing or invalid image.
    ref = parse_image(image)
    if ref.pinned:
        return
    policy = container.spec.get("imagePullPolicy")
    path = (*container.path, "imagePullPolicy")
    if policy is None or policy == "":
        # The API server's default: Always for "latest" (case-sensitive) or no tag.
        if ref.tag is None or ref.tag == "latest":
            return
        yield Hit(
            path,
            f"container {container.name!r} uses the mutable tag {ref.tag!r} without "
            f"imagePullPolicy, which defaults to IfNotPresent: {FIX}",
        )
    elif policy != "Always":
        yield Hit(
            path,
            f"container {container.name!r} uses the mutable image {image!r} with "
            f"imagePullPolicy {policy!r}, so nodes may run a stale copy: {FIX}",
        )
