"""A GitOps source tracks a branch, `HEAD` or a version range instead of a tag or commit.

## What it does
Flags, in Argo CD `Application`s (`argoproj.io`), `spec.source.targetRevision` and each
`spec.sources[i].targetRevision` (for an `ApplicationSet`, the same under `spec.template.spec`)
that is missing, empty, `HEAD`, or anything but a full commit SHA (40 or 64 hex digits), an OCI
digest (`sha256:<64 hex>`) or a version-like tag matching `^v?\\d+(\\.\\d+){1,3}([-+]...)?$`.
For a Helm chart source (`chart` set) the revision must be one exact version (`19.0.3`):
ranges (`1.*`, `>=1.0`, `~1.2`, `^1`) and two-part versions (`1.2`, which Helm reads as
`1.2.x`) are not pinned. In a Flux `GitRepository` (`source.toolkit.fluxcd.io`) it flags a
missing `spec.ref` (the default branch), a `ref` with only `branch`, a `semver` range, and a
`name` that is a branch (`refs/heads/...`). Templated ApplicationSet revisions (`{{...}}`) are
left alone: the generator decides them.

## Why is this bad
A branch moves: whoever can push to `main` deploys to every tenant on the next sync, without a
release, a review of what changed, or a way to tell which commit runs in acme-prod. Rollback
means another commit, and a force-push silently rewrites production. Pinning makes each
production change an explicit, reviewable bump.

## Example (must fail)
```yaml
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: acme-odoo
  namespace: argocd
spec:
  project: acme
  source:
    repoURL: https://git.example.com/platform/tenants.git
    targetRevision: main
    path: tenants/acme/prod
  destination:
    server: https://kubernetes.default.svc
    namespace: acme-prod
```

## Use instead (must pass)
```yaml
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: acme-odoo
  namespace: argocd
spec:
  project: acme
  sources:
    - repoURL: https://git.example.com/platform/tenants.git
      targetRevision: v2025.6.2
      path: tenants/acme/prod
    - repoURL: https://charts.example.com
      chart: odoo
      targetRevision: 19.0.3
  destination:
    server: https://kubernetes.default.svc
    namespace: acme-prod
```

## Remediation
Release through tags (`git tag -s v2025.6.2 && git push origin v2025.6.2`) and bump
`targetRevision` in a reviewed pull request; for Flux use `spec.ref.tag`, an exact
`spec.ref.semver` or `spec.ref.commit`. Outside production this control reports at low severity.

## References
NSA/CISA Kubernetes Hardening Guide (supply chain, audit). Peers: none of Checkov, Kubescape,
kube-score, Polaris or Trivy checks Argo CD or Flux sources. Unlike a plain "not HEAD" test, a
tag-looking name such as `release-1.2.3` counts as a branch (Argo CD cannot tell them apart),
every source of a multi-source Application is checked, and `sources` wins over `source`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import FieldPath, Resource, Severity

META = Meta(
    id="GO001",
    slug="revision-not-pinned",
    title="GitOps source not pinned to a tag or commit",
    domain=Domain.GITOPS,
    severity=Severity.HIGH,
    severity_outside_production=Severity.LOW,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Application", "ApplicationSet", "GitRepository"}),
    references={"nsa": ("Supply chain risks",)},
)

COMMIT = re.compile(r"(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})")
OCI_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
VERSION = re.compile(r"v?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]+)?")
EXACT_CHART_VERSION = re.compile(r"v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?")


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    group = resource.api_group
    if resource.kind == "GitRepository":
        if group == "source.toolkit.fluxcd.io":
            yield from _flux(resource)
        return
    if group != "argoproj.io":
        return
    spec = as_mapping(resource.doc.get("spec"))
    base: FieldPath = ("spec",)
    if resource.kind == "ApplicationSet":
        spec = as_mapping(as_mapping(spec.get("template")).get("spec"))
        base = ("spec", "template", "spec")
    sources = as_list(spec.get("sources"))
    if sources:
        for index, source in enumerate(sources):
            if isinstance(source, Mapping):
                yield from _argo_source(resource, source, (*base, "sources", index))
    elif isinstance(spec.get("source"), Mapping):
        yield from _argo_source(resource, spec["source"], (*base, "source"))


def _argo_source(
    resource: Resource, source: Mapping[str, object], path: FieldPath
) -> Iterator[Hit]:
    revision = source.get("targetRevision")
    where = (*path, "targetRevision")
    what = f"{resource.kind} {resource.name!r} source {source.get('repoURL')!r}"
    chart = source.get("chart")
    if revision is None or (isinstance(revision, str) and not revision.strip()):
        yield Hit(
            where,
            f"{what} has no targetRevision, so it follows the default branch or latest chart: "
            "set a release tag, exact chart version or full commit SHA",
        )
        return
    if not isinstance(revision, str) or "{{" in revision:
        return  # a non-string is rejected by the API server; a template is the generator's
    value = revision.strip()
    if chart:
        if EXACT_CHART_VERSION.fullmatch(value):
            return
        yield Hit(
            where,
            f"{what} chart {chart!r} uses version {value!r}, a range that picks up new releases: "
            "set one exact chart version such as 19.0.3",
        )
        return
    if COMMIT.fullmatch(value) or OCI_DIGEST.fullmatch(value) or VERSION.fullmatch(value):
        return
    kind = "HEAD" if value.upper() == "HEAD" else f"branch-like revision {value!r}"
    yield Hit(
        where,
        f"{what} tracks {kind}: pin targetRevision to a version tag (v1.2.3) or a full commit SHA",
    )


def _flux(resource: Resource) -> Iterator[Hit]:
    spec = as_mapping(resource.doc.get("spec"))
    what = f"GitRepository {resource.name!r}"
    ref = spec.get("ref")
    if not isinstance(ref, Mapping) or not ref:
        yield Hit(
            ("spec", "ref"),
            f"{what} has no spec.ref and follows the default branch: set ref.tag, an exact "
            "ref.semver or ref.commit",
        )
        return
    # Flux precedence: commit > name > semver > tag > branch.
    if _text(ref.get("commit")):
        return
    name = _text(ref.get("name"))
    if name:
        if name.startswith("refs/heads/") or name.upper() == "HEAD":
            yield Hit(
                ("spec", "ref", "name"),
                f"{what} ref.name {name!r} is a branch: use refs/tags/<version> or ref.commit",
            )
        return
    semver = _text(ref.get("semver"))
    if semver:
        if not EXACT_CHART_VERSION.fullmatch(semver):
            yield Hit(
                ("spec", "ref", "semver"),
                f"{what} ref.semver {semver!r} is a range that follows new tags: set one exact "
                "version or use ref.tag",
            )
        return
    if _text(ref.get("tag")):
        return
    branch = _text(ref.get("branch"))
    yield Hit(
        ("spec", "ref", "branch") if branch else ("spec", "ref"),
        f"{what} tracks branch {branch or 'master (the default)'!r}: pin ref.tag, an exact "
        "ref.semver or ref.commit",
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
