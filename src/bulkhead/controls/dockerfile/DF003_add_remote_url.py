"""ADD fetches a remote URL or git repository at build time without verifying its content.

## What it does
Reports each `ADD` source that is an `http://` or `https://` URL or a git repository
(`git@host:org/repo.git`, `git://`, `ssh://`, or an `https://...repo.git` URL), in every stage,
shell or JSON form. `ADD --checksum=sha256:<64 hex> https://...` is accepted: BuildKit verifies
the download against the digest and fails the build on a mismatch. Local sources and archives
from the build context are not this control's concern.

## Why is this bad
`ADD <url>` trusts whatever the server returns at build time: a compromised download site, a
release asset replaced after the fact or a man-in-the-middle on plain http ends up in the Odoo
image, then in every tenant's pods. The build stays green and the change leaves no trace in the
repository. A git source follows a branch or tag that can move just the same.

## Example (must fail)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
ADD https://github.com/OCA/web/archive/refs/heads/17.0.tar.gz /tmp/oca-web.tar.gz
ADD git@github.com:acme/odoo-addons.git#main /mnt/extra-addons
USER 101:101
```

## Use instead (must pass)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
ADD --checksum=sha256:98ba0d157b50d36f23bd0dedf4c0aa28c7b0c3fcd56d3fc2c1ef2c5c8b0a8d51 \
    https://github.com/OCA/web/archive/0f3c1d2e4b5a69788796a5b4c3d2e1f0a9b8c7d6.tar.gz \
    /tmp/oca-web.tar.gz
COPY ./addons /mnt/extra-addons
USER 101:101
```

## Remediation
Record the digest of the artefact once (`curl -fsSL <url> | sha256sum`) and use
`ADD --checksum=sha256:<digest> https://...` (Dockerfile syntax 1.6+), or download with
`RUN curl -fsSLo /tmp/x <url> && echo "<digest>  /tmp/x" | sha256sum -c -`. Vendor add-on
repositories into the build context (git submodule at a reviewed commit) and `COPY` them.

## References
CIS Docker Benchmark 4.9 (use COPY instead of ADD); NSA/CISA Kubernetes Hardening Guide (supply
chain). Peers: hadolint DL3020, Checkov CKV_DOCKER_4, Trivy DS-0005. Differences: CKV_DOCKER_4
and DS-0005 report every `ADD`, including local files and checksum-verified downloads; this
control reports only remote sources without a verified digest. Plain `http://` stays reported
even with a checksum: use https. URL credentials and query strings are never printed.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.model import Severity
from bulkhead.sources.dockerfile import Dockerfile

META = Meta(
    id="DF003",
    slug="add-remote-url",
    title="ADD fetches a remote URL",
    domain=Domain.DOCKERFILE,
    severity=Severity.MEDIUM,
    scope=Scope.DOCKERFILE,
    references={
        "checkov": ("CKV_DOCKER_4",),
        "trivy": ("DS-0005",),
        "hadolint": ("DL3020",),
        "cis": ("Docker 4.9",),
        "nsa": ("Supply chain: verify downloaded artefacts",),
    },
)

_FLAGS = re.compile(r"^(?:--\S+\s+)*")
_HTTP = re.compile(r"^https?://", re.IGNORECASE)
_GIT = re.compile(r"^(?:git@[^:/\s]+:|git://|ssh://|git\+[a-z]+://)", re.IGNORECASE)
_GIT_HTTP = re.compile(r"\.git(?:#|$)", re.IGNORECASE)
_CHECKSUM = re.compile(r"^sha256:[0-9a-f]{64}$")


def _arguments(value: str) -> tuple[dict[str, str], list[str]]:
    """The --flags (name -> value) and the sources/destination of an ADD."""
    flags_text = _FLAGS.match(value)
    head = flags_text.group(0) if flags_text else ""
    flags = {}
    for word in head.split():
        name, _, flag_value = word[2:].partition("=")
        flags[name.lower()] = flag_value
    rest = value[len(head) :].strip()
    if rest.startswith("["):
        try:
            parsed = json.loads(rest)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
            return flags, list(parsed)
    try:
        return flags, shlex.split(rest)
    except ValueError:
        return flags, rest.split()


def _shown(url: str) -> str:
    """The URL without credentials or query string, safe to print."""
    url = re.sub(r"^([a-z+]+://)[^/@\s]*@", r"\1<redacted>@", url, flags=re.IGNORECASE)
    return url.split("?", 1)[0]


def check(dockerfile: Dockerfile, settings: Settings) -> Iterator[Hit]:
    file = dockerfile.location.file
    for instruction in dockerfile.instructions:
        if instruction.keyword != "ADD":
            continue
        flags, words = _arguments(instruction.value)
        sources = words[:-1]
        checksum = flags.get("checksum", "")
        for source in sources:
            shown = _shown(source)
            key = f"{instruction.stage}:ADD:{source}"
            if _GIT.match(source) or (_HTTP.match(source) and _GIT_HTTP.search(source)):
                message = (
                    f"ADD fetches git repository {shown!r} at build time, following a ref that "
                    "can move: vendor it into the build context at a reviewed commit and COPY it"
                )
            elif _HTTP.match(source):
                if _CHECKSUM.match(checksum) and source.lower().startswith("https://"):
                    continue
                if source.lower().startswith("http://"):
                    message = (
                        f"ADD downloads {shown!r} over plain http at build time: use an https "
                        "URL with ADD --checksum=sha256:<digest>"
                    )
                else:
                    message = (
                        f"ADD downloads {shown!r} at build time without verifying it: use "
                        "ADD --checksum=sha256:<digest>, or RUN curl and check it with "
                        "sha256sum -c"
                    )
            else:
                continue
            yield Hit((), message, file=file, line=instruction.line, key=key)
