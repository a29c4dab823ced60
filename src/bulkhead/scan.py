"""One scan, end to end: load the inputs, build the inventory, evaluate the controls.

This is the library entry point the CLI (and later the service) calls; it does no output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from bulkhead.config import Config
from bulkhead.controls import Control, catalog
from bulkhead.engine import evaluate, select_controls
from bulkhead.inventory import ContextRules, Inventory
from bulkhead.model import Notice, Report
from bulkhead.sources import LoadOptions, load
from bulkhead.sources.render import Runner, subprocess_runner
from bulkhead.suppress import Baseline

REGISTRY_CONTROL = "IM003"


def build_inventory(
    paths: Sequence[str],
    config: Config,
    runner: Runner = subprocess_runner,
    stdin: bytes | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Inventory:
    options = LoadOptions(
        default_namespace=config.namespace,
        excludes=config.exclude,
        max_file_bytes=config.max_file_size,
    )
    loaded = load(paths, options, runner=runner, stdin=stdin, progress=progress)
    return Inventory(
        loaded.resources,
        dockerfiles=loaded.dockerfiles,
        diagnostics=loaded.diagnostics,
        inputs=loaded.inputs,
        context_rules=ContextRules(config.context_path),
        configs=loaded.configs,
    )


def scan(
    paths: Sequence[str],
    config: Config | None = None,
    *,
    baseline: Baseline | None = None,
    controls: Sequence[Control] | None = None,
    runner: Runner = subprocess_runner,
    stdin: bytes | None = None,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    config = config or Config()
    chosen = (
        controls
        if controls is not None
        else select_controls(catalog(), config.select, config.disable)
    )
    inventory = build_inventory(paths, config, runner=runner, stdin=stdin, progress=progress)
    report = evaluate(inventory, chosen, config, baseline=baseline, today=today)
    if any(c.id == REGISTRY_CONTROL for c in chosen) and not config.approved_registries:
        note = Notice(
            f"{REGISTRY_CONTROL} (approved registries) is off: set approved-registries in "
            "bulkhead.toml or pass --approved-registry"
        )
        report = replace(report, notices=(*report.notices, note))
    return report
