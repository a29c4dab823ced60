"""A workflow runs a third-party action or reusable workflow by a movable tag or branch.

## What it does
Checks every step `uses:` and every job-level `uses:` (a reusable workflow call) of a GitHub
Actions workflow. `owner/repo@ref` and `owner/repo/path@ref` must name a full 40-hex-digit
commit SHA; a tag (`@v4`), a branch (`@main`), a short SHA or no ref at all is flagged. Local
actions and workflows (`./...`) are fine, and so is `docker://image@sha256:<64 hex>`;
`docker://image:tag` or a bare `docker://image` is flagged.

## Why is this bad
A tag or branch is a pointer the action's owner (or whoever compromises their account) can move.
The next run then executes their new code with this workflow's `GITHUB_TOKEN` and secrets, for
example the registry and cluster credentials that deploy every Odoo tenant. This happened with
`tj-actions/changed-files` in March 2025: every tag was repointed to a commit that dumped CI
secrets into public logs. A commit SHA cannot be moved.

## Example (must fail)
```yaml file=.github/workflows/deploy.yml
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          tags: registry.example.com/odoo:19.0
```

## Use instead (must pass)
```yaml file=.github/workflows/deploy.yml
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: ./.github/actions/build-odoo-image
        with:
          tags: registry.example.com/odoo:19.0
      - uses: docker://registry.example.com/ci/kubeconform@sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb
```

## Remediation
Replace each ref with the commit it currently resolves to and keep the version as a comment,
which Dependabot and Renovate update together with the SHA:
`gh api repos/actions/checkout/commits/v4.2.2 --jq .sha`, then
`uses: actions/checkout@<sha> # v4.2.2`. Tools such as `pinact` or `zizmor --fix` do it in
bulk. For `docker://` steps pin the image digest (`docker buildx imagetools inspect`).

## References
OpenSSF Scorecard "Pinned-Dependencies"; GitHub "Security hardening for GitHub Actions" (use
a full-length commit SHA). Peers: zizmor unpinned-uses, KICS 555ab8f9 "Unpinned Actions Full
Length Commit SHA"; Checkov has no equivalent. Unlike zizmor's default policy, actions owned by
`actions/` and `github/` are not exempt (their tags move too), and reusable workflows and
`docker://` steps are covered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import parse_image
from bulkhead.controls.cicd._workflow import hit, jobs, step_name, steps
from bulkhead.model import FieldPath, Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="CI001",
    slug="action-not-pinned-to-sha",
    title="Action or reusable workflow not pinned to a commit SHA",
    domain=Domain.CICD,
    severity=Severity.HIGH,
    scope=Scope.CONFIG,
    kinds=frozenset({"github-workflow"}),
)

_SHA = re.compile(r"[0-9a-fA-F]{40}")


def _problem(uses: str) -> str | None:
    """Why `uses` is not pinned, or None if it is."""
    ref = uses.strip()
    if ref.startswith("./"):
        return None
    if ref.lower().startswith("docker://"):
        if parse_image(ref[len("docker://") :]).pinned:
            return None
        return "the container image has no @sha256 digest"
    _, at, version = ref.rpartition("@")
    if not at:
        return "it names no ref"
    if _SHA.fullmatch(version):
        return None
    return f"{version!r} is a tag or branch, not a full commit SHA"


def _hits(config: ConfigFile, path: FieldPath, uses: Any, who: str) -> Iterator[Hit]:
    if not isinstance(uses, str):
        return
    problem = _problem(uses)
    if problem is None:
        return
    if uses.strip().lower().startswith("docker://"):
        fix = "pin it as `docker://<image>@sha256:<digest>`"
    else:
        fix = (
            "pin it to the full 40-character commit SHA and keep the version in a comment "
            "(`@<sha> # v4.2.2`)"
        )
    yield hit(config, path, f"{who} uses {uses.strip()!r}: {problem}; {fix}")


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    for job_id, job in jobs(config.document):
        yield from _hits(config, ("jobs", job_id, "uses"), job.get("uses"), f"job {job_id!r}")
        for index, step in steps(job):
            path = ("jobs", job_id, "steps", index, "uses")
            yield from _hits(config, path, step.get("uses"), step_name(job_id, index, step))
