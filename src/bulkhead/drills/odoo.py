"""Odoo sanity checks on a restored copy, and its neutralization.

Checks (each a `Check`):

- `odoo-modules`: no module in `to install`, `to upgrade` or `to remove` (a pending state means
  the backup was taken in the middle of an update, and Odoo would resume it on start);
- `odoo-database-uuid`: `ir_config_parameter` holds a non-empty `database.uuid`;
- `odoo-admin-user`: the administrator (`base.user_admin` in `ir_model_data`, else login
  `admin`) exists and is active;
- `odoo-filestore` (when a filestore directory is given): every attachment stored in the
  filestore (`store_fname` set) is there, with the SHA-1 `checksum` Odoo recorded.

Neutralization does what `odoo-bin neutralize` does with the base and mail modules'
`neutralize.sql` (Odoo 16-18), so a restored copy never mails customers or calls partners:
crons off except `base.autovacuum_job`; every outgoing mail server off and a dummy one
(`neutralization - disable emails`, host `invalid`) added so Odoo does not fall back to a
command-line SMTP server; incoming mail servers off; mail templates unpinned from servers;
webhook server actions pointed nowhere; `database.is_neutralized` set to `true`. Beyond
Odoo's own script it gives the copy a new `database.uuid` and `database.secret`, as Odoo does
when it duplicates a database, so the copy does not impersonate production towards IAP, the
license server or holders of signed tokens. Addons with their own neutralize.sql (payment
providers, carriers, IAP accounts) are not covered: run `odoo-bin neutralize` with the tenant's
image before starting workers on a copy that is kept.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bulkhead.drills.result import FAIL, PASS, SKIP, Check

PENDING_STATES = ("to install", "to upgrade", "to remove")
DUMMY_MAIL_SERVER = "neutralization - disable emails"
_STORE_FNAME = re.compile(r"[0-9a-f]{2,3}/[0-9a-f]{40}|[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")
_SHOWN = 5


def _exists(connection: psycopg.Connection, table: str) -> bool:
    row = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (f"public.{table}",)).fetchone()
    return bool(row and row[0])


def _columns(connection: psycopg.Connection, table: str) -> set[str]:
    rows = connection.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
        "AND NOT attisdropped",
        (f"public.{table}",),
    ).fetchall()
    return {str(r[0]) for r in rows}


def is_odoo(connection: psycopg.Connection) -> bool:
    return _exists(connection, "ir_module_module")


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def database_uuid(connection: psycopg.Connection) -> str | None:
    if not _exists(connection, "ir_config_parameter"):
        return None
    row = connection.execute(
        "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def sanity_checks(connection: psycopg.Connection) -> list[Check]:
    if not is_odoo(connection):
        return [
            Check(
                "odoo",
                FAIL,
                "not an Odoo database (no ir_module_module table); pass --no-odoo to drill a "
                "plain PostgreSQL database",
            )
        ]
    checks = []
    pending = connection.execute(
        "SELECT name, state FROM ir_module_module WHERE state = ANY(%s) ORDER BY name",
        (list(PENDING_STATES),),
    ).fetchall()
    if pending:
        listed = [f"{name} ({state})" for name, state in pending]
        checks.append(
            Check(
                "odoo-modules",
                FAIL,
                f"{len(pending)} module(s) in a pending state: {_names(listed)}; the backup was "
                "taken during a module update",
                {"pending": [{"name": n, "state": s} for n, s in pending]},
            )
        )
    else:
        installed = connection.execute(
            "SELECT count(*) FROM ir_module_module WHERE state = 'installed'"
        ).fetchone()
        count = int(installed[0]) if installed else 0
        checks.append(Check("odoo-modules", PASS, f"no pending module state ({count} installed)"))
    value = database_uuid(connection)
    checks.append(
        Check("odoo-database-uuid", PASS, "database.uuid is set")
        if value
        else Check("odoo-database-uuid", FAIL, "ir_config_parameter has no database.uuid")
    )
    checks.append(_admin(connection))
    return checks


def _admin(connection: psycopg.Connection) -> Check:
    if not _exists(connection, "res_users"):
        return Check("odoo-admin-user", FAIL, "there is no res_users table")
    if _exists(connection, "ir_model_data"):
        row = connection.execute(
            "SELECT u.login, u.active FROM ir_model_data d JOIN res_users u ON u.id = d.res_id "
            "WHERE d.module = 'base' AND d.name = 'user_admin' AND d.model = 'res.users'"
        ).fetchone()
        if row is not None:
            if row[1] is False:
                return Check("odoo-admin-user", FAIL, f"the administrator ({row[0]}) is archived")
            return Check("odoo-admin-user", PASS, f"administrator present (login {row[0]})")
    row = connection.execute("SELECT login, active FROM res_users WHERE login = 'admin'").fetchone()
    if row is None:
        return Check(
            "odoo-admin-user", FAIL, "no administrator: neither base.user_admin nor login admin"
        )
    if row[1] is False:
        return Check("odoo-admin-user", FAIL, "the administrator (admin) is archived")
    return Check("odoo-admin-user", PASS, "administrator present (login admin)")


def stored_attachments(connection: psycopg.Connection) -> list[tuple[str, str | None]]:
    """(store_fname, checksum) of every attachment kept in the filestore."""
    if not _exists(connection, "ir_attachment"):
        return []
    rows = connection.execute(
        "SELECT store_fname, checksum FROM ir_attachment "
        "WHERE store_fname IS NOT NULL AND store_fname <> '' ORDER BY id"
    ).fetchall()
    return [(str(f), str(c) if c else None) for f, c in rows]


def check_filestore(
    root: Path | None,
    attachments: Sequence[tuple[str, str | None]],
    stop: threading.Event | None = None,
) -> Check:
    """Every attachment's file under `root`, with its SHA-1. Names that would leave the
    filestore (absolute, `..`, symlinks out) count as missing and are never opened. Setting
    `stop` ends the check early (the drill was interrupted)."""
    if root is None:
        return Check("odoo-filestore", SKIP, "no --filestore given")
    if not root.is_dir():
        return Check("odoo-filestore", FAIL, f"filestore {root} is not a directory")
    base = root.resolve()
    missing: list[str] = []
    mismatched: list[str] = []
    checked = 0
    for fname, checksum in attachments:
        if stop is not None and stop.is_set():
            return Check("odoo-filestore", SKIP, "interrupted")
        checked += 1
        parts = fname.split("/")
        if not _STORE_FNAME.fullmatch(fname) or any(p in ("", ".", "..") for p in parts):
            missing.append(fname)
            continue
        path = base.joinpath(*parts)
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            missing.append(fname)
            continue
        if not resolved.is_relative_to(base) or not resolved.is_file():
            missing.append(fname)
            continue
        if checksum is None:
            continue
        digest = hashlib.sha1(usedforsecurity=False)
        try:
            with resolved.open("rb") as handle:
                while block := handle.read(1024 * 1024):
                    digest.update(block)
        except OSError:
            missing.append(fname)
            continue
        if digest.hexdigest() != checksum:
            mismatched.append(fname)
    data = {"attachments": checked, "missing": len(missing), "mismatched": len(mismatched)}
    if missing or mismatched:
        problems = []
        if missing:
            problems.append(f"{len(missing)} missing ({_names(missing)})")
        if mismatched:
            problems.append(f"{len(mismatched)} with a wrong SHA-1 ({_names(mismatched)})")
        return Check(
            "odoo-filestore", FAIL, f"of {checked} stored attachments, {'; '.join(problems)}", data
        )
    return Check("odoo-filestore", PASS, f"{checked} stored attachments present and intact", data)


def _set_parameter(connection: psycopg.Connection, key: str, value: str) -> None:
    updated = connection.execute(
        "UPDATE ir_config_parameter SET value = %s WHERE key = %s", (value, key)
    ).rowcount
    if not updated:
        connection.execute(
            "INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s)", (key, value)
        )


def neutralize(connection: psycopg.Connection) -> dict[str, Any]:
    """Neutralize the restored copy (in the caller's transaction); what was changed."""
    actions: dict[str, Any] = {}
    if _exists(connection, "ir_cron"):
        keep = (
            "SELECT res_id FROM ir_model_data WHERE module = 'base' AND name = 'autovacuum_job' "
            "AND model = 'ir.cron' AND res_id IS NOT NULL"
            if _exists(connection, "ir_model_data")
            else "SELECT NULL::integer WHERE false"
        )
        actions["crons_disabled"] = connection.execute(
            sql.SQL("UPDATE ir_cron SET active = false WHERE active AND id NOT IN ({})").format(
                sql.SQL(keep)
            )
        ).rowcount
    if _exists(connection, "ir_mail_server"):
        actions["mail_servers_disabled"] = connection.execute(
            "UPDATE ir_mail_server SET active = false WHERE active"
        ).rowcount
        columns = _columns(connection, "ir_mail_server")
        dummy = {
            "name": DUMMY_MAIL_SERVER,
            "smtp_port": 1025,
            "smtp_host": "invalid",
            "smtp_encryption": "none",
            "active": True,
            "smtp_authentication": "login",
        }
        chosen = {k: v for k, v in dummy.items() if k in columns}
        if {"name", "smtp_host", "active"} <= set(chosen):
            connection.execute(
                sql.SQL("INSERT INTO ir_mail_server ({}) VALUES ({})").format(
                    sql.SQL(", ").join(sql.Identifier(k) for k in chosen),
                    sql.SQL(", ").join(sql.Placeholder() for _ in chosen),
                ),
                list(chosen.values()),
            )
            actions["dummy_mail_server"] = True
    if _exists(connection, "fetchmail_server") and "active" in _columns(
        connection, "fetchmail_server"
    ):
        actions["incoming_mail_servers_disabled"] = connection.execute(
            "UPDATE fetchmail_server SET active = false WHERE active"
        ).rowcount
    if _exists(connection, "mail_template") and "mail_server_id" in _columns(
        connection, "mail_template"
    ):
        actions["mail_templates_unpinned"] = connection.execute(
            "UPDATE mail_template SET mail_server_id = NULL WHERE mail_server_id IS NOT NULL"
        ).rowcount
    if _exists(connection, "ir_act_server") and "webhook_url" in _columns(
        connection, "ir_act_server"
    ):
        actions["webhooks_disabled"] = connection.execute(
            "UPDATE ir_act_server SET webhook_url = 'neutralization - disable webhook' "
            "WHERE state = 'webhook'"
        ).rowcount
    if _exists(connection, "ir_config_parameter"):
        _set_parameter(connection, "database.is_neutralized", "true")
        _set_parameter(connection, "database.uuid", str(uuid.uuid4()))
        _set_parameter(connection, "database.secret", secrets.token_hex(32))
        actions["new_database_uuid"] = True
        actions["new_database_secret"] = True
    return actions


def neutralization_check(connection: psycopg.Connection, source_uuid: str | None) -> Check:
    """After `neutralize`: nothing left that would run jobs or send mail as production."""
    problems = []
    if _exists(connection, "ir_cron"):
        row = connection.execute(
            "SELECT count(*) FROM ir_cron c WHERE c.active AND NOT EXISTS ("
            "SELECT 1 FROM ir_model_data d WHERE d.model = 'ir.cron' AND d.module = 'base' "
            "AND d.name = 'autovacuum_job' AND d.res_id = c.id)"
            if _exists(connection, "ir_model_data")
            else "SELECT count(*) FROM ir_cron WHERE active"
        ).fetchone()
        if row and row[0]:
            problems.append(f"{row[0]} cron(s) still active")
    if _exists(connection, "ir_mail_server"):
        row = connection.execute(
            "SELECT count(*) FROM ir_mail_server WHERE active AND name <> %s", (DUMMY_MAIL_SERVER,)
        ).fetchone()
        if row and row[0]:
            problems.append(f"{row[0]} outgoing mail server(s) still active")
    if _exists(connection, "ir_config_parameter"):
        row = connection.execute(
            "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'"
        ).fetchone()
        if not row or row[0] != "true":
            problems.append("database.is_neutralized is not true")
        new_uuid = database_uuid(connection)
        if not new_uuid or new_uuid == source_uuid:
            problems.append("database.uuid is the production one")
    if problems:
        return Check("odoo-neutralized", FAIL, "; ".join(problems))
    return Check(
        "odoo-neutralized",
        PASS,
        "crons off but autovacuum, mail servers off, new database.uuid, is_neutralized",
    )
