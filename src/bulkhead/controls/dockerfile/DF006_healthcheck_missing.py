"""The image defines no HEALTHCHECK, so a hung process looks healthy outside Kubernetes.

## What it does
Reports the final build stage when neither it nor the earlier stages it is built `FROM` (a
`FROM <stage>` chain) define a `HEALTHCHECK`. A last `HEALTHCHECK NONE` counts as missing: it
switches off the check the base image had. The line is the final `FROM`. Build stages are not
judged: their health is never checked.

## Why is this bad
Docker, Compose, Swarm and Nomad use the image's `HEALTHCHECK` to tell a live Odoo worker from
one stuck on a database lock or a full longpolling queue; without it a wedged container keeps
receiving traffic until someone notices. Kubernetes ignores `HEALTHCHECK` and uses probes
instead, which is why this finding is LOW: for images that only ever run on Kubernetes, define
liveness and readiness probes on `/web/health` and suppress it for the whole file.

## Example (must fail)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
COPY --chown=101:101 ./addons /mnt/extra-addons
USER 101:101
HEALTHCHECK NONE
EXPOSE 8069 8072
```

## Use instead (must pass)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST} AS odoo
USER 101:101
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8069/web/health || exit 1

FROM odoo
COPY --chown=101:101 ./addons /mnt/extra-addons
EXPOSE 8069 8072
```

## Remediation
Add to the final stage `HEALTHCHECK --interval=30s --timeout=5s --start-period=60s CMD curl
-fsS http://127.0.0.1:8069/web/health || exit 1` (Odoo 16+ serves `/web/health`). For a
Kubernetes-only image, put `# bulkhead:ignore-file DF006 probes defined in the Helm chart`
at the top of the Dockerfile and define `livenessProbe` / `readinessProbe` on port 8069.

## References
CIS Docker Benchmark 4.6 (add HEALTHCHECK to the container image). Peers: Checkov CKV_DOCKER_2,
Trivy DS-0026, hadolint DL3057 (off by default). Differences: CKV_DOCKER_2 passes when any stage
has a `HEALTHCHECK`, even a build stage or `HEALTHCHECK NONE`; this control judges the final
stage, follows `FROM <stage>` inheritance and treats `NONE` as missing. A health check set by
an external base image cannot be seen from the Dockerfile: suppress with a reason if you rely
on one.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.model import Severity
from bulkhead.sources.dockerfile import Dockerfile, Instruction

META = Meta(
    id="DF006",
    slug="healthcheck-missing",
    title="Image has no HEALTHCHECK",
    domain=Domain.DOCKERFILE,
    severity=Severity.LOW,
    scope=Scope.DOCKERFILE,
    references={
        "checkov": ("CKV_DOCKER_2",),
        "trivy": ("DS-0026",),
        "hadolint": ("DL3057",),
        "cis": ("Docker 4.6",),
    },
)


def _disabled(healthcheck: Instruction) -> bool:
    words = [w for w in healthcheck.value.split() if not w.startswith("--")]
    return not words or words[0].upper() == "NONE"


def check(dockerfile: Dockerfile, settings: Settings) -> Iterator[Hit]:
    final = dockerfile.final_stage
    if final is None:
        return
    for stage in dockerfile.lineage(final):
        healthcheck = stage.last("HEALTHCHECK")
        if healthcheck is not None:
            if not _disabled(healthcheck):
                return
            where = "" if stage is final else f" (inherited from stage {stage.name!r})"
            message = (
                f"the final stage disables the health check with HEALTHCHECK NONE{where}: "
                "add HEALTHCHECK CMD curl -fsS http://127.0.0.1:8069/web/health || exit 1, or "
                "suppress with a reason if the image only runs on Kubernetes with probes"
            )
            break
    else:
        message = (
            f"the final stage (FROM {final.image}) defines no HEALTHCHECK: add HEALTHCHECK CMD "
            "curl -fsS http://127.0.0.1:8069/web/health || exit 1, or suppress with a reason "
            "if the image only runs on Kubernetes with probes"
        )
    yield Hit(
        (),
        message,
        file=dockerfile.location.file,
        line=final.line,
        key=f"{final.index}:FROM:{final.image}",
    )
