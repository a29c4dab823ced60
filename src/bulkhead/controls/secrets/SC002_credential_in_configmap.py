"""A ConfigMap holds a credential: a password-like key, a password option in a config file, or a URL with a password.

## What it does
Checks every `data` entry of a `ConfigMap` and flags it (one finding per entry) when:
- its key looks like a credential (the name rules of WL020: `DB_PASSWORD`, `admin_passwd`,
  `REDIS_AUTH`, `api-token`, ... but not `PASSWORD_FILE`, `*_URL`, `*_ENABLED`) and its value
  is a literal;
- a line of its value assigns a credential option, ini/env/properties/YAML style:
  `admin_passwd = x`, `db_password = x`, `export PGPASSWORD=x`, `password: x`,
  `spring.datasource.password=x`;
- its value holds a URL with an embedded password (`postgres://odoo:pw@host/db`,
  `redis://:pw@redis:6379/0`), under any name.
Not reported: empty values (Odoo's `admin_passwd =` disables the database manager), booleans
and `None` (Odoo's default `db_password = False`), placeholders (`${DB_PASSWORD}`, `$VAR`,
`$(VAR)`, `{{ .password }}`, `%(password)s`), comment lines, password-less URLs. The message
names the key and the option and shows only a fingerprint (`<redacted sha256:...>`).

## Why is this bad
ConfigMaps are not secret: `view` RBAC, dashboards, `kubectl describe`, Argo CD diffs and log
collectors show them, and they sit in Git in clear. An `odoo.conf` in a ConfigMap with
`admin_passwd` gives its reader the database manager (backup, restore, drop of every database
on the server); with `db_password` the reader logs in to the tenant's PostgreSQL directly.

## Example (must fail)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    list_db = False
    db_host = acme-pg-rw
    db_user = acme
    db_password = S3cr3t-odoo-db
```

## Use instead (must pass)
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: odoo-config, namespace: acme-prod}
data:
  odoo.conf: |
    [options]
    proxy_mode = True
    list_db = False
    ; empty: the database manager refuses every request
    admin_passwd =
    db_host = acme-pg-rw
    db_user = acme
    db_password = False
```

## Remediation
Rotate the credential (it is in Git history and in every copy of the ConfigMap). Keep the
non-secret options in the ConfigMap and give the secret ones another way in: `PGPASSWORD` from
a Secret via `valueFrom.secretKeyRef`, or render the whole `odoo.conf` into a Secret with an
`ExternalSecret` template (`external-secrets.io/v1`, platform reference §7.1) and mount it
read-only. If the master password must exist, store only its `$pbkdf2-sha512$` hash, in the
Secret.

## References
CIS Kubernetes Benchmark 5.4.1; NSA/CISA Kubernetes Hardening Guide (secrets). Peers: Kubescape
C-0012, Polaris sensitiveConfigmapContent, Trivy KSV-0109 / KSV-01010. Name matching is shared
with WL020 (words, not substrings: `KEYCLOAK_REALM` is no key, `OAUTH_ENABLED` no credential);
unlike name-only peers we read the config files inside the ConfigMap (odoo.conf, .env,
.properties) line by line and catch passwords in URLs, while skipping Odoo's `False` defaults
and template placeholders that would otherwise flood the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping, redact
from bulkhead.controls.workload.WL020_credential_in_env import (
    _LOCATOR,
    _credential_name,
    _normal_name,
    _text,
    _url_password,
)
from bulkhead.model import Resource, Severity

META = Meta(
    id="SC002",
    slug="credential-in-configmap",
    title="Credential stored in a ConfigMap",
    domain=Domain.SECRETS,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"ConfigMap"}),
    references={
        "kubescape": ("C-0012",),
        "polaris": ("sensitiveConfigmapContent",),
        "trivy": ("KSV-0109", "KSV-01010"),
        "cis": ("5.4.1",),
        "nsa": ("Secrets",),
    },
)

# `name = value`, `export NAME=value`, `name: value`, `"name": "value",`, `- name: value`.
_ASSIGNMENT = re.compile(
    r"\s*(?:-\s+|export\s+)?[\"']?(?P<name>[A-Za-z_][\w.-]{0,200})[\"']?\s*[:=](?P<value>.*)"
)
# `"name": "value"` pairs anywhere in a line (one-line JSON).
_JSON_PAIR = re.compile(r'"(?P<name>[A-Za-z_][\w.-]{0,200})"\s*:\s*"(?P<value>[^"\\]{0,4096})"')
# Bounded repetitions keep these linear on hostile input.
_PLACEHOLDER = re.compile(
    r"\$\{[^{}]{0,256}\}|\$\([^()]{0,256}\)|\$[A-Za-z_]\w{0,128}|\{\{[^{}]{0,256}\}\}"
    r"|%\([^()]{0,128}\)s"
)
_NOT_A_VALUE = frozenset(
    {"true", "false", "yes", "no", "on", "off", "none", "null", "~", "enabled", "disabled"}
)
_SHOWN = 3


def _clean(value: str) -> str:
    return value.strip().rstrip(",").strip().strip("\"'").strip()


def _literal(value: str) -> bool:
    """A real value: not empty, no boolean or null, not only placeholders."""
    if value.lower() in _NOT_A_VALUE:
        return False
    return re.search(r"[A-Za-z0-9]", _PLACEHOLDER.sub("", value)) is not None


def _credential(name: str, value: str) -> bool:
    """A credential name holding a literal (a DSN-like locator counts only with a password)."""
    normal = _normal_name(name)
    if "://" in value and _LOCATOR.search(normal):
        return False  # Judged by _url_password alone: a Sentry DSN holds no password.
    return _credential_name(normal) and _literal(value)


def _findings(key: str, value: str) -> list[tuple[str, str]]:
    """(option, value) pairs holding a credential in one ConfigMap entry."""
    whole = _clean(value)
    if "\n" not in whole:
        if _credential(key, whole):
            return [(key, whole)]
        if _url_password(whole):
            return [(f"{key} (URL with a password)", whole)]
    found: list[tuple[str, str]] = []
    for line in value.splitlines():
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        match = _ASSIGNMENT.match(line)
        name, assigned = (match["name"], _clean(match["value"])) if match else ("", "")
        if assigned.startswith("//"):  # `postgres://...` is a URL, not `postgres: ...`
            name, assigned = "", ""
        pairs = [(m["name"], m["value"]) for m in _JSON_PAIR.finditer(line)] if '"' in line else []
        if name and _credential(name, assigned):
            found.append((name, assigned))
        elif any(_credential(n, v) for n, v in pairs):
            found.extend((n, v) for n, v in pairs if _credential(n, v))
        elif _url_password(stripped):
            found.append(
                (
                    f"{name} (URL with a password)" if name else "URL with a password",
                    assigned or stripped,
                )
            )
    return found


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    for raw_key, raw_value in as_mapping(resource.doc.get("data")).items():
        value = _text(raw_value)
        if value is None:
            continue
        key = str(raw_key)
        found = _findings(key, value)
        if not found:
            continue
        shown = ", ".join(
            f"{option[:80]!r} = {redact(secret)}" for option, secret in found[:_SHOWN]
        )
        if len(found) > _SHOWN:
            shown += f" and {len(found) - _SHOWN} more"
        yield Hit(
            ("data", key),
            f"ConfigMap {resource.name!r} key {key[:80]!r} holds a credential ({shown}): rotate "
            "it and move it to a Secret created by an ExternalSecret (external-secrets.io/v1), "
            "referenced with secretKeyRef or mounted as a file",
        )
