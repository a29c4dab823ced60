"""`bulkhead db`, `bulkhead ledger` and `bulkhead deploy`: the store and its ledger from the CLI.

`register(app)` adds the three command groups. Nothing heavy is imported at module level:
SQLAlchemy, Alembic and cryptography load inside the commands, so `bulkhead --version` and the
scan commands do not pay for them.

Schema policy: only `bulkhead db upgrade` changes the schema. Every other command that opens the
store checks that it is at the head revision of the migrations shipped with this bulkhead
(Alembic's script directory) and otherwise stops with "database not initialised: run bulkhead db
upgrade". Migrating implicitly would let any read-only command (`show`, `verify`) take the write
lock and alter a shared PostgreSQL schema under other running versions; an explicit step keeps
that an operator's decision. A missing SQLite file is reported the same way without creating it.

Keys are never flags: the checkpoint signing key comes from `--key-file PATH`,
`$BULKHEAD_LEDGER_KEY_FILE` or `$BULKHEAD_LEDGER_KEY` (bulkhead.ledger.keys), and no command
prints private key material.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bulkhead.cli.common import EXIT_CLEAN, EXIT_FINDINGS, UserError, color, emit, guard, width
from bulkhead.cli.store import actor as _actor
from bulkhead.cli.store import database_url as _url
from bulkhead.cli.store import key_name as _key_name
from bulkhead.cli.store import ledger_signer as _signer
from bulkhead.cli.store import open_store as _store
from bulkhead.cli.store import store_errors as _expected

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from bulkhead.ledger.keys import LedgerSigner, LedgerVerifier
    from bulkhead.store.ledger import Appended, Ledger, StoredEntry

__all__ = ["JSON_SCHEMA_VERSION", "register"]

JSON_SCHEMA_VERSION = "1.0"
MAX_BODY_BYTES = 1024 * 1024
MAX_NOTE_BYTES = 64 * 1024
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{7,40}")
_SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class DeployStatus(StrEnum):
    healthy = "healthy"
    degraded = "degraded"
    failed = "failed"


# --- options shared by the commands ------------------------------------------------------

DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="URL",
        help="Database URL (sqlite:///PATH or postgresql://...); overrides "
        "$BULKHEAD_DATABASE_URL. Default: SQLite under the user's state directory.",
        show_default=False,
    ),
]
KeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        metavar="PATH",
        help="Ed25519 private key (PEM) that signs checkpoints; default "
        "$BULKHEAD_LEDGER_KEY_FILE, else the PEM text in $BULKHEAD_LEDGER_KEY.",
        dir_okay=False,
        show_default=False,
    ),
]
KeyNameOpt = Annotated[
    str | None,
    typer.Option(
        "--key-name",
        metavar="NAME",
        help="Name of the signing and public keys (part of the key ID).",
        show_default="bulkhead.ledger, the log's origin",
    ),
]
ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--actor",
        metavar="NAME",
        help="Who records the entry; default $BULKHEAD_ACTOR, else the OS user.",
        show_default=False,
    ),
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to FILE instead of stdout.", dir_okay=False, metavar="FILE"
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")]


# --- plumbing ------------------------------------------------------------------------------


@contextmanager
def _ledger(database: str | None) -> Iterator[Ledger]:
    from bulkhead.store.ledger import Ledger

    with _store(database) as engine:
        yield Ledger(engine)


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _public_key(path: Path, name: str) -> LedgerVerifier:
    """A PEM public key under `name`, or a file holding a vkey line (it carries its name)."""
    from bulkhead.ledger.checkpoint import CheckpointError, parse_vkey
    from bulkhead.ledger.keys import MAX_KEY_FILE_BYTES, LedgerKeyError, load_verifier

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise LedgerKeyError(f"cannot read ledger public key file {path}: {reason}") from None
    if data.lstrip().startswith(b"-----BEGIN"):
        return load_verifier(name, path)
    try:
        return parse_vkey(data.decode("utf-8").strip())
    except (UnicodeDecodeError, CheckpointError):
        raise LedgerKeyError(
            f"ledger public key file {path} holds neither a PEM public key nor a vkey"
        ) from None


def _verifiers(
    public_keys: Sequence[Path], key_file: Path | None, key_name: str | None
) -> list[LedgerVerifier]:
    name = _key_name(key_name)
    found = [_public_key(path, name) for path in public_keys]
    signer = _signer(key_file, key_name, required=False)
    if signer is not None and signer.verifier() not in found:
        found.append(signer.verifier())
    if not found:
        raise UserError(
            "no public key to verify checkpoints with: pass --public-key FILE (repeatable) or "
            "configure the signing key (--key-file, $BULKHEAD_LEDGER_KEY_FILE, "
            "$BULKHEAD_LEDGER_KEY)"
        )
    return found


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise UserError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise UserError(f"{name} is not a JSON number the ledger can hash")


def _read_body(source: str) -> dict[str, Any]:
    """The entry body: a JSON object from FILE or stdin (-), at most 1 MiB, hashable as
    canonical JSON (no floats, no duplicate keys)."""
    from bulkhead.ledger.canonical import CanonicalJSONError, canonical_json

    where = "on stdin" if source == "-" else source
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_BODY_BYTES + 1)
        else:
            with Path(source).open("rb") as handle:
                data = handle.read(MAX_BODY_BYTES + 1)
    except OSError as error:
        raise UserError(f"cannot read the body {where}: {error.strerror or error}") from None
    if len(data) > MAX_BODY_BYTES:
        raise UserError(f"the body {where} is larger than {MAX_BODY_BYTES} bytes")
    try:
        value = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_reject_duplicates,
            parse_constant=_reject_constant,
        )
    except UnicodeDecodeError:
        raise UserError(f"the body {where} is not UTF-8") from None
    except json.JSONDecodeError as error:
        raise UserError(
            f"the body {where} is not JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise UserError(f"the body {where} is nested too deeply") from None
    except UserError as error:
        raise UserError(f"the body {where}: {error}") from None
    if not isinstance(value, dict):
        raise UserError(f"the body {where} must be a JSON object")
    try:
        canonical_json(value)
    except CanonicalJSONError as error:
        raise UserError(f"the body {where}: {error}") from None
    return value


def _dump(document: Mapping[str, Any]) -> str:
    return json.dumps({"schema_version": JSON_SCHEMA_VERSION, **document}, indent=2) + "\n"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _warn(message: str) -> None:
    sys.stderr.write(f"bulkhead: warning: {message}\n")


def _append(
    ledger: Ledger,
    entry_type: str,
    body: Mapping[str, Any],
    actor: str,
    signer: LedgerSigner | None,
) -> Appended:
    from bulkhead.store.ledger import NewEntry

    return ledger.append([NewEntry(entry_type, body, actor)], signer)


def _report_appended(
    appended: Appended,
    entry_type: str,
    actor: str,
    signer: LedgerSigner | None,
    fmt: OutputFormat,
) -> None:
    if fmt is OutputFormat.json:
        text = _dump(
            {
                "seq": appended.first_seq,
                "type": entry_type,
                "actor": actor,
                "tree_size": appended.tree_size,
                "root_hash": appended.root_hash.hex(),
                "checkpoint": appended.note,
            }
        )
    else:
        lines = [
            f"appended entry {appended.first_seq} ({entry_type}, actor {actor})",
            f"tree size {appended.tree_size}, root {appended.root_hash.hex()}",
        ]
        if signer is not None and appended.note is not None:
            lines.append(
                f"signed checkpoint at size {appended.tree_size} "
                f"(key {signer.name} {signer.key_id})"
            )
        text = "\n".join(lines) + "\n"
    emit(text, None)
    if appended.note is None:
        _warn(
            f"no ledger signing key configured: entry {appended.first_seq} is not covered by a "
            "signed checkpoint until `bulkhead ledger checkpoint` runs with a key"
        )


# --- bulkhead db ---------------------------------------------------------------------------


def db_upgrade(database: DatabaseOpt = None, debug: DebugOpt = False) -> None:
    """Create or migrate the database schema to this bulkhead's version (idempotent)."""
    with guard(debug, _expected()), _store(database, at_head=False) as engine:
        from bulkhead.store import current_revision, upgrade
        from bulkhead.store.db import NOT_INITIALISED, schema_problem

        before = current_revision(engine)
        problem = schema_problem(before)
        if problem is not None and not problem.startswith(NOT_INITIALISED):
            raise UserError(problem)
        upgrade(engine)
        after = current_revision(engine)
        if before == after:
            message = f"database {_where(engine)} is at revision {after} (head): nothing to do"
        else:
            message = (
                f"database {_where(engine)} upgraded from {before or 'an empty database'} "
                f"to revision {after} (head)"
            )
        emit(message + "\n", None)


def db_current(database: DatabaseOpt = None, debug: DebugOpt = False) -> None:
    """Print the schema revision of the database and whether it is current."""
    with guard(debug, _expected()):
        from bulkhead.store.db import (
            NOT_INITIALISED,
            head_revision,
            missing_sqlite_file,
            schema_problem,
        )

        head, _ = head_revision()
        if missing_sqlite_file(_url(database)):
            emit(f"none ({NOT_INITIALISED}; head is {head})\n", None)
            return
        with _store(database, at_head=False) as engine:
            from bulkhead.store import current_revision

            current = current_revision(engine)
        problem = schema_problem(current)
        if problem is None:
            emit(f"{current} (head)\n", None)
        elif current is None:
            emit(f"none ({NOT_INITIALISED}; head is {head})\n", None)
        else:
            emit(f"{current} ({problem})\n", None)


# --- bulkhead ledger -----------------------------------------------------------------------


def ledger_append(
    entry_type: Annotated[
        str,
        typer.Option(
            "--type",
            "-t",
            metavar="TYPE",
            help="Entry type: gate-decision, deployment, access-grant, drill-result or note.",
        ),
    ],
    body: Annotated[
        str,
        typer.Option("--body", "-b", metavar="FILE|-", help="The entry's JSON object; - is stdin."),
    ],
    actor: ActorOpt = None,
    key_file: KeyFileOpt = None,
    key_name: KeyNameOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    database: DatabaseOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Append one entry; sign a checkpoint covering it when a key is configured."""
    with guard(debug, _expected()):
        from bulkhead.store.ledger import ENTRY_TYPES

        if entry_type not in ENTRY_TYPES:
            known = ", ".join(sorted(ENTRY_TYPES))
            raise UserError(f"unknown entry type {entry_type!r} (one of {known})")
        document = _read_body(body)
        who = _actor(actor)
        signer = _signer(key_file, key_name, required=False)
        with _ledger(database) as ledger:
            appended = _append(ledger, entry_type, document, who, signer)
        _report_appended(appended, entry_type, who, signer, fmt)


def _body_text(body: Mapping[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _entries_table(entries: Sequence[StoredEntry], total: int) -> str:
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    colored = color(sys.stdout)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=colored,
        no_color=not colored,
        color_system="standard" if colored else None,
        width=width(),
        highlight=False,
    )
    if not entries:
        console.print(Text(f"no matching entries ({total} in the ledger)"))
        return buffer.getvalue()
    table = Table(box=None, show_edge=False, pad_edge=False)
    for column in ("seq", "time", "type", "actor", "tenant/env", "body"):
        table.add_column(column, no_wrap=column in ("seq", "time", "type"), overflow="fold")
    for entry in entries:
        subject = "/".join(
            str(entry.body[key])
            for key in ("tenant", "environment")
            if isinstance(entry.body.get(key), str)
        )
        table.add_row(
            Text(str(entry.seq)),
            Text(entry.recorded_at),
            Text(entry.entry_type),
            Text(entry.actor),
            Text(subject or "-"),
            Text(_body_text(entry.body)),
        )
    console.print(table)
    console.print(Text(f"{len(entries)} of {total} entries"))
    return buffer.getvalue()


def ledger_show(
    entry_type: Annotated[
        str | None, typer.Option("--type", "-t", metavar="TYPE", help="Only this entry type.")
    ] = None,
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant.")] = None,
    environment: Annotated[
        str | None, typer.Option("--environment", help="Only this environment.")
    ] = None,
    digest: Annotated[
        str | None, typer.Option("--digest", metavar="sha256:HEX", help="Only this image digest.")
    ] = None,
    commit: Annotated[
        str | None, typer.Option("--commit", metavar="SHA", help="Only this commit.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", min=1, help="Only the newest N matches.")
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    database: DatabaseOpt = None,
    debug: DebugOpt = False,
) -> None:
    """List ledger entries in log order, optionally filtered."""
    with guard(debug, _expected()):
        with _ledger(database) as ledger:
            entries = ledger.entries(
                entry_type=entry_type,
                tenant=tenant,
                environment=environment,
                digest=digest,
                commit=commit.lower() if commit else None,
                limit=limit,
            )
            total = ledger.size()
        if fmt is OutputFormat.json:
            text = _dump(
                {
                    "tree_size": total,
                    "count": len(entries),
                    "entries": [entry.as_dict() for entry in entries],
                }
            )
        else:
            text = _entries_table(entries, total)
        emit(text, output)


def _read_note(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_NOTE_BYTES + 1)
    except OSError as error:
        raise UserError(f"cannot read checkpoint {path}: {error.strerror or error}") from None
    if len(data) > MAX_NOTE_BYTES:
        raise UserError(f"checkpoint {path} is larger than {MAX_NOTE_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"checkpoint {path} is not UTF-8 text") from None


def ledger_verify(
    public_key: Annotated[
        list[Path] | None,
        typer.Option(
            "--public-key",
            metavar="FILE",
            help="Trusted public key: PEM, or a vkey line (repeatable: keep every rotated key).",
            dir_okay=False,
        ),
    ] = None,
    key_file: KeyFileOpt = None,
    key_name: KeyNameOpt = None,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            metavar="CHECKPOINT_FILE",
            help="Also check the log against this exported checkpoint kept outside the database.",
            dir_okay=False,
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    database: DatabaseOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Recompute the tree from the rows and check every signed checkpoint.

    Exit 0 when the ledger is intact, 1 when any problem is found, 2 on error.
    """
    with guard(debug, _expected()):
        verifiers = _verifiers(public_key or [], key_file, key_name)
        note = _read_note(against) if against is not None else None
        with _ledger(database) as ledger:
            result = ledger.verify(verifiers, note)
            origin = ledger.origin
        keys = [{"name": v.name, "key_id": v.key_id} for v in verifiers]
        if fmt is OutputFormat.json:
            text = _dump(
                {
                    "origin": origin,
                    **result.as_dict(),
                    "against": str(against) if against is not None else None,
                    "keys": keys,
                }
            )
        else:
            lines = [
                f"ledger {origin}: {_count(result.tree_size, 'entry', 'entries')}, "
                f"root {result.root_hash.hex()}",
                f"checkpoints verified: {result.checkpoints_verified} (keys: "
                + ", ".join(f"{v.name} {v.key_id}" for v in verifiers)
                + ")",
                f"entries not yet covered by a signed checkpoint: {result.uncovered}",
            ]
            if against is not None:
                lines.append(f"checked against the exported checkpoint {against}")
            lines.extend(f"problem: {problem}" for problem in result.problems)
            if result.ok:
                lines.append("ok: the ledger is intact")
            else:
                lines.append(f"FAILED: {_count(len(result.problems), 'problem', 'problems')}")
            text = "\n".join(lines) + "\n"
        emit(text, output)
        if result.ok and result.uncovered:
            _warn(
                f"{_count(result.uncovered, 'entry is', 'entries are')} not covered by a "
                "signed checkpoint: run `bulkhead ledger checkpoint`"
            )
        raise typer.Exit(EXIT_CLEAN if result.ok else EXIT_FINDINGS)


def _note_at(ledger: Ledger, size: int) -> str | None:
    """The newest stored checkpoint note at exactly `size` entries, if any (unverified: the
    reader checks it with the log's public key)."""
    notes = [stored.note for stored in ledger.checkpoints() if stored.tree_size == size]
    return notes[-1] if notes else None


def ledger_prove(
    number: Annotated[
        int | None,
        typer.Argument(
            metavar="SEQ|NEW",
            min=0,
            help="The entry to prove included; with --consistency, the newer tree size "
            "(default: the current size).",
            show_default=False,
        ),
    ] = None,
    tree_size: Annotated[
        int | None,
        typer.Option(
            "--tree-size",
            metavar="N",
            min=1,
            help="Prove inclusion in the tree of the first N entries (default: all).",
        ),
    ] = None,
    consistency: Annotated[
        int | None,
        typer.Option(
            "--consistency",
            metavar="OLD",
            min=0,
            help="Prove the tree of OLD entries is a prefix of the newer one.",
        ),
    ] = None,
    output: OutputOpt = None,
    database: DatabaseOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Print an inclusion proof (SEQ) or a consistency proof (--consistency OLD [NEW]) as JSON,
    with hex hashes, for a third party to check against a signed checkpoint."""
    with guard(debug, _expected()):
        with _ledger(database) as ledger:
            if consistency is not None:
                if tree_size is not None:
                    raise UserError(
                        "--tree-size is for inclusion proofs: use --consistency OLD NEW"
                    )
                proof = ledger.prove_consistency(consistency, number)
                document: dict[str, Any] = {
                    "proof_type": "consistency",
                    "origin": ledger.origin,
                    **proof,
                    "old_checkpoint": _note_at(ledger, proof["old_size"]),
                    "new_checkpoint": _note_at(ledger, proof["new_size"]),
                }
            else:
                if number is None:
                    raise UserError(
                        "give the SEQ of an entry (inclusion proof) or --consistency OLD [NEW]"
                    )
                proof = ledger.prove_inclusion(number, tree_size)
                entry = ledger.entry(number).as_dict()
                entry.pop("leaf_hash", None)
                document = {
                    "proof_type": "inclusion",
                    "origin": ledger.origin,
                    **proof,
                    "entry": entry,
                    "checkpoint": _note_at(ledger, proof["tree_size"]),
                }
        emit(_dump(document), output)


def ledger_checkpoint(
    key_file: KeyFileOpt = None,
    key_name: KeyNameOpt = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            metavar="FILE",
            help="Write the latest signed checkpoint to FILE (- for stdout), to keep outside "
            "the database; signs first only when --key-file is given too.",
            dir_okay=False,
            allow_dash=True,
        ),
    ] = None,
    database: DatabaseOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Sign the current tree head, or export the latest signed checkpoint."""
    with guard(debug, _expected()):
        sign = export is None or key_file is not None
        signer = _signer(key_file, key_name, required=True) if sign else None
        with _ledger(database) as ledger:
            if signer is not None:
                ledger.checkpoint(signer)
            latest = ledger.latest_checkpoint()
        if latest is None:
            raise UserError(
                "the ledger has no signed checkpoint yet: run `bulkhead ledger checkpoint` "
                "with a key first"
            )
        summary = (
            f"checkpoint at size {latest.tree_size}, root {latest.root_hash.hex()} "
            f"(key {latest.key_name} {latest.key_id})"
        )
        if signer is not None:
            message = f"signed {summary}"
            if export is None:
                emit(message + "\n", None)
            else:
                sys.stderr.write(f"{message}\n")
        if export is not None:
            to_stdout = str(export) == "-"
            emit(latest.note, None if to_stdout else export)
            if not to_stdout:
                emit(f"exported {summary} to {export}\n", None)


def ledger_keygen(
    private_key: Annotated[
        Path,
        typer.Option(
            "--private-key",
            metavar="PATH",
            help="Where to create the private key (mode 0600; never overwritten).",
            dir_okay=False,
        ),
    ],
    public_key: Annotated[
        Path,
        typer.Option(
            "--public-key",
            metavar="PATH",
            help="Where to create the public key (PEM, 0644; never overwritten).",
            dir_okay=False,
        ),
    ],
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            metavar="NAME",
            help="Key name (part of the key ID).",
            show_default="bulkhead.ledger, the log's origin",
        ),
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Create an Ed25519 key pair for signing checkpoints; print its key ID and vkey."""
    with guard(debug, _expected()):
        from bulkhead.ledger.checkpoint import format_vkey
        from bulkhead.ledger.keys import generate_keypair

        verifier = generate_keypair(private_key, public_key, _key_name(name))
        emit(
            f"private key: {private_key} (mode 0600: keep it out of the database and out of "
            "version control)\n"
            f"public key: {public_key}\n"
            f"key name: {verifier.name}\n"
            f"key id: {verifier.key_id}\n"
            f"vkey: {format_vkey(verifier)}\n",
            None,
        )


# --- bulkhead deploy -----------------------------------------------------------------------


def _subject_value(value: str, option: str) -> str:
    if not _SUBJECT.fullmatch(value):
        raise UserError(
            f"{option} {value!r} must be 1-64 letters, digits, '.', '_' or '-', starting with "
            "a letter or digit"
        )
    return value


def deploy_record(
    tenant: Annotated[str, typer.Option("--tenant", help="The tenant deployed to.")],
    environment: Annotated[
        str, typer.Option("--environment", help="The environment deployed to (dev, prod...).")
    ],
    digest: Annotated[
        str, typer.Option("--digest", metavar="sha256:HEX", help="The image digest deployed.")
    ],
    commit: Annotated[
        str, typer.Option("--commit", metavar="SHA", help="The commit deployed (full 40 hex).")
    ],
    status: Annotated[
        DeployStatus, typer.Option("--status", help="How the deployment ended.")
    ] = DeployStatus.healthy,
    actor: ActorOpt = None,
    key_file: KeyFileOpt = None,
    key_name: KeyNameOpt = None,
    fmt: FormatOpt = OutputFormat.table,
    database: DatabaseOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Record a deployment in the ledger (a `deployment` entry)."""
    with guard(debug, _expected()):
        tenant = _subject_value(tenant, "--tenant")
        environment = _subject_value(environment, "--environment")
        if not _DIGEST.fullmatch(digest):
            raise UserError(
                f"--digest {digest!r} must be sha256: followed by 64 lowercase hex digits"
            )
        sha = commit.lower()
        if not _COMMIT.fullmatch(sha):
            raise UserError(f"--commit {commit!r} must be 7 to 40 hex digits (the full 40 best)")
        if len(sha) < 40:
            _warn(f"--commit {sha} is abbreviated: record the full 40-digit commit SHA")
        body = {
            "tenant": tenant,
            "environment": environment,
            "digest": digest,
            "commit": sha,
            "status": status.value,
        }
        who = _actor(actor)
        signer = _signer(key_file, key_name, required=False)
        with _ledger(database) as ledger:
            appended = _append(ledger, "deployment", body, who, signer)
        _report_appended(appended, "deployment", who, signer, fmt)


# --- wiring --------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    """Add `db`, `ledger` and `deploy` to the bulkhead application."""
    db_app = typer.Typer(help="Create, migrate and inspect the database.", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade)
    db_app.command("current")(db_current)
    app.add_typer(db_app, name="db")

    ledger_app = typer.Typer(
        help="The tamper-evident ledger: append, show, verify, prove, sign checkpoints.",
        no_args_is_help=True,
    )
    ledger_app.command("append")(ledger_append)
    ledger_app.command("show")(ledger_show)
    ledger_app.command("verify")(ledger_verify)
    ledger_app.command("prove")(ledger_prove)
    ledger_app.command("checkpoint")(ledger_checkpoint)
    ledger_app.command("keygen")(ledger_keygen)
    app.add_typer(ledger_app, name="ledger")

    deploy_app = typer.Typer(help="Record deployments in the ledger.", no_args_is_help=True)
    deploy_app.command("record")(deploy_record)
    app.add_typer(deploy_app, name="deploy")
