"""A `pull_request_target` workflow checks out the pull request's code.

## What it does
Flags, in a GitHub Actions workflow triggered by `pull_request_target` (in the string, list or
mapping form of `on:`), each `actions/checkout` step whose `with.ref` points at the pull
request: `github.event.pull_request.head.sha`, `.head.ref`, `.merge_commit_sha`,
`github.head_ref`, or a `refs/pull/...` ref. Expressions are read with any spacing and in index
form (`github.event['pull_request']['head']['sha']`). A `with.repository` pointing at the
fork (`github.event.pull_request.head.repo.full_name`) counts too.

## Why is this bad
`pull_request_target` runs in the context of the base repository: with its secrets and a
read-write token, even for a pull request from a fork. Checking out the fork's head and then
building, testing or even running `npm install` or `pip install` executes code any GitHub user
controls, with the registry and cluster credentials that deploy every Odoo tenant ("pwn
request"). The default checkout of this event (the base branch) is safe.

## Example (must fail)
```yaml file=.github/workflows/pr-preview.yml
on:
  pull_request_target:
    types: [opened, synchronize]
permissions:
  contents: read
jobs:
  preview:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make odoo-image
```

## Use instead (must pass)
```yaml file=.github/workflows/pr-preview.yml
on:
  pull_request:
    types: [opened, synchronize]
permissions:
  contents: read
jobs:
  preview:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make odoo-image
```

## Remediation
Build and test untrusted code with `on: pull_request`, which has no secrets and a read-only
token for forks. If a privileged step must follow (a comment, a label, a preview deploy), run it
in a separate `workflow_run` workflow that only downloads artifacts and never executes them, or
keep `pull_request_target` without checking out the head and gate it on a label or an
environment with required reviewers.

## References
GitHub Security Lab "Keeping your GitHub Actions and workflows secure: preventing pwn requests";
GitHub docs "pull_request_target". Peers: zizmor dangerous-triggers (flags every
`pull_request_target` and `workflow_run` use, checkout or not); Checkov has no equivalent. This
control reports only the dangerous combination, at the step that fetches the untrusted code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.controls.cicd._workflow import hit, jobs, step_name, steps, triggers
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="CI003",
    slug="pull-request-target-checkout",
    title="pull_request_target workflow checks out the pull request",
    domain=Domain.CICD,
    severity=Severity.CRITICAL,
    scope=Scope.CONFIG,
    kinds=frozenset({"github-workflow"}),
)

_BRACKET = re.compile(r"""\[\s*(['"])([^'"\]]*)\1\s*\]""")
_PR_REF = re.compile(
    r"github\.event\.pull_request\.(?:head\.(?:sha|ref)|merge_commit_sha)(?![\w-])"
    r"|github\.head_ref(?![\w-])"
    r"|refs/pull/",
)
_PR_REPOSITORY = re.compile(r"github\.event\.pull_request\.head\.repo\.")


def _normalized(value: str) -> str:
    text = _BRACKET.sub(lambda m: "." + m.group(2), value)
    return re.sub(r"\s+", "", text).lower()


def _is_checkout(uses: object) -> bool:
    if not isinstance(uses, str):
        return False
    action = uses.strip().lower().partition("@")[0]
    return action == "actions/checkout"


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    if "pull_request_target" not in triggers(config.document):
        return
    for job_id, job in jobs(config.document):
        for index, step in steps(job):
            if not _is_checkout(step.get("uses")):
                continue
            with_ = as_mapping(step.get("with"))
            for field, pattern in (("ref", _PR_REF), ("repository", _PR_REPOSITORY)):
                value = with_.get(field)
                if isinstance(value, str) and pattern.search(_normalized(value)):
                    yield hit(
                        config,
                        ("jobs", job_id, "steps", index, "with", field),
                        f"{step_name(job_id, index, step)} checks out the pull request's code "
                        f"({field}: {value.strip()!r}) in a pull_request_target workflow, which "
                        "runs with the base repository's secrets and token: build untrusted code "
                        "in an `on: pull_request` workflow instead",
                    )
                    break
