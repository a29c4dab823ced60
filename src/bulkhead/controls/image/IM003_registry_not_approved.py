"""A container image comes from a registry that is not in `approved-registries`.

## What it does
Checks the registry and repository of every container, init container and ephemeral container
image against `approved-registries`. An entry is a host (`registry.example.com`: any repository
there) or a host and path prefix (`registry.example.com/odoo`, matched on whole path segments).
An image without a registry is a Docker Hub image: `odoo:19.0` is `docker.io/library/odoo`.
Without `approved-registries` the control is off (the CLI prints a note saying so).

## Why is this bad
Every image in a tenant namespace runs with that tenant's database credentials and filestore.
Images from arbitrary registries skip the platform's scanning, signing and mirroring, can be
rewritten upstream, and a typo-squatted public repository is one character from the real one.
Pulling only from the platform registry keeps the supply chain reviewable.

## Example (must fail)
```toml file=bulkhead.toml
approved-registries = ["registry.example.com/odoo", "registry.example.com/platform"]
```
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
          image: docker.io/odoo:19.0
```

## Use instead (must pass)
```toml file=bulkhead.toml
approved-registries = ["registry.example.com/odoo", "registry.example.com/platform"]
```
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
          image: registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
```

## Remediation
Mirror the image and reference the copy:
`crane copy docker.io/library/odoo:19.0 registry.example.com/odoo/odoo:19.0`. If the source is
legitimate, add it to `approved-registries` (or `--approved-registry`), preferably with a path
prefix rather than a whole public host, and enforce the same list at admission.

## References
CIS Kubernetes Benchmark 5.5.1 (image provenance); NSA/CISA Kubernetes Hardening Guide
(building secure container images). Peers: Kubescape C-0078, Trivy KSV-0125, hadolint DL3026
(Dockerfile `FROM`), Kyverno restrict-image-registries. Matching is on whole host and path
segments, so `registry.example.com.evil.io/odoo` and `registry.example.com/odoo-fork` do not
match `registry.example.com/odoo`, and a host with a port is a different registry. Kubescape
C-0078 matches its allow-list as an unanchored regular expression over the image string and only
looks at `containers` (code reading of `rules/container-image-repository/raw.rego`).
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import parse_image, registry_host
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="IM003",
    slug="registry-not-approved",
    title="Image registry not approved",
    domain=Domain.IMAGE,
    severity=Severity.HIGH,
    scope=Scope.CONTAINER,
    references={
        "kubescape": ("C-0078",),
        "trivy": ("KSV-0125",),
        "hadolint": ("DL3026",),
        "cis": ("5.5.1",),
        "nsa": ("Pod security: building secure container images",),
    },
)


def _entry(raw: str) -> str:
    """An approved-registries entry as `host[/path]`: no scheme, no trailing slash."""
    entry = raw.strip()
    for scheme in ("https://", "http://"):
        if entry.lower().startswith(scheme):
            entry = entry[len(scheme) :]
    host, slash, path = entry.strip("/").partition("/")
    return registry_host(host) + (f"/{path}" if slash and path else "")


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    entries = [e for e in (_entry(raw) for raw in settings.approved_registries) if e]
    if not entries:
        return
    image = container.spec.get("image")
    if not isinstance(image, str) or not image.strip():
        return  # IM001 reports a missing or invalid image.
    ref = parse_image(image)
    location = f"{ref.registry}/{ref.repository}"
    if any(location == entry or location.startswith(f"{entry}/") for entry in entries):
        return
    yield Hit(
        (*container.path, "image"),
        f"container {container.name!r} image {image!r} comes from {location}, which is not "
        f"under approved-registries ({', '.join(entries)}): mirror it into an approved "
        "registry, or approve its registry in bulkhead.toml",
    )
