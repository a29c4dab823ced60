"""Configuration: `bulkhead.toml`, or `[tool.bulkhead]` in pyproject.toml. Flags override files."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bulkhead.model import Severity
from bulkhead.sources.files import DEFAULT_MAX_FILE_BYTES

CONFIG_FILE = "bulkhead.toml"
KNOWN_KEYS = frozenset(
    {
        "approved-registries",
        "select",
        "disable",
        "severity",
        "exceptions",
        "fail-on",
        "context-path",
        "namespace",
        "exclude",
        "max-file-size",
        "baseline",
    }
)


class ConfigError(Exception):
    """The configuration is invalid; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class ExceptionRule:
    """A reviewed, time-boxed acceptance of findings of one control."""

    control: str
    reason: str
    resource: str = "*"
    """Glob over `Kind/namespace/name` (cluster-scoped objects: `Kind/name`)."""
    file: str = "*"
    """Glob over the file path as reported."""
    expires: dt.date | None = None
    origin: str = ""

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True, slots=True)
class Config:
    approved_registries: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    exceptions: tuple[ExceptionRule, ...] = ()
    fail_on: Severity = Severity.HIGH
    context_path: str | None = None
    namespace: str = "default"
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_BYTES
    baseline: str | None = None
    source: str | None = None

    def with_overrides(self, **overrides: Any) -> Config:
        """Flags win over files: apply every override that was actually given."""
        return replace(self, **{k: v for k, v in overrides.items() if v not in (None, ())})


def find_config(directory: Path) -> Path | None:
    for candidate in (directory / CONFIG_FILE, directory / "pyproject.toml"):
        if candidate.is_file():
            if candidate.name == "pyproject.toml":
                data = _read_toml(candidate)
                if "bulkhead" not in data.get("tool", {}):
                    continue
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from error


def load_config(path: Path | None) -> Config:
    """Read the given file, or an empty configuration when there is none."""
    if path is None:
        return Config()
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("bulkhead", {})
    return parse_config(data, str(path))


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: expected a list of strings")


def _severity(value: Any, where: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a severity name")
    try:
        return Severity.parse(value)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None


def parse_config(data: Mapping[str, Any], source: str) -> Config:
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{source}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    values: dict[str, Any] = {"source": source}
    if "approved-registries" in data:
        values["approved_registries"] = _strings(
            data["approved-registries"], f"{source}: approved-registries"
        )
    for key in ("select", "disable", "exclude"):
        if key in data:
            values[key] = _strings(data[key], f"{source}: {key}")
    if "severity" in data:
        table = data["severity"]
        if not isinstance(table, Mapping):
            raise ConfigError(f'{source}: severity: expected a table of CONTROL = "severity"')
        values["severity"] = {
            str(k): _severity(v, f"{source}: severity.{k}") for k, v in table.items()
        }
    if "fail-on" in data:
        values["fail_on"] = _severity(data["fail-on"], f"{source}: fail-on")
    for key, attribute in (
        ("context-path", "context_path"),
        ("namespace", "namespace"),
        ("baseline", "baseline"),
    ):
        if key in data:
            if not isinstance(data[key], str) or not data[key]:
                raise ConfigError(f"{source}: {key}: expected a non-empty string")
            values[attribute] = data[key]
    if "max-file-size" in data:
        size = data["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ConfigError(f"{source}: max-file-size: expected a positive number of bytes")
        values["max_file_size"] = size
    if "exceptions" in data:
        values["exceptions"] = _exceptions(data["exceptions"], source)
    return Config(**values)


def _exceptions(raw: Any, source: str) -> tuple[ExceptionRule, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{source}: exceptions: expected an array of tables ([[exceptions]])")
    rules: list[ExceptionRule] = []
    for index, entry in enumerate(raw):
        where = f"{source}: exceptions[{index}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: expected a table")
        unknown = sorted(set(entry) - {"control", "reason", "resource", "file", "expires"})
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
        control, reason = entry.get("control"), entry.get("reason")
        if not isinstance(control, str) or not control:
            raise ConfigError(f"{where}: control is required")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where}: reason is required (say why the risk is accepted)")
        expires = entry.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise ConfigError(f"{where}: expires: expected YYYY-MM-DD") from None
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        if expires is not None and not isinstance(expires, dt.date):
            raise ConfigError(f"{where}: expires: expected YYYY-MM-DD")
        rules.append(
            ExceptionRule(
                control=control,
                reason=reason.strip(),
                resource=str(entry.get("resource", "*")),
                file=str(entry.get("file", "*")),
                expires=expires,
                origin=where,
            )
        )
    return tuple(rules)
