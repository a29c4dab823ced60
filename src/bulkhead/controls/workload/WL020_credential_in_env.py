"""A container sets a credential as a literal environment variable in the manifest.

## What it does
Flags `env[]` entries of every container (init and ephemeral included) with a literal,
non-empty `value` when the name looks like a credential (case-insensitive, camelCase split:
contains `PASSWORD`, `PASSWD`, `SECRET`, `TOKEN`, `CREDENTIAL`, `API_KEY`, `PRIVATE_KEY`,
`ACCESS_KEY`, `CONNECTION_STRING`; ends in `PASS` or `PWD`; last word `AUTH` or `DSN`), which
covers Odoo's `ADMIN_PASSWD`, `PGPASSWORD`, `DB_PASSWORD` and `REDIS_PASSWORD`, or when the
value is a URL with an embedded password (`postgres://odoo:pw@host/db`), whatever the name.
Not reported: names that point at a secret (`PASSWORD_FILE`, `*_PATH`, `*_NAME`, `*_ID`,
`*_URL`, `*_ENABLED`, ...), `BYPASS`, `OAUTH_*`, the shell's `PWD`, `valueFrom`, `$(VAR)`
references, booleans, and password-less DSN URLs. Messages show only a fingerprint of the value
(`<redacted sha256:...>`), never the value.

## Why is this bad
A literal credential lives in Git history, rendered charts, CI logs, the last-applied
annotation and `kubectl get -o yaml` output for anyone who can read the Deployment (a much wider
group than those who can read Secrets). For Odoo it is usually the PostgreSQL password or the
database manager master password: whoever has it can dump or drop the tenant's database.

## Example (must fail)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          env:
            - {name: PGHOST, value: acme-pg-rw}
            - {name: PGPASSWORD, value: "S3cr3t-odoo-db"}
```

## Use instead (must pass)
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: odoo-web, namespace: acme-prod}
spec:
  selector: {matchLabels: {app: odoo-web}}
  template:
    metadata: {labels: {app: odoo-web}}
    spec:
      containers:
        - name: odoo
          image:
            registry.example.com/odoo@sha256:e9f447bd81f11ea56f56c49c7023886cc1393bc30bbdf1c4813f882eef4def5e
          env:
            - {name: PGHOST, value: acme-pg-rw}
            - {name: PGPASSWORD, valueFrom: {secretKeyRef: {name: acme-pg-app, key: password}}}
```

## Remediation
Rotate the credential first: it is already in history. Then keep it in a Secret (from External
Secrets Operator or sealed, never committed in clear) referenced with `valueFrom.secretKeyRef`,
or better as a file: `admin_passwd` (hashed) and `db_password` in an `odoo.conf` mounted from a
Secret, or `PASSWORD_FILE` for the official image's entrypoint.

## References
CIS Kubernetes Benchmark 5.4.1; NSA/CISA Kubernetes Hardening Guide (secrets). Peers: Checkov
CKV_K8S_35, Kubescape C-0012 / C-0207, Polaris sensitiveContainerEnvVar. CKV_K8S_35 and C-0207
flag Secret-backed env vars (`secretKeyRef`), a different concern, and miss literals. C-0012
matches name substrings (`key` hits `KEYCLOAK_REALM`); we match words for short terms, skip
pointers such as `AWS_ACCESS_KEY_ID`, and catch passwords in URLs under any name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping, redact
from bulkhead.inventory import Container
from bulkhead.model import Severity

META = Meta(
    id="WL020",
    slug="credential-in-env",
    title="Credential set as a literal environment variable",
    domain=Domain.WORKLOAD,
    severity=Severity.HIGH,
    scope=Scope.CONTAINER,
    references={
        "checkov": ("CKV_K8S_35",),
        "kubescape": ("C-0012", "C-0207"),
        "polaris": ("sensitiveContainerEnvVar",),
        "cis": ("5.4.1",),
        "nsa": ("Secrets",),
    },
)

# Matched inside the normalized name (`dbPassword` -> `DB_PASSWORD`); ADMIN_PASSWD,
# PGPASSWORD, DB_PASSWORD and REDIS_PASSWORD (Odoo, libpq, Redis) all fall under these.
_CREDENTIAL = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY"
    r"|CONNECTION_?STRING"
)
# Short terms that only mean a credential at the end of the name (`DBPASS`, `SMTP_PWD`)...
_CREDENTIAL_ENDINGS = ("PASS", "PWD")
_NOT_CREDENTIAL_ENDINGS = ("BYPASS", "COMPASS")
_SHELL_VARIABLES = frozenset({"PWD", "OLDPWD"})
# ...or as the whole last word (`REDIS_AUTH`, not `OAUTH`).
_CREDENTIAL_LAST_WORDS = frozenset({"AUTH", "DSN"})
# Locators: their value may or may not embed the credential, so a URL value is judged by
# whether it carries a password (a Sentry DSN or a password-less connection string is fine).
_LOCATOR = re.compile(r"(?:^|_)DSN$|CONNECTION_?STRING")
# Last words of names that point at a secret or describe it without holding it.
_NOT_A_SECRET = frozenset(
    {
        "FILE", "PATH", "DIR", "NAME", "REF", "ID", "URL", "URI", "ENDPOINT", "HOST", "PORT",
        "USER", "USERNAME", "TTL", "TIMEOUT", "EXPIRY", "EXPIRATION", "LIFETIME", "LENGTH",
        "ENABLED", "DISABLED", "ENABLE", "DISABLE", "MODE", "TYPE", "METHOD", "POLICY",
        "HEADER", "ALGORITHM", "VERSION", "FORMAT",
    }
)  # fmt: skip
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled"})
_REFERENCE = re.compile(r"\$\([^()\s]*\)")
# URLs are found from each "://" (a scheme regex searched from every position would be
# quadratic on a long hostile value); the scheme is checked on a bounded look-behind.
_SCHEME_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,31}\Z")
_USERINFO_PASSWORD = re.compile(r"[^\s/?#@:]*:(?P<password>[^\s/?#@]+)@")


def _normal_name(name: str) -> str:
    split = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^A-Z0-9]+", "_", split.upper()).strip("_")


def _literal(text: str) -> bool:
    """True unless the text is empty or made only of `$(VAR)` references and punctuation."""
    return re.search(r"[A-Za-z0-9]", _REFERENCE.sub("", text)) is not None


def _credential_name(normal: str) -> bool:
    words = normal.split("_")
    if normal in _SHELL_VARIABLES or words[-1] in _NOT_A_SECRET:
        return False
    return (
        _CREDENTIAL.search(normal) is not None
        or words[-1] in _CREDENTIAL_LAST_WORDS
        or (normal.endswith(_CREDENTIAL_ENDINGS) and not normal.endswith(_NOT_CREDENTIAL_ENDINGS))
    )


def _url_password(text: str) -> bool:
    start = text.find("://")
    while start != -1:
        userinfo = _USERINFO_PASSWORD.match(text, start + 3)
        if (
            userinfo
            and _SCHEME_BEFORE.search(text, max(0, start - 32), start)
            and _literal(userinfo.group("password"))
        ):
            return True
        start = text.find("://", start + 3)
    return False


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def check(container: Container, settings: Settings) -> Iterator[Hit]:
    for index, item in enumerate(as_list(container.spec.get("env"))):
        entry = as_mapping(item)
        value = _text(entry.get("value"))
        if value is None or not _literal(value):
            continue
        raw_name = entry.get("name")
        name = raw_name if isinstance(raw_name, str) else ""
        normal = _normal_name(name)
        path = (*container.path, "env", index, "value")
        fix = "store it in a Secret and use valueFrom.secretKeyRef, or mount it as a file"
        if _url_password(value):
            yield Hit(
                path,
                f"container {container.name!r} sets env {name!r} to a URL with an embedded "
                f"password {redact(value)}: {fix}",
            )
        elif "://" in value and _LOCATOR.search(normal):
            continue
        elif _credential_name(normal) and value.strip().lower() not in _BOOLEAN_WORDS:
            yield Hit(
                path,
                f"container {container.name!r} sets credential env {name!r} to a literal "
                f"value {redact(value)}: {fix}",
            )
