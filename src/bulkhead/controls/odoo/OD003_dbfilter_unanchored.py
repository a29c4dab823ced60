"""Odoo may serve several databases: no single `db_name` and no `dbfilter` anchored to one name.

## What it does
For every `odoo.conf` file, ConfigMap-embedded odoo.conf and Odoo container (arguments
`--db-filter`, `ODOO_DBFILTER`), judges which databases one host can reach, the way Odoo's
`db_filter()` does:
- a non-empty `dbfilter` wins over `db_name`. It must match exactly one name per host: end
  with `$` (or `\\Z`) in every top-level `|` branch and repeat nothing without bound (`.*`,
  `.+`, `[a-z]+`, `{2,}`). Odoo applies it with `re.match`, so a leading `^` is implicit;
  `%d` (first label of the host) and `%h` (the host) are inserted regex-escaped, so
  `^%d$` and `^%h$` are anchored while `%d`, `^%d.*$` and `.*` are not;
- without `dbfilter`, `db_name` must name a single database (Odoo 19 reads a comma list
  there and exposes all of its names).
On a complete configuration (a file or a ConfigMap) having neither is reported; on a
container only an unanchored `dbfilter` it sets is reported, since its file may hold the rest.

## Why is this bad
Without a filter, every database the PostgreSQL role can see is one `?db=` (or one session
cookie) away from any tenant's hostname: users of tenant A get tenant B's login page, the
database selector, and bus and report routes of the wrong database. A prefix filter like
`^%d.*$` lets `acme.erp.example.com` open `acmecorp` or `acme_staging`. The deployment guide
says dbfilter "must be set" for multi-database servers, before `list_db` is turned off.

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
    dbfilter = ^%d.*$
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
    dbfilter = ^acme$
    db_name = acme
```

## Remediation
One tenant per deployment: `db_name = acme` and `dbfilter = ^acme$` (both, so a later edit to
one still leaves the other exact). A shared server routing by hostname: `dbfilter = ^%d$` (or
`^%h$`), and make sure the proxy sets the Host / X-Forwarded-Host header itself. Then set
`list_db = False` (OD001).

## References
Odoo deployment documentation ("dbfilter", "Security"); Odoo `http.db_filter` (dbfilter with
`re.match`, else `db_name` as an allow-list); platform reference §1.2 and checker rule O1.
Peers: none. Deliberate differences: a `db_name` does not excuse an unanchored `dbfilter`
(Odoo ignores `db_name` when a filter is set), and a missing `^` is not reported (`re.match`
anchors the start), while a `$`-terminated filter with `.*` in it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls.odoo._odoo import OdooConfig, Option, odoo_configs
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD003",
    slug="dbfilter-unanchored",
    title="Odoo dbfilter missing or unanchored (several databases per host)",
    domain=Domain.ODOO,
    severity=Severity.HIGH,
    scope=Scope.INVENTORY,
)

_UNSET = frozenset({"", "false", "none"})
_OPEN_RANGE = re.compile(r"\{\d*,\}")


def _set(option: Option | None) -> bool:
    return option is not None and option.value.strip().lower() not in _UNSET


def _branches(pattern: str) -> list[str] | None:
    """Split on top-level `|`; None when the pattern repeats something without bound."""
    branches: list[str] = []
    start = depth = 0
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # `[]...]` and `[^]...]`: a `]` right after the opening is a literal.
            if pattern[index + 1 : index + 2] == "^":
                index += 1
            if pattern[index + 1 : index + 2] == "]":
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char in "*+" or (char == "{" and _OPEN_RANGE.match(pattern, index)):
            return None
        elif char == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
        index += 1
    branches.append(pattern[start:])
    return branches


def _ends_anchored(branch: str) -> bool:
    for anchor in ("$", "\\Z"):
        if branch.endswith(anchor):
            body = branch[: -len(anchor)]
            escapes = len(body) - len(body.rstrip("\\"))
            if escapes % 2 == 0:
                return True
    return False


def unanchored_reason(dbfilter: str) -> str | None:
    """Why a dbfilter may match more than one database name per host, or None if it cannot."""
    pattern = dbfilter.strip().replace("%h", "h").replace("%d", "d")
    try:
        re.compile(pattern)
    except re.error:
        return None  # Odoo fails every request with it: not a question of anchoring.
    branches = _branches(pattern)
    if branches is None:
        return "repeats a wildcard without bound (.*, +, {n,}), so it matches a name prefix"
    if not all(_ends_anchored(branch) for branch in branches):
        return "does not end with $, so Odoo's re.match accepts every name it is a prefix of"
    return None


def _hit(config: OdooConfig, option: Option | None, message: str) -> Hit:
    if option is not None:
        return Hit(option.path, message, config.resource, option.file, option.line, key="dbfilter")
    return Hit(config.path, message, config.resource, config.file, config.line, key="dbfilter")


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    for config in odoo_configs(inventory):
        dbfilter = config.get("dbfilter")
        if dbfilter is not None and _set(dbfilter):
            reason = unanchored_reason(dbfilter.value)
            if reason is not None:
                yield _hit(
                    config,
                    dbfilter,
                    f"{config.origin}: dbfilter {reason}; one host can reach several "
                    "databases. Use an exact filter such as ^acme$ or ^%d$.",
                )
            continue
        if not config.complete:
            continue
        db_name = config.get("db_name")
        names = (
            [n for n in db_name.value.split(",") if n.strip()]
            if db_name is not None and _set(db_name)
            else []
        )
        if len(names) == 1:
            continue
        if names:
            what = f"db_name lists {len(names)} databases and no dbfilter picks one per host"
        else:
            what = "neither db_name nor dbfilter is set, so every database of the server is served"
        yield _hit(
            config,
            dbfilter,
            f"{config.origin}: {what}; set db_name to the tenant's database and an anchored "
            "dbfilter such as ^acme$ (or ^%d$ on a shared server).",
        )
