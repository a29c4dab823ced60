"""The platform definition (`bulkhead.yaml`): a pydantic v2 model, its rules and effective settings.

One file describes the platform (domain, registries, secret store, clusters and node pools,
ingress, backup storage, GitOps conventions), its tiers (service levels with sizing, backup and
change-window defaults) and its tenants (risk profile, image, environments with overrides,
windows, egress allowlist, business processes with RTO/RPO). docs/platform.md is the user guide.

Validation happens in two passes, both inside `Platform.model_validate`:

1. field validation: types, formats (durations, quantities, cron, names, image digests) and
   unknown keys, reported by pydantic with the location of the offending key;
2. cross-field rules (`_rule_issues`), run once every field is valid: references between
   sections, prod guardrails, RPO against the backup schedule, unique hostnames, tenancy-
   dependent rules. Each broken rule carries the exact path of the value that breaks it (the
   layer where that value was set: tier default, tier environment, tenant or tenant
   environment); they travel in one `platform_rules` error whose context holds every
   `(path, message)` pair, and `bulkhead.platform.load` reports them one per line.

`effective_environment` resolves tier defaults, tier environment overrides, tenant settings and
tenant environment overrides into an `EffectiveEnvironment`: everything a renderer needs, with
derived names (namespace, hostnames, CloudNativePG cluster, Argo CD project and application).
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import functools
import ipaddress
import itertools
import math
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from croniter import croniter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bulkhead.gate import PromotionPolicy
from bulkhead.model import render_path

SCHEMA_VERSION = 1
JSON_SCHEMA_ID = "https://bulkhead.dev/schemas/bulkhead.schema.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

TENANT_NAME_MAX = 30
"""Tenant names stay short so `<tenant>-<environment>-...` names fit Kubernetes' 63 characters."""
DNS_LABEL_MAX = 63
MAX_DURATION_SECONDS = 366 * 86_400
DEFAULT_WAL_ARCHIVE_TIMEOUT = 300
"""CloudNativePG's default `archive_timeout` (5min): the worst-case loss with WAL archiving."""
PROD_MIN_POSTGRES_INSTANCES = 2
SUPPORTED_ODOO_VERSIONS = ("16.0", "17.0", "18.0", "19.0")

Loc = tuple[str | int, ...]
"""A path in the definition as pydantic reports it: `("tenants", 2, "environments", "prod")`."""
Issue = tuple[Loc, str]


# --------------------------------------------------------------------------------------------
# Value formats: durations, quantities, cron, names
# --------------------------------------------------------------------------------------------

_DURATION_RE = re.compile(
    r"(?:([0-9]{1,9})w)?(?:([0-9]{1,9})d)?(?:([0-9]{1,9})h)?(?:([0-9]{1,9})m)?(?:([0-9]{1,9})s)?"
)
_DURATION_UNITS = (604_800, 86_400, 3_600, 60, 1)
_DURATION_HELP = "must be a duration such as 90s, 15m, 4h, 1d or 1h30m, or a number of seconds"


def parse_duration(value: object) -> int:
    """`"15m"` -> 900, `"1h30m"` -> 5400, `"1d"` -> 86400; an integer is a number of seconds.

    Units: w, d, h, m (minutes), s, largest first. Bounded to 0..366 days.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{_DURATION_HELP} (got {_show(value)})")
    if isinstance(value, int):
        seconds = value
    else:
        text = value.strip()
        if re.fullmatch(r"[0-9]{1,12}", text):
            seconds = int(text)
        else:
            match = _DURATION_RE.fullmatch(text)
            if not text or match is None:
                raise ValueError(f"{_DURATION_HELP} (got {value!r})")
            seconds = sum(
                int(group) * unit
                for group, unit in zip(match.groups(), _DURATION_UNITS, strict=True)
                if group
            )
    if seconds < 0:
        raise ValueError(f"must not be negative (got {value})")
    if seconds > MAX_DURATION_SECONDS:
        raise ValueError(f"must be at most 366d (got {_show(value)})")
    return seconds


def format_duration(seconds: int) -> str:
    """The canonical spelling of a duration: 5400 -> `"1h30m"`, 86400 -> `"1d"`, 0 -> `"0s"`."""
    if seconds <= 0:
        return "0s"
    parts: list[str] = []
    rest = seconds
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


_CPU_RE = re.compile(r"(?:[0-9]{1,9}(?:\.[0-9]{1,9})?|[0-9]{1,12}m)")
_MEMORY_RE = re.compile(r"([0-9]{1,15}(?:\.[0-9]{1,9})?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")
_MEMORY_FACTORS = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}


def _number_text(value: object) -> object:
    """YAML numbers as Kubernetes would print them: 2 -> "2", 0.5 -> "0.5"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


@functools.lru_cache(maxsize=4096)
def cpu_millicores(quantity: str) -> int:
    """A CPU quantity in millicores: `"500m"` -> 500, `"2"` -> 2000, `"0.25"` -> 250."""
    text = quantity.strip()
    if not _CPU_RE.fullmatch(text):
        raise ValueError(f"must be a CPU quantity such as 250m, 0.5 or 2 (got {_show(quantity)})")
    if text.endswith("m"):
        return int(text[:-1])
    millis = Decimal(text) * 1000
    if millis != millis.to_integral_value():
        raise ValueError(f"must be a whole number of millicores (got {quantity!r})")
    return int(millis)


@functools.lru_cache(maxsize=4096)
def memory_bytes(quantity: str) -> int:
    """A memory or storage quantity in bytes: `"2Gi"` -> 2147483648, `"500M"` -> 500000000."""
    match = _MEMORY_RE.fullmatch(quantity.strip())
    if match is None:
        raise ValueError(
            "must be a size such as 512Mi, 2Gi or 100G (Kubernetes quantity) "
            f"(got {_show(quantity)})"
        )
    try:
        amount = Decimal(match.group(1)) * _MEMORY_FACTORS[match.group(2)]
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"not a number: {quantity!r}") from None
    if amount != amount.to_integral_value():
        raise ValueError(f"must be a whole number of bytes (got {quantity!r})")
    return int(amount)


def _cpu_input(value: object) -> str:
    text = _number_text(value)
    if not isinstance(text, str):
        raise ValueError(f"must be a CPU quantity such as 250m, 0.5 or 2 (got {_show(value)})")
    text = text.strip()
    if cpu_millicores(text) <= 0:
        raise ValueError(f"must be greater than 0 (got {text!r})")
    return text


def _memory_input(value: object) -> str:
    text = _number_text(value)
    if not isinstance(text, str):
        raise ValueError(f"must be a size such as 512Mi or 2Gi (got {_show(value)})")
    text = text.strip()
    if memory_bytes(text) <= 0:
        raise ValueError(f"must be greater than 0 (got {text!r})")
    return text


_CRON_FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
_CRON_CHARS = re.compile(r"[0-9A-Za-z*,/-]+")
_MONTH_NAMES = frozenset(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
)
_DAY_NAMES = frozenset(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))
_CRON_REFERENCE_DAY = dt.date(2024, 1, 1)  # a Monday; 2024 is a leap year
_CRON_LONG_SPAN_DAYS = 28 * 366  # weekday and leap-year patterns repeat within 28 years


@functools.lru_cache(maxsize=1024)
def check_cron(expression: str) -> str:
    """Validate a standard 5-field cron expression; return it with single spaces.

    Only what both Argo CD (robfig/cron) and CloudNativePG read the same way is accepted:
    numbers, `*`, ranges, lists, steps, and month/day names. No seconds field (the renderer
    adds it for CloudNativePG), no `@daily`, no `L`, `W`, `#` or `H`; day-of-week is 0-6.
    """
    fields = expression.split()
    if len(fields) != 5:
        hint = (
            "; write the 5-field form, the renderer adds the seconds field CloudNativePG needs"
            if len(fields) == 6
            else ""
        )
        raise ValueError(
            "must be a cron expression with 5 fields (minute hour day-of-month month "
            f"day-of-week), got {len(fields)} in {expression!r}{hint}"
        )
    for index, field in enumerate(fields):
        label = _CRON_FIELDS[index]
        if not _CRON_CHARS.fullmatch(field):
            raise ValueError(
                f"cron {label} field {field!r}: only numbers, names, *, ranges (-), lists (,) "
                "and steps (/) are portable between Argo CD and CloudNativePG"
            )
        allowed = _MONTH_NAMES if index == 3 else _DAY_NAMES if index == 4 else frozenset()
        for word in re.findall(r"[A-Za-z]+", field):
            if word.lower() not in allowed:
                raise ValueError(
                    f"cron {label} field {field!r}: {word!r} is not portable between Argo CD "
                    "and CloudNativePG"
                )
        if index == 4:
            for part in field.split(","):
                values = part.split("/", 1)[0]
                if any(int(n) > 6 for n in re.findall(r"[0-9]+", values)):
                    raise ValueError(
                        f"cron day-of-week field {field!r}: days run 0-6 (0 is Sunday)"
                    )
    normalized = " ".join(fields)
    if not croniter.is_valid(normalized):
        raise ValueError(f"{expression!r} is not a valid cron expression")
    longest_gap(normalized)  # raises if the schedule never fires (31 February)
    return normalized


def _cron_set(values: Sequence[object], full: range) -> list[int]:
    if list(values) == ["*"]:
        return list(full)
    return sorted({int(str(v)) for v in values})


@functools.lru_cache(maxsize=1024)
def longest_gap(schedule: str) -> int:
    """The longest interval, in seconds, between two consecutive runs of a cron schedule (UTC).

    croniter expands the fields; the runs are then laid out over one week when the schedule
    repeats weekly (day-of-month and month are `*`), and over 28 years otherwise (monthly and
    yearly schedules, leap days), including the wrap from the last run of the week to the first
    run of the next. Day-of-month and day-of-week both restricted means either matches (cron).
    """
    fields = croniter.expand(schedule)[0]
    minutes = _cron_set(fields[0], range(60))
    hours = _cron_set(fields[1], range(24))
    times = sorted(h * 3600 + m * 60 for h in hours for m in minutes)
    dom_any, month_any, dow_any = (list(f) == ["*"] for f in fields[2:5])
    doms = set(_cron_set(fields[2], range(1, 32)))
    months = set(_cron_set(fields[3], range(1, 13)))
    dows = {d % 7 for d in _cron_set(fields[4], range(7))}
    weekly = dom_any and month_any
    span = 7 if weekly else _CRON_LONG_SPAN_DAYS
    days: list[int] = []
    for offset in range(span):
        day = _CRON_REFERENCE_DAY + dt.timedelta(days=offset)
        if day.month not in months:
            continue
        dom_ok = day.day in doms
        dow_ok = (day.weekday() + 1) % 7 in dows
        if dom_any and dow_any:
            matches = True
        elif dom_any:
            matches = dow_ok
        elif dow_any:
            matches = dom_ok
        else:
            matches = dom_ok or dow_ok
        if matches:
            days.append(offset)
    if not days or not times:
        raise ValueError(f"cron schedule {schedule!r} never runs")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    day_change = times[0] - times[-1]
    gaps.extend((b - a) * 86_400 + day_change for a, b in itertools.pairwise(days))
    if weekly:
        gaps.append((days[0] + 7 - days[-1]) * 86_400 + day_change)
    elif len(days) == 1:
        gaps.append(span * 86_400)
    return max(gaps)


_DNS_LABEL_RE = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_HOST_LABEL_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_LABEL_NAME_RE = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_ADDON_RE = re.compile(r"[a-z][a-z0-9_]*")
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_VERSION_TAG_RE = re.compile(r"v?[0-9]+(\.[0-9]+){1,3}([-+][0-9A-Za-z.-]+)?")
_SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REPO_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = (
    r"(?:localhost|[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)+)"
    r"(?::[0-9]{1,5})?"
)
_IMAGE_RE = re.compile(
    rf"(?P<registry>{_REGISTRY})/(?P<repository>{_REPO_COMPONENT}(?:/{_REPO_COMPONENT})*)"
    r"@sha256:(?P<digest>[0-9a-f]{64})"
)
_REGISTRY_ENTRY_RE = re.compile(rf"{_REGISTRY}(?:/{_REPO_COMPONENT})*")
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]*)\}")


def _dns_label(value: str, *, max_length: int = DNS_LABEL_MAX, what: str = "name") -> str:
    if len(value) > max_length:
        raise ValueError(
            f"{what} must be at most {max_length} characters (got {len(value)}: {value!r})"
        )
    if not _DNS_LABEL_RE.fullmatch(value):
        raise ValueError(
            f"{what} must be a DNS label: lowercase letters, digits and '-', starting with a "
            f"letter and ending with a letter or digit (got {value!r})"
        )
    return value


def _name(value: str) -> str:
    return _dns_label(value)


def _tenant_name(value: str) -> str:
    _dns_label(value, max_length=TENANT_NAME_MAX, what="tenant name")
    if value == "kube" or value.startswith("kube-"):
        raise ValueError(f"tenant name {value!r}: the kube- prefix is reserved by Kubernetes")
    return value


def _hostname(value: str) -> str:
    host = value.rstrip(".")
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or any(
            len(label) > DNS_LABEL_MAX or not _HOST_LABEL_RE.fullmatch(label) for label in labels
        )
    ):
        raise ValueError(
            "must be a lowercase DNS name with at least two labels, such as "
            f"erp.example.com (got {value!r})"
        )
    return host


def _egress_host(value: str) -> str:
    if value.startswith("*."):
        return "*." + _hostname(value[2:])
    return _hostname(value)


def _label_key(value: str) -> str:
    prefix, slash, name = value.rpartition("/")
    if (
        len(name) > DNS_LABEL_MAX
        or not _LABEL_NAME_RE.fullmatch(name)
        or (slash and (not prefix or len(prefix) > 253))
    ):
        raise ValueError(
            f"must be a Kubernetes label key such as bulkhead.io/node-pool (got {value!r})"
        )
    if slash and "." in prefix:
        _hostname(prefix)
    elif slash:
        _dns_label(prefix, what="label prefix")
    return value


def _label_value(value: str) -> str:
    if len(value) > DNS_LABEL_MAX or (value and not _LABEL_NAME_RE.fullmatch(value)):
        raise ValueError(f"must be a Kubernetes label value (got {value!r})")
    return value


def _addon(value: str) -> str:
    if len(value) > 64 or not _ADDON_RE.fullmatch(value):
        raise ValueError(
            "must be an Odoo module's technical name: lowercase letters, digits and '_' "
            f"(got {value!r})"
        )
    return value


def _time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"must be an IANA time zone such as UTC or Europe/Stockholm (got {value!r})"
        ) from None
    return value


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"must be an https:// URL (got {value!r})")
    if parts.username or parts.password:
        raise ValueError("must not embed credentials: keep them in the secret store")
    return value


def _git_url(value: str) -> str:
    if value.startswith("https://"):
        return _https_url(value)
    if value.startswith("ssh://") or re.fullmatch(r"[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+", value):
        if re.search(r"\s", value) or ":" in value.split("@", 1)[0]:
            raise ValueError(f"must be a Git URL without credentials (got {value!r})")
        return value
    raise ValueError(
        "must be a Git repository URL: https://host/org/repo.git, ssh://git@host/org/repo.git "
        f"or git@host:org/repo.git (got {value!r})"
    )


def _bucket(value: str) -> str:
    if not _BUCKET_RE.fullmatch(value) or ".." in value:
        raise ValueError(
            f"must be a bucket name: 3-63 lowercase letters, digits, '.' and '-' (got {value!r})"
        )
    return value


def _path_prefix(value: str) -> str:
    if value.startswith("/") or ".." in value.split("/") or re.search(r"\s", value):
        raise ValueError(f"must be a relative path without '..' or spaces (got {value!r})")
    return value.strip("/")


def _release(value: str) -> str:
    if _SHA_RE.fullmatch(value) or _VERSION_TAG_RE.fullmatch(value):
        return value
    raise ValueError(
        "must pin the GitOps revision: a version tag such as v2025.6.2 or a full commit SHA, "
        f"never a branch (got {value!r})"
    )


def _odoo_version(value: object) -> object:
    if isinstance(value, float | int) and not isinstance(value, bool):
        value = f"{float(value):.1f}"
    if isinstance(value, str) and value not in SUPPORTED_ODOO_VERSIONS:
        raise ValueError(f"must be one of {', '.join(SUPPORTED_ODOO_VERSIONS)} (got {value!r})")
    return value


@dataclass(frozen=True, slots=True)
class ImageRef:
    registry: str
    repository: str
    digest: str

    @property
    def location(self) -> str:
        return f"{self.registry}/{self.repository}"


def parse_image(reference: str) -> ImageRef:
    """`registry.example.com/odoo/nordfreight@sha256:<64 hex>` -> its parts; ValueError if not."""
    match = _IMAGE_RE.fullmatch(reference)
    if match is not None:
        return ImageRef(match["registry"], match["repository"], match["digest"])
    if "@sha256:" not in reference:
        raise ValueError(
            "must be pinned by digest: <registry>/<repository>@sha256:<64 hex digits> "
            f"(got {reference!r})"
        )
    name, _, digest = reference.partition("@sha256:")
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        raise ValueError(f"the digest must be 64 lowercase hex digits (got {reference!r})")
    if ":" in name.rsplit("/", 1)[-1]:
        raise ValueError(f"reference the image by digest only, without a tag (got {reference!r})")
    raise ValueError(
        "must name the registry explicitly: <registry>/<repository>@sha256:<64 hex digits>, "
        f"with a lowercase registry host such as registry.example.com (got {reference!r})"
    )


def _gpg_key(value: str) -> str:
    if not re.fullmatch(r"[0-9A-F]{16,40}", value):
        raise ValueError(
            f"must be a GPG key ID or fingerprint: 16 to 40 uppercase hex digits (got {value!r})"
        )
    return value


def _image(value: str) -> str:
    parse_image(value)
    return value


def _registry_entry(value: str) -> str:
    entry = value.strip().rstrip("/")
    for scheme in ("https://", "http://"):
        if entry.startswith(scheme):
            entry = entry[len(scheme) :]
    if not _REGISTRY_ENTRY_RE.fullmatch(entry):
        raise ValueError(
            "must be a registry host, optionally with a path prefix, such as "
            f"registry.example.com or registry.example.com/odoo (got {value!r})"
        )
    return entry


def registry_approved(image: str, registries: Iterable[str]) -> bool:
    """Whether an image's registry and repository fall under one of the approved entries.

    Matching is on whole host and path segments, as in control IM003: `registry.example.com/odoo`
    approves `registry.example.com/odoo/nordfreight`, not `registry.example.com/odoo-fork`.
    """
    location = parse_image(image).location
    return any(location == entry or location.startswith(f"{entry}/") for entry in registries)


def _template(*required: str, allowed: tuple[str, ...] = ("tenant", "environment", "tier")) -> Any:
    def check(value: str) -> str:
        names = _PLACEHOLDER_RE.findall(value)
        unknown = sorted({n for n in names if n not in allowed})
        if unknown:
            known = ", ".join(f"{{{a}}}" for a in allowed)
            raise ValueError(f"unknown placeholder {{{unknown[0]}}}; use {known}")
        missing = [r for r in required if r not in names]
        if missing:
            raise ValueError(f"must contain {{{missing[0]}}} so every result is distinct")
        if re.search(r"[{}]", _PLACEHOLDER_RE.sub("", value)):
            raise ValueError(f"unbalanced braces in {value!r}")
        return value

    return AfterValidator(check)


def _show(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return repr(value)
    return str(value)


# --------------------------------------------------------------------------------------------
# Annotated types (validation + JSON Schema)
# --------------------------------------------------------------------------------------------

_DURATION_PATTERN = "^([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$"

Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": _DURATION_PATTERN, "minLength": 1},
                {"type": "integer", "minimum": 0},
            ],
            "examples": ["15m", "4h", "1d", "1h30m", 900],
        }
    ),
]
"""A duration in seconds, written `15m`, `4h`, `1d`, `1h30m` or as a number of seconds."""
PositiveDuration = Annotated[Duration, Field(gt=0)]

CpuQuantity = Annotated[
    str,
    BeforeValidator(_cpu_input),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^([0-9]+(\.[0-9]+)?|[0-9]+m)$"},
                {"type": "number", "exclusiveMinimum": 0},
            ],
            "examples": ["250m", "1", "2"],
        }
    ),
]
MemoryQuantity = Annotated[
    str,
    BeforeValidator(_memory_input),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$",
                },
                {"type": "integer", "exclusiveMinimum": 0},
            ],
            "examples": ["512Mi", "2Gi", "50Gi"],
        }
    ),
]
CronSchedule = Annotated[
    str,
    AfterValidator(check_cron),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*\S+(\s+\S+){4}\s*$",
            "examples": ["0 */6 * * *", "30 2 * * *", "0 20 * * 1-5"],
        }
    ),
]
_DNS_LABEL_SCHEMA = {"type": "string", "pattern": "^[a-z]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}
Name = Annotated[str, AfterValidator(_name), WithJsonSchema(_DNS_LABEL_SCHEMA)]
TenantName = Annotated[
    str,
    AfterValidator(_tenant_name),
    WithJsonSchema({**_DNS_LABEL_SCHEMA, "maxLength": TENANT_NAME_MAX}),
]
Hostname = Annotated[
    str,
    AfterValidator(_hostname),
    WithJsonSchema({"type": "string", "maxLength": 253, "examples": ["erp.example.com"]}),
]
EgressHost = Annotated[
    str,
    AfterValidator(_egress_host),
    WithJsonSchema({"type": "string", "maxLength": 255, "examples": ["api.carrier.example"]}),
]
LabelKey = Annotated[str, AfterValidator(_label_key), WithJsonSchema({"type": "string"})]
LabelValue = Annotated[
    str, AfterValidator(_label_value), WithJsonSchema({"type": "string", "maxLength": 63})
]
AddonName = Annotated[
    str,
    AfterValidator(_addon),
    WithJsonSchema({"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "maxLength": 64}),
]
TimeZone = Annotated[
    str, AfterValidator(_time_zone), WithJsonSchema({"type": "string", "examples": ["UTC"]})
]
HttpsUrl = Annotated[
    str, AfterValidator(_https_url), WithJsonSchema({"type": "string", "pattern": "^https://"})
]
GitUrl = Annotated[str, AfterValidator(_git_url), WithJsonSchema({"type": "string"})]
BucketName = Annotated[
    str,
    AfterValidator(_bucket),
    WithJsonSchema({"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"}),
]
PathPrefix = Annotated[str, AfterValidator(_path_prefix), WithJsonSchema({"type": "string"})]
Release = Annotated[
    str,
    AfterValidator(_release),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(v?[0-9]+(\.[0-9]+){1,3}([-+][0-9A-Za-z.-]+)?"
            r"|[0-9a-f]{40}|[0-9a-f]{64})$",
        }
    ),
]
ImageReference = Annotated[
    str,
    AfterValidator(_image),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[^@\\s]+/[^@\\s]+@sha256:[0-9a-f]{64}$",
            "examples": ["registry.example.com/odoo/base@sha256:" + "0" * 64],
        }
    ),
]
RegistryEntry = Annotated[
    str,
    AfterValidator(_registry_entry),
    WithJsonSchema({"type": "string", "examples": ["registry.example.com"]}),
]
OdooVersion = Annotated[
    str,
    BeforeValidator(_odoo_version),
    WithJsonSchema({"type": "string", "enum": list(SUPPORTED_ODOO_VERSIONS)}),
]
GpgKeyId = Annotated[
    str,
    AfterValidator(_gpg_key),
    WithJsonSchema({"type": "string", "pattern": "^[0-9A-F]{16,40}$"}),
]
Replicas = Annotated[StrictInt, Field(ge=1, le=100)]
Count = Annotated[StrictInt, Field(ge=0, le=10_000)]
Port = Annotated[StrictInt, Field(ge=1, le=65_535)]


def _unique(items: Sequence[Any]) -> Sequence[Any]:
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"duplicate entry {_show(item)}")
        seen.add(item)
    return items


# --------------------------------------------------------------------------------------------
# Enumerations
# --------------------------------------------------------------------------------------------


class EnvironmentName(enum.StrEnum):
    """The environments a tenant may have. Only `prod` is production."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


ENVIRONMENT_ORDER = (EnvironmentName.DEV, EnvironmentName.STAGING, EnvironmentName.PROD)


class TenancyChoice(enum.StrEnum):
    """What a tenant declares: `auto` lets the tenancy advisor decide."""

    SHARED = "shared"
    DEDICATED = "dedicated"
    AUTO = "auto"


class Tenancy(enum.StrEnum):
    """Where a tenant runs once `auto` is resolved."""

    SHARED = "shared"
    DEDICATED = "dedicated"


class ComplianceRegime(enum.StrEnum):
    GDPR = "gdpr"
    GDPR_SPECIAL_CATEGORY = "gdpr-special-category"
    PCI_DSS = "pci-dss"
    HIPAA = "hipaa"
    SOC2 = "soc2"
    ISO27001 = "iso27001"
    NIS2 = "nis2"
    TISAX = "tisax"
    SOX = "sox"


class Sensitivity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    RESTRICTED = "restricted"


class Priority(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class WindowKind(enum.StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class SecretStoreProvider(enum.StrEnum):
    VAULT = "vault"
    AWS_SECRETS_MANAGER = "aws-secrets-manager"
    AWS_PARAMETER_STORE = "aws-parameter-store"
    GCP_SECRET_MANAGER = "gcp-secret-manager"  # noqa: S105 (a provider name)
    AZURE_KEY_VAULT = "azure-key-vault"
    KUBERNETES = "kubernetes"


class SecretStoreKind(enum.StrEnum):
    CLUSTER_SECRET_STORE = "ClusterSecretStore"  # noqa: S105 (a kind)
    SECRET_STORE = "SecretStore"  # noqa: S105 (a kind)


class IssuerKind(enum.StrEnum):
    CLUSTER_ISSUER = "ClusterIssuer"
    ISSUER = "Issuer"


class ObjectStorageProvider(enum.StrEnum):
    S3 = "s3"
    GCS = "gcs"
    AZURE = "azure"


class EgressKind(enum.StrEnum):
    CARRIER_API = "carrier-api"
    EDI = "edi"
    PAYMENT = "payment"
    BANK = "bank"
    MARKETPLACE = "marketplace"
    EMAIL = "email"
    OTHER = "other"


class TaintEffect(enum.StrEnum):
    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


AUTO_SCHEDULE = "auto"


def _check_backup_schedule(expression: str) -> str:
    return AUTO_SCHEDULE if expression.strip() == AUTO_SCHEDULE else check_cron(expression)


BackupSchedule = Annotated[
    str,
    AfterValidator(_check_backup_schedule),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*\S+(\s+\S+){4}\s*$"},
                {"const": AUTO_SCHEDULE},
            ],
            "examples": ["auto", "0 */6 * * *", "30 2 * * *"],
        }
    ),
]
# From the least to the most frequent: (longest gap in seconds, cron schedule in UTC).
_DERIVED_SCHEDULES = (
    (86_400, "0 2 * * *"),
    (43_200, "0 */12 * * *"),
    (28_800, "0 */8 * * *"),
    (21_600, "0 */6 * * *"),
    (14_400, "0 */4 * * *"),
    (10_800, "0 */3 * * *"),
    (7_200, "0 */2 * * *"),
    (3_600, "0 * * * *"),
    (1_800, "*/30 * * * *"),
    (1_200, "*/20 * * * *"),
    (900, "*/15 * * * *"),
    (600, "*/10 * * * *"),
    (300, "*/5 * * * *"),
)


def derived_backup_schedule(strictest_rpo: int | None, wal_archiving: bool) -> str:
    """The least frequent schedule whose longest gap is within the strictest RPO.

    With WAL archiving the RPO is met by archiving, and base backups run daily; without any
    business process, daily too. An RPO under five minutes cannot be met by base backups:
    the most frequent schedule is returned, and the RPO rule asks for WAL archiving.
    """
    if wal_archiving or strictest_rpo is None:
        return _DERIVED_SCHEDULES[0][1]
    for gap, schedule in _DERIVED_SCHEDULES:
        if gap <= strictest_rpo:
            return schedule
    return _DERIVED_SCHEDULES[-1][1]


def _backup_schedule(declared: str, processes: Sequence[BusinessProcess], wal: bool) -> str:
    if declared != AUTO_SCHEDULE:
        return declared
    return derived_backup_schedule(min((p.rpo for p in processes), default=None), wal)


class TimeWindow(_Model):
    """A recurring window: starts on each `schedule` match and lasts `duration`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule: CronSchedule = Field(
        description="Cron expression (5 fields: minute hour day-of-month month day-of-week) "
        "for the window's start, read in `time_zone`."
    )
    duration: PositiveDuration = Field(description="How long the window stays open (e.g. 3h).")
    time_zone: TimeZone | None = Field(
        default=None,
        description="IANA time zone of the schedule; defaults to platform.time_zone.",
    )


class SyncWindow(TimeWindow):
    """A change or maintenance window; rendered as an Argo CD AppProject sync window."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: WindowKind = Field(
        default=WindowKind.ALLOW,
        description="`allow`: syncs may run inside the window (and, if any allow window "
        "exists, only inside one); `deny`: no sync inside it (a freeze); deny wins.",
    )
    manual_sync: StrictBool = Field(
        default=False,
        description="Argo CD manualSync: let an operator sync by hand when the window would "
        "otherwise block it (emergency fixes).",
    )
    description: str = Field(default="", max_length=200, description="What the window is for.")


class OffHours(_Model):
    """Environment scheduling: scale a non-production environment down off hours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    windows: tuple[TimeWindow, ...] = Field(
        min_length=1,
        description="When the environment is scaled down (e.g. nights: `0 19 * * 1-5` for "
        "13h, weekends: `0 19 * * 5` for 61h).",
    )
    replicas: StrictInt = Field(
        default=0, ge=0, le=100, description="Odoo replicas while scaled down (0 parks it)."
    )


class Requests(_Model):
    """Resource requests of one pod (what the scheduler reserves)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpu: CpuQuantity = Field(description="CPU request, e.g. 500m or 2.")
    memory: MemoryQuantity = Field(description="Memory request, e.g. 1Gi.")


class Limits(_Model):
    """Resource limits of one pod. A memory limit is mandatory; a CPU limit is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    memory: MemoryQuantity = Field(description="Memory limit (>= the request).")
    cpu: CpuQuantity | None = Field(
        default=None, description="Optional CPU limit (>= the request); omit to avoid throttling."
    )


class ComputeResources(_Model):
    """Requests and limits of one pod."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: Requests
    limits: Limits


class RequestsOverride(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cpu: CpuQuantity | None = Field(default=None, description="CPU request override.")
    memory: MemoryQuantity | None = Field(default=None, description="Memory request override.")


class LimitsOverride(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    memory: MemoryQuantity | None = Field(default=None, description="Memory limit override.")
    cpu: CpuQuantity | None = Field(default=None, description="CPU limit override.")


class ResourcesOverride(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: RequestsOverride | None = None
    limits: LimitsOverride | None = None


class PostgresSettings(_Model):
    """The CloudNativePG cluster of each environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instances: StrictInt = Field(
        ge=1, le=9, description="PostgreSQL instances (1 primary + standbys); prod needs >= 2."
    )
    storage: MemoryQuantity = Field(description="Data volume size per instance, e.g. 20Gi.")
    wal_storage: MemoryQuantity | None = Field(
        default=None, description="Separate WAL volume size per instance (cannot be removed later)."
    )
    storage_class: Name | None = Field(
        default=None, description="StorageClass for the volumes; defaults to the cluster's."
    )
    resources: ComputeResources = Field(description="Requests and limits per PostgreSQL pod.")


class PostgresOverride(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instances: StrictInt | None = Field(default=None, ge=1, le=9)
    storage: MemoryQuantity | None = None
    wal_storage: MemoryQuantity | None = None
    storage_class: Name | None = None
    resources: ResourcesOverride | None = None


class BackupSettings(_Model):
    """Scheduled base backups to object storage, with optional continuous WAL archiving."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule: BackupSchedule = Field(
        description="Cron schedule (UTC, 5 fields) of base backups, or `auto`: derived from "
        "the strictest RPO of the tenant's business processes (daily with WAL archiving). "
        "Without WAL archiving, every business process RPO must be >= the longest gap "
        "between two runs."
    )
    retention: PositiveDuration = Field(
        description="How long backups are kept, in whole days (e.g. 30d); at least the longest "
        "gap between two backups."
    )
    wal_archiving: StrictBool = Field(
        default=False,
        description="Continuous WAL archiving to object storage: the worst-case loss becomes "
        "wal_archive_timeout instead of the backup interval, and point-in-time recovery works.",
    )
    wal_archive_timeout: PositiveDuration = Field(
        default=DEFAULT_WAL_ARCHIVE_TIMEOUT,
        description="PostgreSQL archive_timeout: the longest a WAL segment waits before it is "
        "archived (CloudNativePG's default is 5m). Only used with wal_archiving.",
    )


class BackupOverride(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule: BackupSchedule | None = None
    retention: PositiveDuration | None = None
    wal_archiving: StrictBool | None = None
    wal_archive_timeout: PositiveDuration | None = None


class EgressRule(_Model):
    """One allowed outbound destination of the tenant's Odoo (carrier API, EDI endpoint...)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(description="Unique name within the tenant, e.g. dhl-api.")
    kind: EgressKind = Field(default=EgressKind.OTHER, description="What the destination is.")
    host: EgressHost | None = Field(
        default=None,
        description="DNS name, or `*.domain` for its subdomains (needs an FQDN-aware "
        "network policy or egress proxy).",
    )
    cidr: str | None = Field(
        default=None, description="IP network, e.g. 203.0.113.0/28 (for EDI/VPN endpoints)."
    )
    ports: tuple[Port, ...] = Field(
        default=(443,), min_length=1, description="TCP ports (default 443)."
    )
    description: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _one_destination(self) -> EgressRule:
        if (self.host is None) == (self.cidr is None):
            raise ValueError("set exactly one of host or cidr")
        if self.cidr is not None:
            try:
                network = ipaddress.ip_network(self.cidr, strict=True)
            except ValueError as error:
                raise ValueError(f"cidr: not an IP network ({error})") from None
            if network.prefixlen == 0:
                raise ValueError("cidr: an allowlist entry must not open every destination")
        _unique(self.ports)
        return self


class BusinessProcess(_Model):
    """A business process the tenant runs on Odoo, with its recovery objectives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(
        description="warehouse, transport, customer-service, billing, or the tenant's own."
    )
    description: str = Field(default="", max_length=300)
    priority: Priority = Field(description="Recovery order: critical first.")
    rto: PositiveDuration = Field(
        description="Recovery time objective: how long the process may be down."
    )
    rpo: PositiveDuration = Field(
        description="Recovery point objective: how much recent data may be lost; must be >= "
        "what the prod backup schedule (or WAL archiving) can guarantee."
    )
    manual_workarounds: tuple[Annotated[str, Field(min_length=1, max_length=500)], ...] = Field(
        default=(),
        description="What people do while Odoo is down (printed by the drill plan).",
    )


class Customization(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    custom_modules: Count = Field(default=0, description="Custom (non-standard) Odoo modules.")
    integrations: Count = Field(
        default=0, description="External integrations (carriers, EDI partners, banks, shops)."
    )


class RiskProfile(_Model):
    """What the tenancy advisor scores (see docs/platform.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    compliance: Annotated[tuple[ComplianceRegime, ...], AfterValidator(_unique)] = Field(
        default=(), description="Compliance regimes the tenant must demonstrate."
    )
    customization: Customization = Field(default_factory=Customization)
    data_sensitivity: Sensitivity = Field(
        default=Sensitivity.MEDIUM, description="low, medium, high or restricted."
    )
    peak_orders_per_hour: StrictInt = Field(
        default=0, ge=0, le=10_000_000, description="Peak order volume (orders per hour)."
    )


class TierEnvironment(_Model):
    """Overrides for one environment; unset keys inherit from the layer below."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    release: Release | None = Field(
        default=None, description="GitOps revision (tag or commit) deployed to this environment."
    )
    replicas: Replicas | None = Field(default=None, description="Odoo web replicas.")
    workers: Count | None = Field(default=None, description="Odoo prefork workers per replica.")
    cron_threads: Count | None = Field(default=None, description="Odoo max_cron_threads.")
    limit_time_cpu: PositiveDuration | None = Field(
        default=None, description="Odoo limit_time_cpu."
    )
    limit_time_real: PositiveDuration | None = Field(
        default=None, description="Odoo limit_time_real."
    )
    resources: ResourcesOverride | None = Field(default=None, description="Odoo pod resources.")
    filestore_size: MemoryQuantity | None = Field(default=None, description="Filestore volume.")
    postgres: PostgresOverride | None = None
    backup: BackupOverride | None = None
    change_windows: tuple[SyncWindow, ...] | None = Field(
        default=None, description="Replaces the inherited change windows ([] removes them)."
    )
    maintenance_windows: tuple[SyncWindow, ...] | None = Field(
        default=None, description="Replaces the inherited maintenance windows."
    )
    cluster: Name | None = Field(default=None, description="Cluster to run this environment on.")
    node_pool: Name | None = Field(default=None, description="Node pool to run on.")
    off_hours: OffHours | None = Field(
        default=None, description="Scale down off hours (dev and staging only)."
    )


class TenantEnvironment(TierEnvironment):
    """One environment of a tenant: overrides on top of the tier and the tenant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    image: ImageReference | None = Field(
        default=None, description="Image for this environment (e.g. a release candidate)."
    )
    hostnames: tuple[Hostname, ...] | None = Field(
        default=None,
        min_length=1,
        description="Public hostnames, the first is primary; default <tenant>.<base_domain> "
        "for prod and <tenant>-<environment>.<base_domain> otherwise.",
    )
    egress: tuple[EgressRule, ...] | None = Field(
        default=None, description="Replaces the tenant's egress allowlist in this environment."
    )


class Tier(_Model):
    """A service level: complete defaults for every environment of its tenants."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(default="", max_length=300)
    release: Release = Field(
        description="The tier's release train: GitOps revision its tenants deploy."
    )
    replicas: Replicas = Field(description="Odoo web replicas.")
    min_prod_replicas: StrictInt = Field(
        default=2, ge=2, le=100, description="Guardrail: prod replicas must be at least this."
    )
    workers: Count = Field(description="Odoo prefork workers per replica (prod needs >= 1).")
    cron_threads: Count = Field(default=1, description="Odoo max_cron_threads.")
    limit_time_cpu: PositiveDuration = Field(default=60, description="Odoo limit_time_cpu.")
    limit_time_real: PositiveDuration = Field(default=120, description="Odoo limit_time_real.")
    resources: ComputeResources = Field(description="Odoo pod requests and limits.")
    filestore_size: MemoryQuantity = Field(description="Filestore volume size, e.g. 20Gi.")
    postgres: PostgresSettings
    backup: BackupSettings
    change_windows: tuple[SyncWindow, ...] = Field(
        default=(),
        description="When Argo CD may sync (the release train of shared tenants).",
    )
    maintenance_windows: tuple[SyncWindow, ...] = Field(
        default=(), description="When disruptive maintenance (module upgrades) may run."
    )
    cluster: Name | None = Field(default=None, description="Default cluster.")
    node_pool: Name | None = Field(
        default=None, description="Shared node pool of the tier's shared tenants."
    )
    environments: dict[EnvironmentName, TierEnvironment] = Field(
        default_factory=dict, description="Per-environment overrides of these defaults."
    )


class Tenant(_Model):
    """A customer organisation running Odoo on the platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: TenantName = Field(description="DNS label, at most 30 characters.")
    description: str = Field(default="", max_length=300)
    tier: Name = Field(description="Name of a tier under `tiers`.")
    tenancy: TenancyChoice = Field(
        default=TenancyChoice.AUTO,
        description="shared, dedicated, or auto (the tenancy advisor decides).",
    )
    risk: RiskProfile = Field(default_factory=RiskProfile)
    odoo_version: OdooVersion = Field(description='Odoo series, e.g. "18.0".')
    image: ImageReference = Field(
        description="<registry>/<repository>@sha256:<64 hex>, from an approved registry."
    )
    addons: Annotated[tuple[AddonName, ...], AfterValidator(_unique)] = Field(
        default=(), description="Odoo modules to install."
    )
    environments: dict[EnvironmentName, TenantEnvironment] = Field(
        min_length=1, description="dev, staging and/or prod, each with overrides ({} for none)."
    )
    release: Release | None = Field(
        default=None, description="Own GitOps revision (dedicated tenants only)."
    )
    change_windows: tuple[SyncWindow, ...] | None = Field(
        default=None, description="Own change windows (dedicated tenants only)."
    )
    maintenance_windows: tuple[SyncWindow, ...] | None = Field(
        default=None, description="Maintenance windows for every environment of the tenant."
    )
    egress: tuple[EgressRule, ...] = Field(
        default=(), description="Integration egress allowlist (carrier APIs, EDI endpoints)."
    )
    processes: tuple[BusinessProcess, ...] = Field(
        default=(), description="Business processes with RTO, RPO and priority."
    )
    cluster: Name | None = Field(default=None, description="Default cluster of the tenant.")
    node_pool: Name | None = Field(default=None, description="Node pool of the tenant.")


class Taint(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: LabelKey
    value: LabelValue = ""
    effect: TaintEffect = TaintEffect.NO_SCHEDULE


class NodeSize(_Model):
    """Allocatable capacity of one node of a pool."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpu: CpuQuantity
    memory: MemoryQuantity


class NodePool(_Model):
    """A group of identical nodes; a pool with `dedicated_to` serves one tenant only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(description="Value of the node-pool label on its nodes.")
    node_size: NodeSize = Field(description="Allocatable CPU and memory per node.")
    min_nodes: StrictInt = Field(default=1, ge=0, le=1000)
    max_nodes: StrictInt = Field(default=10, ge=1, le=1000)
    dedicated_to: TenantName | None = Field(
        default=None,
        description="Tenant that owns the pool; its nodes carry the dedicated taint.",
    )
    taints: tuple[Taint, ...] = Field(
        default=(), description="Extra taints of the pool's nodes (tolerated by its tenants)."
    )

    @model_validator(mode="after")
    def _bounds(self) -> NodePool:
        if self.max_nodes < self.min_nodes:
            raise ValueError(
                f"max_nodes ({self.max_nodes}) must be >= min_nodes ({self.min_nodes})"
            )
        return self


class Cluster(_Model):
    """A Kubernetes cluster Argo CD deploys to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    server: HttpsUrl = Field(
        description="API server URL as Argo CD knows it (https://kubernetes.default.svc "
        "for the cluster Argo CD runs in)."
    )
    region: str = Field(default="", max_length=63)
    environments: Annotated[tuple[EnvironmentName, ...], AfterValidator(_unique)] = Field(
        default=ENVIRONMENT_ORDER,
        min_length=1,
        description="Environments this cluster hosts (a tenant environment without an explicit "
        "cluster goes to the first cluster that hosts it).",
    )
    storage_class: Name | None = Field(default=None, description="Default StorageClass.")
    node_pools: tuple[NodePool, ...] = Field(min_length=1)


class SecretStore(_Model):
    """The External Secrets Operator store every tenant secret comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: SecretStoreProvider
    kind: SecretStoreKind = SecretStoreKind.CLUSTER_SECRET_STORE
    name: Name = Field(description="Name of the (Cluster)SecretStore.")
    key_template: Annotated[str, _template("tenant", "environment")] = Field(
        default="odoo/{tenant}/{environment}",
        max_length=200,
        description="Remote key of an environment's secrets; placeholders {tenant}, "
        "{environment}, {tier}.",
    )
    refresh_interval: PositiveDuration = Field(default=3600)


class CertificateIssuer(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    kind: IssuerKind = IssuerKind.CLUSTER_ISSUER


class RateLimit(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    average: StrictInt = Field(default=20, ge=1, description="Requests per second per client.")
    burst: StrictInt = Field(default=50, ge=1)


class Ingress(_Model):
    """Traefik v3 routing and cert-manager certificates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    class_name: Name = Field(default="traefik", description="Ingress class of Traefik.")
    namespace: Name = Field(default="traefik", description="Namespace Traefik runs in.")
    entry_points: tuple[Name, ...] = Field(
        default=("websecure",), min_length=1, description="Traefik entry points of tenant routes."
    )
    tls_option: Name | None = Field(
        default="tls-modern", description="Traefik TLSOption (in the Traefik namespace)."
    )
    certificate_issuer: CertificateIssuer
    rate_limit: RateLimit = Field(default_factory=RateLimit)


class ObjectStorage(_Model):
    """Where base backups and WAL archives go (Barman Cloud plugin ObjectStore)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: ObjectStorageProvider = ObjectStorageProvider.S3
    endpoint: HttpsUrl | None = Field(
        default=None, description="Endpoint URL (S3-compatible storage, Azure account URL)."
    )
    bucket: BucketName
    region: str = Field(default="", max_length=63)
    path_prefix: PathPrefix = Field(default="", description="Prefix inside the bucket.")
    credentials_key: str = Field(
        min_length=1,
        max_length=200,
        description="Remote key, in the secret store, of the object storage credentials.",
    )


class GitOps(_Model):
    """The GitOps repository and Argo CD conventions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repository: GitUrl = Field(description="Repository holding the rendered manifests.")
    path_template: Annotated[str, _template("tenant", "environment")] = Field(
        default="tenants/{tenant}/{environment}", max_length=200
    )
    argocd_namespace: Name = "argocd"
    project_template: Annotated[str, _template("tenant")] = Field(
        default="{tenant}", max_length=63, description="AppProject name: one per tenant."
    )
    application_template: Annotated[str, _template("tenant", "environment")] = Field(
        default="{tenant}-{environment}", max_length=63, description="Application name."
    )
    signing_keys: tuple[GpgKeyId, ...] = Field(
        min_length=1,
        description="GPG key IDs allowed to sign commits (AppProject sourceIntegrity).",
    )


class CostModel(_Model):
    """Parameters of the tenancy advisor's relative cost estimate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shared_utilization: float = Field(
        default=0.7, gt=0, le=1, description="Requests packed per unit of shared capacity."
    )
    dedicated_utilization: float = Field(
        default=0.85, gt=0, le=1, description="Usable share of a dedicated pool."
    )
    dedicated_min_nodes: StrictInt = Field(
        default=2, ge=1, le=100, description="Smallest dedicated pool (per cluster)."
    )


class PlatformSettings(_Model):
    """The platform itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    base_domain: Hostname = Field(description="Tenants get <tenant>.<base_domain>.")
    time_zone: TimeZone = Field(default="UTC", description="Default time zone of windows.")
    registries: Annotated[tuple[RegistryEntry, ...], AfterValidator(_unique)] = Field(
        min_length=1,
        description="Approved registries (host or host/path prefix); every image must be in one.",
    )
    postgres_image: ImageReference = Field(description="CloudNativePG operand image, by digest.")
    secret_store: SecretStore
    clusters: tuple[Cluster, ...] = Field(min_length=1)
    ingress: Ingress
    object_storage: ObjectStorage
    gitops: GitOps
    node_pool_label: LabelKey = Field(
        default="bulkhead.io/node-pool", description="Node label naming a node's pool."
    )
    dedicated_taint_key: LabelKey = Field(
        default="bulkhead.io/dedicated",
        description="Taint key on dedicated pools (value: the tenant name).",
    )
    cost: CostModel = Field(default_factory=CostModel)


class Platform(_Model):
    """A bulkhead platform definition (bulkhead.yaml)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="bulkhead platform definition",
    )

    version: Literal[1] = Field(description="Schema version of this file: 1.")
    platform: PlatformSettings
    tiers: dict[Name, Tier] = Field(min_length=1)
    tenants: tuple[Tenant, ...] = ()
    promotion: PromotionPolicy | None = Field(
        default=None,
        description="Promotion gate rules per environment, with tier and tenant overrides "
        "(docs/release.md); `bulkhead gate` uses its built-in policy when this is left out.",
    )

    @model_validator(mode="after")
    def _cross_field_rules(self) -> Platform:
        issues = _rule_issues(self)
        if issues:
            summary = "; ".join(
                f"{render_path(path)}: {message}" if path else message
                for path, message in issues[:5]
            )
            more = f" (and {len(issues) - 5} more)" if len(issues) > 5 else ""
            raise PydanticCustomError(
                "platform_rules",
                "{summary}",
                {"summary": summary + more, "issues": tuple(issues)},
            )
        return self

    def tenant(self, name: str) -> Tenant:
        for tenant in self.tenants:
            if tenant.name == name:
                return tenant
        raise KeyError(name)

    def tenant_index(self, name: str) -> int:
        for index, tenant in enumerate(self.tenants):
            if tenant.name == name:
                return index
        raise KeyError(name)

    def cluster(self, name: str) -> Cluster:
        for cluster in self.platform.clusters:
            if cluster.name == name:
                return cluster
        raise KeyError(name)


# --------------------------------------------------------------------------------------------
# Effective settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Toleration:
    key: str
    value: str
    effect: str
    operator: str = "Equal"


@dataclass(frozen=True, slots=True)
class NodePlacement:
    """Where the environment's pods run: the renderer emits nodeSelector and tolerations."""

    pool: str
    dedicated: bool
    node_size: NodeSize
    node_selector: Mapping[str, str]
    tolerations: tuple[Toleration, ...]
    taints: tuple[Taint, ...]
    """Taints the pool's nodes must carry (for whoever provisions them)."""


@dataclass(frozen=True, slots=True)
class EffectivePostgres:
    cluster_name: str
    """CloudNativePG Cluster name (`<tenant>-<environment>-pg`), in the environment namespace."""
    instances: int
    storage: str
    wal_storage: str | None
    storage_class: str | None
    resources: ComputeResources
    image: str
    database: str
    """Database and owner role name: the tenant name with `_` for `-`."""
    owner: str


@dataclass(frozen=True, slots=True)
class EffectiveBackup:
    schedule: str
    """5-field cron, UTC."""
    cnpg_schedule: str
    """6-field form (seconds first) for a CloudNativePG ScheduledBackup."""
    retention_days: int
    retention_policy: str
    """Barman retention policy, e.g. `30d`."""
    wal_archiving: bool
    wal_archive_timeout: int
    longest_gap: int
    """Longest interval between two backups of `schedule`, in seconds."""
    achievable_rpo: int
    """Worst-case data loss in seconds: the WAL archive timeout with WAL archiving, else gap."""
    destination_path: str
    endpoint: str | None
    region: str
    credentials_key: str


@dataclass(frozen=True, slots=True)
class EffectiveGitOps:
    repository: str
    revision: str
    path: str
    project: str
    application: str
    argocd_namespace: str
    destination_server: str
    signing_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EffectiveSecrets:
    store_kind: str
    store_name: str
    provider: str
    key: str
    refresh_interval: int


@dataclass(frozen=True, slots=True)
class EffectiveIngress:
    hostnames: tuple[str, ...]
    """Public hostnames; the first is primary."""
    class_name: str
    entry_points: tuple[str, ...]
    tls_secret_name: str
    tls_option: str | None
    traefik_namespace: str
    issuer_name: str
    issuer_kind: str
    rate_limit_average: int
    rate_limit_burst: int


@dataclass(frozen=True, slots=True)
class EffectiveEnvironment:
    """Everything the renderer needs for one tenant environment, fully resolved.

    Resolution order (later wins): tier, tier.environments[env], tenant-level settings,
    tenant.environments[env]. Windows carry an explicit time zone.
    """

    tenant: str
    environment: EnvironmentName
    production: bool
    tier: str
    tenancy: Tenancy
    declared_tenancy: TenancyChoice
    name: str
    """`<tenant>-<environment>`: the namespace and the Odoo workload name."""
    namespace: str
    labels: Mapping[str, str]
    cluster: str
    cluster_server: str
    odoo_version: str
    image: str
    addons: tuple[str, ...]
    release: str
    replicas: int
    workers: int
    cron_threads: int
    limit_time_cpu: int
    limit_time_real: int
    resources: ComputeResources
    filestore_size: str
    storage_class: str | None
    postgres: EffectivePostgres
    backup: EffectiveBackup
    change_windows: tuple[SyncWindow, ...]
    maintenance_windows: tuple[SyncWindow, ...]
    off_hours: OffHours | None
    placement: NodePlacement
    ingress: EffectiveIngress
    egress: tuple[EgressRule, ...]
    secrets: EffectiveSecrets
    gitops: EffectiveGitOps
    processes: tuple[BusinessProcess, ...]

    @property
    def sync_windows(self) -> tuple[SyncWindow, ...]:
        """Argo CD sync windows: change windows, then maintenance windows."""
        return self.change_windows + self.maintenance_windows


def resolve_tenancy(tenant: Tenant) -> Tenancy:
    """The declared tenancy, or the advisor's recommendation for `auto`."""
    if tenant.tenancy is TenancyChoice.SHARED:
        return Tenancy.SHARED
    if tenant.tenancy is TenancyChoice.DEDICATED:
        return Tenancy.DEDICATED
    # Imported here: the advisor's module imports this one.
    from bulkhead.platform.tenancy import recommend_tenancy

    return recommend_tenancy(tenant)


class PlatformRuleError(ValueError):
    """Raised when effective settings are asked of a definition that breaks a rule."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(f"{render_path(p)}: {m}" if p else m for p, m in self.issues))


def effective_environment(
    platform: Platform, tenant: str | Tenant, environment: str | EnvironmentName
) -> EffectiveEnvironment:
    """Resolve one tenant environment. KeyError if the tenant or environment is not declared."""
    name = tenant if isinstance(tenant, str) else tenant.name
    index = platform.tenant_index(name)
    env = EnvironmentName(environment)
    if env not in platform.tenants[index].environments:
        raise KeyError(f"tenant {name!r} has no {env.value} environment")
    effective, issues = _resolve(platform, index, env)
    if effective is None or issues:
        raise PlatformRuleError(issues)
    return effective


def effective_environments(platform: Platform) -> tuple[EffectiveEnvironment, ...]:
    """Every tenant environment, tenants in file order, environments dev, staging, prod."""
    result: list[EffectiveEnvironment] = []
    for tenant in platform.tenants:
        for env in ENVIRONMENT_ORDER:
            if env in tenant.environments:
                result.append(effective_environment(platform, tenant, env))
    return tuple(result)


@dataclass(frozen=True, slots=True)
class _Layer:
    obj: object
    loc: Loc


class _Layers:
    """The overlay stack of one environment: later layers win; remembers where values come from."""

    def __init__(self, layers: Sequence[_Layer]) -> None:
        self.layers = [layer for layer in layers if layer.obj is not None]

    def pick(self, *attrs: str, tenant_only: bool = False) -> tuple[Any, Loc]:
        """The value of `attrs` (a nested attribute path) from the topmost layer that sets it."""
        for layer in reversed(self.layers):
            if tenant_only and layer.loc[:1] != ("tenants",):
                continue
            current: Any = layer.obj
            for attr in attrs:
                # Field values live in the instance __dict__; a missing attribute would go
                # through BaseModel.__getattr__ and an exception, on the hot path.
                current = vars(current).get(attr)
                if current is None:
                    break
            if current is not None:
                return current, (*layer.loc, *attrs)
        fallback = self.layers[0].loc if self.layers else ()
        return None, (*fallback, *attrs)


def _tier_layers(tier_name: str, tier: Tier, env: EnvironmentName) -> list[_Layer]:
    return [
        _Layer(tier, ("tiers", tier_name)),
        _Layer(tier.environments.get(env), ("tiers", tier_name, "environments", env.value)),
    ]


def _tenant_layers(platform: Platform, index: int, env: EnvironmentName) -> _Layers:
    tenant = platform.tenants[index]
    tier = platform.tiers[tenant.tier]
    return _Layers(
        [
            *_tier_layers(tenant.tier, tier, env),
            _Layer(tenant, ("tenants", index)),
            _Layer(tenant.environments.get(env), ("tenants", index, "environments", env.value)),
        ]
    )


def _check_sizing(
    layers: _Layers, env: EnvironmentName, tier_name: str, tier: Tier, *, tier_only: bool = False
) -> list[Issue]:
    """Guardrails on values that any layer may set (run for tiers alone and for each tenant).

    A tier alone is not asked for prod windows: a tier for dedicated tenants may leave them to
    each tenant.
    """
    issues: list[Issue] = []
    prod = env is EnvironmentName.PROD
    if prod:
        replicas, loc = layers.pick("replicas")
        if replicas < tier.min_prod_replicas:
            issues.append(
                (loc, f"must be >= {tier.min_prod_replicas} for tier {tier_name} (got {replicas})")
            )
        instances, loc = layers.pick("postgres", "instances")
        if instances < PROD_MIN_POSTGRES_INSTANCES:
            issues.append(
                (
                    loc,
                    f"must be >= {PROD_MIN_POSTGRES_INSTANCES} in prod, so PostgreSQL can fail "
                    f"over to a standby (got {instances})",
                )
            )
        workers, loc = layers.pick("workers")
        if workers < 1:
            issues.append(
                (
                    loc,
                    "must be >= 1 in prod: workers 0 is Odoo's threaded development server "
                    f"(got {workers})",
                )
            )
        off_hours, loc = layers.pick("off_hours")
        if off_hours is not None:
            issues.append((loc, "not allowed in prod: only dev and staging scale down off hours"))
        change, change_loc = layers.pick("change_windows")
        maintenance, _ = layers.pick("maintenance_windows")
        if not tier_only and not change and not maintenance:
            issues.append(
                (
                    change_loc,
                    "prod needs at least one change or maintenance window (an Argo CD sync "
                    "window); without one, changes deploy at any hour",
                )
            )
    for prefix in ((), ("postgres",)):
        for resource, parse in (("memory", memory_bytes), ("cpu", cpu_millicores)):
            request, _ = layers.pick(*prefix, "resources", "requests", resource)
            limit, limit_loc = layers.pick(*prefix, "resources", "limits", resource)
            if request is not None and limit is not None and parse(limit) < parse(request):
                issues.append(
                    (limit_loc, f"must be >= requests.{resource} ({request}) (got {limit})")
                )
    schedule, _ = layers.pick("backup", "schedule")
    if schedule == AUTO_SCHEDULE:  # derived per tenant; never further apart than daily
        schedule = derived_backup_schedule(None, wal_archiving=False)
    retention, retention_loc = layers.pick("backup", "retention")
    gap = longest_gap(schedule)
    if retention % 86_400:
        issues.append(
            (retention_loc, f"must be a whole number of days (got {format_duration(retention)})")
        )
    elif retention < gap:
        issues.append(
            (
                retention_loc,
                f"must be >= {format_duration(gap)}, the longest gap between backups of "
                f"schedule {schedule!r}, or no backup is kept at times "
                f"(got {format_duration(retention)})",
            )
        )
    return issues


def _shared_pool(cluster: Cluster, wanted: str | None) -> NodePool | None:
    for pool in cluster.node_pools:
        if pool.dedicated_to is None and (wanted is None or pool.name == wanted):
            return pool
    return None


def _dedicated_pool(cluster: Cluster, tenant: str) -> NodePool | None:
    for pool in cluster.node_pools:
        if pool.dedicated_to == tenant:
            return pool
    return None


def _pool_named(cluster: Cluster, name: str) -> NodePool | None:
    for pool in cluster.node_pools:
        if pool.name == name:
            return pool
    return None


def _format(template: str, **values: str) -> str:
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], template)


def _resolve(
    platform: Platform, index: int, env: EnvironmentName, *, build: bool = True
) -> tuple[EffectiveEnvironment | None, list[Issue]]:
    """Resolve one tenant environment; return it (None if impossible or not `build`) and the
    rules it breaks."""
    settings = platform.platform
    tenant = platform.tenants[index]
    tier = platform.tiers[tenant.tier]
    layers = _tenant_layers(platform, index, env)
    issues = _check_sizing(layers, env, tenant.tier, tier)
    tenant_loc: Loc = ("tenants", index)
    env_loc: Loc = (*tenant_loc, "environments", env.value)
    tenancy = resolve_tenancy(tenant)

    image, image_loc = layers.pick("image")
    if not registry_approved(image, settings.registries):
        issues.append(
            (
                image_loc,
                f"registry {parse_image(image).location!r} is not under an approved registry "
                f"({', '.join(settings.registries)})",
            )
        )

    # Cluster.
    cluster_name, cluster_loc = layers.pick("cluster")
    cluster: Cluster | None = None
    if cluster_name is not None:
        cluster = next((c for c in settings.clusters if c.name == cluster_name), None)
        if cluster is None:
            known = ", ".join(c.name for c in settings.clusters)
            issues.append((cluster_loc, f"unknown cluster {cluster_name!r} (clusters: {known})"))
        elif env not in cluster.environments:
            issues.append(
                (
                    cluster_loc,
                    f"cluster {cluster_name!r} does not host {env.value} environments "
                    f"(it hosts {', '.join(e.value for e in cluster.environments)})",
                )
            )
            cluster = None
    else:
        cluster = next((c for c in settings.clusters if env in c.environments), None)
        if cluster is None:
            issues.append(
                (env_loc, f"no cluster hosts {env.value} environments (clusters[].environments)")
            )

    # Node pool.
    pool: NodePool | None = None
    if cluster is not None:
        if tenancy is Tenancy.DEDICATED:
            wanted, pool_loc = layers.pick("node_pool", tenant_only=True)
            if wanted is not None:
                pool = _pool_named(cluster, wanted)
                if pool is None or pool.dedicated_to != tenant.name:
                    issues.append(
                        (
                            pool_loc,
                            f"dedicated tenant needs a node pool dedicated to it: {wanted!r} "
                            + (
                                f"is not a node pool of cluster {cluster.name!r}"
                                if pool is None
                                else f"is not dedicated_to {tenant.name!r}"
                            ),
                        )
                    )
                    pool = None
            else:
                pool = _dedicated_pool(cluster, tenant.name)
                if pool is None:
                    why = (
                        "declares tenancy dedicated"
                        if tenant.tenancy is TenancyChoice.DEDICATED
                        else "has tenancy auto, which the advisor resolves to dedicated"
                    )
                    issues.append(
                        (
                            (*tenant_loc, "tenancy"),
                            f"tenant {why}, but cluster {cluster.name!r} has no node pool with "
                            f"dedicated_to: {tenant.name} for its {env.value} environment",
                        )
                    )
        else:
            wanted, pool_loc = layers.pick("node_pool")
            pool = _shared_pool(cluster, wanted)
            if pool is None:
                named = _pool_named(cluster, wanted) if wanted is not None else None
                if wanted is None:
                    message = (
                        f"cluster {cluster.name!r} has no shared node pool (one without "
                        f"dedicated_to) for this shared tenant's {env.value} environment"
                    )
                    issues.append(((*tenant_loc, "tenancy"), message))
                elif named is None:
                    issues.append(
                        (pool_loc, f"unknown node pool {wanted!r} in cluster {cluster.name!r}")
                    )
                else:
                    issues.append(
                        (
                            pool_loc,
                            f"node pool {wanted!r} is dedicated to tenant "
                            f"{named.dedicated_to!r}; a shared tenant runs on a shared pool",
                        )
                    )

    # Tenancy-dependent rules: shared tenants follow their tier's release train and windows.
    if tenancy is Tenancy.SHARED:
        for field in ("release", "change_windows"):
            for loc, holder in ((tenant_loc, tenant), (env_loc, tenant.environments[env])):
                if getattr(holder, field) is not None:
                    issues.append(
                        (
                            (*loc, field),
                            f"only dedicated tenants set their own {field.replace('_', ' ')}; "
                            f"shared tenants follow tier {tenant.tier} (tenancy "
                            f"{tenant.tenancy.value})",
                        )
                    )

    # Business processes: RPO against what prod backups can guarantee.
    wal, _ = layers.pick("backup", "wal_archiving")
    timeout, _ = layers.pick("backup", "wal_archive_timeout")
    schedule = _backup_schedule(layers.pick("backup", "schedule")[0], tenant.processes, wal)
    gap = longest_gap(schedule)
    achievable = timeout if wal else gap
    if env is EnvironmentName.PROD:
        for number, process in enumerate(tenant.processes):
            if process.rpo >= achievable:
                continue
            if wal:
                why = (
                    f"prod archives WAL at least every {format_duration(timeout)} "
                    "(backup.wal_archive_timeout)"
                )
            else:
                why = (
                    f"prod backs up on schedule {schedule!r}, up to "
                    f"{format_duration(gap)} apart; back up more often or enable "
                    "backup.wal_archiving"
                )
            issues.append(
                (
                    (*tenant_loc, "processes", number, "rpo"),
                    f"must be >= {format_duration(achievable)}: {why} "
                    f"(got {format_duration(process.rpo)})",
                )
            )

    if issues or cluster is None or pool is None or not build:
        return None, issues
    return _build(platform, tenant, tier, env, tenancy, layers, cluster, pool), []


def _resources(layers: _Layers, *prefix: str) -> ComputeResources:
    def value(*attrs: str) -> Any:
        return layers.pick(*prefix, "resources", *attrs)[0]

    return ComputeResources(
        requests=Requests(cpu=value("requests", "cpu"), memory=value("requests", "memory")),
        limits=Limits(memory=value("limits", "memory"), cpu=value("limits", "cpu")),
    )


def _windows(windows: Sequence[SyncWindow], time_zone: str) -> tuple[SyncWindow, ...]:
    return tuple(
        w if w.time_zone is not None else w.model_copy(update={"time_zone": time_zone})
        for w in windows
    )


def _build(
    platform: Platform,
    tenant: Tenant,
    tier: Tier,
    env: EnvironmentName,
    tenancy: Tenancy,
    layers: _Layers,
    cluster: Cluster,
    pool: NodePool,
) -> EffectiveEnvironment:
    settings = platform.platform

    def value(*attrs: str) -> Any:
        return layers.pick(*attrs)[0]

    name = f"{tenant.name}-{env.value}"
    prod = env is EnvironmentName.PROD
    tz = settings.time_zone
    placeholders = {"tenant": tenant.name, "environment": env.value, "tier": tenant.tier}

    taints = list(pool.taints)
    if pool.dedicated_to is not None:
        taints.append(Taint(key=settings.dedicated_taint_key, value=pool.dedicated_to))
    placement = NodePlacement(
        pool=pool.name,
        dedicated=pool.dedicated_to is not None,
        node_size=pool.node_size,
        node_selector={settings.node_pool_label: pool.name},
        tolerations=tuple(Toleration(t.key, t.value, t.effect.value) for t in taints),
        taints=tuple(taints),
    )

    retention = value("backup", "retention")
    wal = bool(value("backup", "wal_archiving"))
    schedule = _backup_schedule(value("backup", "schedule"), tenant.processes, wal)
    timeout = value("backup", "wal_archive_timeout")
    gap = longest_gap(schedule)
    storage = settings.object_storage
    prefix = f"{storage.path_prefix}/" if storage.path_prefix else ""
    scheme = {"s3": "s3://", "gcs": "gs://"}.get(storage.provider.value)
    if scheme is not None:
        destination = f"{scheme}{storage.bucket}/{prefix}{tenant.name}/{env.value}/"
    else:
        base = (storage.endpoint or f"https://{storage.bucket}.blob.core.windows.net").rstrip("/")
        destination = f"{base}/{storage.bucket}/{prefix}{tenant.name}/{env.value}/"
    backup = EffectiveBackup(
        schedule=schedule,
        cnpg_schedule=f"0 {schedule}",
        retention_days=retention // 86_400,
        retention_policy=f"{retention // 86_400}d",
        wal_archiving=wal,
        wal_archive_timeout=timeout,
        longest_gap=gap,
        achievable_rpo=timeout if wal else gap,
        destination_path=destination,
        endpoint=storage.endpoint,
        region=storage.region,
        credentials_key=storage.credentials_key,
    )

    database = tenant.name.replace("-", "_")
    postgres = EffectivePostgres(
        cluster_name=f"{name}-pg",
        instances=value("postgres", "instances"),
        storage=value("postgres", "storage"),
        wal_storage=value("postgres", "wal_storage"),
        storage_class=value("postgres", "storage_class") or cluster.storage_class,
        resources=_resources(layers, "postgres"),
        image=settings.postgres_image,
        database=database,
        owner=database,
    )

    hostnames = value("hostnames") or (
        (f"{tenant.name}.{settings.base_domain}",) if prod else (f"{name}.{settings.base_domain}",)
    )
    ingress = settings.ingress
    effective_ingress = EffectiveIngress(
        hostnames=tuple(hostnames),
        class_name=ingress.class_name,
        entry_points=ingress.entry_points,
        tls_secret_name=f"{name}-tls",
        tls_option=ingress.tls_option,
        traefik_namespace=ingress.namespace,
        issuer_name=ingress.certificate_issuer.name,
        issuer_kind=ingress.certificate_issuer.kind.value,
        rate_limit_average=ingress.rate_limit.average,
        rate_limit_burst=ingress.rate_limit.burst,
    )

    store = settings.secret_store
    secrets = EffectiveSecrets(
        store_kind=store.kind.value,
        store_name=store.name,
        provider=store.provider.value,
        key=_format(store.key_template, **placeholders),
        refresh_interval=store.refresh_interval,
    )
    gitops = settings.gitops
    effective_gitops = EffectiveGitOps(
        repository=gitops.repository,
        revision=value("release"),
        path=_format(gitops.path_template, **placeholders),
        project=_format(gitops.project_template, **placeholders),
        application=_format(gitops.application_template, **placeholders),
        argocd_namespace=gitops.argocd_namespace,
        destination_server=cluster.server,
        signing_keys=gitops.signing_keys,
    )
    off_hours: OffHours | None = value("off_hours")
    if off_hours is not None:
        off_hours = off_hours.model_copy(
            update={
                "windows": tuple(
                    w if w.time_zone is not None else w.model_copy(update={"time_zone": tz})
                    for w in off_hours.windows
                )
            }
        )
    return EffectiveEnvironment(
        tenant=tenant.name,
        environment=env,
        production=prod,
        tier=tenant.tier,
        tenancy=tenancy,
        declared_tenancy=tenant.tenancy,
        name=name,
        namespace=name,
        labels={
            "bulkhead.io/tenant": tenant.name,
            "bulkhead.io/environment": env.value,
            "bulkhead.io/tier": tenant.tier,
            "bulkhead.io/tenancy": tenancy.value,
        },
        cluster=cluster.name,
        cluster_server=cluster.server,
        odoo_version=tenant.odoo_version,
        image=value("image"),
        addons=tenant.addons,
        release=value("release"),
        replicas=value("replicas"),
        workers=value("workers"),
        cron_threads=value("cron_threads"),
        limit_time_cpu=value("limit_time_cpu"),
        limit_time_real=value("limit_time_real"),
        resources=_resources(layers),
        filestore_size=value("filestore_size"),
        storage_class=cluster.storage_class,
        postgres=postgres,
        backup=backup,
        change_windows=_windows(value("change_windows") or (), tz),
        maintenance_windows=_windows(value("maintenance_windows") or (), tz),
        off_hours=off_hours,
        placement=placement,
        ingress=effective_ingress,
        egress=tuple(value("egress") or ()),
        secrets=secrets,
        gitops=effective_gitops,
        processes=tenant.processes,
    )


# --------------------------------------------------------------------------------------------
# Cross-field rules
# --------------------------------------------------------------------------------------------


def _suggest(value: str, known: Iterable[str]) -> str:
    names = sorted(known)
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.75)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known: {', '.join(names)})" if names else ""


def _duplicates(names: Sequence[str], base: Loc, what: str) -> list[Issue]:
    issues: list[Issue] = []
    first: dict[str, int] = {}
    for number, name in enumerate(names):
        if name in first:
            issues.append(
                (
                    (*base, number, "name"),
                    f"duplicate {what} name {name!r} (also {render_path((*base, first[name]))})",
                )
            )
        else:
            first[name] = number
    return issues


def _rule_issues(platform: Platform) -> list[Issue]:
    """Every cross-field rule the definition breaks, as (path, message), without duplicates."""
    issues: list[Issue] = []
    settings = platform.platform
    tenant_names = {t.name for t in platform.tenants}

    issues += _duplicates([c.name for c in settings.clusters], ("platform", "clusters"), "cluster")
    for k, cluster in enumerate(settings.clusters):
        base: Loc = ("platform", "clusters", k, "node_pools")
        issues += _duplicates([p.name for p in cluster.node_pools], base, "node pool")
        for p, pool in enumerate(cluster.node_pools):
            if pool.dedicated_to is not None and pool.dedicated_to not in tenant_names:
                issues.append(
                    (
                        (*base, p, "dedicated_to"),
                        f"unknown tenant {pool.dedicated_to!r}"
                        + _suggest(pool.dedicated_to, tenant_names),
                    )
                )
    if not registry_approved(settings.postgres_image, settings.registries):
        issues.append(
            (
                ("platform", "postgres_image"),
                f"registry {parse_image(settings.postgres_image).location!r} is not under an "
                f"approved registry ({', '.join(settings.registries)})",
            )
        )

    # Tier defaults on their own (reported once, at the tier's path).
    cluster_names = {c.name for c in settings.clusters}
    pool_names = {p.name for c in settings.clusters for p in c.node_pools if p.dedicated_to is None}
    for tier_name, tier in platform.tiers.items():
        tier_loc: Loc = ("tiers", tier_name)
        holders: list[tuple[Loc, TierEnvironment | Tier]] = [(tier_loc, tier)]
        holders += [
            ((*tier_loc, "environments", env.value), overrides)
            for env, overrides in tier.environments.items()
        ]
        for loc, holder in holders:
            if holder.cluster is not None and holder.cluster not in cluster_names:
                issues.append(
                    (
                        (*loc, "cluster"),
                        f"unknown cluster {holder.cluster!r}"
                        + _suggest(holder.cluster, cluster_names),
                    )
                )
            if holder.node_pool is not None and holder.node_pool not in pool_names:
                issues.append(
                    (
                        (*loc, "node_pool"),
                        f"no cluster has a shared node pool named {holder.node_pool!r}"
                        + _suggest(holder.node_pool, pool_names),
                    )
                )
        for env in ENVIRONMENT_ORDER:
            layers = _Layers(_tier_layers(tier_name, tier, env))
            issues += _check_sizing(layers, env, tier_name, tier, tier_only=True)

    issues += _duplicates([t.name for t in platform.tenants], ("tenants",), "tenant")
    hostnames: dict[str, str] = {}
    for index, tenant in enumerate(platform.tenants):
        tenant_loc: Loc = ("tenants", index)
        if tenant.tier not in platform.tiers:
            issues.append(
                (
                    (*tenant_loc, "tier"),
                    f"unknown tier {tenant.tier!r}" + _suggest(tenant.tier, platform.tiers),
                )
            )
            continue
        issues += _duplicates(
            [p.name for p in tenant.processes], (*tenant_loc, "processes"), "process"
        )
        issues += _duplicates([e.name for e in tenant.egress], (*tenant_loc, "egress"), "egress")
        for env in ENVIRONMENT_ORDER:
            if env not in tenant.environments:
                continue
            env_loc: Loc = (*tenant_loc, "environments", env.value)
            overrides = tenant.environments[env]
            if overrides.egress is not None:
                issues += _duplicates(
                    [e.name for e in overrides.egress], (*env_loc, "egress"), "egress"
                )
            _, env_issues = _resolve(platform, index, env, build=False)
            issues += env_issues
            explicit = overrides.hostnames
            if explicit is None:
                host = (
                    f"{tenant.name}.{settings.base_domain}"
                    if env is EnvironmentName.PROD
                    else f"{tenant.name}-{env.value}.{settings.base_domain}"
                )
                candidates: list[tuple[str, Loc, str]] = [
                    (host, (*env_loc,), f"derived hostname {host!r}")
                ]
            else:
                candidates = [
                    (host, (*env_loc, "hostnames", n), f"hostname {host!r}")
                    for n, host in enumerate(explicit)
                ]
            owner = f"{render_path(env_loc)} ({tenant.name} {env.value})"
            for host, loc, label in candidates:
                if host in hostnames:
                    hint = "; set hostnames for this environment" if explicit is None else ""
                    issues.append((loc, f"{label} is already used by {hostnames[host]}{hint}"))
                else:
                    hostnames[host] = owner
    return list(dict.fromkeys(issues))


# --------------------------------------------------------------------------------------------
# JSON Schema
# --------------------------------------------------------------------------------------------


def platform_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of bulkhead.yaml, for editor completion and CI checks.

    It covers structure, types and formats; cross-field rules (references, RPO against the
    backup schedule, unique hostnames...) are only checked by bulkhead itself.
    """
    schema = Platform.model_json_schema(mode="validation")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": JSON_SCHEMA_ID,
        **schema,
        "description": "bulkhead platform definition (bulkhead.yaml): the platform, its tiers "
        "and its tenants. See docs/platform.md.",
    }
