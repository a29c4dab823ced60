"""Odoo's master password is the default `admin`, missing, or stored in plain text instead of a pbkdf2 hash.

## What it does
Reads `admin_passwd` from every `odoo.conf` file, ConfigMap-embedded odoo.conf and Odoo
container environment (`ODOO_ADMIN_PASSWD`, read by Odoo 19). Flags it when it is missing from
a complete configuration (a file or a ConfigMap: Odoo then uses `admin`), when it is `admin`,
and when it is any other plain-text value rather than a `$pbkdf2-sha512$...` hash. An empty
value (also `False` or `None`) passes: Odoo then refuses every master-password check
("empty password/hash => authentication forbidden"), which is the strongest setting when
databases are managed by internal jobs. The value is never shown, only a fingerprint.

## Why is this bad
The master password unlocks the database manager: create, duplicate, back up (download a
tenant's full data and filestore), restore over, and drop any database the server can see.
`admin` is the first thing anyone tries. A plain-text password in an odoo.conf, a ConfigMap or
an environment literal is readable by everyone with `view` rights, Argo CD, backups and Git
history; Odoo itself marks plain text as deprecated and hashes it in memory on first use.

## Example (must fail)
```ini file=odoo.conf
[options]
proxy_mode = True
list_db = False
dbfilter = ^acme$
admin_passwd = admin
```

## Use instead (must pass)
```ini file=odoo.conf
[options]
proxy_mode = True
list_db = False
dbfilter = ^acme$
; empty: Odoo refuses every database-manager request
admin_passwd =
```

## Remediation
Prefer an empty `admin_passwd =` with `list_db = False` (OD001) and manage databases from
internal jobs. If operators need the manager, store only a hash, generated offline and kept in
a Secret (render odoo.conf with an ExternalSecret template), never the password:
```bash
python3 -c "from passlib.context import CryptContext as C; print(C(['pbkdf2_sha512'], pbkdf2_sha512__rounds=600000).hash(input('master password: ')))"
```
then `admin_passwd = $pbkdf2-sha512$600000$...`. Rotate any password that was committed in clear.

## References
Odoo deployment documentation (master password, "Security"); Odoo `tools/config.py`
(`verify_admin_password`, passlib `CryptContext(['pbkdf2_sha512', 'plaintext'])`); platform
reference §1.2 and checker rule O2. Peers: none; generic secret detectors (SC002) see the
plain text but not the missing option or the default, and flag an empty value that is in fact
the safest choice. The hash's round count is not judged (600 000 since Odoo 16).
"""

from __future__ import annotations

from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import redact
from bulkhead.controls.odoo._odoo import odoo_configs
from bulkhead.inventory import Inventory
from bulkhead.model import Severity

META = Meta(
    id="OD002",
    slug="admin-password-weak",
    title="Odoo master password default, missing or not hashed (admin_passwd)",
    domain=Domain.ODOO,
    severity=Severity.CRITICAL,
    scope=Scope.INVENTORY,
)

HASH_PREFIX = "$pbkdf2-sha512$"
# Odoo's parser turns these into False/None: no stored hash, so authentication is forbidden.
_DISABLED = frozenset({"", "False", "false", "None"})


def _problem(value: str) -> str | None:
    text = value.strip()
    if text in _DISABLED or text.startswith(HASH_PREFIX):
        return None
    if text == "admin":
        return "is Odoo's well-known default master password"
    return (
        f"is not a $pbkdf2-sha512$ hash, so Odoo uses it as a plain-text password ({redact(text)})"
    )


def check(inventory: Inventory, settings: Settings) -> Iterator[Hit]:
    fix = (
        "store a $pbkdf2-sha512$ hash (passlib pbkdf2_sha512), or leave admin_passwd empty to "
        "disable the database manager"
    )
    for config in odoo_configs(inventory):
        option = config.get("admin_passwd")
        if option is not None:
            problem = _problem(option.value)
            if problem is not None:
                yield Hit(
                    option.path,
                    f"{config.origin}: admin_passwd {problem}; {fix}.",
                    config.resource,
                    option.file,
                    option.line,
                    key="admin_passwd",
                )
        elif config.complete:
            yield Hit(
                config.path,
                f"{config.origin}: admin_passwd is not set, so the master password is Odoo's "
                f"default; {fix}.",
                config.resource,
                config.file,
                config.line,
                key="admin_passwd",
            )
