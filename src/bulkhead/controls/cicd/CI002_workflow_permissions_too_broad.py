"""A workflow's GITHUB_TOKEN gets the default or `write-all` permissions.

## What it does
Flags a GitHub Actions workflow that sets no top-level `permissions:` and has jobs without
their own `permissions:` (one finding per such job, at the job), and any `permissions:
write-all`, at the top level or in a job. Jobs that call a reusable workflow count too: the
called workflow gets the caller's token. `permissions: {}`, `read-all` and explicit scopes pass.

## Why is this bad
Without `permissions:` a job gets the repository's or organization's default token, which is
read-write on contents, packages, pull requests and more in organizations and accounts created
before February 2023, unless an admin changed it, and wherever an admin chose it. Any step (a compromised action, an
injected script) can then push to the branch Argo CD deploys to every Odoo tenant, publish
images to the registry or rewrite releases. `write-all` grants that explicitly.

## Example (must fail)
```yaml file=.github/workflows/deploy.yml
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - run: make test
  release:
    runs-on: ubuntu-24.04
    permissions: write-all
    steps:
      - run: make release
```

## Use instead (must pass)
```yaml file=.github/workflows/deploy.yml
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - run: make test
  release:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      packages: write
      id-token: write
    steps:
      - run: make release
```

## Remediation
Add `permissions: contents: read` (or `permissions: {}`) at the top of every workflow and grant
each job only the scopes it uses (`packages: write` to push the Odoo image, `id-token: write`
for OIDC to the cloud). Also set the organization default to read-only:
`gh api -X PUT orgs/ORG/actions/permissions/workflow -f default_workflow_permissions=read`.

## References
GitHub "Automatic token authentication: modifying the permissions for the GITHUB_TOKEN";
OpenSSF Scorecard "Token-Permissions". Peers: Checkov CKV2_GHA_1 (top-level `write-all` only),
zizmor excessive-permissions. Unlike Checkov, a missing block is reported too (the default token
is the common case), job-level `write-all` is covered, and a job with its own `permissions:`
does not need a top-level block. Individual `write` scopes are not judged here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.controls.cicd._workflow import hit, jobs
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="CI002",
    slug="workflow-permissions-too-broad",
    title="Workflow token permissions missing or write-all",
    domain=Domain.CICD,
    severity=Severity.MEDIUM,
    scope=Scope.CONFIG,
    references={"checkov": ("CKV2_GHA_1",)},
    kinds=frozenset({"github-workflow"}),
)


def _is_set(holder: Mapping[str, Any]) -> bool:
    return holder.get("permissions") is not None


def _write_all(holder: Mapping[str, Any]) -> bool:
    value = holder.get("permissions")
    return isinstance(value, str) and value.strip().lower() == "write-all"


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    document = as_mapping(config.document)
    top_set = _is_set(document)
    if _write_all(document):
        yield hit(
            config,
            ("permissions",),
            "the workflow grants `permissions: write-all` to every job: set "
            "`permissions: contents: read` and grant write scopes only in the jobs that need them",
        )
    for job_id, job in jobs(document):
        path = ("jobs", job_id, "permissions")
        if _write_all(job):
            yield hit(
                config,
                path,
                f"job {job_id!r} has `permissions: write-all`: list only the scopes it uses "
                "(e.g. `contents: read`, `packages: write`)",
            )
        elif not top_set and not _is_set(job):
            yield hit(
                config,
                path,
                f"job {job_id!r} runs with the default GITHUB_TOKEN permissions (read-write in "
                "many repositories) and the workflow sets none: add top-level "
                "`permissions: contents: read` and grant writes per job",
            )
