"""Bounded reading and strict JSON: one-line errors naming the file (and line)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bulkhead.evidence.model import EvidenceError, ItemStatus, one_line
from bulkhead.evidence.reading import (
    MAX_EVIDENCE_BYTES,
    parse_json,
    parse_json_documents,
    read_evidence,
)
from tests.evidence.helpers import sha256_hex


def test_reads_bytes_and_digest(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_bytes(b'{"a": 1}')
    raw = read_evidence(path)
    assert raw.data == b'{"a": 1}' and raw.sha256 == sha256_hex(b'{"a": 1}')
    assert raw.source == str(path)


def test_default_limit_is_32_mib() -> None:
    assert MAX_EVIDENCE_BYTES == 32 * 1024 * 1024


def test_refuses_files_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(EvidenceError) as caught:
        read_evidence(path, max_bytes=1024)
    assert caught.value.status is ItemStatus.UNPARSABLE
    assert caught.value.message.startswith(f"{path}: file is over the")
    assert "\n" not in caught.value.message


def test_sparse_file_over_32_mib_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(MAX_EVIDENCE_BYTES + 1)
    with pytest.raises(EvidenceError, match="over the 32 MiB limit"):
        read_evidence(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "evidence.json"
    os.mkfifo(fifo)
    with pytest.raises(EvidenceError, match="not a regular file") as caught:
        read_evidence(fifo)
    assert caught.value.status is ItemStatus.MISSING


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError) as caught:
        read_evidence(tmp_path / "absent.json")
    assert caught.value.status is ItemStatus.MISSING
    with pytest.raises(EvidenceError):
        read_evidence(tmp_path)


def test_json_error_names_file_and_line() -> None:
    with pytest.raises(EvidenceError) as caught:
        parse_json(b'{\n  "a": 1,\n  "b": \n}', "report.json")
    assert caught.value.message == "report.json:4: invalid JSON: Expecting value"


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": NaN}', "NaN is not JSON"),
        (b"\xff\xfe{}", "invalid UTF-8"),
        (b"[" * 100_000, "nested too deep"),
    ],
)
def test_strict_json(data: bytes, needle: str) -> None:
    with pytest.raises(EvidenceError, match=needle) as caught:
        parse_json(data, "e.json")
    assert caught.value.message.startswith("e.json")


def test_json_lines() -> None:
    assert parse_json_documents(b'{"a": 1}\n\n{"b": 2}\n', "x.jsonl") == [{"a": 1}, {"b": 2}]
    assert parse_json_documents(b'{\n "a": 1\n}\n', "x.json") == [{"a": 1}]
    with pytest.raises(EvidenceError, match=r"^x.jsonl:3: invalid JSON"):
        parse_json_documents(b'{"a": 1}\n{"b": 2}\n{"c": \n', "x.jsonl")
    with pytest.raises(EvidenceError, match="empty file"):
        parse_json_documents(b"  \n", "x.jsonl")


def test_one_line_escapes_control_characters() -> None:
    assert one_line("evil\nname\x1b[31m") == "evil\\nname\\x1b[31m"


def test_file_name_with_newline_stays_one_line(tmp_path: Path) -> None:
    path = tmp_path / "a\nb.json"
    with pytest.raises(EvidenceError) as caught:
        read_evidence(path)
    assert "\n" not in caught.value.message and "a\\nb.json" in caught.value.message
