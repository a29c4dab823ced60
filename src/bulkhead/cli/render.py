"""`bulkhead schema`, `bulkhead tenancy` and `bulkhead render`: the platform definition at work.

`register(app)` adds the three commands. Nothing heavy is imported at module level (pydantic,
the platform model, the renderer and rich load inside the commands), so `bulkhead --version`
does not pay for them.

`render` writes what `bulkhead.render.render` returns: only files whose text changed are
rewritten (atomically: a temporary file renamed over the old one), and files that bulkhead
rendered before (first line `# Rendered by bulkhead from ...; do not edit.`) but that the
platform no longer produces are removed. Files without that header are never touched: they are
someone else's (hand-written overrides next to the rendered ones). `render --check` compares
instead of writing and prints a unified diff; changed, missing and stale files are differences.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bulkhead.cli.common import EXIT_CLEAN, EXIT_FINDINGS, UserError, color, emit, guard, width

if TYPE_CHECKING:
    from bulkhead.platform.model import Platform
    from bulkhead.platform.tenancy import TenancyAdvice
    from bulkhead.render import RenderOptions

__all__ = ["JSON_SCHEMA_VERSION", "register"]

JSON_SCHEMA_VERSION = "1.0"
DEFAULT_PLATFORM = Path("bulkhead.yaml")
MAX_RENDERED_BYTES = 16 * 1024 * 1024
"""A file larger than this under the output directory is not read (it is not bulkhead's)."""


class TenancyFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


PlatformArg = Annotated[
    Path | None,
    typer.Argument(
        metavar="PLATFORM",
        help="Platform definition; same as --platform.",
        show_default=False,
        dir_okay=False,
    ),
]
PlatformOpt = Annotated[
    Path | None,
    typer.Option(
        "--platform",
        "-p",
        metavar="FILE",
        help="Platform definition (bulkhead.yaml).",
        show_default="bulkhead.yaml",
        dir_okay=False,
    ),
]
OutputFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.", dir_okay=False
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]


# --- shared -------------------------------------------------------------------------------


def _platform_path(argument: Path | None, option: Path | None) -> Path:
    if argument is not None and option is not None and argument != option:
        raise UserError(f"two platform files given ({argument} and --platform {option})")
    return argument or option or DEFAULT_PLATFORM


def _load(path: Path) -> Platform:
    from bulkhead.platform.load import PlatformError, load_platform

    try:
        return load_platform(path)
    except PlatformError as error:
        lines = "\n".join(f"  {message}" for message in error.messages)
        raise UserError(f"{path} is not a valid platform definition:\n{lines}") from None


# --- schema -------------------------------------------------------------------------------


def schema_command(output: OutputFileOpt = None, debug: DebugOpt = False) -> None:
    """Print the JSON Schema of bulkhead.yaml (bulkhead schema > bulkhead.schema.json)."""
    with guard(debug):
        from bulkhead.platform.model import platform_json_schema

        emit(json.dumps(platform_json_schema(), indent=2, ensure_ascii=False) + "\n", output)


# --- tenancy ------------------------------------------------------------------------------


def _advice_record(advice: TenancyAdvice) -> dict[str, Any]:
    cost = advice.cost
    return {
        "tenant": advice.tenant,
        "tier": advice.tier,
        "declared": advice.declared.value,
        "recommendation": advice.recommendation.value,
        "resolved": advice.resolved.value,
        "score": advice.score,
        "threshold": advice.threshold,
        "contradicts": advice.contradicts,
        "reasons": [
            {"factor": r.factor, "points": r.points, "message": r.message} for r in advice.reasons
        ],
        "cost": {
            "shared": round(cost.shared, 4),
            "dedicated": round(cost.dedicated, 4),
            "shared_units": round(cost.shared_units, 4),
            "dedicated_units": round(cost.dedicated_units, 4),
            "dedicated_nodes": cost.dedicated_nodes,
            "cpu_millicores": cost.cpu_millicores,
            "memory_bytes": cost.memory_bytes,
        },
        "summary": advice.summary,
    }


def tenancy_json(advice: Sequence[TenancyAdvice], source: str) -> str:
    from bulkhead.platform.tenancy import THRESHOLD

    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        "platform": source,
        "threshold": THRESHOLD,
        "tenants": [_advice_record(a) for a in advice],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _verdict(advice: TenancyAdvice) -> str:
    if advice.contradicts:
        return f"declared {advice.declared.value}: contradicts"
    if advice.declared.value == "auto":
        return f"auto: runs {advice.resolved.value}"
    return "agrees"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def tenancy_markdown(advice: Sequence[TenancyAdvice], source: str) -> str:
    from bulkhead.platform.tenancy import THRESHOLD

    lines = [
        f"# Tenancy advice for {source}",
        "",
        f"A score of {THRESHOLD} or more recommends `dedicated`. Cost is relative to shared (1.0).",
        "",
        "| Tenant | Tier | Declared | Recommended | Score | Dedicated cost | Verdict |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    for a in advice:
        lines.append(
            f"| {a.tenant} | {a.tier} | {a.declared.value} | {a.recommendation.value} | "
            f"{a.score} | {a.cost.dedicated:.2f}x | {_verdict(a)} |"
        )
    for a in advice:
        lines += ["", f"## {a.tenant}", "", _cell(a.summary) + ".", ""]
        if a.reasons:
            lines += [f"- **{r.factor}** (+{r.points}): {_cell(r.message)}" for r in a.reasons]
        else:
            lines.append("- no risk factor adds points")
    return "\n".join(lines) + "\n"


def tenancy_table(advice: Sequence[TenancyAdvice], *, colour: bool, columns: int) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from bulkhead.platform.tenancy import THRESHOLD

    table = Table(box=None, show_edge=False, pad_edge=False)
    for column in ("tenant", "tier", "declared", "recommended", "score", "dedicated cost", ""):
        table.add_column(column, no_wrap=True, justify="right" if column == "score" else "left")
    for a in advice:
        flag = Text("contradicts", style="bold red") if a.contradicts else Text("")
        table.add_row(
            a.tenant,
            a.tier,
            a.declared.value,
            a.recommendation.value,
            str(a.score),
            f"{a.cost.dedicated:.2f}x",
            flag,
        )
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=colour,
        no_color=not colour,
        color_system="standard" if colour else None,
        width=columns,
        highlight=False,
    )
    console.print(table)
    for a in advice:
        console.print()
        console.print(Text(a.summary, style="bold" if a.contradicts else ""))
        if a.reasons:
            reasons = Table.grid(padding=(0, 1))
            reasons.add_column(width=1)
            reasons.add_column(justify="right", no_wrap=True)
            reasons.add_column()
            for r in a.reasons:
                reasons.add_row("", f"+{r.points}", Text(f"{r.factor}: {r.message}"))
            console.print(reasons)
    contradictions = sum(1 for a in advice if a.contradicts)
    console.print()
    console.print(
        Text(
            f"{len(advice)} tenants; a score of {THRESHOLD} or more recommends dedicated; "
            f"{contradictions} declared tenancy contradicts the advice."
        )
    )
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def tenancy_command(
    platform_arg: PlatformArg = None,
    platform_opt: PlatformOpt = None,
    fmt: Annotated[
        TenancyFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TenancyFormat.table,
    output: OutputFileOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Advise shared or dedicated tenancy per tenant, with reasons and relative cost."""
    with guard(debug):
        path = _platform_path(platform_arg, platform_opt)
        platform = _load(path)
        from bulkhead.platform.tenancy import advise

        advice = advise(platform)
        if fmt is TenancyFormat.json:
            text = tenancy_json(advice, path.name)
        elif fmt is TenancyFormat.markdown:
            text = tenancy_markdown(advice, path.name)
        else:
            paint = output is None and color(sys.stdout)
            text = tenancy_table(advice, colour=paint, columns=width())
        emit(text, output)
        raise typer.Exit(EXIT_CLEAN)


# --- render -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """How the output directory differs from a fresh render."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    stale: tuple[str, ...]
    """Files bulkhead rendered before that the platform no longer produces."""
    unchanged: int
    on_disk: Mapping[str, str]
    """Text of the rendered files on disk that differ (changed or stale)."""

    @property
    def differences(self) -> int:
        return len(self.changed) + len(self.missing) + len(self.stale)


def _safe_relative(relative: str) -> str:
    """A rendered path as written under the output directory; never outside it."""
    normal = os.path.normpath(relative)
    if os.path.isabs(normal) or normal == ".." or normal.startswith(("..", os.sep)):
        raise UserError(f"refusing to write {relative!r} outside the output directory")
    return normal


def _read_rendered(path: Path) -> str | None:
    """The text of a file bulkhead rendered, or None for anything else."""
    from bulkhead.render import is_rendered

    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_RENDERED_BYTES:
            return None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text if is_rendered(text) else None


def _rendered_on_disk(root: Path) -> Iterator[tuple[str, str]]:
    """Every file under `root` that carries bulkhead's header: (path relative to it, text)."""
    if not root.is_dir():
        return
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(names):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = Path(directory) / name
            text = _read_rendered(path)
            if text is not None:
                yield path.relative_to(root).as_posix(), text


def compare(root: Path, files: Mapping[str, str]) -> Comparison:
    """Changed, missing and stale files; only the text of differing files is kept."""
    differing: dict[str, str] = {}
    seen: set[str] = set()
    unchanged = 0
    for relative, text in _rendered_on_disk(root):
        seen.add(relative)
        if files.get(relative) == text:
            unchanged += 1
        else:
            differing[relative] = text
    changed: list[str] = []
    missing: list[str] = []
    for relative in files:
        if relative in differing:
            changed.append(relative)
        elif relative not in seen:
            # A hand-written file where bulkhead wants to write counts as changed.
            (changed if (root / relative).exists() else missing).append(relative)
    stale = tuple(sorted(r for r in differing if r not in files))
    return Comparison(tuple(changed), tuple(missing), stale, unchanged, differing)


def unified_diff(root: Path, files: Mapping[str, str], comparison: Comparison) -> str:
    chunks: list[str] = []
    for relative in sorted((*comparison.changed, *comparison.missing, *comparison.stale)):
        old = comparison.on_disk.get(relative)
        if old is None and relative in comparison.changed:
            try:
                old = (root / relative).read_text(encoding="utf-8", errors="replace")
            except OSError:
                old = ""
        new = files.get(relative, "")
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{relative}" if old is not None else "/dev/null",
                tofile=f"b/{relative}" if relative in files else "/dev/null",
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks.append("\n\\ No newline at end of file\n")
    return "".join(chunks)


def _inside(root: Path, directory: Path) -> bool:
    """Whether `directory` (or, if it does not exist yet, its nearest existing ancestor)
    really is under `root`, symbolic links resolved."""
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(existing)]) == real_root


def _write(root: Path, relative: str, text: str) -> None:
    target = root / _safe_relative(relative)
    if not _inside(root, target.parent):
        raise UserError(f"refusing to write {relative!r}: its directory leads outside {root}")
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove(root: Path, relative: str) -> None:
    target = root / _safe_relative(relative)
    target.unlink(missing_ok=True)
    parent = target.parent
    real_root = Path(os.path.realpath(root))
    while Path(os.path.realpath(parent)) != real_root:
        try:
            parent.rmdir()  # only when empty
        except OSError:
            break
        parent = parent.parent


def render_command(
    platform_arg: PlatformArg = None,
    platform_opt: PlatformOpt = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Directory to render into (the GitOps repository's root).",
            file_okay=False,
        ),
    ] = Path("."),
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 and print a diff when DIR differs from a fresh render.",
        ),
    ] = False,
    redis_image: Annotated[
        str | None,
        typer.Option(
            "--redis-image",
            metavar="IMAGE",
            help="Redis image by digest (REGISTRY/REPOSITORY@sha256:...), from an approved "
            "registry.",
            show_default="<first registry>/redis@sha256:<placeholder>",
        ),
    ] = None,
    api_server_cidr: Annotated[
        list[str] | None,
        typer.Option(
            "--api-server-cidr",
            metavar="CIDR",
            help="Where the Kubernetes API server answers (repeatable).",
            show_default="0.0.0.0/0",
        ),
    ] = None,
    object_storage_cidr: Annotated[
        list[str] | None,
        typer.Option(
            "--object-storage-cidr",
            metavar="CIDR",
            help="Where the backup object storage answers (repeatable).",
            show_default="0.0.0.0/0",
        ),
    ] = None,
    http_entry_point: Annotated[
        str,
        typer.Option(
            "--http-entry-point", metavar="NAME", help="Traefik's plain-HTTP entry point."
        ),
    ] = "web",
    debug: DebugOpt = False,
) -> None:
    """Render Kubernetes and Argo CD manifests for every tenant environment into DIR."""
    with guard(debug):
        path = _platform_path(platform_arg, platform_opt)
        options = _options(
            path, redis_image, api_server_cidr, object_storage_cidr, http_entry_point
        )
        platform = _load(path)
        from bulkhead.render import RenderError, render

        try:
            files = render(platform, options)
        except RenderError as error:
            raise UserError(str(error)) from None
        for relative in files:
            _safe_relative(relative)
        comparison = compare(output, files)
        if check:
            _report_check(output, files, comparison, path)
            return
        foreign = [r for r in comparison.changed if r not in comparison.on_disk]
        if foreign:
            raise UserError(
                f"{output / foreign[0]} exists and was not rendered by bulkhead (no header): "
                "move it away, bulkhead does not overwrite files it did not write"
            )
        pending = (*comparison.changed, *comparison.missing)
        output.mkdir(parents=True, exist_ok=True)
        # Every target directory is checked before anything is written.
        for directory in sorted({(output / _safe_relative(r)).parent for r in pending}):
            if not _inside(output, directory):
                raise UserError(f"refusing to write into {directory}: it leads outside {output}")
        for relative in pending:
            _write(output, relative, files[relative])
        for relative in comparison.stale:
            _remove(output, relative)
        written = len(comparison.changed) + len(comparison.missing)
        sys.stderr.write(
            f"rendered {len(files)} files into {output}: {written} written, "
            f"{comparison.unchanged} unchanged, {len(comparison.stale)} stale removed\n"
        )
        if options.redis_image is None:
            sys.stderr.write(
                "bulkhead: warning: no --redis-image: Redis uses a placeholder digest; "
                "pass your mirrored Redis image by digest\n"
            )


def _options(
    path: Path,
    redis_image: str | None,
    api_server_cidr: list[str] | None,
    object_storage_cidr: list[str] | None,
    http_entry_point: str,
) -> RenderOptions:
    import ipaddress

    from bulkhead.platform.model import parse_image
    from bulkhead.render import RenderOptions

    if redis_image is not None:
        try:
            parse_image(redis_image)
        except ValueError as error:
            raise UserError(f"--redis-image: {error}") from None
    cidrs: dict[str, tuple[str, ...]] = {}
    for flag, values in (
        ("api_server_cidrs", api_server_cidr),
        ("object_storage_cidrs", object_storage_cidr),
    ):
        for value in values or ():
            try:
                ipaddress.ip_network(value, strict=True)
            except ValueError as error:
                name = "--" + flag.removesuffix("s").replace("_", "-")
                raise UserError(f"{name}: {error}") from None
        if values:
            cidrs[flag] = tuple(values)
    return RenderOptions(
        source=path.name,
        redis_image=redis_image,
        http_entry_point=http_entry_point,
        **cidrs,
    )


def _report_check(root: Path, files: Mapping[str, str], comparison: Comparison, path: Path) -> None:
    if not comparison.differences:
        sys.stderr.write(f"{root} is up to date with {path} ({len(files)} files)\n")
        raise typer.Exit(EXIT_CLEAN)
    sys.stdout.write(unified_diff(root, files, comparison))
    sys.stdout.flush()
    sys.stderr.write(
        f"bulkhead: {root} differs from a fresh render of {path}: "
        f"{len(comparison.changed)} changed, {len(comparison.missing)} missing, "
        f"{len(comparison.stale)} stale; run bulkhead render {path} --output {root}\n"
    )
    raise typer.Exit(EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    """Add `schema`, `tenancy` and `render` to the bulkhead application."""
    app.command("schema")(schema_command)
    app.command("tenancy")(tenancy_command)
    app.command("render")(render_command)
