"""Rendering Helm charts and kustomizations with the user's own tools.

The subprocess sits behind a small injectable `Runner`, so tests can replace it and the rest of
the loader stays pure. Rendering fails closed: a missing tool, a non-zero exit or a timeout is a
failed input (and a finding), never a silently skipped one. Warnings on stderr with exit 0 are
not failures (one peer drops whole charts on a benign helm warning).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

RENDER_TIMEOUT_SECONDS = 120.0
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
    try:
        completed = subprocess.run(
            list(argv),
            cwd=cwd,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"{argv[0]} timed out after {timeout:.0f} s") from error
    except OSError as error:
        raise RenderError(f"cannot run {argv[0]}: {error.strerror}") from error
    return RunResult(completed.returncode, completed.stdout, completed.stderr)


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


def render(argv: Sequence[str], directory: str, runner: Runner) -> str:
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
