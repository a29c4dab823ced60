"""Service configuration files: odoo.conf, postgresql.conf, pg_hba.conf, pgbouncer.ini,
redis.conf, Traefik static configuration, GitHub Actions workflows and .gitlab-ci.yml.

Each becomes a ConfigFile with its settings and the line of each. The key/value formats are
parsed here because the standard library's configparser keeps no line numbers and interpolates
`%` (which odoo.conf values may contain); YAML goes through the bounded YAML loader and TOML
through tomllib. Nothing here executes or expands anything.
"""

from __future__ import annotations

import enum
import posixpath
import re
import shlex
import tomllib
from dataclasses import dataclass
from typing import Any

from bulkhead.model import Diagnostic, Location
from bulkhead.sources.dockerfile import IGNORE_COMMENT, IgnoreComment
from bulkhead.sources.traefik_dynamic import load_toml
from bulkhead.sources.yamldoc import load_documents


class ConfigKind(enum.StrEnum):
    ODOO = "odoo.conf"
    POSTGRESQL = "postgresql.conf"
    PG_HBA = "pg_hba.conf"
    PGBOUNCER = "pgbouncer.ini"
    REDIS = "redis.conf"
    TRAEFIK_STATIC = "traefik-static"
    TRAEFIK_DYNAMIC = "traefik-dynamic"
    """A TOML file-provider configuration (YAML ones are recognized by content)."""
    GITHUB_WORKFLOW = "github-workflow"
    GITLAB_CI = "gitlab-ci"


@dataclass(frozen=True, slots=True)
class Setting:
    """One `key = value` (or `key value`) line; `tokens` holds the line split like a shell."""

    line: int
    key: str
    value: str
    section: str | None = None
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfigFile:
    kind: ConfigKind
    location: Location
    settings: tuple[Setting, ...] = ()
    document: Any = None
    """The parsed YAML or TOML data, for the structured formats."""
    ignores: tuple[IgnoreComment, ...] = ()

    def get(self, key: str, section: str | None = None) -> Setting | None:
        """The effective setting: the last one wins, as in every one of these formats."""
        found = None
        for setting in self.settings:
            if setting.key == key and (section is None or setting.section == section):
                found = setting
        return found


_WORKFLOW_DIR = ".github/workflows/"


def config_kind(display_path: str) -> ConfigKind | None:
    """The configuration format a file name (or path) announces, if any."""
    path = display_path.replace("\\", "/")
    name = posixpath.basename(path).lower()
    if _WORKFLOW_DIR in f"/{path}" and name.endswith((".yml", ".yaml")):
        return ConfigKind.GITHUB_WORKFLOW
    if name in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
        return ConfigKind.GITLAB_CI
    if name in ("odoo.conf", ".odoorc", "openerp-server.conf") or (
        name.startswith("odoo") and name.endswith(".conf")
    ):
        return ConfigKind.ODOO
    if name in ("postgresql.conf", "postgresql.auto.conf"):
        return ConfigKind.POSTGRESQL
    if name == "pg_hba.conf":
        return ConfigKind.PG_HBA
    if name == "pgbouncer.ini":
        return ConfigKind.PGBOUNCER
    if name in ("redis.conf", "valkey.conf") or (
        name.startswith("redis") and name.endswith(".conf")
    ):
        return ConfigKind.REDIS
    if name in ("traefik.yml", "traefik.yaml", "traefik.toml"):
        return ConfigKind.TRAEFIK_STATIC
    if name.endswith(".toml") and ("dynamic" in name or "traefik" in path.lower().split("/")):
        return ConfigKind.TRAEFIK_DYNAMIC
    return None


def _ignores(text: str) -> tuple[IgnoreComment, ...]:
    """`# bulkhead:ignore ID reason` before a line, or `# bulkhead:ignore-file ID reason`."""
    found: list[IgnoreComment] = []
    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if not stripped.startswith(("#", ";")):
            continue
        match = IGNORE_COMMENT.match(stripped.lstrip("#;").strip())
        if match is None:
            continue
        ids = tuple(i.strip() for i in match.group("ids").split(","))
        reason = match.group("reason").strip()
        target = None
        if not match.group("file"):
            target = next(
                (
                    n
                    for n in range(number + 1, len(lines) + 1)
                    if lines[n - 1].strip() and not lines[n - 1].strip().startswith(("#", ";"))
                ),
                number,
            )
        found.append(IgnoreComment(ids, reason, number, target))
    return tuple(found)


def parse_ini(text: str, first_line: int = 1) -> tuple[Setting, ...]:
    """INI as Odoo's and PgBouncer's configparser read it: `[section]`, `key = value` or
    `key: value`, `#`/`;` comment lines, indented continuation lines, keys lower-cased."""
    settings: list[Setting] = []
    section: str | None = None
    for offset, raw in enumerate(text.splitlines()):
        line = first_line + offset
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if raw[:1].isspace() and settings and settings[-1].section == section:
            previous = settings[-1]
            settings[-1] = Setting(
                previous.line, previous.key, f"{previous.value}\n{stripped}", section
            )
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
            continue
        key, separator, value = _split_assignment(stripped)
        if separator:
            settings.append(Setting(line, key.strip().lower(), value.strip(), section))
    return tuple(settings)


def _split_assignment(text: str) -> tuple[str, str, str]:
    positions = [p for p in (text.find("="), text.find(":")) if p != -1]
    if not positions:
        return text, "", ""
    at = min(positions)
    return text[:at], text[at], text[at + 1 :]


_PG_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?:=\s*|\s+)(.*?)\s*$")


def parse_postgresql_conf(text: str) -> tuple[Setting, ...]:
    """`name = value` or `name value`; `#` starts a comment outside single quotes."""
    settings: list[Setting] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        content = _strip_comment(raw)
        match = _PG_ASSIGNMENT.match(content)
        if match is None:
            continue
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1].replace("''", "'")
        settings.append(Setting(number, match.group(1).lower(), value))
    return tuple(settings)


def _strip_comment(line: str) -> str:
    quoted = False
    for index, char in enumerate(line):
        if char == "'":
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:index]
    return line


def _tokens(line: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(line, comments=True, posix=True))
    except ValueError:
        return tuple(line.split())


def parse_token_lines(text: str) -> tuple[Setting, ...]:
    """Whitespace-separated records (pg_hba.conf, redis.conf): key is the first token."""
    settings: list[Setting] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        tokens = _tokens(stripped)
        if tokens:
            settings.append(Setting(number, tokens[0].lower(), " ".join(tokens[1:]), tokens=tokens))
    return tuple(settings)


def parse_config_file(
    kind: ConfigKind, text: str, display: str
) -> tuple[ConfigFile | None, list[Diagnostic]]:
    """Parse one configuration file; a structured file that cannot be read is a Diagnostic."""
    location = Location(display, 1)
    ignores = _ignores(text)
    if kind in (ConfigKind.ODOO, ConfigKind.PGBOUNCER):
        return ConfigFile(kind, location, parse_ini(text), ignores=ignores), []
    if kind is ConfigKind.POSTGRESQL:
        return ConfigFile(kind, location, parse_postgresql_conf(text), ignores=ignores), []
    if kind in (ConfigKind.PG_HBA, ConfigKind.REDIS):
        return ConfigFile(kind, location, parse_token_lines(text), ignores=ignores), []
    if display.lower().endswith(".toml"):
        try:
            data: Any = load_toml(text)
        except tomllib.TOMLDecodeError as error:
            line = getattr(error, "lineno", 1) or 1
            return None, [
                Diagnostic("unparseable", Location(display, line), f"invalid TOML: {error}")
            ]
        return ConfigFile(kind, location, document=data, ignores=ignores), []
    documents, diagnostics = load_documents(text, display, yaml12=True)
    if any(d.code == "unparseable" for d in diagnostics):
        return None, diagnostics
    data = documents[0].data if documents else None
    if kind is ConfigKind.GITLAB_CI and len(documents) > 1 and _only_spec_header(data):
        data = documents[1].data  # a CI/CD component: `spec:` inputs, then `---`, then jobs
    return ConfigFile(kind, location, document=data, ignores=ignores), diagnostics


def _only_spec_header(data: Any) -> bool:
    return isinstance(data, dict) and set(data) == {"spec"}
