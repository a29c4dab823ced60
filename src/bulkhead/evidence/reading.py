"""Bounded reading and strict parsing of evidence files.

- A file is opened only if it is a regular file (a FIFO would block a naive reader) and is read
  up to a size limit; one byte more is an error, never a truncated parse.
- JSON must be UTF-8; duplicate keys, NaN and Infinity are refused. A signed payload with two
  `docker-manifest-digest` keys means different things to different parsers, so it is
  unparsable rather than "the last one wins".
- Every error is one line that names the file (and the line, where the parser knows it).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bulkhead.evidence.model import EvidenceError, ItemStatus, shown

MAX_EVIDENCE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RawEvidence:
    """The exact bytes of one evidence file, where they came from, and their sha256 (hex)."""

    source: str
    data: bytes
    sha256: str


def raw_evidence(source: str, data: bytes) -> RawEvidence:
    """Wrap bytes obtained elsewhere (stdin, an HTTP body) as evidence."""
    return RawEvidence(source, data, hashlib.sha256(data).hexdigest())


def read_evidence(path: str | os.PathLike[str], max_bytes: int = MAX_EVIDENCE_BYTES) -> RawEvidence:
    """Read one evidence file, or raise EvidenceError (MISSING or UNPARSABLE) naming it."""
    source = os.fspath(path)
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise EvidenceError(ItemStatus.MISSING, f"{source}: no such file") from None
    except OSError as error:
        raise EvidenceError(
            ItemStatus.MISSING, f"{source}: cannot read: {error.strerror or error}"
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise EvidenceError(ItemStatus.MISSING, f"{source}: not a regular file")
        if st.st_size > max_bytes:
            raise EvidenceError(ItemStatus.UNPARSABLE, _too_large(source, st.st_size, max_bytes))
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise EvidenceError(
            ItemStatus.MISSING, f"{source}: cannot read: {error.strerror or error}"
        ) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise EvidenceError(ItemStatus.UNPARSABLE, _too_large(source, len(data), max_bytes))
    return raw_evidence(source, data)


def _too_large(source: str, size: int, limit: int) -> str:
    return (
        f"{source}: file is over the {limit / 1048576:.0f} MiB limit for evidence "
        f"({size / 1048576:.1f} MiB)"
    )


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text (a leading BOM is dropped); anything else is UNPARSABLE at its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise EvidenceError(
            ItemStatus.UNPARSABLE,
            f"{source}:{line}: invalid UTF-8 (byte 0x{data[error.start]:02x})",
        ) from None
    return text.removeprefix("\ufeff")


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(f"duplicate key {shown(key)}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads_strict(text: str, source: str, first_line: int = 1) -> Any:
    """Parse one JSON document strictly; errors are UNPARSABLE and name `source:line`."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        line = first_line + error.lineno - 1
        raise EvidenceError(
            ItemStatus.UNPARSABLE, f"{source}:{line}: invalid JSON: {error.msg}"
        ) from None
    except RecursionError:
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: JSON nested too deep") from None
    except ValueError as error:  # duplicate keys, NaN, integers too long to convert
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: invalid JSON: {error}") from None


def parse_json(data: bytes, source: str) -> Any:
    return loads_strict(decode_text(data, source), source)


def parse_json_documents(data: bytes, source: str) -> list[Any]:
    """One JSON document, or JSON Lines (`.intoto.jsonl`, `cosign download signature`).

    A file that is one document (however it is indented) gives a one-element list.
    """
    text = decode_text(data, source)
    if not text.strip():
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}: empty file")
    lines = text.splitlines()
    try:
        return [loads_strict(text, source)]
    except EvidenceError as whole_error:
        if "Extra data" not in whole_error.message or len(lines) < 2:
            raise
    return [
        loads_strict(line, source, first_line=number)
        for number, line in enumerate(lines, start=1)
        if line.strip()
    ]


def parse_yaml_or_json(data: bytes, source: str) -> Any:
    """A hand-written file (exceptions): JSON if named `.json`, otherwise one YAML document.

    YAML goes through the scanner's bounded loader (depth and alias budgets, safe tags only);
    duplicate keys are an error here, since the file is ours.
    """
    if source.lower().endswith(".json"):
        return parse_json(data, source)
    from bulkhead.sources.yamldoc import load_documents

    documents, diagnostics = load_documents(decode_text(data, source), source, yaml12=True)
    if diagnostics:
        first = diagnostics[0]
        # the scanner's loader says "the last value is used" for a duplicate key; here it is not
        message = first.message.split(";")[0] if first.code == "duplicate-key" else first.message
        raise EvidenceError(ItemStatus.UNPARSABLE, f"{source}:{first.location.line}: {message}")
    if len(documents) != 1:
        raise EvidenceError(
            ItemStatus.UNPARSABLE,
            f"{source}: expected one YAML document, found {len(documents)}",
        )
    return documents[0].data
