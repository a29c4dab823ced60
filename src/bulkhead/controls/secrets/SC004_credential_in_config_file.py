"""A configuration file (odoo.conf, pgbouncer.ini, redis.conf) holds a password in clear text.

## What it does
Reads the settings of odoo.conf, pgbouncer.ini and redis.conf files and reports each one that
holds a literal credential:

- odoo.conf and pgbouncer.ini: an option whose name says credential (`db_password`,
  `smtp_password`, `*_token`, `*_secret`, ... with the same name rules as SC002), with a value
  that is not empty, a boolean or a `${VAR}` placeholder; and `password=` inside a PgBouncer
  `[databases]` connection string. `admin_passwd` is OD002's (a pbkdf2 hash is what it wants);
- redis.conf: `requirepass` and `masterauth` with a literal value, and ACL `user` lines that
  set a clear-text password (`>secret`; a `#<sha256>` hash is fine).

The value is never shown: only a fingerprint.

## Why is this bad
A configuration file in Git is read by everyone with access to the repository and copied into
every image and backup built from it. The database or Redis password of a tenant then leaks with
any of them, and rotating it means a commit and a redeploy.

## Example (must fail)
```ini file=odoo.conf
[options]
db_host = acme-pg-rw
db_user = acme
db_password = Tr0ub4dor&3
```

## Use instead (must pass)
```ini file=odoo.conf
[options]
db_host = acme-pg-rw
db_user = acme
; the password comes from the PGPASSWORD variable, set from a Secret
db_password = False
```

## Remediation
Remove the value from the file and deliver it at run time: `PGPASSWORD` from a Secret for Odoo
(Odoo 19 reads it for `db_password`), `auth_file` or `auth_query` for PgBouncer, and for Redis a
`requirepass` read from a Secret-backed file or standard input. Rotate the password, since it is
in the repository's history.

## References
NSA/CISA Kubernetes Hardening Guide (secrets). Peers: none reads these files; SC002 is the same
rule for odoo.conf content embedded in ConfigMaps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bulkhead.controls import Domain, Hit, Meta, Scope, Settings
from bulkhead.controls._support import redact
from bulkhead.controls.secrets.SC002_credential_in_configmap import _clean, _credential
from bulkhead.model import Severity
from bulkhead.sources.configfiles import ConfigFile, ConfigKind, Setting

META = Meta(
    id="SC004",
    slug="credential-in-config-file",
    title="Clear-text password in a configuration file",
    domain=Domain.SECRETS,
    severity=Severity.HIGH,
    scope=Scope.CONFIG,
    kinds=frozenset({"odoo.conf", "pgbouncer.ini", "redis.conf"}),
    references={"nsa": ("Secrets",)},
)

_CONNECTION_PASSWORD = re.compile(r"(?:^|\s)password\s*=\s*(?P<value>'[^']*'|\S+)")
_REDIS_PASSWORD_OPTIONS = frozenset({"requirepass", "masterauth"})
_PLACEHOLDER = re.compile(r"^\$\{?[A-Za-z_]\w*\}?$")


def _literal_password(value: str) -> bool:
    return bool(value) and value not in ('""', "''") and not _PLACEHOLDER.match(value)


def _ini_hits(config: ConfigFile) -> Iterator[tuple[Setting, str, str]]:
    for setting in config.settings:
        if setting.key == "admin_passwd":
            continue  # OD002 judges the master password (a pbkdf2 hash is the goal there)
        value = _clean(setting.value)
        if _credential(setting.key, value):
            yield setting, setting.key, value
        elif config.kind is ConfigKind.PGBOUNCER and setting.section == "databases":
            match = _CONNECTION_PASSWORD.search(setting.value)
            if match and _literal_password(match["value"].strip("'")):
                yield setting, f"{setting.key} (password=)", match["value"].strip("'")


def _redis_hits(config: ConfigFile) -> Iterator[tuple[Setting, str, str]]:
    for setting in config.settings:
        if setting.key in _REDIS_PASSWORD_OPTIONS and len(setting.tokens) > 1:
            value = setting.tokens[1]
            if _literal_password(value):
                yield setting, setting.key, value
        elif setting.key == "user":
            for token in setting.tokens[2:]:
                if token.startswith(">") and _literal_password(token[1:]):
                    yield (
                        setting,
                        f"user {setting.tokens[1] if len(setting.tokens) > 1 else ''}",
                        token[1:],
                    )


def check(config: ConfigFile, settings: Settings) -> Iterator[Hit]:
    hits = _redis_hits(config) if config.kind is ConfigKind.REDIS else _ini_hits(config)
    for setting, option, value in hits:
        section = (setting.section,) if setting.section else ()
        yield Hit(
            (*section, setting.key),
            f"{option} holds a clear-text credential {redact(value)}: deliver it at run time "
            "from a Secret (PGPASSWORD, auth_file, a mounted file) and rotate it",
            file=config.location.file,
            line=setting.line,
            key=f"{setting.section}:{option}",
        )
