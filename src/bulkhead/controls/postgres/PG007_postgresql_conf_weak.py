"""A postgresql.conf turns TLS off, hashes passwords with md5, or listens everywhere in clear.

## What it does
Reads `postgresql.conf` and `postgresql.auto.conf` files (the last occurrence of a parameter
wins, as PostgreSQL reads them) and reports one finding per setting:
- `ssl` false as PostgreSQL reads a boolean (`off`, `false`, `no`, `0`, unambiguous prefixes,
  any case; same judge as PG006);
- `password_encryption` anything but `scram-sha-256` (`md5`, or `on`/`true`, which meant md5
  before PostgreSQL 14);
- `listen_addresses` containing `*`, `0.0.0.0` or `::` while `ssl` is off, either explicitly or
  because a `postgresql.conf` without `include*` lines leaves it unset (PostgreSQL's default is
  `off`); `postgresql.auto.conf` only holds overrides, so there an unset `ssl` is not judged.

## Why is this bad
A server that listens on every pod or node address without TLS sends the Odoo role's login
exchange and every row of customer data in clear across the network, readable by anyone with a
capture on the path. md5 role hashes in `pg_authid` are cheap to crack offline and are enough
to log in wherever md5 authentication is accepted; PostgreSQL 18 deprecates them.

## Example (must fail)
```conf file=postgresql.conf
listen_addresses = '*'
max_connections = 200
ssl = off
password_encryption = md5
```

## Use instead (must pass)
```conf file=postgresql.conf
listen_addresses = '*'
max_connections = 200
ssl = on
ssl_cert_file = '/etc/postgresql/tls/tls.crt'
ssl_key_file = '/etc/postgresql/tls/tls.key'
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'
```

## Remediation
Set `ssl = on` with a certificate from cert-manager (`ssl_cert_file`, `ssl_key_file`), require
it in `pg_hba.conf` with `hostssl` lines (see PG008) and `db_sslmode = require` in odoo.conf.
Set `password_encryption = 'scram-sha-256'` and reset every role's password so its stored hash
is SCRAM. Better still, run PostgreSQL with CloudNativePG, which forces TLS.

## References
PostgreSQL documentation (`ssl`, `password_encryption`, `listen_addresses`, boolean spellings);
platform notes §5.2; NSA/CISA Kubernetes Hardening Guide (encryption, authentication). Same
judgement as PG006 for CloudNativePG `spec.postgresql.parameters`. No peer scanner reads
postgresql.conf.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.postgres.PG006_cnpg_weak_postgres_parameters import _false
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="PG007",
    slug="postgresql-conf-weak",
    title="postgresql.conf disables TLS, uses md5 hashing or listens everywhere without TLS",
    domain=Domain.POSTGRES,
    severity=Severity.MEDIUM,
    scope=Scope.CONFIG,
    kinds=frozenset({"postgresql.conf"}),
    references={"nsa": ("Network separation and hardening: encryption", "Authentication")},
)

_EVERYWHERE = frozenset({"*", "0.0.0.0", "::"})  # noqa: S104 (addresses we look for)


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    file = config.location.file
    ssl = config.get("ssl")
    ssl_off = ssl is not None and _false(ssl.value)
    if ssl is not None and ssl_off:
        yield Hit(
            ("ssl",),
            f"{file}: ssl is {ssl.value[:20]!r}: set ssl = on with a server certificate and "
            "require hostssl in pg_hba.conf",
            file=file,
            line=ssl.line,
            key="ssl",
        )
    encryption = config.get("password_encryption")
    if encryption is not None and encryption.value.strip().lower() != "scram-sha-256":
        yield Hit(
            ("password_encryption",),
            f"{file}: password_encryption is {encryption.value[:40]!r}: set it to "
            "'scram-sha-256' and reset the role passwords",
            file=file,
            line=encryption.line,
            key="password_encryption",
        )
    listen = config.get("listen_addresses")
    if listen is None:
        return
    addresses = {a.strip().lower() for a in listen.value.split(",")}
    if not addresses & _EVERYWHERE:
        return
    full_file = posixpath.basename(file.replace("\\", "/")).lower() == "postgresql.conf"
    included = any(s.key.startswith("include") for s in config.settings)
    if ssl_off:
        why = f"ssl is {ssl.value[:20]!r}" if ssl is not None else ""
    elif ssl is None and full_file and not included:
        why = "ssl is not set (PostgreSQL's default is off)"
    else:
        return
    yield Hit(
        ("listen_addresses",),
        f"{file}: listen_addresses is {listen.value[:60]!r} while {why}: every client on "
        "the network talks to PostgreSQL in clear; set ssl = on (or listen on specific "
        "addresses only)",
        file=file,
        line=listen.line,
        key="listen_addresses",
    )
