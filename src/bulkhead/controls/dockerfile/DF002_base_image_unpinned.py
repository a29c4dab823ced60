"""A build stage starts FROM an image that is not pinned by digest.

## What it does
Checks the base image of every `FROM`, after substituting the defaults of global `ARG`s
declared before the first `FROM` (`FROM --platform=...` flags are ignored). An image without a
`@sha256:` digest is reported: with no tag or `:latest` as unpinned, with another tag as "pin by
digest". An image that still holds an unresolved `$VAR` cannot be verified and is reported too.
`FROM scratch` and `FROM <earlier stage name>` are skipped. Build stages count as well as the
final one: whatever they compile or download ends up in the image.

## Why is this bad
A tag is a movable pointer. `odoo:17.0` today is not `odoo:17.0` next week, so two builds of the
same commit ship different code, a rollback does not restore what ran before, and a compromised
registry account or a typo-squatted mirror can push new content under a trusted tag. On a
multi-tenant Odoo platform one poisoned base image reaches every tenant at the next rebuild.
A digest names the content itself: the build fails rather than pull something else.

## Example (must fail)
```dockerfile
ARG PYTHON_VERSION=3.12
FROM python:${PYTHON_VERSION}-slim AS wheels
RUN pip wheel --wheel-dir /wheels phonenumbers==8.13.40

FROM odoo:17.0
COPY --from=wheels /wheels /wheels
USER 101:101
```

## Use instead (must pass)
```dockerfile
ARG PYTHON_DIGEST=sha256:0d2a4c5b1e3f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM --platform=$BUILDPLATFORM python:3.12-slim@${PYTHON_DIGEST} AS wheels
RUN pip wheel --wheel-dir /wheels phonenumbers==8.13.40

FROM registry.example.com/odoo:17.0@${ODOO_DIGEST}
COPY --from=wheels /wheels /wheels
USER 101:101
```

## Remediation
Resolve the tag once and pin it, keeping the tag for readers: `docker buildx imagetools
inspect registry.example.com/odoo:17.0` prints the digest, then write
`FROM registry.example.com/odoo:17.0@sha256:<digest>`, or keep the digest in a global `ARG`.
Let Renovate or Dependabot (`docker` manager) propose digest bumps as reviewed pull requests.
When the image comes from a build argument, give the global `ARG` a digest-pinned default.

## References
CIS Docker Benchmark 4.2 (use trusted base images); NSA/CISA Kubernetes Hardening Guide (image
provenance, supply chain). Peers: hadolint DL3006 / DL3007, Checkov CKV_DOCKER_7, Trivy DS-0001.
Differences: those peers only reject a missing or `latest` tag, so `odoo:17.0` passes them;
CKV_DOCKER_7 also treats `registry:5000/odoo` as tagged because of the port colon. This control
parses the reference as the runtime does, requires a digest, substitutes `ARG` defaults and
reports what it cannot resolve instead of passing it silently.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import parse_image
from bulkhead.model import Severity
from bulkhead.sources.dockerfile import Dockerfile

META = Meta(
    id="DF002",
    slug="base-image-unpinned",
    title="Base image not pinned by digest",
    domain=Domain.DOCKERFILE,
    severity=Severity.MEDIUM,
    scope=Scope.DOCKERFILE,
    references={
        "checkov": ("CKV_DOCKER_7",),
        "trivy": ("DS-0001",),
        "hadolint": ("DL3006", "DL3007"),
        "cis": ("Docker 4.2",),
        "nsa": ("Supply chain: image provenance",),
    },
)


def check(dockerfile: Dockerfile, settings: Settings) -> Iterator[Hit]:
    file = dockerfile.location.file
    for stage in dockerfile.stages:
        image = stage.image.strip()
        earlier = {s.name.lower() for s in dockerfile.stages[: stage.index] if s.name}
        if not image or image.lower() == "scratch" or image.lower() in earlier:
            continue
        head = stage.instructions[0] if stage.instructions else None
        value = head.value if head is not None else image
        key = f"{stage.index}:FROM:{value}"
        if "$" in image:
            yield Hit(
                (),
                f"base image {image!r} holds a build argument without a default, so bulkhead "
                "cannot verify it is pinned: give the global ARG a digest-pinned default "
                "(ARG BASE=registry/image:tag@sha256:<digest>)",
                file=file,
                line=stage.line,
                key=key,
            )
            continue
        ref = parse_image(image)
        if ref.pinned:
            continue
        if "@" in image:
            message = (
                f"base image {image!r} has a malformed digest that pins nothing: "
                "use the full @sha256:<64 hex digits> of the image"
            )
        elif ref.tag is None or ref.tag == "latest":
            what = "has no tag (it means :latest)" if ref.tag is None else "uses the :latest tag"
            message = (
                f"base image {image!r} {what}, so every build may pull different content: "
                "pin it by digest (FROM image:version@sha256:<digest>)"
            )
        else:
            message = (
                f"base image {image!r} is pinned by tag only, and a tag can be moved to other "
                f"content: pin by digest (FROM {image}@sha256:<digest>)"
            )
        yield Hit((), message, file=file, line=stage.line, key=key)
