"""A pg_hba.conf line lets clients in without TLS or with a weak password method.

## What it does
Reads each rule of a `pg_hba.conf` file, with the same judge as PG005 applies to CloudNativePG's
`spec.postgresql.pg_hba`, and reports one finding per offending line:
- method `trust` on any line, `local` included;
- method `password` (clear text) or `md5` on network lines;
- connection type `host`, `hostnossl` or `hostnogssenc` with any method but `reject`: these
  accept clients without TLS (write `hostssl`; `hostgssenc` is encrypted too).
The IP-and-mask form (`host all all 10.0.0.0 255.0.0.0 md5`) is understood, and `include*` lines
and comments are skipped. Unlike PG005 there is no "missing catch-all reject" finding: a plain
PostgreSQL server rejects connections that match no line, while CloudNativePG appends its own
`host ... scram-sha-256` rule.

## Why is this bad
`trust` lets anything that reaches the server (a compromised tenant pod, a debug container, any
local OS user for `local`) log in as any role, `postgres` included. Without TLS the Odoo
database traffic, customer data included, crosses the network in clear. `md5` and `password`
are obsolete next to `scram-sha-256`.

## Example (must fail)
```conf file=pg_hba.conf
# TYPE  DATABASE  USER  ADDRESS      METHOD
local   all       all                peer
host    all       all   0.0.0.0/0    md5
```

## Use instead (must pass)
```conf file=pg_hba.conf
# TYPE     DATABASE  USER  ADDRESS      METHOD
local      all       all                peer
hostssl    acme      acme  10.0.0.0/8   scram-sha-256
hostnossl  all       all   all          reject
```

## Remediation
Replace each line with `hostssl <db> <role> <cidr> scram-sha-256` (or `cert`), use `peer` for
the local socket, end with `hostnossl all all all reject`, and reload
(`SELECT pg_reload_conf();`). Set `ssl = on` (PG007) and `db_sslmode = require` in odoo.conf.

## References
PostgreSQL documentation "The pg_hba.conf File"; platform notes §5.2 and checker rules P1-P3 and
O6; NSA/CISA Kubernetes Hardening Guide (encryption, strong authentication). No peer scanner
reads pg_hba.conf.
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.postgres.PG005_cnpg_insecure_pg_hba import (
    PLAINTEXT_TYPES,
    WEAK_METHODS,
    _method,
)
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile

META = Meta(
    id="PG008",
    slug="pg-hba-file-insecure",
    title="pg_hba.conf allows trust, clear-text passwords or non-TLS connections",
    domain=Domain.POSTGRES,
    severity=Severity.HIGH,
    scope=Scope.CONFIG,
    kinds=frozenset({"pg_hba.conf"}),
    references={"nsa": ("Network separation and hardening: encryption", "Authentication")},
)


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    file = config.location.file
    for setting in config.settings:
        tokens = list(setting.tokens)
        if not tokens:
            continue
        method = _method(tokens)
        if method is None:
            continue
        kind = tokens[0].lower()
        problems = []
        if method == "trust" or (kind != "local" and method in WEAK_METHODS):
            problems.append(f"method {method!r} (use scram-sha-256 or cert)")
        if kind in PLAINTEXT_TYPES and method != "reject":
            problems.append(
                f"connection type {kind!r}, which accepts non-TLS clients (use hostssl)"
            )
        if problems:
            rule = " ".join(tokens)
            yield Hit(
                (),
                f"{file} line {setting.line} ({rule[:120]!r}) has {' and '.join(problems)}",
                file=file,
                line=setting.line,
                key=rule,
            )
