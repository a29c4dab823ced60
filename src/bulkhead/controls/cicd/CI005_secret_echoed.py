"""A `run:` script prints a secret, or writes it where later steps and logs can read it.

## What it does
Flags each step whose `run:` script interpolates a `${{ secrets.* }}` expression into a command
that prints it: `echo`, `printf` or `cat <<<` whose output is not piped to another program or
redirected to a file (`>&2` still prints); any line that appends it to `$GITHUB_OUTPUT`,
`$GITHUB_ENV`, `$GITHUB_STEP_SUMMARY` or `$GITHUB_PATH`; and any script that interpolates a
secret while shell tracing is on (`set -x`, `set -ex`, `set -o xtrace`, `shell: bash -x {0}`).
`echo "::add-mask::..."` and `echo "$TOKEN" | docker login --password-stdin` pass. One finding
per step; the message names the secret, never a value.

## Why is this bad
Log masking is best effort: it misses secrets that are transformed (base64, URL-encoded, JSON
fields), multi-line keys and values split across lines, and public repositories' logs are
readable by anyone. `$GITHUB_ENV` hands the secret to every later step, including third-party
actions, and step outputs and summaries travel further still. For an Odoo platform these are the
registry, database and cluster credentials of every tenant.

## Example (must fail)
```yaml file=.github/workflows/deploy.yml
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-24.04
    steps:
      - name: Configure kubectl
        run: |
          echo "${{ secrets.KUBECONFIG_B64 }}" | base64 -d > kubeconfig
          echo "KUBE_TOKEN=${{ secrets.ACME_PROD_TOKEN }}" >> "$GITHUB_ENV"
```

## Use instead (must pass)
```yaml file=.github/workflows/deploy.yml
on:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-24.04
    environment: acme-prod
    steps:
      - name: Configure kubectl
        env:
          KUBECONFIG_B64: ${{ secrets.KUBECONFIG_B64 }}
        run: |
          printf '%s' "$KUBECONFIG_B64" | base64 -d > "$RUNNER_TEMP/kubeconfig"
          chmod 600 "$RUNNER_TEMP/kubeconfig"
```

## Remediation
Never print a secret. Pass it to the one step that needs it through `env:` and hand it to the
program on stdin (`--password-stdin`) or in a file under `$RUNNER_TEMP`; prefer OIDC
(`id-token: write`) over long-lived cloud and registry keys. Remove `set -x` from steps that see
secrets. If a derived value must be masked, `echo "::add-mask::$DERIVED"` it first. Rotate any
secret that already reached a log.

## References
GitHub docs "Using secrets in GitHub Actions" (masking limits, structured data). Peers:
Checkov CKV_GHA_3 (suspicious `curl` with secrets: close, not equal), zizmor
unredacted-secrets (secrets transformed before use). Piping to a program is not printing, so
`echo ... | docker login --password-stdin` passes here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.cicd._workflow import expressions, hit, jobs, run_script, step_name, steps
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="CI005",
    slug="secret-echoed",
    title="Secret printed or written to the workflow environment",
    domain=Domain.CICD,
    severity=Severity.HIGH,
    scope=Scope.CONFIG,
    references={"checkov": ("CKV_GHA_3",)},
    kinds=frozenset({"github-workflow"}),
)

_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
_SECRET = re.compile(r"(?<![\w.])secrets\.([\w-]+)", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"@@SECRET@@")
_GITHUB_FILE = re.compile(
    r">>?\s*[\"']?\$\{?(GITHUB_(?:OUTPUT|ENV|STEP_SUMMARY|PATH))\b", re.IGNORECASE
)
_SEGMENT = re.compile(r"&&|\|\||;")
_PIPE = re.compile(r"(?<!\|)\|(?!\|)")
_REDIRECT = re.compile(r"(?<![<>])\d?>{1,2}\s*(\S+)")
_TO_LOG = frozenset({"&1", "&2", "/dev/stdout", "/dev/stderr"})
_PRINTERS = frozenset({"echo", "printf"})
_XTRACE = re.compile(r"(?:^|[\s;&|])set\s+(?:-[a-wyzA-Z]*x[a-zA-Z]*|-o\s+xtrace)\b", re.MULTILINE)
_SHELL_XTRACE = re.compile(r"(?:^|\s)-[a-wyzA-Z]*x[a-zA-Z]*\b")


def _secret_names(text: str) -> list[str]:
    names: list[str] = []
    for expression in expressions(text, lower=False):
        for name in _SECRET.findall(expression):
            if f"secrets.{name}" not in names:
                names.append(f"secrets.{name}")
    return names


def _logical_lines(script: str) -> list[str]:
    return script.replace("\\\r\n", " ").replace("\\\n", " ").splitlines()


def _prints(segment: str) -> bool:
    """Whether one simple command (secrets replaced by a placeholder) prints a secret."""
    stages = _PIPE.split(segment)
    first = stages[0]
    if not _PLACEHOLDER.search(first):
        return False
    words = first.split()
    command = words[0].rsplit("/", 1)[-1] if words else ""
    if command not in _PRINTERS and not (command == "cat" and "<<<" in first):
        return False
    if "::add-mask::" in first:
        return False
    if len(stages) > 1 and stages[1].split()[:1] != ["tee"]:
        return False
    return all(target in _TO_LOG for target in _REDIRECT.findall(first))


def _reasons(script: str, shell: object) -> list[str]:
    reasons: list[str] = []
    for line in _logical_lines(script):
        if not _secret_names(line):
            continue
        masked = _EXPRESSION.sub(
            lambda m: "@@SECRET@@" if _secret_names(m.group(0)) else "@@EXPR@@", line
        )
        written = _GITHUB_FILE.search(masked)
        if written:
            reason = f"writes it to ${written.group(1).upper()}"
        elif any(_prints(segment) for segment in _SEGMENT.split(masked)):
            reason = "prints it"
        else:
            continue
        if reason not in reasons:
            reasons.append(reason)
    traced = _XTRACE.search(script) or (isinstance(shell, str) and _SHELL_XTRACE.search(shell))
    if traced:
        reasons.append("traces it with shell xtrace (set -x)")
    return reasons


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    for job_id, job in jobs(config.document):
        for index, step in steps(job):
            script = run_script(step)
            if script is None:
                continue
            names = _secret_names(script)
            if not names:
                continue
            reasons = _reasons(script, step.get("shell"))
            if reasons:
                yield hit(
                    config,
                    ("jobs", job_id, "steps", index, "run"),
                    f"{step_name(job_id, index, step)} interpolates {', '.join(names)} and "
                    f"{'; '.join(reasons)}: pass it through `env:` to the one program that needs "
                    "it (stdin or a file under $RUNNER_TEMP), never to the log or $GITHUB_ENV",
                )
