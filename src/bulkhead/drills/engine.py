"""A drill, end to end: back up, verify, restore into scratch, validate, neutralize, measure.

    preflight   connect to the source (read-only) and the scratch server, check client tool
                and server versions, refuse a target that is the source or a database
                bulkhead did not create: every "cannot even start" error comes before any work
    backup      a REPEATABLE READ, READ ONLY transaction on the source exports its snapshot;
                `pg_dump -Fd -j N --snapshot` dumps exactly that snapshot while, in the same
                transaction, the source's fingerprint (schema, row counts, checksums) is
                computed in a second thread (or: an existing backup given with --backup)
    encrypt     every dump file sealed with AES-256-GCM, manifest authenticated (crypto.py)
    fetch       the manifest and every file verified, then decrypted        } RTO
    restore     CREATE DATABASE (marked with a comment), `pg_restore -j N`; } RTO
                each table's count and checksum taken once it is loaded     }
                (loaded.py)                                                 }
    validate    the tables not checked yet, schema, sequences, Odoo         } RTO
    neutralize  crons, mail servers, new database uuid (odoo.py)            } RTO
    cleanup     the scratch database is dropped unless --keep

The source is only ever read: its connection sets `default_transaction_read_only` and reads in
a read-only transaction, and pg_dump only reads. Whatever goes wrong (an error, SIGINT,
SIGTERM), the scratch database and every decrypted file are removed before the error is
reported; a second signal during that cleanup is ignored.

RPO. A logical backup holds every transaction committed before its snapshot and none after,
so the backup's point in time is the snapshot (`consistent_at`, the server's clock when the
snapshot was taken). Achieved RPO = drill start - consistent_at, measured on the source
server's clock when the source is reachable (the drill host's clock offset is measured at
preflight), never below 0. A fresh dump therefore shows an RPO of about 0: it proves the
restore and the RTO; drilling the backups your schedule produced (`--backup`) measures the RPO
they give. The newest commit time is recorded as evidence: from `pg_last_committed_xact()`
when `track_commit_timestamp` is on, else the newest Odoo `write_date`/`create_date`.

RTO = fetch + restore + validate + neutralize, each timed. Starting Odoo and switching
traffic are not part of a drill and must be added to it when an objective is set.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
from psycopg import sql

from bulkhead.drills import crypto, odoo
from bulkhead.drills.conninfo import PgTarget, error_line
from bulkhead.drills.crypto import DrillKey
from bulkhead.drills.errors import DrillError, DrillInterruptedError, RefusedError
from bulkhead.drills.fingerprint import (
    Fingerprint,
    TableSum,
    compare_schema,
    compare_tables,
    fingerprint,
    sequences_behind,
)
from bulkhead.drills.loaded import TOOL_ENV, LoadedTables
from bulkhead.drills.objectives import NO_OBJECTIVES, Objectives
from bulkhead.drills.result import (
    FAIL,
    PASS,
    RTO_PHASES,
    SKIP,
    Check,
    DrillResult,
    Phase,
    judge,
    parse_utc,
    utc_text,
)
from bulkhead.drills.runner import (
    LineCallback,
    Runner,
    Tool,
    find_tool,
    last_error_line,
    subprocess_runner,
)

MARKER = "created by bulkhead drill"
"""Start of the COMMENT ON DATABASE of every scratch database: bulkhead drops only those."""
_IDENTIFIER_MAX = 63
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,62})")
_UTC_TEXT = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DrillOptions:
    tenant: str
    environment: str
    key: DrillKey
    source: PgTarget | None = None
    scratch: PgTarget | None = None
    """The server to restore into (default: the source's). The database in its URL, if any, is
    the one bulkhead connects to for CREATE and DROP DATABASE (default `postgres`)."""
    scratch_database: str | None = None
    """The scratch database's name (default: bulkhead_drill_<tenant>_<env>_<time>_<random>)."""
    backup: Path | None = None
    """An existing bulkhead backup to restore instead of dumping the source."""
    backup_dir: Path | None = None
    """Keep the new encrypted backup under this directory (else it is temporary)."""
    objectives: Objectives = NO_OBJECTIVES
    jobs: int = 2
    keep: bool = False
    filestore: Path | None = None
    odoo: bool = True
    checksum: str = "columns"
    pg_bin: Path | None = None
    work_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class ServerInfo:
    version_num: int
    version: str
    database: str
    system_identifier: str | None
    encoding: str
    collate: str
    ctype: str
    track_commit_timestamp: bool
    clock_offset_ms: int
    """Server clock minus this host's clock."""

    @property
    def major(self) -> int:
        return self.version_num // 10000

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "system_identifier": self.system_identifier,
            "server_version": self.version,
            "server_version_num": self.version_num,
            "encoding": self.encoding,
            "collate": self.collate,
            "ctype": self.ctype,
        }


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    manifest: Mapping[str, Any]
    kept: bool


@dataclass
class _State:
    """What the drill has created so far, for cleanup."""

    workspace: Path | None = None
    scratch_admin: PgTarget | None = None
    scratch_name: str | None = None
    scratch_created: bool = False
    phase: str = "preflight"
    phases: list[Phase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def check_label(value: str, what: str) -> str:
    if not _LABEL.fullmatch(value):
        raise DrillError(
            f"{what} {value!r} must be a lowercase name of letters, digits and '-' (at most 63)"
        )
    return value


# --- signals and cleanup -------------------------------------------------------------------


@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM (a CronJob being stopped) raises like SIGINT does, so cleanup runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise DrillInterruptedError(f"interrupted by {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _signals_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _drop_database(admin: PgTarget, name: str) -> None:
    with admin.connect("scratch server", autocommit=True) as connection:
        identifier = sql.Identifier(name)
        try:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier)
            )
        except psycopg.errors.SyntaxError:  # PostgreSQL 12 and older
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(identifier))


def _cleanup(state: _State, *, drop: bool) -> str | None:
    """Remove the workspace, and the scratch database when `drop`; a problem as text."""
    problem = None
    with _signals_ignored():
        if drop and state.scratch_created and state.scratch_admin and state.scratch_name:
            try:
                _drop_database(state.scratch_admin, state.scratch_name)
                state.scratch_created = False
            except (DrillError, psycopg.Error) as error:
                problem = (
                    f"the scratch database {state.scratch_name} could not be dropped "
                    f"({error_line(error)}): drop it by hand"
                )
        if state.workspace is not None:
            shutil.rmtree(state.workspace, ignore_errors=True)
            state.workspace = None
    return problem


# --- servers -------------------------------------------------------------------------------


def probe(target: PgTarget, what: str, *, read_only: bool) -> ServerInfo:
    """Connect and describe the server and database; one-line DrillError if unreachable."""
    with target.connect(what, autocommit=True, read_only=read_only) as connection:
        try:
            before = time.time()
            row = connection.execute(
                "SELECT current_setting('server_version_num')::int, "
                "current_setting('server_version'), current_database(), "
                "pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, "
                "current_setting('track_commit_timestamp') = 'on', "
                "(extract(epoch FROM clock_timestamp()) * 1000)::bigint "
                "FROM pg_database d WHERE d.datname = current_database()"
            ).fetchone()
            after = time.time()
        except psycopg.Error as error:
            raise DrillError(f"cannot query the {what}: {error_line(error)}") from None
        assert row is not None
        system_identifier = None
        with suppress(psycopg.Error):
            found = connection.execute(
                "SELECT system_identifier::text FROM pg_control_system()"
            ).fetchone()
            system_identifier = str(found[0]) if found else None
    local_ms = int((before + after) * 500)
    return ServerInfo(
        version_num=int(row[0]),
        version=str(row[1]).split()[0],
        database=str(row[2]),
        system_identifier=system_identifier,
        encoding=str(row[3]),
        collate=str(row[4]),
        ctype=str(row[5]),
        track_commit_timestamp=bool(row[6]),
        clock_offset_ms=int(row[7]) - local_ms,
    )


def _same_server(
    a: ServerInfo | Mapping[str, Any], b: ServerInfo, a_target: PgTarget | None, b_target: PgTarget
) -> bool:
    a_id = a.system_identifier if isinstance(a, ServerInfo) else a.get("system_identifier")
    if a_id and b.system_identifier:
        return bool(a_id == b.system_identifier)
    if a_target is None:
        return True  # unknown: assume the worst
    return (a_target.host, a_target.port) == (b_target.host, b_target.port)


def scratch_name(tenant: str, environment: str, moment: dt.datetime) -> str:
    """`bulkhead_drill_<tenant>_<environment>_<yymmddHHMMSS>_<random>`, within 63 bytes."""
    suffix = f"{moment:%y%m%d%H%M%S}_{os.urandom(2).hex()}"
    head = "bulkhead_drill_"
    env = environment.replace("-", "_")[:12]
    room = _IDENTIFIER_MAX - len(head) - len(env) - len(suffix) - 2
    return f"{head}{tenant.replace('-', '_')[:room]}_{env}_{suffix}"


def _existing_database(admin: psycopg.Connection, name: str) -> tuple[bool, str | None]:
    row = admin.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        (name,),
    ).fetchone()
    if row is None:
        return False, None
    return True, row[0]


# --- tools -----------------------------------------------------------------------------------


def _run(
    runner: Runner,
    tool: Tool,
    argv: list[str],
    env: Mapping[str, str],
    on_line: LineCallback | None = None,
) -> None:
    env = {**env, **TOOL_ENV}
    try:
        completed = runner([tool.path, *argv], env, None, on_line=on_line)
    except FileNotFoundError:
        raise DrillError(
            f"{tool.name} not found ({tool.path}): install the PostgreSQL client tools or pass "
            "--pg-bin DIR"
        ) from None
    except OSError as error:
        raise DrillError(f"cannot run {tool.name}: {error.strerror or error}") from None
    if completed.returncode != 0:
        line = last_error_line(completed.stderr)
        if "No space left on device" in completed.stderr:
            raise DrillError(f"disk full: {tool.name} failed: {line}")
        if completed.returncode < 0:
            raise DrillInterruptedError(
                f"{tool.name} was killed by signal {-completed.returncode}: {line}"
            )
        raise DrillError(f"{tool.name} failed (exit {completed.returncode}): {line}")


# --- backup ----------------------------------------------------------------------------------


@contextmanager
def _dump(
    source: PgTarget,
    info: ServerInfo,
    tool: Tool,
    runner: Runner,
    options: DrillOptions,
    dump_dir: Path,
    progress: Progress,
) -> Iterator[Callable[[], tuple[dict[str, Any], Fingerprint]]]:
    """pg_dump of one exported snapshot; yields, once pg_dump is done, a function that waits
    for the fingerprint of that same snapshot (computed beside the dump, and maybe still
    running: the caller encrypts meanwhile)."""
    connection = source.connect("source", autocommit=True, read_only=True)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulkhead-fingerprint")
    try:
        try:
            connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = connection.execute(
                sql.SQL("SELECT pg_export_snapshot(), {}").format(
                    sql.SQL(_UTC_TEXT.format("statement_timestamp()"))
                )
            ).fetchone()
            assert row is not None
            snapshot_id, consistent_at = str(row[0]), str(row[1])
            latest_commit = None
            if info.track_commit_timestamp:
                found = connection.execute(
                    sql.SQL("SELECT {} FROM pg_last_committed_xact()").format(
                        sql.SQL(_UTC_TEXT.format("timestamp"))
                    )
                ).fetchone()
                if found and found[0]:
                    latest_commit = min(str(found[0]), consistent_at)
        except psycopg.Error as error:
            raise DrillError(f"cannot open a snapshot on the source: {error_line(error)}") from None
        progress("dumping the source and computing its fingerprint")
        future: Future[Fingerprint] = executor.submit(
            fingerprint, connection, method=options.checksum
        )
        argv = [
            "--format=directory",
            f"--jobs={options.jobs}",
            f"--snapshot={snapshot_id}",
            "--no-password",
            f"--file={dump_dir}",
            f"--dbname={source.command_conninfo()}",
        ]
        try:
            _run(runner, tool, argv, source.command_env())
        except BaseException:
            failed = future.done() and future.exception()
            if isinstance(failed, psycopg.Error):
                # The fingerprint's error ended the snapshot's transaction: say that, not the
                # dump's "could not import the requested snapshot".
                raise DrillError(f"cannot read the source: {error_line(failed)}") from None
            with suppress(psycopg.Error):
                connection.cancel_safe(timeout=10)
            raise

        def result() -> tuple[dict[str, Any], Fingerprint]:
            try:
                source_print = future.result()
            except psycopg.Error as error:
                raise DrillError(f"cannot read the source: {error_line(error)}") from None
            if latest_commit is not None:
                latest, commit_source = latest_commit, "track_commit_timestamp"
            elif source_print.latest_write_at:
                latest, commit_source = source_print.latest_write_at, "odoo write_date"
            else:
                latest, commit_source = consistent_at, "snapshot"
            snapshot = {
                "consistent_at": consistent_at,
                "latest_commit_at": latest,
                "latest_commit_source": commit_source,
                "latest_write_at": source_print.latest_write_at,
            }
            return snapshot, source_print

        yield result
    except BaseException:
        with suppress(psycopg.Error):
            connection.cancel_safe(timeout=10)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        connection.close()


def take_backup(
    options: DrillOptions,
    *,
    runner: Runner,
    state: _State,
    source_info: ServerInfo,
    dump_tool: Tool,
    target: Path,
    durable: bool,
    progress: Progress,
) -> BackupInfo:
    """Dump, fingerprint and encrypt. Phase `backup` is pg_dump (the source's fingerprint runs
    beside it); `encrypt` seals the files while the fingerprint, if still running, ends."""
    assert options.source is not None and state.workspace is not None
    dump_dir = state.workspace / "dump"
    started = _now()
    backup_id = uuid.uuid4().hex
    with ExitStack() as stack:
        with _phase(state, "backup"):
            pending = stack.enter_context(
                _dump(options.source, source_info, dump_tool, runner, options, dump_dir, progress)
            )
        progress("encrypting the backup")
        with _phase(state, "encrypt"):
            try:
                target.mkdir(mode=0o700, parents=True, exist_ok=False)
            except FileExistsError:
                raise DrillError(f"backup directory {target} already exists") from None
            except OSError as error:
                raise DrillError(f"cannot create {target}: {error.strerror or error}") from None
            # A temporary backup (in the workspace, beside the dump) is encrypted in place.
            sealed = crypto.encrypt_files(
                dump_dir, target, options.key, backup_id, durable=durable, in_place=not durable
            )
            shutil.rmtree(dump_dir, ignore_errors=True)
            snapshot, source_print = pending()
            metadata = {
                "created_at": utc_text(started),
                "tenant": options.tenant,
                "environment": options.environment,
                "source": {"url": options.source.redacted(), **source_info.as_dict()},
                "snapshot": snapshot,
                "pg_dump": {"version": dump_tool.version, "major": dump_tool.major},
                "checksum_method": options.checksum,
                "fingerprint": source_print.as_dict(),
            }
            manifest = crypto.write_manifest(
                target, options.key, backup_id, sealed, metadata, durable=durable
            )
    return BackupInfo(target, manifest, kept=durable)


@contextmanager
def _phase(state: _State, name: str) -> Iterator[None]:
    state.phase = name
    start = time.monotonic_ns()
    yield
    state.phases.append(Phase(name, (time.monotonic_ns() - start) // 1_000_000))


# --- validation ------------------------------------------------------------------------------


def _validate(
    connection: psycopg.Connection,
    manifest: Mapping[str, Any],
    options: DrillOptions,
    early: Mapping[str, TableSum],
) -> tuple[list[Check], list[dict[str, Any]], str | None]:
    """Checks on the restored copy, before neutralization; also the copy's database uuid.
    `early`: table sums taken while pg_restore ran; one that differs is read again."""
    source = Fingerprint.from_dict(manifest["fingerprint"])
    methods = {t.qualified: t.method for t in source.tables}
    checks: list[Check] = []
    filestore_future: Future[Check] | None = None
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulkhead-filestore")
    stop = threading.Event()
    try:
        if options.odoo and options.filestore is not None and odoo.is_odoo(connection):
            attachments = odoo.stored_attachments(connection)
            filestore_future = executor.submit(
                odoo.check_filestore, options.filestore, attachments, stop
            )
        method = manifest["checksum_method"]
        restored = fingerprint(connection, methods=methods, method=method, known=early)
        tables = compare_tables(source.tables, restored.tables)
        again = {t["table"] for t in tables if not t["ok"]} & early.keys()
        if again:
            kept = {name: summed for name, summed in early.items() if name not in again}
            restored = fingerprint(connection, methods=methods, method=method, known=kept)
            tables = compare_tables(source.tables, restored.tables)
        differences = compare_schema(source.schema, restored.schema)
        if differences:
            checks.append(
                Check(
                    "schema",
                    FAIL,
                    f"the restored schema differs from the source's ({len(differences)} "
                    f"difference(s) shown): {differences[0]}",
                    {"differences": differences},
                )
            )
        else:
            checks.append(
                Check(
                    "schema",
                    PASS,
                    f"{len(source.schema)} schema objects equal "
                    f"(sha256 {source.schema_sha256[:12]})",
                )
            )
        bad = [t for t in tables if not t["ok"]]
        rows = source.total_rows
        if bad:
            shown = "; ".join(f"{t['table']}: {t['problem']}" for t in bad[:5])
            checks.append(
                Check("tables", FAIL, f"{len(bad)} of {len(tables)} tables differ: {shown}")
            )
        else:
            checks.append(
                Check(
                    "tables",
                    PASS,
                    f"{len(tables)} tables, {rows} rows: counts and checksums equal the source "
                    "snapshot",
                )
            )
        behind = sequences_behind(connection)
        checks.append(
            Check("sequences", FAIL, "; ".join(behind[:5]))
            if behind
            else Check("sequences", PASS, "every owned sequence is ahead of its column")
        )
        copy_uuid = None
        if options.odoo:
            checks.extend(odoo.sanity_checks(connection))
            copy_uuid = odoo.database_uuid(connection)
            if filestore_future is not None:
                checks.append(filestore_future.result())
            else:
                checks.append(
                    odoo.check_filestore(None, ())
                    if options.filestore is None
                    else Check("odoo-filestore", SKIP, "not an Odoo database")
                )
    finally:
        stop.set()
        executor.shutdown(wait=True, cancel_futures=True)
    return checks, tables, copy_uuid


# --- the drill -------------------------------------------------------------------------------


def _preflight_scratch(
    options: DrillOptions,
    state: _State,
    source_identity: Mapping[str, Any] | ServerInfo | None,
    started: dt.datetime,
) -> tuple[PgTarget, ServerInfo, bool]:
    """The scratch server and database name; refusals. Returns (database target, server info,
    whether a database of ours by that name must be replaced)."""
    server = options.scratch or options.source
    if server is None:
        raise DrillError("no server to restore into: pass --scratch URL (or --source URL)")
    source_db = (
        source_identity.database
        if isinstance(source_identity, ServerInfo)
        else (source_identity or {}).get("database")
    )
    name = options.scratch_database or scratch_name(options.tenant, options.environment, started)
    if not name or len(name.encode()) > _IDENTIFIER_MAX or "\x00" in name:
        raise DrillError(f"scratch database name {name!r} must have 1 to 63 bytes")
    maintenance = (options.scratch.dbname if options.scratch else None) or "postgres"
    if maintenance in (name, source_db):
        maintenance = "template1"
    admin_target = server.with_dbname(maintenance)
    info = probe(admin_target, "scratch server", read_only=False)
    if source_identity is not None and name == source_db:
        same = _same_server(source_identity, info, options.source, server)
        if same:
            raise RefusedError(
                f"refusing to restore into {name} on {server.server()}: it is the source "
                "database; name another with --scratch-database, or leave it out"
            )
    with admin_target.connect("scratch server", autocommit=True) as admin:
        exists, comment = _existing_database(admin, name)
    replace = False
    if exists:
        if not (comment or "").startswith(MARKER):
            raise RefusedError(
                f"refusing to restore into {name} on {server.server()}: the database exists "
                f"and was not created by bulkhead (its comment does not start with {MARKER!r})"
            )
        replace = True
        state.notes.append(f"replaced the scratch database {name} left by an earlier drill")
    state.scratch_admin = admin_target
    state.scratch_name = name
    return server.with_dbname(name), info, replace


def _create_scratch(
    state: _State,
    info_source: Mapping[str, Any],
    drill_id: str,
    options: DrillOptions,
    replace: bool,
) -> None:
    assert state.scratch_admin is not None and state.scratch_name is not None
    name = sql.Identifier(state.scratch_name)
    with state.scratch_admin.connect("scratch server", autocommit=True) as admin:
        if replace:
            _drop_database(state.scratch_admin, state.scratch_name)
        encoding = str(info_source.get("encoding") or "UTF8")
        create = sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {}").format(
            name, sql.Literal(encoding)
        )
        try:
            try:
                admin.execute(
                    create
                    + sql.SQL(" LC_COLLATE {} LC_CTYPE {}").format(
                        sql.Literal(str(info_source.get("collate") or "C")),
                        sql.Literal(str(info_source.get("ctype") or "C")),
                    )
                )
            except psycopg.errors.InvalidParameterValue:
                admin.execute(create + sql.SQL(" LC_COLLATE 'C' LC_CTYPE 'C'"))
                state.notes.append(
                    "the source's locale is not available on the scratch server: restored "
                    "with the C locale"
                )
            state.scratch_created = True
            comment = f"{MARKER} {drill_id} ({options.tenant}/{options.environment})"
            admin.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(name, sql.Literal(comment))
            )
        except psycopg.Error as error:
            raise DrillError(
                f"cannot create the scratch database {state.scratch_name}: {error_line(error)}"
            ) from None


def run_drill(
    options: DrillOptions,
    *,
    runner: Runner = subprocess_runner,
    progress: Progress | None = None,
    after_preflight: Callable[[], object] | None = None,
    before_restore: Callable[[], object] | None = None,
) -> DrillResult:
    """Run one drill. Returns its result (passed or failed); raises DrillError when it cannot
    complete, after removing everything it created. `after_preflight` runs once every
    preflight check has passed, as the backup starts: the CLI starts opening its store there.
    `before_restore` runs once the backup is taken (or, with --backup, after preflight),
    before anything is restored: the CLI checks there that the store can record the result."""
    say: Progress = progress or (lambda _message: None)
    check_label(options.tenant, "tenant")
    check_label(options.environment, "environment")
    if options.jobs < 1:
        raise DrillError("--jobs must be at least 1")
    started = _now()
    drill_id = uuid.uuid4().hex
    state = _State()
    try:
        with _signals_raise():
            result = _drill(
                options, runner, say, state, started, drill_id, after_preflight, before_restore
            )
    except KeyboardInterrupt:
        created, name = state.scratch_created, state.scratch_name
        problem = _cleanup(state, drop=True)
        done = f"the scratch database {name} was dropped" if created else "nothing was left behind"
        raise DrillInterruptedError(
            f"interrupted by SIGINT during {state.phase}; {problem or done}", phase=state.phase
        ) from None
    except DrillError as error:
        created, name = state.scratch_created, state.scratch_name
        problem = _cleanup(state, drop=True)
        message = str(error)
        if isinstance(error, DrillInterruptedError):
            message = f"{message} during {state.phase}"
        if problem:
            message += f"; {problem}"
        elif created:
            message += f"; the scratch database {name} was dropped"
        raise type(error)(message, phase=state.phase) from None
    except OSError as error:
        problem = _cleanup(state, drop=True)
        what = "disk full" if error.errno == 28 else (error.strerror or str(error))
        where = f" ({error.filename})" if error.filename else ""
        raise DrillError(
            f"{what}{where} during {state.phase}" + (f"; {problem}" if problem else ""),
            phase=state.phase,
        ) from None
    except BaseException:
        _cleanup(state, drop=True)
        raise
    return result


def _drill(
    options: DrillOptions,
    runner: Runner,
    say: Progress,
    state: _State,
    started: dt.datetime,
    drill_id: str,
    after_preflight: Callable[[], object] | None,
    before_restore: Callable[[], object] | None,
) -> DrillResult:
    # Preflight: everything that can refuse or fail fast, before any work.
    say("checking servers and tools")
    source_info = None
    if options.source is not None:
        source_info = probe(options.source, "source", read_only=True)
    manifest: Mapping[str, Any] | None = None
    if options.backup is not None:
        manifest = crypto.read_manifest(options.backup, options.key)
        if (manifest.get("tenant"), manifest.get("environment")) != (
            options.tenant,
            options.environment,
        ):
            raise DrillError(
                f"backup {options.backup} is of {manifest.get('tenant')}/"
                f"{manifest.get('environment')}, not {options.tenant}/{options.environment}"
            )
    elif options.source is None:
        raise DrillError("nothing to restore: pass --source URL (or a platform) or --backup PATH")
    dump_tool = None
    if manifest is None:
        assert source_info is not None
        dump_tool = find_tool(runner, "pg_dump", options.pg_bin, source_info.major)
    identity: Mapping[str, Any] | ServerInfo | None = (
        manifest.get("source") if manifest is not None else source_info
    )
    scratch_target, scratch_info, replace = _preflight_scratch(options, state, identity, started)
    if manifest is not None:
        source_major = int(manifest["source"]["server_version_num"]) // 10000
        archive_major = int(manifest["pg_dump"]["major"])
    else:
        assert source_info is not None and dump_tool is not None
        source_major, archive_major = source_info.major, dump_tool.major
    if scratch_info.major < source_major:
        raise DrillError(
            f"the scratch server runs PostgreSQL {scratch_info.major}, older than the source "
            f"({source_major}): restore into the same or a newer major version"
        )
    restore_tool = find_tool(runner, "pg_restore", options.pg_bin, archive_major)

    parent = options.work_dir
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    state.workspace = Path(tempfile.mkdtemp(prefix="bulkhead-drill-", dir=parent))
    if after_preflight is not None:
        after_preflight()

    # Backup.
    if options.backup is None:
        assert dump_tool is not None and source_info is not None
        if options.backup_dir is not None:
            target = options.backup_dir / (
                f"{options.tenant}-{options.environment}-{started:%Y%m%dT%H%M%SZ}-{drill_id[:8]}"
            )
        else:
            target = state.workspace / "backup"
        backup = take_backup(
            options,
            runner=runner,
            state=state,
            source_info=source_info,
            dump_tool=dump_tool,
            target=target,
            durable=options.backup_dir is not None,
            progress=say,
        )
        backup_path, mode = backup.path, "dump"
    else:
        backup_path, mode = options.backup, "artifact"

    if before_restore is not None:
        before_restore()

    # Fetch: verify everything, then decrypt.
    say("verifying and decrypting the backup")
    restore_dir = state.workspace / "restore"
    with _phase(state, "fetch"):
        # A backup of this drill's own that is not kept is decrypted in place (crypto.py).
        consume = mode == "dump" and options.backup_dir is None
        manifest = crypto.verify_and_decrypt(backup_path, options.key, restore_dir, consume=consume)
    manifest_sha256 = crypto.manifest_digest(backup_path)

    # Restore, each table's content checked as soon as it is loaded (loaded.py); validate the
    # rest (the tables not checked yet, the schema, sequences, Odoo), then neutralize.
    say(f"restoring into {scratch_target.dbname}")
    source_print = Fingerprint.from_dict(manifest["fingerprint"])
    neutralization: dict[str, Any] = {}
    with ExitStack() as stack:
        with _phase(state, "restore"):
            _create_scratch(state, manifest["source"], drill_id, options, replace)
            loaded = stack.enter_context(
                LoadedTables(scratch_target, source_print.tables, parallel=options.jobs > 1)
            )
            _run(
                runner,
                restore_tool,
                [
                    "--format=directory",
                    f"--jobs={options.jobs}",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--no-password",
                    "--verbose",
                    f"--dbname={scratch_target.command_conninfo()}",
                    str(restore_dir),
                ],
                scratch_target.command_env(),
                on_line=loaded.line,
            )
        shutil.rmtree(restore_dir, ignore_errors=True)
        files = manifest["files"]
        checks = [
            Check(
                "backup-integrity",
                PASS,
                f"{len(files)} files, {sum(f['encrypted_size'] for f in files)} bytes verified "
                "against the authenticated manifest",
            ),
            Check("restore", PASS, f"pg_restore completed without errors ({options.jobs} jobs)"),
        ]
        say("validating the restored copy")
        connection = scratch_target.connect("scratch database")
        stack.callback(connection.close)
        try:
            with _phase(state, "validate"):
                early = loaded.finish()
                connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                found, tables, copy_uuid = _validate(connection, manifest, options, early)
                connection.commit()
            checks.extend(found)
            say("neutralizing the restored copy")
            with _phase(state, "neutralize"):
                if options.odoo and odoo.is_odoo(connection):
                    neutralization = odoo.neutralize(connection)
                    connection.commit()
                    checks.append(odoo.neutralization_check(connection, copy_uuid))
                    connection.commit()
                else:
                    connection.rollback()
                    checks.append(Check("odoo-neutralized", SKIP, "not an Odoo drill (--no-odoo)"))
        except psycopg.Error as error:
            raise DrillError(f"cannot validate the restored copy: {error_line(error)}") from None

    # Measure.
    rto_ms = sum(p.milliseconds for p in state.phases if p.name in RTO_PHASES)
    offset = source_info.clock_offset_ms if source_info else 0
    reference_ms = int(started.timestamp() * 1000) + offset
    snapshot = manifest["snapshot"]
    consistent_ms = int(parse_utc(snapshot["consistent_at"]).timestamp() * 1000)
    rpo_ms = max(0, reference_ms - consistent_ms)
    if mode == "dump":
        state.notes.append(
            "fresh dump: the RPO is that of a backup taken now; drill the backups your schedule "
            "produces (--backup) to measure the RPO they give"
        )
    if not options.objectives.processes:
        state.notes.append("no recovery objectives: only the checks were judged")

    # Cleanup.
    kept = options.keep
    with _phase(state, "cleanup"):
        problem = _cleanup(state, drop=not kept)
    if problem:
        state.notes.append(problem)
    source_meta = manifest["source"]
    return DrillResult(
        drill_id=drill_id,
        tenant=options.tenant,
        environment=options.environment,
        started_at=utc_text(started),
        finished_at=utc_text(_now()),
        source=options.source.redacted() if options.source else source_meta.get("url"),
        scratch={
            "server": scratch_target.without_dbname().redacted(),
            "database": scratch_target.dbname,
            "kept": kept,
            "server_version": scratch_info.version,
        },
        backup={
            "id": manifest["backup_id"],
            "mode": mode,
            "path": str(backup_path) if mode == "artifact" or options.backup_dir else None,
            "kept": mode == "artifact" or options.backup_dir is not None,
            "created_at": manifest.get("created_at"),
            "consistent_at": snapshot["consistent_at"],
            "latest_commit_at": snapshot.get("latest_commit_at"),
            "latest_commit_source": snapshot.get("latest_commit_source"),
            "latest_write_at": snapshot.get("latest_write_at"),
            "files": len(files),
            "size_bytes": sum(f["size"] for f in files),
            "encrypted_size_bytes": sum(f["encrypted_size"] for f in files),
            "manifest_sha256": manifest_sha256,
            "key_id": manifest["encryption"]["key_id"],
            "source_server_version": source_meta.get("server_version"),
        },
        phases=list(state.phases),
        checks=checks,
        tables=tables,
        objectives=options.objectives,
        verdicts=judge(options.objectives, rto_ms, rpo_ms),
        rpo_ms=rpo_ms,
        rto_ms=rto_ms,
        neutralization=neutralization,
        tools={
            "pg_dump": manifest["pg_dump"]["version"],
            "pg_restore": restore_tool.version,
        },
        notes=list(state.notes),
    )


def backup_only(
    options: DrillOptions, *, runner: Runner = subprocess_runner, progress: Progress | None = None
) -> BackupInfo:
    """`bulkhead drill backup`: an encrypted, durable backup of the source in `backup_dir`."""
    say: Progress = progress or (lambda _message: None)
    check_label(options.tenant, "tenant")
    check_label(options.environment, "environment")
    if options.source is None or options.backup_dir is None:
        raise DrillError("a backup needs a source and a backup directory")
    started = _now()
    state = _State()
    try:
        with _signals_raise():
            info = probe(options.source, "source", read_only=True)
            tool = find_tool(runner, "pg_dump", options.pg_bin, info.major)
            if options.work_dir is not None:
                options.work_dir.mkdir(parents=True, exist_ok=True)
            state.workspace = Path(tempfile.mkdtemp(prefix="bulkhead-drill-", dir=options.work_dir))
            target = options.backup_dir / (
                f"{options.tenant}-{options.environment}-{started:%Y%m%dT%H%M%SZ}-"
                f"{os.urandom(4).hex()}"
            )
            try:
                backup = take_backup(
                    options,
                    runner=runner,
                    state=state,
                    source_info=info,
                    dump_tool=tool,
                    target=target,
                    durable=True,
                    progress=say,
                )
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
    except KeyboardInterrupt:
        _cleanup(state, drop=False)
        raise DrillInterruptedError(f"interrupted by SIGINT during {state.phase}") from None
    except OSError as error:
        _cleanup(state, drop=False)
        what = "disk full" if error.errno == 28 else (error.strerror or str(error))
        raise DrillError(f"{what} during {state.phase}") from None
    finally:
        _cleanup(state, drop=False)
    return backup
