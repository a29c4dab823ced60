"""GitHub Actions helpers shared by the CICD controls: triggers, jobs, steps, `${{ }}`
expressions and located hits.

Workflows are hostile input like manifests: any field may have any type, so every accessor
here checks types and nothing may raise on an odd shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bulkhead.controls import Hit
from bulkhead.controls._support import as_list, as_mapping
from bulkhead.model import FieldPath, render_path
from bulkhead.sources.configfiles import ConfigFile
from bulkhead.sources.yamldoc import line_of

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_BRACKET = re.compile(r"""\[\s*(['"])([^'"\]]*)\1\s*\]""")
_INDEX = re.compile(r"\[\s*(\d+|\*)\s*\]")
_SPACE = re.compile(r"\s+")


def hit(config: ConfigFile, path: FieldPath, message: str, key: str = "") -> Hit:
    """A hit located at `path` in the workflow (the deepest existing key; else line 1)."""
    line = line_of(config.document, path) or 1
    return Hit(path, message, file=config.location.file, line=line, key=key or render_path(path))


def triggers(document: Any) -> frozenset[str]:
    """The event names of `on:` in its string, list and mapping forms (lower-cased)."""
    on = as_mapping(document).get("on")
    if isinstance(on, str):
        names = [on]
    elif isinstance(on, (list, Mapping)):
        names = [n for n in on if isinstance(n, str)]
    else:
        names = []
    return frozenset(n.strip().lower() for n in names)


def jobs(document: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(job id, job mapping) for each job; odd shapes are skipped."""
    for job_id, job in as_mapping(as_mapping(document).get("jobs")).items():
        if isinstance(job_id, str) and isinstance(job, Mapping):
            yield job_id, job


def steps(job: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for index, step in enumerate(as_list(job.get("steps"))):
        if isinstance(step, Mapping):
            yield index, step


def step_name(job_id: str, index: int, step: Mapping[str, Any]) -> str:
    """How a message names a step: its `name`, else its `id`, else its position."""
    label = step.get("name") if isinstance(step.get("name"), str) else step.get("id")
    where = f"step {label!r}" if isinstance(label, str) and label else f"step {index + 1}"
    return f"{where} of job {job_id!r}"


def expressions(text: str, lower: bool = True) -> Iterator[str]:
    """Each `${{ ... }}` in `text`, normalized: no whitespace, lower case (unless `lower` is
    false), and index syntax (`github.event['issue']['title']`, `commits[0]`) rewritten as
    property syntax (`github.event.issue.title`, `commits.0`)."""
    for match in _EXPRESSION.finditer(text):
        body = _BRACKET.sub(lambda m: "." + m.group(2), match.group(1))
        body = _INDEX.sub(lambda m: "." + m.group(1), body)
        body = _SPACE.sub("", body)
        yield body.lower() if lower else body


def run_script(step: Mapping[str, Any]) -> str | None:
    run = step.get("run")
    return run if isinstance(run, str) else None
