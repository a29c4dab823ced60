"""GitOps sources are deployed without verifying commit or tag signatures.

## What it does
Flags an Argo CD `AppProject` (`argoproj.io`) with neither `spec.sourceIntegrity.git.policies`
(Argo CD 3.x source integrity) nor the older `spec.signatureKeys`; and, when source integrity
is declared, each policy whose `gpg.mode` is not `head` or `strict` (`none` switches
verification off; an empty `gpg.keys` fails closed and is not flagged). It flags a Flux
`GitRepository` (`source.toolkit.fluxcd.io`) without `spec.verify`, or whose `spec.verify` lacks
`secretRef.name` (the trusted keys) or has a `mode` other than `HEAD`, `Tag`, `TagAndHEAD`.

## Why is this bad
A stolen deploy key or CI token can push a commit that Argo CD or Flux applies to every Odoo
tenant within minutes (say, an init container dumping the PostgreSQL credentials); a pinned tag
(GO001) can be re-pushed. Verifying signatures against the platform team's keys means only
trusted, signed changes are synced.

## Example (must fail)
```yaml
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: tenants
  namespace: flux-system
spec:
  url: https://git.example.com/platform/tenants.git
  ref:
    tag: v2025.6.2
```

## Use instead (must pass)
```yaml
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: tenants
  namespace: flux-system
spec:
  url: https://git.example.com/platform/tenants.git
  ref:
    tag: v2025.6.2
  verify:
    mode: TagAndHEAD
    secretRef: {name: platform-signing-keys}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: acme
  namespace: argocd
spec:
  sourceIntegrity:
    git:
      policies:
        - repos: [{url: "https://git.example.com/platform/*"}]
          gpg:
            mode: strict
            keys: [D56C4FCA57A46444]
```

## Remediation
Argo CD: import the platform team's public keys (`argocd gpg add --from team.asc`), then add a
`sourceIntegrity.git.policies` entry with `gpg.mode: strict` (or `head`) and their key IDs;
the older `signatureKeys: [{keyID: ...}]` still works but is deprecated. Flux: put the keys in
a Secret (`*.asc` PGP, `*.sshpub` SSH: `kubectl -n flux-system create secret generic
platform-signing-keys --from-file=team.asc`) and set `spec.verify`. Sign with `git tag -s`.

## References
NSA/CISA Kubernetes Hardening Guide (supply chain); platform rule A1. Peers: none of Checkov,
Kubescape, kube-score, Polaris or Trivy checks this. A `mode: none` policy is reported even if
a later one matches the same repository: Argo CD applies only the first matching policy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="GO005",
    slug="commit-signature-not-verified",
    title="GitOps commit signatures not verified",
    domain=Domain.GITOPS,
    severity=Severity.MEDIUM,
    scope=Scope.RESOURCE,
    kinds=frozenset({"AppProject", "GitRepository"}),
    references={"nsa": ("Supply chain risks",)},
)

ARGO_MODES = frozenset({"head", "strict"})
FLUX_MODES = frozenset({"HEAD", "Tag", "TagAndHEAD", "head"})


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    group = resource.api_group
    if resource.kind == "AppProject" and group == "argoproj.io":
        yield from _argo(resource)
    elif resource.kind == "GitRepository" and group == "source.toolkit.fluxcd.io":
        yield from _flux(resource)


def _argo(resource: Resource) -> Iterator[Hit]:
    spec = as_mapping(resource.doc.get("spec"))
    what = f"AppProject {resource.name!r}"
    base = ("spec", "sourceIntegrity", "git", "policies")
    policies = as_list(
        as_mapping(as_mapping(spec.get("sourceIntegrity")).get("git")).get("policies")
    )
    if policies:
        for index, policy in enumerate(policies):
            gpg = as_mapping(as_mapping(policy).get("gpg"))
            mode = gpg.get("mode")
            if not isinstance(mode, str) or mode.lower() not in ARGO_MODES:
                yield Hit(
                    (*base, index, "gpg", "mode"),
                    f"{what} source integrity policy {index} does not verify signatures "
                    f"(gpg.mode {mode!r}): set gpg.mode to strict or head",
                )
        return
    keys = as_list(spec.get("signatureKeys"))
    if any(isinstance(k, Mapping) and _text(k.get("keyID")) for k in keys):
        return
    yield Hit(
        ("spec", "sourceIntegrity"),
        f"{what} syncs commits without verifying their signatures: add "
        "sourceIntegrity.git.policies with gpg.mode strict and the trusted key IDs",
    )


def _flux(resource: Resource) -> Iterator[Hit]:
    spec = as_mapping(resource.doc.get("spec"))
    what = f"GitRepository {resource.name!r}"
    verify = spec.get("verify")
    if not isinstance(verify, Mapping):
        yield Hit(
            ("spec", "verify"),
            f"{what} does not verify commit or tag signatures: set spec.verify.mode "
            "(TagAndHEAD) and spec.verify.secretRef.name to a Secret with the trusted keys",
        )
        return
    mode = verify.get("mode")
    if mode is not None and (not isinstance(mode, str) or mode not in FLUX_MODES):
        yield Hit(
            ("spec", "verify", "mode"),
            f"{what} spec.verify.mode {mode!r} is not one of HEAD, Tag, TagAndHEAD",
        )
    if not _text(as_mapping(verify.get("secretRef")).get("name")):
        yield Hit(
            ("spec", "verify", "secretRef", "name"),
            f"{what} spec.verify names no Secret with trusted keys: set spec.verify.secretRef.name",
        )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
