"""Reading bulkhead.yaml: bounded, safe YAML, and errors a person can act on.

YAML goes through the house loader (`bulkhead.sources.yamldoc`: PyYAML's CSafeLoader, or
SafeLoader where libyaml is missing), which bounds nesting and alias expansion, refuses
non-standard tags and reports duplicate keys; booleans are read as YAML 1.2 reads them (`on`,
`yes` stay strings). A duplicate key is an error here: in a platform definition the silently
ignored value is usually the one someone meant.

Every problem becomes one line:

- YAML problems: `bulkhead.yaml:12: invalid YAML: ...`;
- validation problems: `tenants[2].environments.prod.replicas: must be >= 2 for tier
  dedicated-enterprise (got 1)`: the path in the file's own terms (list indices in brackets),
  then what is wrong and the value found.

`PlatformError.problems` keeps each path, message and, when known, the line in the file.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from bulkhead.model import render_path
from bulkhead.platform.model import Loc, Platform
from bulkhead.sources.yamldoc import line_of, load_documents

MAX_PLATFORM_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason the definition was refused."""

    path: str
    """Where, in the file's terms (`tenants[2].environments.prod.replicas`); empty if global."""
    message: str
    line: int | None = None
    """Line in the file, when the definition came from YAML and the path exists there."""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PlatformError(Exception):
    """The platform definition cannot be used; `messages` says why, one line each."""

    def __init__(self, messages: Iterable[str | Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(
            m if isinstance(m, Problem) else Problem("", m) for m in messages
        )
        self.messages: tuple[str, ...] = tuple(str(p) for p in self.problems)
        self.source = source
        super().__init__("\n".join(self.messages))


def load_platform(path: str | os.PathLike[str], *, max_bytes: int = MAX_PLATFORM_BYTES) -> Platform:
    """Read, parse and validate a platform definition file (YAML or JSON).

    Refuses anything but a regular file, and files over `max_bytes` (4 MiB), without reading
    them whole. Raises `PlatformError`.
    """
    name = os.fspath(path)
    try:
        # O_NONBLOCK: opening a FIFO named bulkhead.yaml must not hang.
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise PlatformError([f"{name}: cannot read: {error.strerror or error}"], name) from None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
        raw = os.read(fd, max_bytes + 1) if regular else b""
        while regular and len(raw) <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - len(raw))
            if not chunk:
                break
            raw += chunk
    finally:
        os.close(fd)
    if not regular:
        raise PlatformError([f"{name}: not a regular file"], name)
    if len(raw) > max_bytes:
        raise PlatformError(
            [f"{name}: larger than {max_bytes} bytes: not a plausible platform definition"], name
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PlatformError([f"{name}:{line}: not UTF-8 text"], name) from None
    return parse_platform(text, name)


_FIRST_AT = re.compile(r"\(first at line \d+\)")


def parse_platform(text: str, source: str = "<string>") -> Platform:
    """Parse YAML (or JSON) text holding one platform definition and validate it."""
    documents, diagnostics = load_documents(text, source, yaml12=True)
    problems: list[Problem] = []
    for diagnostic in diagnostics:
        where = f"{diagnostic.location.file}:{diagnostic.location.line}"
        if diagnostic.code == "duplicate-key" and diagnostic.path:
            first = _FIRST_AT.search(diagnostic.message)
            parent = render_path(diagnostic.path[:-1]) or "top level"
            problems.append(
                Problem(
                    "",
                    f"{where}: duplicate key {diagnostic.path[-1]!r} in {parent}"
                    + (f" {first.group(0)}" if first else ""),
                    diagnostic.location.line,
                )
            )
        else:
            problems.append(Problem("", f"{where}: {diagnostic.message}", diagnostic.location.line))
    if problems:
        raise PlatformError(problems, source)
    if not documents:
        raise PlatformError([f"{source}:1: empty: expected a platform definition"], source)
    if len(documents) > 1:
        raise PlatformError(
            [f"{source}:{documents[1].line}: expected one YAML document, found {len(documents)}"],
            source,
        )
    data = documents[0].data
    if not isinstance(data, dict):
        raise PlatformError(
            [
                f"{source}:{documents[0].line}: the platform definition must be a mapping with "
                "version, platform, tiers and tenants"
            ],
            source,
        )
    return validate_platform(data, source)


def validate_platform(data: Any, source: str | None = None) -> Platform:
    """Validate already-parsed data (e.g. from JSON); raises `PlatformError`."""
    try:
        return Platform.model_validate(data)
    except ValidationError as error:
        raise PlatformError(validation_problems(error, data), source) from None


def validation_problems(error: ValidationError, data: Any = None) -> list[Problem]:
    """Turn a pydantic ValidationError on `Platform` into `path: message` problems."""
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        ctx = item.get("ctx") or {}
        if item["type"] == "platform_rules" and "issues" in ctx:
            for loc, message in ctx["issues"]:
                problems.append(_problem(tuple(loc), message, data))
            continue
        loc = tuple(item["loc"])
        problems.append(_problem(loc, _message(item, loc), data))
    return problems


def _problem(loc: Loc, message: str, data: Any) -> Problem:
    clean = tuple(part for part in loc if part != "[key]")
    return Problem(render_path(clean), message, line_of(data, clean))


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin is Union or origin is types.UnionType:
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class found at `loc` inside Platform (for 'did you mean' suggestions)."""
    current: Any = Platform
    for part in loc:
        current = _unwrap(current)
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
        elif origin in (tuple, list) and isinstance(part, int):
            current = get_args(current)[0]
        elif origin is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _unknown_key(loc: Loc) -> str:
    key = loc[-1] if loc else ""
    model = _model_at(loc[:-1])
    if model is None or not isinstance(key, str):
        return "unknown key"
    allowed = sorted(model.model_fields)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key (allowed: {', '.join(allowed)})"


def _got(value: Any) -> str:
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


def _message(item: Any, loc: Loc) -> str:
    kind: str = item["type"]
    ctx: dict[str, Any] = item.get("ctx") or {}
    value = item.get("input")
    got = f" (got {_got(value)})"
    is_key = bool(loc) and loc[-1] == "[key]"
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", item["msg"]))
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        return message
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "?"))
        if is_key:
            return f"unknown key {_got(value)}: use {expected}"
        if " or " not in expected:
            return f"must be {expected}{got}"
        return f"must be one of {expected}{got}"
    comparisons = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in comparisons:
        symbol, key = comparisons[kind]
        return f"must be {symbol} {ctx.get(key)}{got}"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} item(s)"
    if kind == "string_too_short":
        return f"must be at least {ctx.get('min_length')} character(s) long{got}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}{got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number{got}"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"must be a number{got}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false{got}"
    if kind in ("string_type", "string_sub_type"):
        return f"must be a string{got}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return f"must be a mapping of keys{got}"
    if kind in ("list_type", "tuple_type", "sequence_str", "iterable_type"):
        return f"must be a list{got}"
    message = str(item["msg"])
    return (message[:1].lower() + message[1:]) if message else kind
