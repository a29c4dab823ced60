"""A pgbouncer.ini authenticates clients weakly or pools Odoo's connections per transaction.

## What it does
Reads `pgbouncer.ini` files (last setting wins, sections matched case-insensitively) and
reports, all at one severity (high):
- `[pgbouncer] auth_type` set to `trust` (no password), `any` (no password, user name ignored),
  `plain` (clear-text password on the wire) or `md5`, or unset (PgBouncer's default is `md5`).
  md5 is flagged too although it is weaker rather than open: PgBouncer falls back to SCRAM only
  for users whose `auth_file` entry holds a SCRAM secret, so write `scram-sha-256` to be sure.
  `hba`, `cert`, `pam`, `ldap` and `scram-sha-256` pass.
- `pool_mode = transaction` (or `statement`) in front of Odoo: for each `[databases]` entry
  whose name or connection string mentions `odoo`, the entry's own `pool_mode=` or else the
  global one. Other applications may use transaction pooling freely; the Odoo controls judge
  Odoo's own configuration. Comments are not read (the parser drops them).

## Why is this bad
With `trust` or `any` every pod that reaches PgBouncer is the Odoo database owner. Odoo's bus
(chat, notifications, websocket updates) and its cron wake-ups use `LISTEN`/`NOTIFY` on a
long-lived connection; transaction pooling hands the server connection to another client after
each transaction, so the `LISTEN` is lost or delivered to the wrong client, and
session-level state (advisory locks, prepared statements, `SET`) leaks between tenants' requests.

## Example (must fail)
```ini file=pgbouncer.ini
[databases]
acme_odoo = host=acme-pg-rw port=5432 dbname=acme_odoo

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = trust
pool_mode = transaction
```

## Use instead (must pass)
```ini file=pgbouncer.ini
[databases]
acme_odoo = host=acme-pg-rw port=5432 dbname=acme_odoo

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = scram-sha-256
auth_file = /etc/pgbouncer/userlist.txt
pool_mode = session
client_tls_sslmode = require
```

## Remediation
Set `auth_type = scram-sha-256` (or `hba` with an `auth_hba_file` of `hostssl ...
scram-sha-256` lines, or `cert`) and store SCRAM secrets in `auth_file`. Use
`pool_mode = session` for Odoo databases, or send Odoo straight to PostgreSQL (a CloudNativePG
Pooler with `spec.pgbouncer.poolMode: session`).

## References
PgBouncer configuration documentation (`auth_type`, `pool_mode`, per-database `pool_mode`);
platform notes §5.6 and §11 item 6, checker rule O9 (OCA PRs #1629/#3692); NSA/CISA Kubernetes
Hardening Guide (authentication). No peer scanner reads pgbouncer.ini.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile, Setting

META = Meta(
    id="PG009",
    slug="pgbouncer-insecure",
    title="PgBouncer with weak client authentication or transaction pooling in front of Odoo",
    domain=Domain.POSTGRES,
    severity=Severity.HIGH,
    scope=Scope.CONFIG,
    kinds=frozenset({"pgbouncer.ini"}),
    references={"nsa": ("Authentication and authorization",)},
)

_WEAK = {
    "trust": "accepts any client without a password",
    "any": "accepts any client without a password, whatever user name it gives",
    "plain": "sends passwords in clear",
    "md5": "uses md5 challenge-response, weaker than SCRAM",
}
_POOLING = frozenset({"transaction", "statement"})
_PAIR = re.compile(r"([A-Za-z_]+)\s*=\s*('(?:[^']|'')*'|\S+)")


def _section(config: ConfigFile, name: str) -> list[Setting]:
    return [s for s in config.settings if (s.section or "").strip().lower() == name]


def _last(settings: list[Setting], key: str) -> Setting | None:
    found = None
    for setting in settings:
        if setting.key == key:
            found = setting
    return found


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    file = config.location.file
    main = _section(config, "pgbouncer")
    auth = _last(main, "auth_type")
    method = auth.value.strip().lower() if auth is not None else "md5"
    if method in _WEAK:
        said = f"auth_type is {method!r}" if auth is not None else "auth_type is unset (md5)"
        yield Hit(
            ("pgbouncer", "auth_type"),
            f"{file}: {said}, which {_WEAK[method]}: set auth_type = scram-sha-256 (or hba "
            "with hostssl scram-sha-256 rules, or cert)",
            file=file,
            line=auth.line if auth is not None else (main[0].line if main else 1),
            key="auth_type",
        )
    default_mode = _last(main, "pool_mode")
    reported: set[int] = set()
    for entry in _section(config, "databases"):
        if "odoo" not in f"{entry.key} {entry.value}".lower():
            continue
        own = {k.lower(): v.strip("'") for k, v in _PAIR.findall(entry.value)}.get("pool_mode")
        source = entry if own is not None else default_mode
        mode = own if own is not None else default_mode.value if default_mode else "session"
        if source is None or mode.strip().lower() not in _POOLING or source.line in reported:
            continue
        reported.add(source.line)
        yield Hit(
            ("databases", entry.key) if source is entry else ("pgbouncer", "pool_mode"),
            f"{file}: database {entry.key!r} serves Odoo with pool_mode {mode.strip()!r}: "
            "Odoo's bus and cron LISTEN/NOTIFY break under transaction pooling; use pool_mode "
            "= session for Odoo databases",
            file=file,
            line=source.line,
            key=f"pool_mode:{entry.key}" if source is entry else "pool_mode",
        )
