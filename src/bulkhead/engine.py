"""The engine: runs the selected controls over the inventory and builds the Report.

It is the only place that turns hits into findings, so context severity, severity overrides,
suppressions and fingerprints are applied the same way for every control.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from bulkhead.config import Config, ExceptionRule
from bulkhead.controls import Control, Hit, Scope, Settings
from bulkhead.inventory import Inventory
from bulkhead.model import (
    Context,
    Finding,
    Location,
    Notice,
    Report,
    Resource,
    Severity,
    Suppression,
    fingerprint,
    render_path,
)
from bulkhead.sources.dockerfile import IgnoreComment
from bulkhead.sources.yamldoc import line_of
from bulkhead.suppress import (
    IGNORE_ANNOTATION,
    Baseline,
    exception_for,
    expired_notice,
    parse_ignore_annotation,
)


class EngineError(Exception):
    """A control failed: reported as a runtime error (exit 2), never as a clean scan."""


class SelectionError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Subject:
    """What a hit is about: a resource, or a file (Dockerfile, configuration), and its context."""

    resource: Resource | None = None
    context: Context = field(default_factory=Context)
    file: str = ""
    """The file of a Dockerfile or configuration subject (hits give the line)."""
    ignores: tuple[IgnoreComment, ...] = ()
    """Suppression comments of a Dockerfile or configuration file."""


def select_controls(
    controls: Sequence[Control], select: Sequence[str], disable: Sequence[str]
) -> tuple[Control, ...]:
    """Controls chosen by ID or ID prefix (`WL` selects the whole workload domain)."""
    known = {c.id for c in controls}
    for pattern in (*select, *disable):
        if not any(c.startswith(pattern.upper()) for c in known):
            raise SelectionError(f"no control matches {pattern!r} (see bulkhead controls)")

    def matches(control: Control, patterns: Sequence[str]) -> bool:
        return any(control.id.startswith(p.upper()) for p in patterns)

    chosen = [c for c in controls if not select or matches(c, select)]
    return tuple(c for c in chosen if not matches(c, disable))


def _subjects(control: Control, inventory: Inventory) -> Iterator[tuple[object, Subject]]:
    scope = control.meta.scope
    if scope is Scope.CONTAINER:
        for container in inventory.containers():
            resource = container.pod.resource
            yield container, Subject(resource, resource.context)
    elif scope is Scope.POD:
        for template in inventory.pod_templates:
            yield template, Subject(template.resource, template.resource.context)
    elif scope is Scope.RESOURCE:
        for resource in inventory.of_kind(*sorted(control.meta.kinds)):
            yield resource, Subject(resource, resource.context)
    elif scope is Scope.DOCKERFILE:
        for dockerfile, context in zip(
            inventory.dockerfiles, inventory.dockerfile_contexts, strict=True
        ):
            file = dockerfile.location.file
            yield dockerfile, Subject(None, context, file, dockerfile.ignores)
    elif scope is Scope.CONFIG:
        for config, context in zip(inventory.configs, inventory.config_contexts, strict=True):
            if not control.meta.kinds or config.kind.value in control.meta.kinds:
                yield config, Subject(None, context, config.location.file, config.ignores)
    else:
        yield inventory, Subject()


class _Suppressor:
    def __init__(self, config: Config, baseline: Baseline | None, today: dt.date) -> None:
        self.rules: tuple[ExceptionRule, ...] = config.exceptions
        self.baseline = baseline
        self.today = today
        self.expired: dict[str, ExceptionRule] = {}
        self.notices: dict[str, Notice] = {}

    def annotation(self, finding: Finding, resource: Resource | None) -> Suppression | None:
        if resource is None or IGNORE_ANNOTATION not in resource.annotations:
            return None
        parsed = parse_ignore_annotation(resource.annotations[IGNORE_ANNOTATION])
        for problem in parsed.problems:
            key = f"{resource.location}:{problem}"
            self.notices.setdefault(key, Notice(f"{resource.ref}: {problem}", resource.location))
        reason = parsed.by_control.get(finding.control)
        return Suppression("annotation", reason) if reason else None

    def comment(self, finding: Finding, subject: Subject) -> Suppression | None:
        for ignore in subject.ignores:
            if finding.control not in ignore.controls:
                continue
            if ignore.applies_to_line not in (None, finding.location.line):
                continue
            if not ignore.reason:
                key = f"{subject.file}:{ignore.line}"
                self.notices.setdefault(
                    key,
                    Notice(
                        "bulkhead:ignore comment has no reason: not applied",
                        Location(subject.file, ignore.line),
                    ),
                )
                continue
            return Suppression("comment", ignore.reason)
        return None

    def __call__(self, finding: Finding, subject: Subject) -> Finding:
        suppression = self.annotation(finding, subject.resource) or self.comment(finding, subject)
        if suppression is None:
            rule, expired = exception_for(finding, self.rules, self.today)
            for old in expired:
                self.expired.setdefault(old.origin, old)
            if rule is not None:
                suppression = Suppression("config", rule.reason, str(rule.expires or "") or None)
        if (
            suppression is None
            and self.baseline
            and finding.fingerprint in self.baseline.fingerprints
        ):
            suppression = Suppression("baseline", self.baseline.reason)
        if suppression is None:
            return finding
        return Finding(
            control=finding.control,
            severity=finding.severity,
            title=finding.title,
            message=finding.message,
            location=finding.location,
            resource=finding.resource,
            path=finding.path,
            fingerprint=finding.fingerprint,
            suppression=suppression,
        )

    def all_notices(self) -> list[Notice]:
        return [*self.notices.values(), *(expired_notice(r) for r in self.expired.values())]


def _severity(control: Control, context: Context, config: Config) -> Severity:
    if control.id in config.severity:
        return config.severity[control.id]
    relaxed = control.meta.severity_outside_production
    if relaxed is not None and not context.is_production:
        return relaxed
    return control.meta.severity


def _finding(control: Control, hit: Hit, subject: Subject, config: Config) -> Finding:
    resource = hit.resource or subject.resource
    context = hit.resource.context if hit.resource is not None else subject.context
    path = render_path(hit.path)
    if resource is not None:
        line = hit.line or line_of(resource.doc, hit.path) or resource.location.line
        location = Location(hit.file or resource.location.file, line)
        identity: tuple[object, ...] = (resource.kind, resource.namespace, resource.name)
    else:
        file = hit.file or subject.file
        location = Location(file, hit.line or 1)
        identity = ()
    return Finding(
        control=control.id,
        severity=_severity(control, context, config),
        title=control.meta.title,
        message=hit.message,
        location=location,
        resource=resource.ref if resource is not None else None,
        path=path,
        # normpath: `./deploy/x.yaml` and `deploy/x.yaml` are one file for baselines.
        fingerprint=fingerprint(
            control.id, posixpath.normpath(location.file), *identity, path, hit.key
        ),
    )


def _file_subjects(inventory: Inventory) -> dict[str, Subject]:
    """Dockerfiles and configuration files by path, for inventory hits that name a file."""
    subjects = {
        d.location.file: Subject(None, context, d.location.file, d.ignores)
        for d, context in zip(inventory.dockerfiles, inventory.dockerfile_contexts, strict=True)
    }
    for config, context in zip(inventory.configs, inventory.config_contexts, strict=True):
        file = config.location.file
        subjects[file] = Subject(None, context, file, config.ignores)
    return subjects


def evaluate(
    inventory: Inventory,
    controls: Iterable[Control],
    config: Config | None = None,
    baseline: Baseline | None = None,
    today: dt.date | None = None,
) -> Report:
    config = config or Config()
    settings = Settings(approved_registries=config.approved_registries)
    suppress = _Suppressor(config, baseline, today or dt.date.today())
    chosen = tuple(controls)
    files = _file_subjects(inventory)
    findings: list[Finding] = []
    for control in chosen:
        for subject_value, subject in _subjects(control, inventory):
            try:
                hits = list(control.check(subject_value, settings))
            except Exception as error:
                where = subject.resource.location if subject.resource else None
                if where is None and subject.file:
                    where = Location(subject.file, 1)
                place = f" on {where.file}:{where.line}" if where else ""
                raise EngineError(f"control {control.id} failed{place}: {error!r}") from error
            for hit in hits:
                # An inventory control names what its hit is about: that resource's annotations,
                # or that file's ignore comments and context, apply to the finding.
                if hit.resource is not None:
                    about = replace(subject, resource=hit.resource)
                elif hit.file is not None and not subject.file and hit.file in files:
                    about = files[hit.file]
                else:
                    about = subject
                findings.append(suppress(_finding(control, hit, about, config), about))
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.control, f.path))
    return Report(
        inputs=inventory.inputs,
        findings=tuple(findings),
        controls=tuple(c.id for c in chosen),
        notices=tuple(suppress.all_notices()),
    )
