"""A job runs on a self-hosted runner in a workflow that outsiders can trigger.

## What it does
Flags each job whose `runs-on` asks for the `self-hosted` label (as a string, in a list, in the
`labels:` of the mapping form, or through `${{ matrix.<key> }}` whose `strategy.matrix` values
include it) when the workflow's `on:` (string, list or mapping form) includes an event any
GitHub user can cause: `pull_request`, `pull_request_target`, `pull_request_review`,
`pull_request_review_comment`, `issues`, `issue_comment`, `discussion`, `discussion_comment`,
`fork` or `watch`. Labels are compared without case, as GitHub does. A `group:` alone is not
flagged: GitHub-hosted larger runners use groups too.

## Why is this bad
A self-hosted runner is a machine inside your network that keeps state between jobs. A fork's
pull request (or a crafted issue comment feeding a script) runs attacker code there: it can
plant a backdoor for the next job, read cached credentials, and reach the Kubernetes API,
PostgreSQL and Redis of every Odoo tenant from inside the platform network. GitHub recommends
self-hosted runners only for private repositories.

## Example (must fail)
```yaml file=.github/workflows/ci.yml
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: [self-hosted, linux, odoo-ci]
    steps:
      - run: make test
```

## Use instead (must pass)
```yaml file=.github/workflows/ci.yml
on:
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - run: make test
```

## Remediation
Run untrusted events on GitHub-hosted (or ephemeral, single-use, network-isolated) runners.
Keep self-hosted runners for `push` to protected branches, `workflow_dispatch` and tags, in a
runner group restricted to those workflows and repositories, and use just-in-time ephemeral
runners (`--ephemeral`, or Actions Runner Controller) so no job inherits another's state.

## References
GitHub docs "Security hardening for GitHub Actions: hardening for self-hosted runners".
Peers: zizmor self-hosted-runner (pedantic persona only, flags every self-hosted use);
Checkov has no equivalent. This control flags only the dangerous combination with public
triggers, and resolves `runs-on` through the job's matrix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.controls.cicd._workflow import hit, jobs, triggers
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="CI006",
    slug="self-hosted-runner-on-public-trigger",
    title="Self-hosted runner on a publicly triggerable workflow",
    domain=Domain.CICD,
    severity=Severity.HIGH,
    scope=Scope.CONFIG,
    kinds=frozenset({"github-workflow"}),
)

PUBLIC_EVENTS = frozenset(
    {
        "pull_request",
        "pull_request_target",
        "pull_request_review",
        "pull_request_review_comment",
        "issues",
        "issue_comment",
        "discussion",
        "discussion_comment",
        "fork",
        "watch",
    }
)
_MATRIX = re.compile(r"^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$")


def _labels(value: Any) -> Iterator[str]:
    """Runner labels in a string, a list (nested one level for matrix values) or a mapping."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item
            elif isinstance(item, list):
                yield from (i for i in item if isinstance(i, str))
    elif isinstance(value, Mapping):
        yield from _labels(value.get("labels"))


def _matrix_values(job: Mapping[str, Any], key: str) -> Iterator[Any]:
    matrix = as_mapping(as_mapping(job.get("strategy")).get("matrix"))
    yield from as_list(matrix.get(key))
    for entry in as_list(matrix.get("include")):
        if key in as_mapping(entry):
            yield as_mapping(entry)[key]


def _self_hosted(job: Mapping[str, Any]) -> bool:
    runs_on = job.get("runs-on")
    candidates: list[Any] = [runs_on]
    if isinstance(runs_on, str) and (match := _MATRIX.match(runs_on.strip())):
        candidates = list(_matrix_values(job, match.group(1)))
    for candidate in candidates:
        if any(label.strip().lower() == "self-hosted" for label in _labels(candidate)):
            return True
    return False


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    public = sorted(triggers(config.document) & PUBLIC_EVENTS)
    if not public:
        return
    for job_id, job in jobs(config.document):
        if _self_hosted(job):
            yield hit(
                config,
                ("jobs", job_id, "runs-on"),
                f"job {job_id!r} runs on a self-hosted runner in a workflow triggered by "
                f"{', '.join(public)}, which outsiders can cause: use a GitHub-hosted or "
                "ephemeral isolated runner, or move the job to a trusted trigger",
            )
