"""The image built by this Dockerfile runs as root: its final stage sets no USER, or sets root.

## What it does
Looks at the final build stage, the one that becomes the image. Reports it when its last `USER`
is `root`, `0` or any `root:<group>` / `0:<gid>` form, and when it has no `USER` at all. A stage
built `FROM` an earlier stage of the same file inherits that stage's user, so `FROM <stage>`
chains are followed: a non-root `USER` set in the parent stage counts. The line is the last
`USER` of the final stage, or its `FROM` when it has none.

## Why is this bad
Without `USER`, the container runs as the base image's user, which is root for most images.
An Odoo worker running as root turns any code execution bug (a module upload, a template
injection) into root in the container, with write access to the add-ons path and the filestore,
and one step closer to the node. Kubernetes `runAsNonRoot: true` can only verify a numeric
user: with `USER odoo` the kubelet refuses to start the pod, so use a UID (`USER 101:101`).

## Example (must fail)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
COPY --chown=101:101 ./addons /mnt/extra-addons
USER root
EXPOSE 8069 8072
```

## Use instead (must pass)
```dockerfile
ARG ODOO_DIGEST=sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945
FROM registry.example.com/odoo@${ODOO_DIGEST}
USER root
RUN apt-get update && apt-get install -y --no-install-recommends python3-phonenumbers
USER 101:101
COPY --chown=101:101 ./addons /mnt/extra-addons
EXPOSE 8069 8072
```

## Remediation
End the final stage with a numeric non-root user, after the steps that need root:
`USER 101:101` (the `odoo` user of the official image), and `COPY --chown=101:101` the files
the process owns. Then set `runAsNonRoot: true` and `runAsUser: 101` in the pod spec so the
kubelet refuses an image that regresses.

## References
CIS Docker Benchmark 4.1 (create a user for the container); NSA/CISA Kubernetes Hardening
Guide (non-root containers); Pod Security Standards Restricted "Running as Non-root". Peers:
hadolint DL3002, Checkov CKV_DOCKER_3 / CKV_DOCKER_8, Trivy DS-0002. Differences: hadolint and
CKV_DOCKER_8 only report an explicit root `USER`, and CKV_DOCKER_3 passes when any stage has a
`USER` (even a build stage, even `USER root`); this control judges the final stage only,
reports a missing `USER` (the base image's user cannot be seen from the Dockerfile) and
follows `FROM <stage>` inheritance. A `USER $VAR` that no `ARG` default resolves is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.model import Severity
from bulkhead.sources.dockerfile import Dockerfile, Instruction, Stage, parse_arg, substitute

META = Meta(
    id="DF001",
    slug="final-user-root",
    title="Image runs as root",
    domain=Domain.DOCKERFILE,
    severity=Severity.HIGH,
    scope=Scope.DOCKERFILE,
    references={
        "checkov": ("CKV_DOCKER_3", "CKV_DOCKER_8"),
        "trivy": ("DS-0002",),
        "hadolint": ("DL3002",),
        "cis": ("Docker 4.1",),
        "nsa": ("Pod security: non-root containers",),
        "pss": ("restricted: Running as Non-root",),
    },
)

_FIX = "set a numeric non-root user such as `USER 101:101` so Kubernetes runAsNonRoot can verify it"


def _arg_defaults(dockerfile: Dockerfile, stage: Stage, before: int) -> dict[str, str]:
    """ARG defaults visible at line `before` of a stage (global defaults for re-declared ARGs)."""
    visible: dict[str, str] = {}
    for instruction in stage.instructions:
        if instruction.keyword == "ARG" and instruction.line < before:
            for name, default in parse_arg(instruction.value):
                if default is None:
                    visible[name] = dockerfile.global_args.get(name, "")
                else:
                    visible[name] = substitute(default, visible)
    return visible


def _user(dockerfile: Dockerfile, stage: Stage, instruction: Instruction) -> str | None:
    """The USER value with ARG defaults substituted, or None when it stays unresolved."""
    words = instruction.value.split()
    value = words[0] if words else ""
    if "$" in value:
        value = substitute(value, _arg_defaults(dockerfile, stage, instruction.line))
    return None if "$" in value or not value else value


def _is_root(user: str) -> bool:
    name = user.partition(":")[0].strip()
    return name == "root" or (name.isdigit() and int(name) == 0)


def check(dockerfile: Dockerfile, settings: Settings) -> Iterator[Hit]:
    final = dockerfile.final_stage
    if final is None:
        return
    file = dockerfile.location.file
    last_user = final.last("USER")
    if last_user is not None:
        user = _user(dockerfile, final, last_user)
        if user is not None and _is_root(user):
            yield Hit(
                (),
                f"the final stage's last USER is {user!r}, so the image runs as root: {_FIX}",
                file=file,
                line=last_user.line,
                key=f"{final.index}:USER:{last_user.value}",
            )
        return
    for parent in dockerfile.lineage(final)[1:]:
        inherited = parent.last("USER")
        if inherited is not None:
            user = _user(dockerfile, parent, inherited)
            if user is None or not _is_root(user):
                return
            yield Hit(
                (),
                f"the final stage inherits USER {user!r} from stage {parent.name!r} "
                f"(line {inherited.line}), so the image runs as root: {_FIX}",
                file=file,
                line=final.line,
                key=f"{final.index}:FROM:{final.image}",
            )
            return
    yield Hit(
        (),
        f"the final stage (FROM {final.image}) sets no USER, so the image runs as the base "
        f"image's user, root for most images: {_FIX}",
        file=file,
        line=final.line,
        key=f"{final.index}:FROM:{final.image}",
    )
