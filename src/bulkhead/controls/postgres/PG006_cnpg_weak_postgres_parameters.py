"""A CloudNativePG cluster turns PostgreSQL TLS off or stores passwords with a weak hash.

## What it does
Checks `spec.postgresql.parameters` of a CloudNativePG `Cluster` (`postgresql.cnpg.io/v1`) and
flags, one finding per parameter:
- `ssl` set to a false value as PostgreSQL reads it: `off`, `false`, `no`, `0` or an unambiguous
  prefix (`of`, `f`, `n`), case-insensitive, or a YAML false;
- `password_encryption` set to anything but `scram-sha-256` (`md5`, or the pre-14 aliases
  `on`/`true` that also meant md5).

## Why is this bad
`ssl = off` sends the Odoo database password handshake and every query result in clear over
the pod network. The operator forces `ssl = on` itself, so the setting is at best refused or
overridden; either way the manifest asks for plaintext and signals a client configured for it.
`password_encryption = md5` stores each role password as the MD5 of password and role name: a
stolen `pg_authid` row (from a backup, a replica, a dump) is cheap to crack offline, and the
hash itself is enough to log in wherever md5 authentication is accepted. PostgreSQL 18
deprecates md5 passwords.

## Example (must fail)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: acme-pg, namespace: acme-prod}
spec:
  instances: 3
  storage: {size: 50Gi}
  postgresql:
    parameters:
      max_connections: "200"
      password_encryption: md5
```

## Use instead (must pass)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: acme-pg, namespace: acme-prod}
spec:
  instances: 3
  storage: {size: 50Gi}
  postgresql:
    parameters:
      max_connections: "200"
      password_encryption: scram-sha-256
```

## Remediation
Remove `ssl` from `parameters` (the operator manages it with its own or your cert-manager
certificates, TLS 1.3 by default) and remove `password_encryption` or set it to
`scram-sha-256`, the default since PostgreSQL 14. Existing md5 hashes stay md5 until each role's
password is set again: rotate the passwords (e.g. update the `DatabaseRole` or managed role
Secret) after the change.

## References
PostgreSQL documentation (`ssl`, `password_encryption`, boolean parameter spellings);
CloudNativePG `postgresql_conf.md` (fixed `ssl = on`) and `security.md`; NSA/CISA Kubernetes
Hardening Guide (encryption, strong authentication). No peer scanner reads CloudNativePG
objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="PG006",
    slug="cnpg-weak-postgres-parameters",
    title="CloudNativePG parameters disable TLS or use md5 password hashing",
    domain=Domain.POSTGRES,
    severity=Severity.MEDIUM,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Cluster"}),
    references={"nsa": ("Network separation and hardening: encryption", "Authentication")},
)


def _false(value: Any) -> bool:
    """True when PostgreSQL would read the value as boolean false."""
    if value is False:
        return True
    if isinstance(value, int) and not isinstance(value, bool):
        return value == 0
    if not isinstance(value, str):
        return False
    text = value.strip().strip("'\"").strip().lower()
    if not text:
        return False
    return (
        text == "0"
        or "false".startswith(text)
        or "no".startswith(text)
        or (len(text) >= 2 and "off".startswith(text))
    )


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value).strip().strip("'\"").strip() if isinstance(value, str | int) else ""


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not resource.api_version.startswith("postgresql.cnpg.io/"):
        return
    postgresql = as_mapping(as_mapping(resource.doc.get("spec")).get("postgresql"))
    parameters = as_mapping(postgresql.get("parameters"))
    if "ssl" in parameters and _false(parameters["ssl"]):
        yield Hit(
            ("spec", "postgresql", "parameters", "ssl"),
            f"Cluster {resource.name!r} sets ssl to {_scalar(parameters['ssl'])!r}: remove it "
            "from spec.postgresql.parameters; the operator keeps TLS on",
        )
    if "password_encryption" in parameters:
        value = _scalar(parameters["password_encryption"])
        if value.lower() != "scram-sha-256":
            yield Hit(
                ("spec", "postgresql", "parameters", "password_encryption"),
                f"Cluster {resource.name!r} sets password_encryption to {value[:40]!r}: set it "
                "to scram-sha-256 (or remove it) and reset the role passwords",
            )
