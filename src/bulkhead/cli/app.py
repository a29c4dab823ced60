"""Typer application: commands, flags and their wiring to the library."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bulkhead import __version__
from bulkhead.cli.common import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    UserError,
)
from bulkhead.cli.common import color as _color
from bulkhead.cli.common import emit as _emit
from bulkhead.cli.common import fail as _fail
from bulkhead.cli.common import guard as _guard
from bulkhead.cli.common import width as _width

if TYPE_CHECKING:  # the scan's modules load with the scan: other commands start faster
    from bulkhead.config import Config
    from bulkhead.model import Report, Severity


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


class CatalogFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class FailOn(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


def _config(path: Path | None) -> Config:
    from bulkhead.config import find_config, load_config

    if path is not None and not path.is_file():
        raise UserError(f"config file {path} not found")
    return load_config(path if path is not None else find_config(Path.cwd()))


def _split(values: list[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for raw in values or () for v in raw.split(",") if v.strip())


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A transient progress bar on an interactive stderr; nothing in CI logs or pipes."""
    if not enabled or not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True, no_color=not _color(sys.stderr))
    with Progress(
        TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
    ) as progress:
        task = progress.add_task("scan", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _read_stdin(paths: list[str], limit: int) -> bytes | None:
    if "-" not in paths:
        return None
    return sys.stdin.buffer.read(limit + 1)


PathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files or directories to scan (several allowed); - reads stdin.",
        show_default=False,
        metavar="PATH",
    ),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        "-e",
        help="Skip files or directories matching GLOB (repeatable).",
        metavar="GLOB",
    ),
]
NamespaceOpt = Annotated[
    str | None,
    typer.Option(
        "--namespace",
        "-n",
        metavar="NAMESPACE",
        help="Namespace for objects without one (as helm/kustomize output needs).",
        show_default="default",
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="bulkhead.toml or pyproject.toml; default: the one in the current directory.",
        dir_okay=False,
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]


def _load_settings(
    config_path: Path | None,
    namespace: str | None,
    exclude: list[str] | None,
    context_path: str | None,
    approved_registry: list[str] | None,
) -> Config:
    return _config(config_path).with_overrides(
        namespace=namespace,
        exclude=_split(exclude),
        context_path=context_path,
        approved_registries=_split(approved_registry),
    )


def _version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"bulkhead {__version__}\n")
        raise typer.Exit(EXIT_CLEAN)


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="bulkhead",
        help="Secure-delivery control plane for Odoo SaaS on Kubernetes.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )

    @app.callback()
    def root(
        version: Annotated[
            bool,
            typer.Option(
                "--version",
                "-V",
                help="Print the version and exit.",
                callback=_version_callback,
                is_eager=True,
            ),
        ] = False,
    ) -> None:
        """Secure-delivery control plane for Odoo SaaS on Kubernetes."""

    @app.command()
    def scan(
        paths: PathsArg = None,
        fmt: Annotated[
            ReportFormat, typer.Option("--format", "-f", help="Output format.")
        ] = ReportFormat.table,
        output: Annotated[
            Path | None,
            typer.Option(
                "--output", "-o", help="Write the report to FILE instead of stdout.", dir_okay=False
            ),
        ] = None,
        fail_on: Annotated[
            FailOn | None,
            typer.Option(
                "--fail-on",
                help="Exit 1 when an active finding is at or above this severity.",
                show_default="high",
            ),
        ] = None,
        exclude: ExcludeOpt = None,
        namespace: NamespaceOpt = None,
        config_path: ConfigOpt = None,
        baseline: Annotated[
            Path | None,
            typer.Option(
                "--baseline",
                "-b",
                help="Mark findings recorded in this baseline as suppressed.",
                dir_okay=False,
            ),
        ] = None,
        select: Annotated[
            list[str] | None,
            typer.Option(
                "--select",
                metavar="ID",
                help="Run only these control IDs or ID prefixes (repeatable, comma-separated).",
            ),
        ] = None,
        skip: Annotated[
            list[str] | None,
            typer.Option("--skip", metavar="ID", help="Do not run these control IDs or prefixes."),
        ] = None,
        approved_registry: Annotated[
            list[str] | None,
            typer.Option(
                "--approved-registry",
                metavar="REGISTRY",
                help="Approved image registry (repeatable); enables IM003.",
            ),
        ] = None,
        context_path: Annotated[
            str | None,
            typer.Option(
                "--context-path",
                metavar="PATTERN",
                help="Path pattern for tenant and environment: tenants/{tenant}/{environment}/.",
            ),
        ] = None,
        no_progress: Annotated[
            bool, typer.Option("--no-progress", help="Never show a progress bar.")
        ] = False,
        debug: DebugOpt = False,
    ) -> None:
        """Scan manifests, charts, kustomizations, Dockerfiles and service configuration files."""
        with _guard(debug):
            if not paths:
                raise UserError(
                    "give at least one path to scan (a file, a directory, or - for stdin)"
                )
            config = _load_settings(
                config_path, namespace, exclude, context_path, approved_registry
            )
            from bulkhead.model import Severity

            config = config.with_overrides(
                select=_split(select),
                disable=_split(skip),
                fail_on=Severity.parse(fail_on.value) if fail_on else None,
                baseline=str(baseline) if baseline else None,
            )
            report = _scan(paths, config, progress=not no_progress)
            from bulkhead.controls import by_id
            from bulkhead.formatters import render

            color = output is None and fmt is ReportFormat.table and _color(sys.stdout)
            _emit(render(report, fmt.value, by_id(), color=color, width=_width()), output)
            raise typer.Exit(_exit_code(report, config.fail_on))

    controls_app = typer.Typer(
        help="List the control catalog, show a control's docs, write docs/controls.",
        invoke_without_command=True,
        no_args_is_help=False,
    )
    app.add_typer(controls_app, name="controls")

    @controls_app.callback()
    def controls_list(
        ctx: typer.Context,
        fmt: Annotated[
            CatalogFormat, typer.Option("--format", "-f", help="Output format.")
        ] = CatalogFormat.table,
    ) -> None:
        """List every control (ID, severity, domain, title)."""
        if ctx.invoked_subcommand is not None:
            return
        from bulkhead.controls import catalog
        from bulkhead.formatters.catalog import controls_json, controls_table, index_page

        controls = catalog()
        if fmt is CatalogFormat.json:
            text = controls_json(controls)
        elif fmt is CatalogFormat.markdown:
            text = index_page(controls)
        else:
            text = controls_table(controls, color=_color(sys.stdout), width=_width())
        _emit(text, None)

    @controls_app.command("show")
    def controls_show(
        control_id: Annotated[str, typer.Argument(metavar="ID", help="Control ID, e.g. WL001.")],
    ) -> None:
        """Print one control's documentation."""
        from bulkhead.controls import by_id
        from bulkhead.formatters.catalog import control_page

        control = by_id().get(control_id.upper())
        if control is None:
            _fail(f"no control {control_id!r} (see bulkhead controls)")
        _emit(control_page(control), None)

    @controls_app.command("docs")
    def controls_docs(
        output: Annotated[
            Path,
            typer.Option(
                "--output", "-o", help="Directory to write the pages to.", file_okay=False
            ),
        ] = Path("docs/controls"),
    ) -> None:
        """Write docs/controls/ (one page per control and an index) from the catalog."""
        from bulkhead.controls import catalog
        from bulkhead.formatters.catalog import docs_pages

        with _guard(False):
            output.mkdir(parents=True, exist_ok=True)
            pages = docs_pages(catalog())
            for stale in output.glob("*.md"):
                if stale.name not in pages:
                    stale.unlink()
            for name, text in pages.items():
                (output / name).write_text(text, encoding="utf-8")
            sys.stdout.write(f"wrote {len(pages)} pages to {output}\n")

    baseline_app = typer.Typer(
        help="Accept today's findings so that only new ones fail the build.", no_args_is_help=True
    )
    app.add_typer(baseline_app, name="baseline")

    @baseline_app.command("create")
    def baseline_create(
        paths: PathsArg = None,
        output: Annotated[
            Path, typer.Option("--output", "-o", help="Baseline file to write.", dir_okay=False)
        ] = Path(".bulkhead-baseline.json"),
        reason: Annotated[
            str, typer.Option("--reason", "-r", help="Why these findings are accepted (required).")
        ] = "",
        exclude: ExcludeOpt = None,
        namespace: NamespaceOpt = None,
        config_path: ConfigOpt = None,
        debug: DebugOpt = False,
    ) -> None:
        """Record the current findings' fingerprints (stable when lines move) in a baseline file."""
        with _guard(debug):
            if not paths:
                raise UserError("give at least one path to scan")
            if not reason.strip():
                raise UserError("--reason is required: say why these findings are accepted")
            config = _load_settings(config_path, namespace, exclude, None, None)
            report = _scan(paths, config, progress=True)
            from bulkhead.suppress import baseline_document

            _emit(baseline_document(report.findings, reason.strip()), output)
            count = len(report.active)
            sys.stderr.write(f"baseline: {count} findings recorded in {output}\n")

    from bulkhead.cli import drill as drill_commands
    from bulkhead.cli import ledger as ledger_commands
    from bulkhead.cli import release as release_commands
    from bulkhead.cli import render as render_commands

    render_commands.register(app)
    ledger_commands.register(app)
    release_commands.register(app)
    drill_commands.register(app)
    return app


def _scan(paths: list[str], config: Config, progress: bool) -> Report:
    from bulkhead.scan import scan
    from bulkhead.suppress import read_baseline

    baseline = read_baseline(config.baseline) if config.baseline else None
    stdin = _read_stdin(paths, config.max_file_size)
    with _progress(progress) as update, _collector_paused():
        return scan(paths, config, baseline=baseline, stdin=stdin, progress=update)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A scan builds millions of long-lived, acyclic dicts and lists: the cyclic garbage
    collector would rescan that growing heap again and again (a third of the scan time here)
    and free nothing. Reference counting still frees everything; this one-shot process
    re-enables the collector when the scan is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _exit_code(report: Report, fail_on: Severity) -> int:
    worst = report.worst()
    return EXIT_FINDINGS if worst is not None and worst >= fail_on else EXIT_CLEAN
