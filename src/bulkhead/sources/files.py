"""Finding inputs on disk and reading them with bounds.

Discovery never follows a symlink out of the root it was asked to scan, survives symlink loops,
never opens anything but a regular file (a FIFO named `x.yaml` would block a naive reader
forever), and never reads more than the size limit.
"""

from __future__ import annotations

import codecs
import enum
import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from bulkhead.sources.configfiles import config_kind

DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024
SKIPPED_DIRECTORIES = frozenset({".git"})
CHART_MARKERS = ("Chart.yaml",)
KUSTOMIZATION_MARKERS = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class InputKind(enum.StrEnum):
    MANIFEST = "manifest"
    DOCKERFILE = "dockerfile"
    HELM_CHART = "helm-chart"
    KUSTOMIZATION = "kustomization"
    CONFIG = "config"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file or directory to load, named as the user will see it."""

    display: str
    real: str
    kind: InputKind


@dataclass(frozen=True, slots=True)
class DiscoveryProblem:
    display: str
    message: str


def is_dockerfile(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in ("dockerfile", "containerfile")
        or lowered.endswith(".dockerfile")
        or lowered.startswith("dockerfile.")
    )


def _kind_of_file(display: str, explicit: bool) -> InputKind | None:
    name = os.path.basename(display)
    if config_kind(display) is not None:
        return InputKind.CONFIG
    if is_dockerfile(name):
        return InputKind.DOCKERFILE
    if name.endswith((".yaml", ".yml", ".json")):
        return InputKind.MANIFEST
    # A file the user named explicitly is read as a manifest whatever its extension.
    return InputKind.MANIFEST if explicit else None


def _kind_of_directory(entries: set[str]) -> InputKind | None:
    if any(marker in entries for marker in CHART_MARKERS):
        return InputKind.HELM_CHART
    if any(marker in entries for marker in KUSTOMIZATION_MARKERS):
        return InputKind.KUSTOMIZATION
    return None


def _excluded(relative: str, patterns: Sequence[str]) -> bool:
    name = PurePosixPath(relative).name
    return any(
        fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern)
        for pattern in patterns
    )


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def discover(
    paths: Sequence[str], excludes: Sequence[str] = ()
) -> tuple[list[Candidate], list[DiscoveryProblem]]:
    """Expand the declared paths into candidates, in a stable order."""
    candidates: list[Candidate] = []
    problems: list[DiscoveryProblem] = []
    seen: set[tuple[str, InputKind]] = set()

    def add(candidate: Candidate) -> None:
        key = (candidate.real, candidate.kind)
        if key not in seen:
            seen.add(key)
            candidates.append(candidate)

    for declared in paths:
        try:
            st = os.stat(declared)
        except OSError as error:
            problems.append(DiscoveryProblem(declared, f"cannot read: {error.strerror}"))
            continue
        real = os.path.realpath(declared)
        if stat.S_ISDIR(st.st_mode):
            for candidate in _walk(declared, real, excludes, problems):
                add(candidate)
        elif stat.S_ISREG(st.st_mode):
            kind = _kind_of_file(declared, explicit=True)
            if kind is not None:
                add(Candidate(declared, real, kind))
        else:
            problems.append(DiscoveryProblem(declared, "not a regular file or directory"))
    return candidates, problems


def _walk(
    display_root: str, real_root: str, excludes: Sequence[str], problems: list[DiscoveryProblem]
) -> Iterator[Candidate]:
    visited: set[str] = set()
    stack: list[tuple[str, str]] = [(display_root, real_root)]
    while stack:
        display_dir, real_dir = stack.pop()
        if real_dir in visited:
            continue  # a symlink loop, or a directory linked twice
        visited.add(real_dir)
        try:
            entries = sorted(os.scandir(real_dir), key=lambda e: e.name)
        except OSError as error:
            problems.append(DiscoveryProblem(display_dir, f"cannot list: {error.strerror}"))
            continue
        names = {entry.name for entry in entries}
        directory_kind = _kind_of_directory(names)
        if directory_kind is not None:
            yield Candidate(display_dir, real_dir, directory_kind)
            continue
        subdirectories: list[tuple[str, str]] = []
        for entry in entries:
            display = os.path.join(display_dir, entry.name)
            relative = os.path.relpath(display, display_root).replace(os.sep, "/")
            if entry.name in SKIPPED_DIRECTORIES or _excluded(relative, excludes):
                continue
            real = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
            if not _inside(real, real_root):
                problems.append(DiscoveryProblem(display, "symlink leaves the scanned root"))
                continue
            try:
                st = os.stat(real)
            except OSError:
                problems.append(DiscoveryProblem(display, "broken symlink"))
                continue
            if stat.S_ISDIR(st.st_mode):
                subdirectories.append((display, real))
            elif stat.S_ISREG(st.st_mode):
                kind = _kind_of_file(display, explicit=False)
                if kind is not None:
                    yield Candidate(display, real, kind)
        stack.extend(reversed(subdirectories))


class ReadError(Exception):
    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read_text(real: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """Read a regular file as text, within `max_bytes`, or raise ReadError naming the line."""
    fd = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("not a regular file")
        if st.st_size > max_bytes:
            raise ReadError(_too_large(st.st_size, max_bytes))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise ReadError(_too_large(len(data), max_bytes))
    return decode(data)


def _too_large(size: int, limit: int) -> str:
    return (
        f"file is {size / 1048576:.1f} MiB, over the {limit / 1048576:.1f} MiB limit "
        "(raise max-file-size in bulkhead.toml if this is intended)"
    )


def decode(data: bytes) -> str:
    """Decode UTF-8 (or BOM-marked UTF-16); binary and invalid text raise ReadError."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ReadError("invalid UTF-16 text") from error
    nul = data.find(b"\x00")
    if nul != -1:
        raise ReadError(
            "binary content (NUL byte), not a text manifest", data.count(b"\n", 0, nul) + 1
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ReadError(f"invalid UTF-8 (byte 0x{data[error.start]:02x})", line) from error
    return text.removeprefix("\ufeff")
