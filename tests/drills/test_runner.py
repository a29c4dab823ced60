"""Which pg_dump/pg_restore a drill runs: `--pg-bin`, PATH, the per-version directories, and
Debian's pg_wrapper passed over for the binaries it would choose among."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bulkhead.drills import runner
from bulkhead.drills.runner import _candidates


def _executable(path: Path, text: str = "#!/bin/sh\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def versioned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """pg_dump in lib/postgresql/{9.6,10,15}/bin (newest first by number, not by text)."""
    for version in ("9.6", "10", "15"):
        _executable(tmp_path / "lib" / "postgresql" / version / "bin" / "pg_dump")
    monkeypatch.setattr(runner, "_SEARCH_DIRS", (str(tmp_path / "lib/postgresql/*/bin"),))
    return [
        str(tmp_path / "lib" / "postgresql" / v / "bin" / "pg_dump") for v in ("15", "10", "9.6")
    ]


def test_pg_bin_alone(tmp_path: Path, versioned: list[str]) -> None:
    assert _candidates("pg_dump", tmp_path / "custom") == [str(tmp_path / "custom" / "pg_dump")]


def test_path_first_then_newest_version(
    tmp_path: Path, versioned: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _executable(tmp_path / "bin" / "pg_dump")
    monkeypatch.setenv("PATH", str(own.parent))
    assert _candidates("pg_dump", None) == [str(own), *versioned]


def test_a_path_entry_that_is_a_versioned_binary_is_not_repeated(
    versioned: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", os.path.dirname(versioned[1]))
    assert _candidates("pg_dump", None) == [versioned[1], versioned[0], versioned[2]]


def test_debian_pg_wrapper_comes_after_the_binaries_it_chooses_among(
    tmp_path: Path, versioned: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper = _executable(tmp_path / "share" / "postgresql-common" / "pg_wrapper")
    link = tmp_path / "bin" / "pg_dump"
    link.parent.mkdir()
    link.symlink_to(wrapper)
    monkeypatch.setenv("PATH", str(link.parent))
    assert _candidates("pg_dump", None) == [*versioned, str(link)]


def test_not_on_path(tmp_path: Path, versioned: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert _candidates("pg_dump", None) == ["pg_dump", *versioned]
