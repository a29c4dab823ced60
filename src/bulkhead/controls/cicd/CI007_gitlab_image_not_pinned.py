"""A GitLab CI job or service runs a container image by tag instead of by digest.

## What it does
Checks `image:` (a string, or a mapping's `name:`) and each `services:` entry (same two forms)
at the top level of `.gitlab-ci.yml`, in `default:`, and in every job, including hidden
templates (`.build-template`) that jobs `extends:`. Every top-level key that is not a GitLab
global keyword (`stages`, `variables`, `workflow`, `include`, `default`, `cache`, ...) is a job.
An image passes with a `@sha256:<64 hex>` digest, or a digest given by a variable
(`@$ODOO_BUILDER_DIGEST`); a tag, `latest` or no tag at all fails. `$VAR` and `${VAR}` are
expanded from the top-level and the job's own `variables:` first.

## Why is this bad
A tag is a pointer the image's publisher (or whoever compromises their registry account) can
move. The job then runs their new code with the pipeline's variables: registry credentials,
kubeconfigs and database passwords for every Odoo tenant, and the ability to push the images
that production pulls. A digest names exactly one image.

## Example (must fail)
```yaml file=.gitlab-ci.yml
stages: [build, deploy]
default:
  image: python:3.12-slim
build-odoo:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --destination registry.example.com/odoo:$CI_COMMIT_SHA
```

## Use instead (must pass)
```yaml file=.gitlab-ci.yml
stages: [build, deploy]
default:
  image: python:3.12-slim@sha256:4a1f0cb4a2ec4a5d0e9b1d6b8d2c8f6a0e1c3b5d7f9a1b3c5d7e9f0a2b4c6d8e
build-odoo:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor@sha256:9e69fd4330ec887a7fc8a1c2b6a3d7f2e5c8b1a4d7e0f3a6b9c2d5e8f1a4b7c0
    entrypoint: [""]
  services:
    - name: registry.example.com/ci/postgres@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
      alias: db
  script:
    - /kaniko/executor --destination registry.example.com/odoo:$CI_COMMIT_SHA
```

## Remediation
Resolve each tag once (`docker buildx imagetools inspect python:3.12-slim` or
`crane digest python:3.12-slim`) and write `image: python:3.12-slim@sha256:<digest>`; keep
the tag for readability. Let Renovate's `gitlabci` manager bump the digests in reviewed merge
requests, and mirror CI images into your own registry.

## References
GitLab docs "CI/CD YAML syntax: image, services"; OpenSSF Scorecard "Pinned-Dependencies".
Peers: zizmor unpinned-images (the GitHub Actions equivalent); Checkov, KICS and Trivy have no
GitLab image check. Hidden templates are checked where the image is written, so one finding
points at the one line to fix however many jobs extend it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping, parse_image
from bulkhead.controls.cicd._workflow import hit
from bulkhead.model import FieldPath, Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="CI007",
    slug="gitlab-image-not-pinned",
    title="GitLab CI image not pinned by digest",
    domain=Domain.CICD,
    severity=Severity.MEDIUM,
    scope=Scope.CONFIG,
    kinds=frozenset({"gitlab-ci"}),
)

# Top-level keys that are global keywords, not jobs (`image` and `services` are checked as
# global defaults; `pages` is a job).
GLOBAL_KEYWORDS = frozenset(
    {
        "after_script",
        "before_script",
        "cache",
        "default",
        "image",
        "include",
        "services",
        "spec",
        "stages",
        "types",
        "variables",
        "workflow",
    }
)
_VARIABLE_DIGEST = re.compile(r"@\$\{?\w+\}?$")
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _variables(holder: Mapping[str, Any]) -> dict[str, str]:
    """`variables:` values given as a string or as `{value: ...}`."""
    found: dict[str, str] = {}
    for name, value in as_mapping(holder.get("variables")).items():
        value = as_mapping(value).get("value") if isinstance(value, Mapping) else value
        if isinstance(name, str) and isinstance(value, (str, int, float)):
            found[name] = str(value)
    return found


def _expand(image: str, variables: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), image)


def _pinned(image: str) -> bool:
    return parse_image(image).pinned or bool(_VARIABLE_DIGEST.search(image))


def _image(value: Any, path: FieldPath) -> tuple[str, FieldPath] | None:
    """The image reference in a string or `{name: ...}` form, and the path to it."""
    if isinstance(value, str):
        return value, path
    name = as_mapping(value).get("name")
    if isinstance(name, str):
        return name, (*path, "name")
    return None


def _candidates(holder: Mapping[str, Any], path: FieldPath) -> Iterator[tuple[str, FieldPath]]:
    found = _image(holder.get("image"), (*path, "image"))
    if found is not None:
        yield found
    for index, service in enumerate(as_list(holder.get("services"))):
        found = _image(service, (*path, "services", index))
        if found is not None:
            yield found


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    document = as_mapping(config.document)
    holders: list[tuple[str, Mapping[str, Any], FieldPath]] = [
        ("the global default", document, ()),
        ("`default:`", as_mapping(document.get("default")), ("default",)),
    ]
    for key, value in document.items():
        if isinstance(key, str) and key not in GLOBAL_KEYWORDS and isinstance(value, Mapping):
            holders.append((f"job {key!r}", value, (key,)))
    global_variables = _variables(document)
    for who, holder, base in holders:
        variables = {**global_variables, **_variables(holder)} if base else global_variables
        for written, path in _candidates(holder, base):
            image = _expand(written.strip(), variables)
            if not image or _pinned(image):
                continue
            kind = "service" if "services" in path else "image"
            shown = (
                repr(image) if image == written.strip() else f"{written.strip()!r} (= {image!r})"
            )
            yield hit(
                config,
                path,
                f"{who} runs {kind} {shown} by tag, not by digest: pin it as "
                f"`{image}@sha256:<digest>` (find it with `crane digest`)",
            )
