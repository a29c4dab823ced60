"""Dockerfiles, parsed with dockerfile-parse and split into build stages."""

from __future__ import annotations

import io
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from bulkhead.model import Location

IGNORE_COMMENT = re.compile(
    r"^bulkhead:ignore(?P<file>-file)?\s+(?P<ids>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)\s*(?P<reason>.*)$"
)
_HEREDOC = re.compile(r"<<-?\s*([\"']?)(?P<delimiter>[A-Za-z_][A-Za-z0-9_]*)\1")
_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    value: str
    line: int
    end_line: int
    stage: int


@dataclass(frozen=True, slots=True)
class Stage:
    index: int
    name: str | None
    image: str
    """The base image with global ARG defaults substituted."""
    line: int
    instructions: tuple[Instruction, ...]

    def last(self, keyword: str) -> Instruction | None:
        matches = [i for i in self.instructions if i.keyword == keyword]
        return matches[-1] if matches else None


@dataclass(frozen=True, slots=True)
class IgnoreComment:
    controls: tuple[str, ...]
    reason: str
    line: int
    applies_to_line: int | None
    """The instruction line it covers, or None for a whole-file ignore."""


@dataclass(frozen=True, slots=True)
class Dockerfile:
    location: Location
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    ignores: tuple[IgnoreComment, ...]
    global_args: Mapping[str, str] = field(default_factory=dict)
    """ARG defaults declared before the first FROM, each resolved against earlier ones."""

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_names(self) -> frozenset[str]:
        return frozenset(s.name.lower() for s in self.stages if s.name)

    def base_stage(self, stage: Stage) -> Stage | None:
        """The earlier stage this one is built FROM, if its base image names a stage."""
        image = stage.image.strip().lower()
        for earlier in reversed(self.stages[: stage.index]):
            if earlier.name and earlier.name.lower() == image:
                return earlier
        return None

    def lineage(self, stage: Stage) -> list[Stage]:
        """The stage, then the stages it is built from, nearest first (cycles cut)."""
        chain: list[Stage] = []
        current: Stage | None = stage
        while current is not None and current not in chain:
            chain.append(current)
            current = self.base_stage(current)
        return chain


def parse_arg(value: str) -> list[tuple[str, str | None]]:
    """`ARG A=1 B="two words" C` -> [("A", "1"), ("B", "two words"), ("C", None)]."""
    try:
        words = shlex.split(value, comments=False, posix=True)
    except ValueError:
        words = value.split()
    pairs: list[tuple[str, str | None]] = []
    for word in words:
        name, eq, default = word.partition("=")
        pairs.append((name.strip(), default if eq else None))
    return pairs


def substitute(text: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        if variables.get(name):
            return variables[name]
        default = match.group("default")
        return default if default is not None else match.group(0)

    return _VARIABLE.sub(replace, text)


def parse_dockerfile(text: str, file: str) -> Dockerfile:
    # Imported here: a scan without Dockerfiles should not pay for the parser's import.
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    instructions: list[Instruction] = []
    pending_ignores: list[tuple[tuple[str, ...], str, int]] = []
    ignores: list[IgnoreComment] = []
    global_args: dict[str, str] = {}
    stage_heads: list[tuple[Instruction, str | None, str]] = []
    stage = -1
    heredoc_delimiters: list[str] = []
    for item in parser.structure:
        keyword = str(item["instruction"]).upper()
        value = str(item["value"])
        line = int(item["startline"]) + 1
        if heredoc_delimiters:
            # dockerfile-parse splits a heredoc body into fake instructions: fold it back into
            # the instruction that opened it, so a body line never becomes a FROM or a USER.
            body_line = str(item["content"]).rstrip("\n")
            if body_line.strip() == heredoc_delimiters[0]:
                heredoc_delimiters.pop(0)
            opener = instructions[-1]
            instructions[-1] = replace(
                opener, value=f"{opener.value}\n{body_line}", end_line=int(item["endline"]) + 1
            )
            continue
        if keyword == "COMMENT":
            match = IGNORE_COMMENT.match(value.strip())
            if match:
                ids = tuple(i.strip() for i in match.group("ids").split(","))
                reason = match.group("reason").strip()
                if match.group("file"):
                    ignores.append(IgnoreComment(ids, reason, line, None))
                else:
                    pending_ignores.append((ids, reason, line))
            continue
        if keyword == "FROM":
            stage += 1
        instruction = Instruction(keyword, value, line, int(item["endline"]) + 1, stage)
        instructions.append(instruction)
        if keyword in ("RUN", "COPY", "ADD"):
            heredoc_delimiters = [m.group("delimiter") for m in _HEREDOC.finditer(value)]
        for ids, reason, comment_line in pending_ignores:
            ignores.append(IgnoreComment(ids, reason, comment_line, line))
        pending_ignores.clear()
        if keyword == "ARG" and stage == -1:
            for arg_name, default in parse_arg(value):
                global_args[arg_name] = substitute(default or "", global_args)
        if keyword == "FROM":
            image, stage_name = _from_parts(value)
            stage_heads.append((instruction, stage_name, substitute(image, global_args)))
    stages = tuple(
        Stage(
            index=index,
            name=name,
            image=image,
            line=head.line,
            instructions=tuple(i for i in instructions if i.stage == index),
        )
        for index, (head, name, image) in enumerate(stage_heads)
    )
    return Dockerfile(Location(file, 1), tuple(instructions), stages, tuple(ignores), global_args)


def _from_parts(value: str) -> tuple[str, str | None]:
    words = [w for w in value.split() if not w.startswith("--")]
    image = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    return image, name
