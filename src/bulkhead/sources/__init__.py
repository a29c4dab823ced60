"""Loaders: every input becomes Resources, Dockerfiles and Diagnostics, each with file and line.

`load()` is the one entry point. It never raises on bad input: what cannot be read or rendered
is recorded as a failed input with a Diagnostic, and the rest of the scan goes on.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from bulkhead.model import Diagnostic, InputRecord, InputStatus, Location, Resource
from bulkhead.sources.configfiles import ConfigFile, ConfigKind, config_kind, parse_config_file
from bulkhead.sources.dockerfile import Dockerfile, parse_dockerfile
from bulkhead.sources.files import (
    DEFAULT_MAX_FILE_BYTES,
    Candidate,
    InputKind,
    ReadError,
    decode,
    discover,
    read_text,
)
from bulkhead.sources.kubernetes import helm_template_line, resources_from_documents
from bulkhead.sources.render import (
    RenderError,
    Runner,
    helm_command,
    kustomize_command,
    run_renderer,
    split_helm_sources,
    subprocess_runner,
)
from bulkhead.sources.secrets import find_secrets
from bulkhead.sources.traefik_dynamic import (
    is_dynamic_config,
    is_static_config,
    load_toml,
    resources_from_dynamic,
    shift_lines,
)
from bulkhead.sources.yamldoc import line_of, load_documents

STDIN = "-"
STDIN_DISPLAY = "<stdin>"

__all__ = ["STDIN", "LoadOptions", "Loaded", "load"]


@dataclass(frozen=True, slots=True)
class LoadOptions:
    default_namespace: str = "default"
    excludes: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES


@dataclass(slots=True)
class Loaded:
    inputs: list[InputRecord] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    dockerfiles: list[Dockerfile] = field(default_factory=list)
    configs: list[ConfigFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def fail(self, path: str, kind: str, code: str, message: str, line: int = 1) -> None:
        self.inputs.append(InputRecord(path, kind, InputStatus.FAILED, 0, message))
        self.diagnostics.append(Diagnostic(code, Location(path, line), message))


def load(
    paths: Sequence[str],
    options: LoadOptions | None = None,
    runner: Runner = subprocess_runner,
    stdin: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Loaded:
    """Load every input; `progress(done, total)` is called after each discovered input."""
    options = options or LoadOptions()
    loaded = Loaded()
    declared = [p for p in paths if p != STDIN]
    if STDIN in paths:
        _load_stdin(stdin or b"", options, loaded)
    candidates, problems = discover(declared, options.excludes)
    for problem in problems:
        loaded.fail(problem.display, "path", "unreadable", problem.message)
    for done, candidate in enumerate(candidates, start=1):
        if candidate.kind is InputKind.MANIFEST:
            _load_manifest(candidate, options, loaded)
        elif candidate.kind is InputKind.DOCKERFILE:
            _load_dockerfile(candidate, options, loaded)
        elif candidate.kind is InputKind.CONFIG:
            _load_config(candidate, options, loaded)
        else:
            _load_rendered(candidate, options, runner, loaded)
        if progress is not None:
            progress(done, len(candidates))
    return loaded


def _load_stdin(data: bytes, options: LoadOptions, loaded: Loaded) -> None:
    if len(data) > options.max_file_bytes:
        loaded.fail(STDIN_DISPLAY, InputKind.MANIFEST, "unparseable", "standard input too large")
        return
    try:
        text = decode(data)
    except ReadError as error:
        loaded.fail(STDIN_DISPLAY, InputKind.MANIFEST, "unparseable", error.message, error.line)
        return
    _load_manifest_text(text, STDIN_DISPLAY, options, loaded, InputStatus.SCANNED)


def _load_manifest(candidate: Candidate, options: LoadOptions, loaded: Loaded) -> None:
    try:
        text = read_text(candidate.real, options.max_file_bytes)
    except ReadError as error:
        loaded.fail(candidate.display, candidate.kind, "unparseable", error.message, error.line)
        return
    except OSError as error:
        loaded.fail(
            candidate.display, candidate.kind, "unreadable", f"cannot read: {error.strerror}"
        )
        return
    template_line = helm_template_line(text)
    if template_line is not None:
        loaded.fail(
            candidate.display,
            candidate.kind,
            "unrendered-template",
            "unrendered Helm template: scan the chart directory (with helm on PATH) "
            "or the output of helm template",
            template_line,
        )
        return
    _load_manifest_text(text, candidate.display, options, loaded, InputStatus.SCANNED)


def _load_manifest_text(
    text: str, display: str, options: LoadOptions, loaded: Loaded, status: InputStatus
) -> int:
    documents, diagnostics = load_documents(text, display)
    diagnostics.extend(find_secrets(text, display))
    resources = resources_from_documents(documents, display, options.default_namespace)
    for document in documents:
        if is_dynamic_config(document.data):
            resources.extend(resources_from_dynamic(document.data, display, document.index))
    resources.extend(_embedded_dynamic_configs(resources))
    loaded.resources.extend(resources)
    loaded.diagnostics.extend(diagnostics)
    unreadable = [d for d in diagnostics if d.code == "unparseable"]
    if unreadable:
        detail = f"{unreadable[0].message} (line {unreadable[0].location.line})"
        loaded.inputs.append(
            InputRecord(display, InputKind.MANIFEST, InputStatus.FAILED, len(resources), detail)
        )
    else:
        detail = "" if resources else "no Kubernetes objects"
        loaded.inputs.append(
            InputRecord(display, InputKind.MANIFEST, status, len(resources), detail)
        )
    return len(resources)


def _load_dockerfile(candidate: Candidate, options: LoadOptions, loaded: Loaded) -> None:
    try:
        text = read_text(candidate.real, options.max_file_bytes)
        dockerfile = parse_dockerfile(text, candidate.display)
        loaded.diagnostics.extend(find_secrets(text, candidate.display))
    except ReadError as error:
        loaded.fail(candidate.display, candidate.kind, "unparseable", error.message, error.line)
        return
    except (OSError, ValueError) as error:
        loaded.fail(candidate.display, candidate.kind, "unparseable", f"cannot parse: {error}")
        return
    if not dockerfile.stages:
        loaded.fail(candidate.display, candidate.kind, "unparseable", "no FROM instruction")
        return
    loaded.dockerfiles.append(dockerfile)
    loaded.inputs.append(
        InputRecord(candidate.display, candidate.kind, InputStatus.SCANNED, len(dockerfile.stages))
    )


def _load_config(candidate: Candidate, options: LoadOptions, loaded: Loaded) -> None:
    kind = config_kind(candidate.display)
    assert kind is not None  # discovery classified it by the same rule
    try:
        text = read_text(candidate.real, options.max_file_bytes)
    except ReadError as error:
        loaded.fail(candidate.display, candidate.kind, "unparseable", error.message, error.line)
        return
    except OSError as error:
        loaded.fail(
            candidate.display, candidate.kind, "unreadable", f"cannot read: {error.strerror}"
        )
        return
    config, diagnostics = parse_config_file(kind, text, candidate.display)
    loaded.diagnostics.extend(diagnostics)
    loaded.diagnostics.extend(find_secrets(text, candidate.display))
    if config is None:
        failure = next(d for d in diagnostics if d.code == "unparseable")
        detail = f"{failure.message} (line {failure.location.line})"
        loaded.inputs.append(InputRecord(candidate.display, kind, InputStatus.FAILED, 0, detail))
        return
    if kind is ConfigKind.TRAEFIK_DYNAMIC:
        _load_traefik_toml(config, loaded)
        return
    loaded.configs.append(config)
    loaded.inputs.append(InputRecord(candidate.display, kind, InputStatus.SCANNED, 1))


def _load_traefik_toml(config: ConfigFile, loaded: Loaded) -> None:
    """A TOML file named like Traefik's: dynamic configuration, or static by another name."""
    display = config.location.file
    if is_dynamic_config(config.document):
        resources = resources_from_dynamic(config.document, display)
        loaded.resources.extend(resources)
        record = InputRecord(display, config.kind, InputStatus.SCANNED, len(resources))
    elif is_static_config(config.document):
        loaded.configs.append(replace(config, kind=ConfigKind.TRAEFIK_STATIC))
        record = InputRecord(display, ConfigKind.TRAEFIK_STATIC, InputStatus.SCANNED, 1)
    else:
        detail = "no Traefik static or dynamic configuration"
        record = InputRecord(display, config.kind, InputStatus.SKIPPED, 0, detail)
    loaded.inputs.append(record)


_EMBEDDED_SUFFIXES = (".yml", ".yaml", ".toml")
_EMBEDDED_MARKERS = ("http", "tcp", "tls")


def _embedded_dynamic_configs(resources: Sequence[Resource]) -> Iterator[Resource]:
    """File-provider configuration mounted from a ConfigMap entry (`dynamic.yml: |`), with
    lines counted in the manifest that holds it."""
    for resource in resources:
        if resource.kind != "ConfigMap":
            continue
        data = resource.doc.get("data")
        if not isinstance(data, Mapping):
            continue
        for name, text in data.items():
            lowered = str(name).lower()
            if (
                not isinstance(text, str)
                or not lowered.endswith(_EMBEDDED_SUFFIXES)
                or lowered.startswith("traefik.")  # static configuration
                or not any(marker in text for marker in _EMBEDDED_MARKERS)
            ):
                continue
            document = _parse_embedded(text, lowered)
            if not is_dynamic_config(document):
                continue
            key_line = line_of(resource.doc, ("data", name)) or resource.location.line
            # A block scalar starts on the line below its key.
            shift_lines(document, key_line if "\n" in text else key_line - 1)
            yield from resources_from_dynamic(document, resource.location.file, resource.doc_index)


def _parse_embedded(text: str, name: str) -> object:
    if name.endswith(".toml"):
        try:
            return load_toml(text)
        except tomllib.TOMLDecodeError:
            return None
    documents, diagnostics = load_documents(text, name)
    if diagnostics or len(documents) != 1:
        return None
    return documents[0].data


def _load_rendered(
    candidate: Candidate, options: LoadOptions, runner: Runner, loaded: Loaded
) -> None:
    try:
        if candidate.kind is InputKind.HELM_CHART:
            argv = helm_command(candidate.real, options.default_namespace)
        else:
            argv = kustomize_command(candidate.real)
        rendered = run_renderer(argv, candidate.real, runner)
    except RenderError as error:
        loaded.fail(candidate.display, candidate.kind, "render-failed", str(error))
        return
    before = len(loaded.inputs)
    if candidate.kind is InputKind.HELM_CHART:
        parts = split_helm_sources(rendered)
    else:
        parts = [(None, rendered)]
    count = 0
    for source, text in parts:
        display = _rendered_display(candidate.display, source)
        count += _load_manifest_text(text, display, options, loaded, InputStatus.RENDERED)
    failed = [r for r in loaded.inputs[before:] if r.status is InputStatus.FAILED]
    del loaded.inputs[before:]
    if failed:
        loaded.inputs.append(
            InputRecord(
                candidate.display, candidate.kind, InputStatus.FAILED, count, failed[0].detail
            )
        )
    else:
        loaded.inputs.append(
            InputRecord(candidate.display, candidate.kind, InputStatus.RENDERED, count)
        )


def _rendered_display(chart_display: str, source: str | None) -> str:
    if source is None:
        return chart_display
    # helm names sources "<chart name>/templates/x.yaml"; show them under the chart directory.
    _, _, inside = source.partition("/")
    return os.path.join(chart_display, inside or source)
