"""`bulkhead drill`: disaster-recovery drills on real PostgreSQL, from the command line.

`register(app)` adds the `drill` command group: run, backup, verify, plan, schedule, history,
keygen and demo. Nothing heavy is imported at module level (psycopg, SQLAlchemy, cryptography
load inside the commands), so `bulkhead --version` does not pay for them.

Exit codes of `drill run`: 0 the drill passed, 1 it failed (a check or an objective did not
hold), 2 it could not complete (one line on stderr; nothing left behind, nothing written to the
source). Secrets never come from flags: the drill key from `--key-file`,
`$BULKHEAD_DRILL_KEY_FILE` or `$BULKHEAD_DRILL_KEY`; database passwords from the URLs in
`$BULKHEAD_DRILL_SOURCE_URL` / `$BULKHEAD_DRILL_SCRATCH_URL`, `PGPASSWORD` or `~/.pgpass`.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bulkhead.cli.common import EXIT_CLEAN, EXIT_FINDINGS, UserError, emit, guard
from bulkhead.cli.store import actor as actor_name
from bulkhead.cli.store import database_url, ledger_signer, open_store

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bulkhead.drills.conninfo import PgTarget
    from bulkhead.drills.objectives import Objectives
    from bulkhead.drills.runner import Runner
    from bulkhead.ledger.keys import LedgerSigner
    from bulkhead.platform.model import Platform

__all__ = ["register"]

SOURCE_VARIABLE = "BULKHEAD_DRILL_SOURCE_URL"
SCRATCH_VARIABLE = "BULKHEAD_DRILL_SCRATCH_URL"
DEMO_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


class RunFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


class PlanFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class Checksum(StrEnum):
    fast = "fast"
    portable = "portable"


# --- options -------------------------------------------------------------------------------

TenantOpt = Annotated[str, typer.Option("--tenant", metavar="TENANT", help="Tenant name.")]
EnvironmentOpt = Annotated[
    str,
    typer.Option("--environment", "-e", metavar="ENV", help="Environment: dev, staging, prod."),
]
PlatformOpt = Annotated[
    Path | None,
    typer.Option(
        "--platform",
        metavar="FILE",
        help="Platform definition (bulkhead.yaml): objectives, and the source when --source "
        "is not given.",
        dir_okay=False,
    ),
]
ObjectivesOpt = Annotated[
    Path | None,
    typer.Option(
        "--objectives",
        metavar="FILE",
        help="Objectives file (YAML: processes with name, priority, rto, rpo, workarounds).",
        dir_okay=False,
    ),
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        metavar="PATH",
        help="Drill encryption key (32 bytes: raw, hex or base64); default "
        "$BULKHEAD_DRILL_KEY_FILE, else $BULKHEAD_DRILL_KEY.",
        dir_okay=False,
        show_default=False,
    ),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="URL",
        help="Store for results and the ledger; overrides $BULKHEAD_DATABASE_URL. Default: "
        "SQLite under the user's state directory.",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to FILE instead of stdout.", dir_okay=False, metavar="FILE"
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]
PgBinOpt = Annotated[
    Path | None,
    typer.Option(
        "--pg-bin",
        metavar="DIR",
        help="Directory of pg_dump and pg_restore (default: PATH, then the usual "
        "per-version directories).",
        file_okay=False,
    ),
]
WorkDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--work-dir",
        metavar="DIR",
        help="Where temporary dump and decrypted files go (default: the system temp dir).",
        file_okay=False,
    ),
]
JobsOpt = Annotated[
    int, typer.Option("--jobs", "-j", min=1, max=64, help="Parallel pg_dump/pg_restore jobs.")
]


# --- plumbing ------------------------------------------------------------------------------


def _expected() -> tuple[type[BaseException], ...]:
    from bulkhead.drills.errors import DrillError
    from bulkhead.ledger.canonical import CanonicalJSONError
    from bulkhead.ledger.keys import LedgerKeyError
    from bulkhead.store.db import StoreError
    from bulkhead.store.ledger import LedgerError

    return (DrillError, StoreError, LedgerError, LedgerKeyError, CanonicalJSONError)


def _run_expected() -> tuple[type[BaseException], ...]:
    """`drill run` turns store errors into DrillError/UserError itself: it need not import
    SQLAlchemy before the drill starts."""
    from bulkhead.drills.errors import DrillError
    from bulkhead.ledger.keys import LedgerKeyError

    return (DrillError, LedgerKeyError)


def _warn(message: str) -> None:
    sys.stderr.write(f"bulkhead: warning: {message}\n")


def _progress() -> Callable[[str], None] | None:
    """Phase lines on an interactive stderr; nothing in CI logs or pipes."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def say(message: str) -> None:
        sys.stderr.write(f"bulkhead: drill: {message}\n")
        sys.stderr.flush()

    return say


def _platform(path: Path) -> Platform:
    from bulkhead.platform.load import PlatformError, load_platform

    try:
        return load_platform(path)
    except PlatformError as error:
        shown = "; ".join(error.messages[:3])
        more = f" (and {len(error.messages) - 3} more)" if len(error.messages) > 3 else ""
        raise UserError(f"{path}: {shown}{more}") from None


def _objectives(
    platform: Platform | None, platform_path: Path | None, objectives: Path | None, tenant: str
) -> Objectives:
    from bulkhead.drills.objectives import NO_OBJECTIVES, from_platform, load_objectives

    if objectives is not None:
        return load_objectives(objectives)
    if platform is not None and platform_path is not None:
        return from_platform(platform, tenant, str(platform_path))
    return NO_OBJECTIVES


def _target(value: str, what: str, flag: str | None) -> PgTarget:
    from bulkhead.drills.conninfo import PgTarget

    target = PgTarget.parse(value, what)
    if flag is not None and target.has_password:
        _warn(
            f"the {flag} URL carries a password, which other users can see in the process list: "
            f"prefer ${SOURCE_VARIABLE if what == 'source' else SCRATCH_VARIABLE}, PGPASSWORD "
            "or ~/.pgpass"
        )
    return target


def platform_source(platform: Platform, tenant: str, environment: str) -> str:
    """The CloudNativePG primary of a tenant environment, as the platform names it:
    `postgresql://<owner>@<cluster>-rw.<namespace>.svc:5432/<database>?sslmode=require`
    (the password comes from PGPASSWORD or ~/.pgpass)."""
    from bulkhead.platform.model import effective_environment

    try:
        effective = effective_environment(platform, tenant, environment)
    except (KeyError, ValueError) as error:
        raise UserError(f"cannot resolve {tenant}/{environment} in the platform: {error}") from None
    pg = effective.postgres
    return (
        f"postgresql://{pg.owner}@{pg.cluster_name}-rw.{effective.namespace}.svc:5432/"
        f"{pg.database}?sslmode=require"
    )


def _render(
    document: Mapping[str, Any], fmt: RunFormat, history: list[dict[str, Any]] | None
) -> str:
    from bulkhead.drills import report

    if fmt is RunFormat.json:
        return report.result_json(document)
    if fmt is RunFormat.markdown:
        return report.result_markdown(document)
    if fmt is RunFormat.html:
        return report.result_html(document, history if history is not None else [document])
    return report.result_table(document)


def _default_runner() -> Runner | None:
    """The subprocess runner of `drill run` (None: the real one). Tests replace this."""
    return None


# --- drill run -----------------------------------------------------------------------------


def drill_run(
    tenant: TenantOpt,
    environment: EnvironmentOpt,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="URL",
            help=f"Source database (read only). Default ${SOURCE_VARIABLE}, else the "
            "tenant's CloudNativePG primary from --platform.",
            show_default=False,
        ),
    ] = None,
    scratch: Annotated[
        str | None,
        typer.Option(
            "--scratch",
            metavar="URL",
            help=f"Server to restore into (default ${SCRATCH_VARIABLE}, else the source's "
            "server); its database (default postgres) is where CREATE/DROP DATABASE run.",
            show_default=False,
        ),
    ] = None,
    backup: Annotated[
        Path | None,
        typer.Option(
            "--backup",
            metavar="DIR",
            help="Restore this existing bulkhead backup instead of dumping the source.",
            file_okay=False,
        ),
    ] = None,
    backup_dir: Annotated[
        Path | None,
        typer.Option(
            "--backup-dir",
            metavar="DIR",
            help="Keep the drill's encrypted backup under DIR (default: temporary).",
            file_okay=False,
        ),
    ] = None,
    platform: PlatformOpt = None,
    objectives: ObjectivesOpt = None,
    key_file: KeyFileOpt = None,
    filestore: Annotated[
        Path | None,
        typer.Option(
            "--filestore",
            metavar="DIR",
            help="Odoo filestore of the database (<data_dir>/filestore/<db>): check every "
            "stored attachment.",
            file_okay=False,
        ),
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the (neutralized) scratch database.")
    ] = False,
    no_odoo: Annotated[
        bool, typer.Option("--no-odoo", help="A plain PostgreSQL database: no Odoo checks.")
    ] = False,
    checksum: Annotated[
        Checksum,
        typer.Option(
            "--checksum",
            help="fast: PostgreSQL's row hashes (same major version and byte order); "
            "portable: md5 of row text (any server).",
        ),
    ] = Checksum.fast,
    jobs: JobsOpt = 2,
    pg_bin: PgBinOpt = None,
    work_dir: WorkDirOpt = None,
    scratch_database: Annotated[
        str | None,
        typer.Option(
            "--scratch-database",
            metavar="NAME",
            help="Name of the scratch database (default: bulkhead_drill_<tenant>_<env>_<time>_"
            "<random>); an existing one must have been created by bulkhead.",
            show_default=False,
        ),
    ] = None,
    database: DatabaseOpt = None,
    no_record: Annotated[
        bool, typer.Option("--no-record", help="Do not record the result in the store/ledger.")
    ] = False,
    ledger_key_file: Annotated[
        Path | None,
        typer.Option(
            "--ledger-key-file",
            metavar="PATH",
            help="Ed25519 key signing the ledger checkpoint; default $BULKHEAD_LEDGER_KEY_FILE, "
            "else $BULKHEAD_LEDGER_KEY; unsigned without one.",
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
    ledger_key_name: Annotated[
        str | None, typer.Option("--ledger-key-name", metavar="NAME", help="Ledger key name.")
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--actor", metavar="NAME", help="Who runs the drill (ledger actor)."),
    ] = None,
    fmt: Annotated[RunFormat, typer.Option("--format", "-f", help="Output format.")] = (
        RunFormat.table
    ),
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Back up (or take --backup), restore into a scratch database, validate, neutralize,
    measure RPO and RTO against the tenant's objectives, record and report.

    Exit 0 when the drill passes, 1 when a check or an objective fails, 2 on error."""
    code = EXIT_CLEAN
    with guard(debug, _run_expected()):
        code = _drill_run(
            tenant=tenant,
            environment=environment,
            source=source,
            scratch=scratch,
            backup=backup,
            backup_dir=backup_dir,
            platform_path=platform,
            objectives_path=objectives,
            key_file=key_file,
            filestore=filestore,
            keep=keep,
            odoo=not no_odoo,
            checksum="md5" if checksum is Checksum.portable else "columns",
            jobs=jobs,
            pg_bin=pg_bin,
            work_dir=work_dir,
            scratch_database=scratch_database,
            database=database,
            record=not no_record,
            ledger_key_file=ledger_key_file,
            ledger_key_name=ledger_key_name,
            actor=actor,
            fmt=fmt,
            output=output,
            runner=_default_runner(),
        )
    if code != EXIT_CLEAN:
        raise typer.Exit(code)


def _drill_run(
    *,
    tenant: str,
    environment: str,
    source: str | None,
    scratch: str | None,
    backup: Path | None,
    backup_dir: Path | None,
    platform_path: Path | None,
    objectives_path: Path | None,
    key_file: Path | None,
    filestore: Path | None,
    keep: bool,
    odoo: bool,
    checksum: str,
    jobs: int,
    pg_bin: Path | None,
    work_dir: Path | None,
    scratch_database: str | None,
    database: str | None,
    record: bool,
    ledger_key_file: Path | None,
    ledger_key_name: str | None,
    actor: str | None,
    fmt: RunFormat,
    output: Path | None,
    runner: Runner | None,
    source_target: PgTarget | None = None,
    scratch_target: PgTarget | None = None,
) -> int:
    from bulkhead.drills.crypto import load_key
    from bulkhead.drills.engine import DrillOptions, check_label, run_drill
    from bulkhead.drills.errors import DrillError
    from bulkhead.drills.result import error_document, utc_text

    check_label(tenant, "tenant")
    check_label(environment, "environment")
    platform = _platform(platform_path) if platform_path is not None else None
    goals = _objectives(platform, platform_path, objectives_path, tenant)
    if source_target is None:
        source_text = source or os.environ.get(SOURCE_VARIABLE, "").strip() or None
        if source_text is None and platform is not None and backup is None:
            source_text = platform_source(platform, tenant, environment)
        if source_text is not None:
            source_target = _target(source_text, "source", "--source" if source else None)
    scratch_text = scratch or os.environ.get(SCRATCH_VARIABLE, "").strip() or None
    if scratch_target is None and scratch_text:
        scratch_target = _target(scratch_text, "scratch", "--scratch" if scratch else None)
    key = load_key(key_file, os.environ)
    options = DrillOptions(
        tenant=tenant,
        environment=environment,
        key=key,
        source=source_target,
        scratch=scratch_target,
        backup=backup,
        backup_dir=backup_dir,
        objectives=goals,
        jobs=jobs,
        keep=keep,
        filestore=filestore,
        odoo=odoo,
        checksum=checksum,
        pg_bin=pg_bin,
        work_dir=work_dir,
        scratch_database=scratch_database,
    )

    import datetime as dt

    started = utc_text(dt.datetime.now(dt.UTC))
    who = actor_name(actor) if record else ""
    signer = ledger_signer(ledger_key_file, ledger_key_name, required=False) if record else None
    kwargs: dict[str, Any] = {"progress": _progress()}
    if runner is not None:
        kwargs["runner"] = runner
    with _StoreOpening(database, record=record) as store:
        try:
            result = run_drill(
                options, after_preflight=store.start, before_restore=store.ready, **kwargs
            )
        except DrillError as error:
            engine = store.usable()
            if engine is not None:
                document = error_document(
                    drill_id=os.urandom(16).hex(),
                    tenant=tenant,
                    environment=environment,
                    started_at=started,
                    finished_at=utc_text(dt.datetime.now(dt.UTC)),
                    message=str(error),
                    phase=error.phase,
                    objectives=goals,
                    source=source_target.redacted() if source_target else None,
                )
                _record(engine, document, who, signer, quiet=True)
            raise
        document = result.as_dict()
        history = None
        engine = store.ready()
        if engine is not None:
            _record(engine, document, who, signer, quiet=False)
            if fmt is RunFormat.html:
                from bulkhead.drills.history import past_results

                history = _store_call(
                    lambda: past_results(engine, tenant=tenant, environment=environment)
                )
    emit(_render(document, fmt, history), output)
    return EXIT_CLEAN if document["passed"] else EXIT_FINDINGS


def _open_store(database: str | None) -> Engine:
    """The store at the head revision, or StoreError (only `bulkhead db upgrade` migrates)."""
    # Imported here, in the store's thread, rather than when the result is recorded at the end.
    import bulkhead.drills.history  # noqa: F401
    from bulkhead.store.db import open_current

    return open_current(database_url(database))


class _StoreOpening:
    """The store, opened in a thread while the drill's backup runs (SQLAlchemy and Alembic
    take a few hundred milliseconds to import: a drill's own overhead). `start()` runs once
    preflight has passed: started earlier, the imports would hold the GIL while preflight runs
    and delay pg_dump. `ready()` is called before the restore, so a store that cannot record
    stops the drill before it restores anything; its problem becomes the drill's one-line
    error."""

    def __init__(self, database: str | None, *, record: bool) -> None:
        self._record = record
        self._database = database
        self._future: Future[Engine] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._engine: Engine | None = None

    def __enter__(self) -> _StoreOpening:
        return self

    def start(self) -> None:
        if self._record and self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulkhead-store")
            self._future = self._pool.submit(_open_store, self._database)

    def ready(self) -> Engine | None:
        """The engine (None when not recording); DrillError when the store is unusable."""
        from bulkhead.drills.errors import DrillError

        self.start()
        if self._future is None:
            return None
        if self._engine is None:
            try:
                self._engine = self._future.result()
            except Exception as error:  # StoreError, or a driver error while connecting
                raise DrillError(f"cannot record the drill: {error}") from None
        return self._engine

    def usable(self) -> Engine | None:
        """The engine if the store opened, else None (for recording an error)."""
        try:
            return self.ready()
        except Exception:
            return None

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        if self._future is not None and self._future.done() and not self._future.exception():
            self._future.result().dispose()


def _store_call(call: Callable[[], Any]) -> Any:
    from bulkhead.store.db import StoreError

    try:
        return call()
    except StoreError as error:
        raise UserError(str(error)) from None


def _record(
    engine: Engine,
    document: Mapping[str, Any],
    actor: str,
    signer: LedgerSigner | None,
    *,
    quiet: bool,
) -> None:
    from bulkhead.drills.history import record
    from bulkhead.store.db import StoreError
    from bulkhead.store.ledger import LedgerError

    try:
        recorded = record(engine, document, actor=actor, signer=signer)
    except (StoreError, LedgerError) as error:
        if not quiet:
            raise UserError(str(error)) from None
        _warn(f"the error could not be recorded: {error}")
        return
    if recorded.checkpoint is None and not quiet:
        _warn(
            f"no ledger signing key configured: entry {recorded.ledger_seq} is not covered by a "
            "signed checkpoint until `bulkhead ledger checkpoint` runs with a key"
        )


# --- drill backup / verify -------------------------------------------------------------------


def drill_backup(
    tenant: TenantOpt,
    environment: EnvironmentOpt,
    backup_dir: Annotated[
        Path,
        typer.Option("--backup-dir", metavar="DIR", help="Where the backup goes.", file_okay=False),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            metavar="URL",
            help=f"Source database (default ${SOURCE_VARIABLE}, else from --platform).",
            show_default=False,
        ),
    ] = None,
    platform: PlatformOpt = None,
    key_file: KeyFileOpt = None,
    checksum: Annotated[Checksum, typer.Option("--checksum", help="Row hash kind.")] = (
        Checksum.fast
    ),
    jobs: JobsOpt = 2,
    pg_bin: PgBinOpt = None,
    work_dir: WorkDirOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Take an encrypted backup (pg_dump of one snapshot, with its fingerprint) that a later
    `drill run --backup DIR` restores and validates."""
    with guard(debug, _expected()):
        from bulkhead.drills.crypto import load_key, manifest_digest
        from bulkhead.drills.engine import DrillOptions, backup_only

        plat = _platform(platform) if platform is not None else None
        text = source or os.environ.get(SOURCE_VARIABLE, "").strip() or None
        if text is None and plat is not None:
            text = platform_source(plat, tenant, environment)
        if text is None:
            raise UserError(f"no source: pass --source URL, set ${SOURCE_VARIABLE} or --platform")
        options = DrillOptions(
            tenant=tenant,
            environment=environment,
            key=load_key(key_file, os.environ),
            source=_target(text, "source", "--source" if source else None),
            backup_dir=backup_dir,
            jobs=jobs,
            checksum="md5" if checksum is Checksum.portable else "columns",
            pg_bin=pg_bin,
            work_dir=work_dir,
        )
        info = backup_only(options, progress=_progress())
        files = info.manifest["files"]
        emit(
            f"backup {info.path}\n"
            f"{len(files)} files, {sum(f['encrypted_size'] for f in files)} bytes encrypted, "
            f"consistent at {info.manifest['snapshot']['consistent_at']}\n"
            f"manifest sha256:{manifest_digest(info.path)}\n",
            None,
        )


def drill_verify(
    backup: Annotated[Path, typer.Argument(metavar="DIR", help="A bulkhead backup directory.")],
    key_file: KeyFileOpt = None,
    work_dir: WorkDirOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Verify a backup against its authenticated manifest (every file decrypted and checked,
    nothing restored). Exit 0 when intact, 2 otherwise."""
    with guard(debug, _expected()):
        from bulkhead.drills.crypto import load_key, manifest_digest, verify_and_decrypt

        key = load_key(key_file, os.environ)
        with tempfile.TemporaryDirectory(prefix="bulkhead-verify-", dir=work_dir) as scratch:
            manifest = verify_and_decrypt(backup, key, Path(scratch) / "plain")
        emit(
            f"backup {backup} is intact: {len(manifest['files'])} files verified "
            f"(manifest sha256:{manifest_digest(backup)})\n",
            None,
        )


# --- drill plan ------------------------------------------------------------------------------


def drill_plan(
    tenant: TenantOpt,
    platform: PlatformOpt = None,
    objectives: ObjectivesOpt = None,
    fmt: Annotated[PlanFormat, typer.Option("--format", "-f", help="Output format.")] = (
        PlanFormat.table
    ),
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """The recovery sequence of a tenant: business processes in priority order, with their
    objectives and the manual workarounds declared for each."""
    with guard(debug, _expected()):
        import json

        from bulkhead.drills import report

        if platform is None and objectives is None:
            raise UserError("pass --platform FILE or --objectives FILE")
        plat = _platform(platform) if platform is not None else None
        document = report.plan_document(tenant, _objectives(plat, platform, objectives, tenant))
        if fmt is PlanFormat.json:
            text = json.dumps(document, indent=2) + "\n"
        elif fmt is PlanFormat.markdown:
            text = report.plan_markdown(document)
        else:
            text = report.plan_table(document)
        emit(text, output)


# --- drill schedule --------------------------------------------------------------------------


def drill_schedule(
    platform: Annotated[
        Path, typer.Option("--platform", metavar="FILE", help="Platform definition.")
    ],
    image: Annotated[
        str,
        typer.Option(
            "--image",
            metavar="IMAGE",
            help="bulkhead image with the PostgreSQL client tools, by digest, from an approved "
            "registry.",
        ),
    ],
    tenants: Annotated[
        list[str] | None,
        typer.Option("--tenant", metavar="TENANT", help="Only these tenants (repeatable)."),
    ] = None,
    environments: Annotated[
        list[str] | None,
        typer.Option(
            "--environment", "-e", metavar="ENV", help="Environments (repeatable; default prod)."
        ),
    ] = None,
    schedule: Annotated[
        str | None,
        typer.Option(
            "--schedule",
            metavar="CRON",
            help="5-field cron (UTC) for every drill; default: weekly, staggered per tenant.",
        ),
    ] = None,
    namespace: Annotated[
        str, typer.Option("--namespace", "-n", metavar="NAMESPACE", help="Drill namespace.")
    ] = "bulkhead-drills",
    remote_key: Annotated[
        str,
        typer.Option(
            "--secret-key", metavar="KEY", help="Remote key of the platform's drill secrets."
        ),
    ] = "bulkhead/drills",
    work_size: Annotated[
        str, typer.Option("--work-size", metavar="SIZE", help="Work volume size limit.")
    ] = "20Gi",
    jobs: JobsOpt = 2,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Render Kubernetes CronJobs (and their namespace, policies and ExternalSecrets) that
    run drills per tenant on a schedule."""
    with guard(debug, _expected()):
        from bulkhead.drills.schedule import render_schedule
        from bulkhead.platform.model import EnvironmentName

        envs = environments or ["prod"]
        for env in envs:
            if env not in {e.value for e in EnvironmentName}:
                raise UserError(f"unknown environment {env!r} (dev, staging, prod)")
        text = render_schedule(
            _platform(platform),
            image=image,
            tenants=tenants or (),
            environments=envs,
            schedule=schedule,
            namespace=namespace,
            remote_key=remote_key,
            work_size=work_size,
            jobs=jobs,
        )
        emit(text, output)


# --- drill history -------------------------------------------------------------------------


def drill_history(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant.")] = None,
    environment: Annotated[
        str | None, typer.Option("--environment", "-e", help="Only this environment.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="The newest N drills.")] = 20,
    fmt: Annotated[RunFormat, typer.Option("--format", "-f", help="Output format.")] = (
        RunFormat.table
    ),
    database: DatabaseOpt = None,
    output: OutputOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Past drills, oldest first, and their pass/fail trend."""
    with guard(debug, _expected()):
        from bulkhead.drills import report
        from bulkhead.drills.history import past_results

        with open_store(database) as engine:
            documents = past_results(engine, tenant=tenant, environment=environment, limit=limit)
        if fmt is RunFormat.json:
            text = report.history_json(documents)
        elif fmt is RunFormat.markdown:
            text = report.history_markdown(documents)
        elif fmt is RunFormat.html:
            text = report.history_html(documents)
        else:
            text = report.history_table(documents)
        emit(text, output)


# --- drill keygen / demo -------------------------------------------------------------------


def drill_keygen(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the new key.")],
    debug: DebugOpt = False,
) -> None:
    """Write a new random drill encryption key (base64, mode 0600); never overwrites."""
    with guard(debug, _expected()):
        from bulkhead.drills.crypto import generate_key_file

        key = generate_key_file(path)
        emit(f"drill key: {path} (mode 0600, key id {key.key_id}); keep it out of git\n", None)


def drill_demo(
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            metavar="URL",
            help=f"PostgreSQL server to use (default ${SOURCE_VARIABLE}, else {DEMO_SERVER}).",
            show_default=False,
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Create an Odoo-like sample database on a reachable server, drill it, drop it. Says how
    to point it at a server when none answers (exit 0)."""
    code = EXIT_CLEAN
    with guard(debug, _expected()):
        code = _demo(server)
    if code != EXIT_CLEAN:
        raise typer.Exit(code)


def _demo(server: str | None) -> int:
    import base64

    import psycopg

    from bulkhead.drills import sample
    from bulkhead.drills.conninfo import PgTarget, error_line
    from bulkhead.drills.errors import DrillError
    from bulkhead.store import open_engine, upgrade

    text = server or os.environ.get(SOURCE_VARIABLE, "").strip() or DEMO_SERVER
    target = PgTarget.parse(text, "demo server")
    admin = target.with_dbname(target.dbname or "postgres")
    try:
        with psycopg.connect(admin.conninfo(connect_timeout="3"), autocommit=True):
            pass
    except psycopg.Error as error:
        emit(
            f"no PostgreSQL server answers at {admin.redacted()} ({error_line(error)}).\n"
            "The drill demo needs one where it may create and drop databases. Point it at one:\n"
            f"  {SOURCE_VARIABLE}=postgresql://USER@HOST:5432/postgres make demo\n"
            "(password via PGPASSWORD or ~/.pgpass), or start one locally, e.g.\n"
            "  docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16\n",
            None,
        )
        return EXIT_CLEAN
    name = sample.random_name("bulkhead_demo_source")
    with tempfile.TemporaryDirectory(prefix="bulkhead-demo-") as temp:
        root = Path(temp)
        objectives = root / "objectives.yaml"
        objectives.write_text(
            "processes:\n"
            "  - {name: warehouse, priority: critical, rto: 15m, rpo: 1h,\n"
            "     workarounds: [Pick from the last printed pick lists.]}\n"
            "  - {name: transport, priority: high, rto: 1h, rpo: 4h}\n"
            "  - {name: customer-service, priority: medium, rto: 4h, rpo: 1d}\n",
            encoding="utf-8",
        )
        key = root / "drill.key"
        key.write_bytes(base64.b64encode(os.urandom(32)) + b"\n")
        store = f"sqlite:///{root / 'bulkhead.db'}"
        engine = open_engine(store)
        upgrade(engine)
        engine.dispose()
        emit(f"== drill demo: sample Odoo database {name} on {admin.server()} ==\n", None)
        try:
            sample.create_database(admin.conninfo(), name)
        except psycopg.Error as error:
            raise DrillError(f"cannot create the sample database: {error_line(error)}") from None
        try:
            sample.populate(
                admin.with_dbname(name).conninfo(),
                scale=20_000,
                attachments=25,
                filestore=root / "filestore",
            )
            return _drill_run(
                tenant="demo",
                environment="staging",
                source=None,
                scratch=None,
                backup=None,
                backup_dir=None,
                platform_path=None,
                objectives_path=objectives,
                key_file=key,
                filestore=root / "filestore",
                keep=False,
                odoo=True,
                checksum="columns",
                jobs=2,
                pg_bin=None,
                work_dir=None,
                scratch_database=None,
                database=store,
                record=True,
                ledger_key_file=None,
                ledger_key_name=None,
                actor="bulkhead-demo",
                fmt=RunFormat.table,
                output=None,
                runner=_default_runner(),
                source_target=admin.with_dbname(name),
                scratch_target=admin,
            )
        finally:
            sample.drop_database(admin.conninfo(), name)


def register(app: typer.Typer) -> None:
    """Add `drill` to the bulkhead application."""
    drill_app = typer.Typer(
        help="Disaster-recovery drills on real PostgreSQL: backup, restore to scratch, "
        "validate, neutralize, measure RPO and RTO.",
        no_args_is_help=True,
    )
    drill_app.command("run")(drill_run)
    drill_app.command("backup")(drill_backup)
    drill_app.command("verify")(drill_verify)
    drill_app.command("plan")(drill_plan)
    drill_app.command("schedule")(drill_schedule)
    drill_app.command("history")(drill_history)
    drill_app.command("keygen")(drill_keygen)
    drill_app.command("demo")(drill_demo)
    app.add_typer(drill_app, name="drill")
