"""Dockerfiles, parsed with dockerfile-parse and split into build stages."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from dockerfile_parse import DockerfileParser

from bulkhead.model import Location

IGNORE_COMMENT = re.compile(
    r"^bulkhead:ignore(?P<file>-file)?\s+(?P<ids>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)\s*(?P<reason>.*)$"
)
_VARIABLE = re.compile(r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


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

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_names(self) -> frozenset[str]:
        return frozenset(s.name.lower() for s in self.stages if s.name)


def substitute(text: str, variables: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        if name in variables and variables[name]:
            return variables[name]
        default = match.group("default")
        return default if default is not None else match.group(0)

    return _VARIABLE.sub(replace, text)


def parse_dockerfile(text: str, file: str) -> Dockerfile:
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    instructions: list[Instruction] = []
    pending_ignores: list[tuple[tuple[str, ...], str, int]] = []
    ignores: list[IgnoreComment] = []
    global_args: dict[str, str] = {}
    stage_heads: list[tuple[Instruction, str | None, str]] = []
    stage = -1
    for item in parser.structure:
        keyword = str(item["instruction"]).upper()
        value = str(item["value"])
        line = int(item["startline"]) + 1
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
        for ids, reason, comment_line in pending_ignores:
            ignores.append(IgnoreComment(ids, reason, comment_line, line))
        pending_ignores.clear()
        if keyword == "ARG" and stage == -1:
            name, _, default = value.partition("=")
            global_args[name.strip()] = default.strip().strip("\"'")
        if keyword == "FROM":
            image, name = _from_parts(value)
            stage_heads.append((instruction, name, substitute(image, global_args)))
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
    return Dockerfile(Location(file, 1), tuple(instructions), stages, tuple(ignores))


def _from_parts(value: str) -> tuple[str, str | None]:
    words = [w for w in value.split() if not w.startswith("--")]
    image = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    return image, name
