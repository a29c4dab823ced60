"""A CloudNativePG cluster's pg_hba lets clients in without TLS or with a weak password method.

## What it does
Reads each line of `spec.postgresql.pg_hba` of a CloudNativePG `Cluster`
(`postgresql.cnpg.io/v1`), split on whitespace with `#` comments dropped, and flags:
- the methods `trust` (no password at all, `local` lines included), `password` (clear text) and
  `md5` (weak hash, and replayable material for pass-the-hash) on network lines;
- network lines that accept non-TLS connections: `host`, `hostnossl` and `hostnogssenc` with
  any method but `reject` (`hostssl` and `hostgssenc` are encrypted);
- a cluster with no catch-all `hostnossl all all all reject` (or `host ... reject`) line: the
  operator appends `host all all all scram-sha-256` after the user rules, which accepts
  unencrypted connections. That finding points at `spec.postgresql.pg_hba` itself.
The IP-and-mask form (`host all all 10.0.0.0 255.0.0.0 md5`) and `include*` lines are handled.

## Why is this bad
`trust` lets any pod that reaches port 5432 (a compromised tenant pod, a debug container) log in
as any role, `postgres` included. Without TLS the Odoo database password (SCRAM protects it, but
not the data) and every row of customer data cross the pod network in clear, readable by anyone
with a packet capture on a node. `md5` and `password` are obsolete next to `scram-sha-256`.

## Example (must fail)
```yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: acme-pg, namespace: acme-prod}
spec:
  instances: 3
  storage: {size: 50Gi}
  postgresql:
    pg_hba:
      - host all all 0.0.0.0/0 trust
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
    pg_hba:
      - hostssl acme acme 10.0.0.0/8 scram-sha-256
      - hostnossl all all all reject
```

## Remediation
Delete `trust`, `password` and `md5` lines; write `hostssl <db> <role> <cidr> scram-sha-256`
(or `cert` with client certificates from the cluster's client CA) and end with
`hostnossl all all all reject`. Set `db_sslmode = require` (or `verify-full`) in odoo.conf.

## References
CloudNativePG `postgresql_conf.md` (generated pg_hba and its default `host` rule) and
`security.md`; PostgreSQL documentation "The pg_hba.conf File"; platform checker rules P1-P3
and O6; NSA/CISA Kubernetes Hardening Guide (encrypt traffic, strong authentication). No peer
scanner reads CloudNativePG objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import Resource, Severity

META = Meta(
    id="PG005",
    slug="cnpg-insecure-pg-hba",
    title="CloudNativePG pg_hba allows trust, clear-text passwords or non-TLS connections",
    domain=Domain.POSTGRES,
    severity=Severity.HIGH,
    scope=Scope.RESOURCE,
    kinds=frozenset({"Cluster"}),
    references={"nsa": ("Network separation and hardening: encryption", "Authentication")},
)

METHODS = frozenset(
    {
        "trust", "reject", "scram-sha-256", "md5", "password", "gss", "sspi", "ident", "peer",
        "ldap", "radius", "cert", "pam", "bsd", "oauth",
    }
)  # fmt: skip
WEAK_METHODS = frozenset({"trust", "password", "md5"})
PLAINTEXT_TYPES = frozenset({"host", "hostnossl", "hostnogssenc"})
NETWORK_TYPES = PLAINTEXT_TYPES | {"hostssl", "hostgssenc"}
ALL_ADDRESSES = frozenset({"all", "0.0.0.0/0", "::/0", "::0/0"})


def _tokens(line: str) -> list[str]:
    return line.split("#", 1)[0].split()


def _method(tokens: Sequence[str]) -> str | None:
    """The auth method of a parsed line, or None when the line is no rule we understand."""
    kind = tokens[0].lower()
    index = 3 if kind == "local" else 4 if kind in NETWORK_TYPES else None
    if index is None or len(tokens) <= index:
        return None
    method = tokens[index].lower()
    if method not in METHODS and len(tokens) > index + 1:
        method = tokens[index + 1].lower()  # `address mask method`
    return method


def _catch_all_reject(lines: Sequence[list[str]]) -> bool:
    addresses: set[str] = set()
    for tokens in lines:
        if (
            len(tokens) >= 5
            and tokens[0].lower() in PLAINTEXT_TYPES - {"hostnogssenc"}
            and tokens[1] == "all"
            and tokens[2] == "all"
            and _method(tokens) == "reject"
        ):
            addresses.add(tokens[3].lower())
    return "all" in addresses or ("0.0.0.0/0" in addresses and bool(addresses & {"::/0", "::0/0"}))


def check(resource: Resource, settings: Settings) -> Iterator[Hit]:
    if not resource.api_version.startswith("postgresql.cnpg.io/"):
        return
    postgresql = as_mapping(as_mapping(resource.doc.get("spec")).get("postgresql"))
    rules = as_list(postgresql.get("pg_hba"))
    parsed: list[list[str]] = []
    for index, line in enumerate(rules):
        if not isinstance(line, str):
            continue
        tokens = _tokens(line)
        if not tokens:
            continue
        parsed.append(tokens)
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
            yield Hit(
                ("spec", "postgresql", "pg_hba", index),
                f"Cluster {resource.name!r} pg_hba line {index} ({' '.join(tokens)[:120]!r}) "
                f"has {' and '.join(problems)}",
            )
    if not _catch_all_reject(parsed):
        yield Hit(
            ("spec", "postgresql", "pg_hba"),
            f"Cluster {resource.name!r} has no catch-all non-TLS reject rule, so the "
            "operator's final 'host all all all scram-sha-256' rule accepts unencrypted "
            "connections: add 'hostnossl all all all reject' to spec.postgresql.pg_hba",
        )
