"""Bounded, line-aware YAML loading that reads a manifest as the Kubernetes API server would.

libyaml (PyYAML's C parser) composes the node graph; we construct plain dicts and lists from it
ourselves, because PyYAML's constructor neither keeps lines nor reports duplicate keys, and
because we must bound what an attacker can make us build:

- nesting depth is measured before composing (the C composer recurses and would crash the
  interpreter on very deep input) and again while constructing;
- alias expansion is budgeted, so a "billion laughs" document is a finding, not an OOM;
- only the standard JSON-compatible tags are accepted; `!!python/...` and friends are refused,
  never executed;
- YAML 1.1 booleans (`yes`, `on`, `y`) resolve as go-yaml v2 (used by sigs.k8s.io/yaml and so by
  kubectl) resolves them;
- duplicate keys are reported and the last value wins, as in the API server's lenient decoder.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bulkhead.model import Diagnostic, FieldPath, Location

MAX_DEPTH = 256
ALIAS_ALLOWANCE = 100_000

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_PASSTHROUGH_SCALARS = frozenset(
    {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary", "!", "tag:yaml.org,2002:value"}
)
_TRUE = frozenset({"true", "yes", "on", "y"})


class _Loader(_BaseLoader):  # type: ignore[misc]
    """PyYAML's safe loader with a leaner tag resolver.

    The composer asks for a tag per scalar; PyYAML's resolver first walks path resolvers that
    the safe loader never registers. This one goes straight to the implicit resolvers, with the
    same result, and is the single most called function of a scan.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """No path resolvers are registered: nothing to track while descending."""

    def ascend_resolver(self) -> None:
        """No path resolvers are registered: nothing to track while ascending."""

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                resolvers = self.yaml_implicit_resolvers.get(value[:1], ())
                for tag, pattern in resolvers:
                    if pattern.match(value):
                        return str(tag)
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


# Manifests repeat the same keys and short values thousands of times (apiVersion, name,
# namespace, labels): sharing one string object per spelling halves a large scan's memory.
_intern = sys.intern
_INTERN_MAX = 64

_CI_TAGS = frozenset({"!reference"})
_YAML12_BOOLS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_GO_YAML_V2_BOOLS = {"y": True, "Y": True, "n": False, "N": False}

# A block collection nested N deep needs a structural prefix (indent, "- ", "? ") about N
# columns wide; flow collections need brackets. Either way a short prefix and few brackets
# prove the document shallow without parsing it.
_DEEP_PREFIX = re.compile(rf"^[ \t?:-]{{{MAX_DEPTH},}}", re.MULTILINE)


class YamlMap(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based).

    No Python-level __init__: construction stays at dict speed on the hot path.
    """

    __slots__ = ("key_lines", "line")
    line: int
    key_lines: dict[str, int]


class YamlSeq(list[Any]):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    __slots__ = ("item_lines", "line")
    line: int
    item_lines: list[int]


def new_seq(line: int) -> YamlSeq:
    seq = YamlSeq()
    seq.line = line
    seq.item_lines = []
    return seq


@dataclass(frozen=True, slots=True)
class Document:
    index: int
    line: int
    data: Any


class RejectedError(Exception):
    """The document cannot be interpreted safely; carries the offending line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def line_of(data: Any, path: FieldPath) -> int | None:
    """The line of the deepest part of `path` that exists in `data` (None if none does)."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in path:
        if isinstance(node, YamlMap) and isinstance(part, str) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, YamlSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def _int_value(text: str) -> int:
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    if value[:1] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value.startswith("0o"):
        return sign * int(value[2:], 8)
    if value.startswith("0"):
        return sign * int(value, 8)
    if ":" in value:
        total = 0
        for digit in value.split(":"):
            total = total * 60 + int(digit)
        return sign * total
    return sign * int(value)


def _float_value(text: str) -> float | str:
    value = text.replace("_", "").lower()
    if value in (".inf", "+.inf", "-.inf", ".nan"):
        # JSON (and so the API server) has no infinities or NaN: keep the text.
        return text
    if ":" in value:
        sign = -1.0 if value.startswith("-") else 1.0
        total = 0.0
        for digit in value.lstrip("+-").split(":"):
            total = total * 60 + float(digit)
        return sign * total
    return float(value)


def _key_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


class _Builder:
    __slots__ = (
        "aliased",
        "duplicates",
        "expanding",
        "last_line",
        "local_tags",
        "original",
        "seen",
        "short_bools",
        "yaml12",
    )

    def __init__(self, yaml12: bool = False) -> None:
        self.yaml12 = yaml12
        # CI files use their own harmless tags (GitLab's `!reference [.job, script]`): the value
        # is kept as plain data, never interpreted.
        self.local_tags = _CI_TAGS if yaml12 else frozenset()
        # go-yaml v2's extra spellings (y, n) only exist for Kubernetes' reader.
        self.short_bools: dict[str, bool] = {} if yaml12 else _GO_YAML_V2_BOOLS
        self.seen: set[int] = set()
        self.original = 0
        self.aliased = 0
        self.expanding = 0
        self.last_line = 1
        self.duplicates: list[tuple[YamlMap, str, int, int]] = []

    def scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        value: str = node.value
        if tag == _STR:
            if not node.style and value in self.short_bools:
                return self.short_bools[value]
            return value
        if tag == _BOOL:
            if self.yaml12 and value not in _YAML12_BOOLS:
                return value  # `on`, `yes`, `off` are strings in YAML 1.2 (GitHub Actions)
            return value.lower() in _TRUE
        if tag == _INT:
            return _int_value(value)
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            return _float_value(value)
        if tag in _PASSTHROUGH_SCALARS or tag in self.local_tags:
            return value
        raise RejectedError(node.start_mark.line + 1, f"unsupported YAML tag {tag!r}")

    def build(self, node: Node, depth: int) -> Any:
        if self.expanding:
            # Alias expansion is what an attacker multiplies: budget every node it creates.
            self.aliased += 1
            if self.aliased > ALIAS_ALLOWANCE + self.original:
                # Report where the expansion happens, not where the anchor was defined.
                raise RejectedError(
                    self.last_line, "alias expansion too large (a YAML alias bomb?)"
                )
        else:
            self.original += 1
        cls = node.__class__
        if cls is ScalarNode:
            return self.scalar(node)  # type: ignore[arg-type]
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise RejectedError(line, f"nesting deeper than {MAX_DEPTH} levels")
        key = id(node)
        if key not in self.seen:
            self.seen.add(key)
            if not self.expanding:
                self.last_line = line
            return self.collection(node, line, depth)
        self.expanding += 1
        try:
            return self.collection(node, line, depth)
        finally:
            self.expanding -= 1

    def collection(self, node: Node, line: int, depth: int) -> Any:
        if node.__class__ is MappingNode:
            return self.mapping(node, line, depth)
        if node.__class__ is SequenceNode:
            if node.tag != _SEQ and node.tag not in self.local_tags:
                raise RejectedError(line, f"unsupported YAML tag {node.tag!r}")
            seq = new_seq(line)
            lines = seq.item_lines
            for item in node.value:
                seq.append(self.build(item, depth + 1))
                lines.append(item.start_mark.line + 1)
            return seq
        raise RejectedError(line, f"unsupported YAML node {node.__class__.__name__}")

    def mapping(self, node: MappingNode, line: int, depth: int) -> YamlMap:
        if node.tag != _MAP and node.tag not in self.local_tags:
            raise RejectedError(line, f"unsupported YAML tag {node.tag!r}")
        result = YamlMap()
        result.line = line
        key_lines: dict[str, int] = {}
        result.key_lines = key_lines
        merged: list[YamlMap] = []
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                line = key_node.start_mark.line + 1
                raise RejectedError(line, "complex (non-scalar) mapping key")
            if key_node.tag == _MERGE:
                merged.extend(self.merge_sources(value_node, depth))
                continue
            key = _intern(key_node.value)
            if key_node.tag != _STR or (not key_node.style and key in self.short_bools):
                key = _key_text(self.scalar(key_node))
            key_line = key_node.start_mark.line + 1
            if key in result:
                self.duplicates.append((result, key, key_lines[key], key_line))
            if (
                value_node.__class__ is ScalarNode
                and value_node.tag == _STR
                and not self.expanding
                and (value_node.style or value_node.value not in self.short_bools)
            ):
                self.original += 1
                value = value_node.value
                result[key] = _intern(value) if len(value) <= _INTERN_MAX else value
            else:
                result[key] = self.build(value_node, depth + 1)
            key_lines[key] = key_line
        for source in merged:
            # Explicit keys win over merged ones, whatever their order (YAML merge semantics).
            for merged_key, merged_value in source.items():
                if merged_key not in result:
                    result[merged_key] = merged_value
                    key_lines[merged_key] = source.key_lines.get(merged_key, source.line)
        return result

    def merge_sources(self, node: Node, depth: int) -> list[YamlMap]:
        value = self.build(node, depth + 1)
        sources = [value] if isinstance(value, YamlMap) else value
        if not isinstance(sources, list) or not all(isinstance(s, YamlMap) for s in sources):
            raise RejectedError(node.start_mark.line + 1, "merge key (<<) needs a mapping")
        return sources


def _libyaml_bounds_nesting() -> bool:
    """libyaml 0.2.6+ refuses nesting over 1000 levels; older ones let the composer overflow."""
    try:
        version = yaml._yaml.get_version()
    except AttributeError:
        return False
    return tuple(version) >= (0, 2, 6)


_NESTING_BOUNDED = _BaseLoader is not yaml.SafeLoader and _libyaml_bounds_nesting()


def _might_be_deep(text: str) -> bool:
    if _NESTING_BOUNDED:
        return False
    if text.count("[") + text.count("{") >= MAX_DEPTH:
        return True
    return _DEEP_PREFIX.search(text) is not None


def _check_depth(text: str) -> None:
    """Measure nesting with libyaml's iterative event parser before the recursive composer."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else 1
                raise RejectedError(line, f"nesting deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _error_line(error: yaml.YAMLError) -> int:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return int(mark.line) + 1 if mark is not None else 1


def _error_text(error: yaml.YAMLError) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    text = " ".join(p for p in (context, problem) if p) or str(error).splitlines()[0]
    return f"invalid YAML: {text}"


def load_documents(
    text: str, file: str, yaml12: bool = False
) -> tuple[list[Document], list[Diagnostic]]:
    """Parse every document of `text`; a document that cannot be read becomes a Diagnostic.

    A syntax error ends the stream (libyaml cannot resynchronise), so documents before it are
    kept and the error is reported at its line. `yaml12` reads booleans as YAML 1.2 does (only
    true and false), as GitHub Actions and GitLab do; the default reads them as kubectl does.
    """
    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    try:
        if _might_be_deep(text):
            _check_depth(text)
        loader = _Loader(text)
        try:
            index = 0
            while loader.check_node():
                node = loader.get_node()
                builder = _Builder(yaml12)
                try:
                    data = builder.build(node, 0)
                except RejectedError as rejected:
                    diagnostics.append(
                        Diagnostic("unparseable", Location(file, rejected.line), rejected.message)
                    )
                    index += 1
                    continue
                for mapping, key, first_line, key_line in builder.duplicates:
                    diagnostics.append(
                        Diagnostic(
                            "duplicate-key",
                            Location(file, key_line),
                            f"duplicate key {key!r} (first at line {first_line}); "
                            "the last value is used",
                            (*_path_to(data, mapping), key),
                        )
                    )
                if data is not None:
                    documents.append(Document(index, node.start_mark.line + 1, data))
                index += 1
        finally:
            loader.dispose()
    except RejectedError as rejected:
        diagnostics.append(
            Diagnostic("unparseable", Location(file, rejected.line), rejected.message)
        )
    except yaml.YAMLError as error:
        diagnostics.append(
            Diagnostic("unparseable", Location(file, _error_line(error)), _error_text(error))
        )
    except RecursionError:
        diagnostics.append(Diagnostic("unparseable", Location(file, 1), "nesting too deep"))
    except UnicodeError as error:
        diagnostics.append(Diagnostic("unparseable", Location(file, 1), f"invalid text: {error}"))
    return documents, diagnostics


def _path_to(root: Any, target: YamlMap) -> FieldPath:
    """Find where `target` sits in `root` (only used to report a duplicate key)."""
    stack: list[tuple[Any, FieldPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if isinstance(node, dict):
            stack.extend((value, (*path, key)) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*path, i)) for i, value in enumerate(node))
    return ()


def iter_mappings(documents: list[Document]) -> Iterator[tuple[Document, YamlMap]]:
    for document in documents:
        if isinstance(document.data, YamlMap):
            yield document, document.data
