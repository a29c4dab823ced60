"""Rendering Helm charts and kustomizations with the user's own tools.

The subprocess sits behind a small injectable `Runner`, so tests can replace it and the rest of
the loader stays pure. Rendering fails closed: a missing tool, a non-zero exit or a timeout is a
failed input (and a finding), never a silently skipped one. Warnings on stderr with exit 0 are
not failures (one peer drops whole charts on a benign helm warning).
"""

from __future__ import annotations

import os
import re
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

RENDER_TIMEOUT_SECONDS = 120.0
RENDER_MAX_BYTES = 32 * 1024 * 1024
"""A chart can loop: rendered output past this is a failed render, not an out-of-memory."""
_STDERR_KEPT = 64 * 1024
_SOURCE_COMMENT = re.compile(r"^# Source: (?P<path>\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RunResult:
    returncode: int
    stdout: str
    stderr: str


class Runner(Protocol):
    def __call__(self, argv: Sequence[str], cwd: str, timeout: float) -> RunResult: ...


class RenderError(Exception):
    pass


def subprocess_runner(argv: Sequence[str], cwd: str, timeout: float) -> RunResult:
    """Run a renderer with a deadline and a cap on its output; stdin is closed."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                list(argv), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors
            )
        except OSError as error:
            raise RenderError(f"cannot run {argv[0]}: {error.strerror}") from error
        try:
            output = _read_bounded(process, argv[0], time.monotonic() + timeout, timeout)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
        errors.seek(0)
        stderr = errors.read(_STDERR_KEPT).decode("utf-8", "replace")
    return RunResult(process.returncode, output.decode("utf-8", "replace"), stderr)


def _read_bounded(
    process: subprocess.Popen[bytes], tool: str, deadline: float, timeout: float
) -> bytes:
    assert process.stdout is not None
    chunks: list[bytes] = []
    size = 0
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RenderError(f"{tool} timed out after {timeout:.0f} s")
            if not selector.select(remaining):
                continue
            chunk = os.read(process.stdout.fileno(), 1 << 16)
            if not chunk:
                break
            size += len(chunk)
            if size > RENDER_MAX_BYTES:
                raise RenderError(f"{tool} rendered more than {RENDER_MAX_BYTES >> 20} MiB")
            chunks.append(chunk)
    try:
        process.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"{tool} timed out after {timeout:.0f} s") from error
    return b"".join(chunks)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    error_lines = [line for line in lines if line.lower().startswith("error")]
    return (error_lines or lines or ["no output"])[0][:300]


def helm_command(directory: str, namespace: str) -> list[str]:
    helm = shutil.which("helm")
    if helm is None:
        raise RenderError(
            "helm is not on PATH: install helm, or render the chart yourself "
            "(helm template ... > rendered.yaml) and scan the output"
        )
    release = os.path.basename(os.path.abspath(directory)) or "release"
    return [helm, "template", release, ".", "--namespace", namespace]


def kustomize_command(directory: str) -> list[str]:
    kustomize = shutil.which("kustomize")
    if kustomize is not None:
        return [kustomize, "build", "."]
    kubectl = shutil.which("kubectl")
    if kubectl is not None:
        return [kubectl, "kustomize", "."]
    raise RenderError(
        "neither kustomize nor kubectl is on PATH: install one, or render the overlay yourself "
        "(kustomize build ... > rendered.yaml) and scan the output"
    )


def run_renderer(argv: Sequence[str], directory: str, runner: Runner) -> str:
    result = runner(argv, directory, RENDER_TIMEOUT_SECONDS)
    if result.returncode != 0:
        tool = os.path.basename(argv[0])
        raise RenderError(f"{tool} failed (exit {result.returncode}): {_first_line(result.stderr)}")
    return result.stdout


def split_helm_sources(rendered: str) -> list[tuple[str | None, str]]:
    """Split `helm template` output at its `# Source:` comments: (template path, text)."""
    matches = list(_SOURCE_COMMENT.finditer(rendered))
    if not matches:
        return [(None, rendered)]
    parts: list[tuple[str | None, str]] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(rendered)
        parts.append((match.group("path"), rendered[match.start() : end]))
    return parts
