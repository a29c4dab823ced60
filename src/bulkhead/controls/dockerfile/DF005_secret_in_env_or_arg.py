"""A credential is defined with ENV or ARG, so it is stored in the image or its build record.

## What it does
Reads every `ENV` (both `ENV KEY=value K2=v2` and the legacy `ENV KEY value`) and every `ARG`,
global or in a stage, and reports variables whose name looks like a credential: a name part
PASSWORD, PASSWD, PASS, SECRET, TOKEN, APIKEY, CREDENTIAL(S) or PGPASSWORD, or the pairs
API_KEY, PRIVATE_KEY, ACCESS_KEY (`ODOO_ADMIN_PASSWD`, `NPM_TOKEN`, `dbPassword`). An `ENV` is
reported when its value is a literal; an `ENV` that only copies a variable (`ENV X=$X`) is
left to the `ARG` it copies. Every such `ARG` is reported, with or without a default. Names
ending in `_FILE`, `_PATH`, `_DIR`, `_URL`, `_HOST`, `_PORT`, `_NAME` point at a secret rather
than hold one, and an `ENV` whose value is an absolute path is a file location: both are
skipped. One finding per variable and stage; messages never print the value.

## Why is this bad
`ENV` values are part of the image config: anyone who can pull the Odoo image reads them with
`docker inspect`, and every container (and every `kubectl describe`) inherits them. Build
arguments end up in `docker history` for every `RUN` that follows and in BuildKit provenance
attestations, even when the `ARG` has no default and the value came from `--build-arg`. A
leaked database password or Odoo master password (`admin_passwd`) opens every tenant database
the image serves.

## Example (must fail)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
ARG GITHUB_TOKEN
ENV PGHOST=postgres.acme-prod.svc PGPASSWORD=changeme
RUN pip install "git+https://${GITHUB_TOKEN}@github.com/acme/odoo-saas-tools.git@v1.4.2"
USER 101:101
```

## Use instead (must pass)
```dockerfile
# syntax=docker/dockerfile:1.7
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
ENV PGHOST=postgres.acme-prod.svc PGPASSFILE=/run/secrets/pgpass TOKENIZERS_PARALLELISM=false
RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN \
    pip install "git+https://${GITHUB_TOKEN}@github.com/acme/odoo-saas-tools.git@v1.4.2"
USER 101:101
```

## Remediation
Build-time secrets: `RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN ...` and
`docker buildx build --secret id=github_token,env=GITHUB_TOKEN .`; nothing is stored. Runtime
secrets: drop the `ENV` and inject the value from a Kubernetes Secret
(`env[].valueFrom.secretKeyRef` or a mounted file). Rotate any credential that was already
pushed: removing the line does not remove it from published layers.

## References
CIS Docker Benchmark 4.10 (do not store secrets in Dockerfiles); NSA/CISA Kubernetes Hardening
Guide (secrets). Peers: hadolint DL3064, Trivy DS-0031, Docker build check
SecretsUsedInArgOrEnv. Differences: hadolint matches substrings, so `TOKENIZERS_PARALLELISM`
and any `*_USERNAME` are reported; this control matches whole name parts and skips `_FILE` /
path pointers. It also skips an `ENV` that merely forwards a build argument, which is reported
once at its `ARG`.
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import redact
from bulkhead.model import Severity
from bulkhead.sources.dockerfile import Dockerfile

META = Meta(
    id="DF005",
    slug="secret-in-env-or-arg",
    title="Credential defined with ENV or ARG",
    domain=Domain.DOCKERFILE,
    severity=Severity.HIGH,
    scope=Scope.DOCKERFILE,
    references={
        "trivy": ("DS-0031",),
        "hadolint": ("DL3064",),
        "cis": ("Docker 4.10",),
        "nsa": ("Secrets: do not store credentials in images",),
    },
)

_SECRET_PARTS = frozenset(
    {"PASSWORD", "PASSWORDS", "PASSWD", "PASS", "SECRET", "SECRETS", "TOKEN", "TOKENS", "APIKEY"}
    | {"CREDENTIAL", "CREDENTIALS", "PGPASSWORD"}
)
_KEY_PREFIXES = frozenset({"API", "PRIVATE", "ACCESS"})
_POINTER_SUFFIXES = frozenset({"FILE", "PATH", "DIR", "URL", "URI", "HOST", "PORT", "NAME"})
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_VARIABLE = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
_ABSOLUTE_PATH = re.compile(r"^/[\w.@/-]*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _looks_secret(name: str) -> bool:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", _CAMEL.sub(r"\1_\2", name).upper()) if p]
    if not parts or parts[-1] in _POINTER_SUFFIXES:
        return False
    if any(part in _SECRET_PARTS for part in parts):
        return True
    return any(a in _KEY_PREFIXES and b == "KEY" for a, b in itertools.pairwise(parts))


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError:
        return text.split()


def _env_pairs(value: str) -> list[tuple[str, str]]:
    """`ENV K=v K2=v2` or the legacy `ENV K some value`."""
    first = value.split(None, 1)
    if not first:
        return []
    if "=" not in first[0]:
        rest = first[1] if len(first) > 1 else ""
        return [(first[0], " ".join(_words(rest)) if rest else "")]
    pairs = []
    for word in _words(value):
        name, eq, literal = word.partition("=")
        if eq and _NAME.match(name):
            pairs.append((name, literal))
    return pairs


def _arg_pairs(value: str) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for word in _words(value):
        name, eq, default = word.partition("=")
        if _NAME.match(name):
            pairs.append((name, default if eq else None))
    return pairs


def _is_literal(value: str) -> bool:
    remainder = _VARIABLE.sub("", value).strip()
    return bool(remainder) and not _ABSOLUTE_PATH.match(value.strip())


def check(dockerfile: Dockerfile, settings: Settings) -> Iterator[Hit]:
    file = dockerfile.location.file
    reported: set[tuple[int, str, str]] = set()
    for instruction in dockerfile.instructions:
        keyword = instruction.keyword
        if keyword == "ENV":
            for name, value in _env_pairs(instruction.value):
                key = (instruction.stage, keyword, name)
                if key in reported or not _looks_secret(name) or not _is_literal(value):
                    continue
                reported.add(key)
                yield Hit(
                    (),
                    f"ENV sets {name} to a literal value ({redact(value)}): it is stored in the "
                    "image config for anyone who can pull the image; inject it at run time from "
                    "a Kubernetes Secret (secretKeyRef) and rotate it",
                    file=file,
                    line=instruction.line,
                    key=f"{instruction.stage}:ENV:{name}",
                )
        elif keyword == "ARG":
            for name, default in _arg_pairs(instruction.value):
                key = (instruction.stage, keyword, name)
                if key in reported or not _looks_secret(name):
                    continue
                reported.add(key)
                baked = (
                    f"; its default ({redact(default)}) is in the Dockerfile itself"
                    if default
                    else ""
                )
                yield Hit(
                    (),
                    f"ARG {name} passes a credential as a build argument: its value is recorded "
                    "in the image history and build provenance, even without a default"
                    f"{baked}; use RUN --mount=type=secret,id={name.lower()} instead",
                    file=file,
                    line=instruction.line,
                    key=f"{instruction.stage}:ARG:{name}",
                )
