"""`bulkhead drill run` end to end on the real PostgreSQL server, and every failure mode.

Each test drills the module's Odoo-like source database; the `unchanged` fixture proves after
each one that the source's schema, content and sequences did not move, and every test checks
that no scratch database of its tenant is left behind unless it asked for one.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
import typer
from psycopg import sql
from sqlalchemy import select
from typer.testing import CliRunner, Result

import bulkhead.cli.drill as drill_cli
from bulkhead.cli.drill import register
from bulkhead.drills.conninfo import PgTarget
from bulkhead.drills.crypto import DrillKey
from bulkhead.drills.engine import MARKER, DrillOptions, run_drill
from bulkhead.drills.errors import DrillError, DrillInterruptedError
from bulkhead.drills.runner import Completed, LineCallback, subprocess_runner
from bulkhead.store import open_engine
from bulkhead.store.drill_models import DrillResult
from bulkhead.store.models import LedgerEntry
from tests.drills.conftest import (
    Source,
    databases,
    drop,
    make_source,
    scratch_prefix,
    server_url,
)

CLEAN_ENV: dict[str, str | None] = {
    "BULKHEAD_DATABASE_URL": None,
    "BULKHEAD_DRILL_KEY": None,
    "BULKHEAD_DRILL_KEY_FILE": None,
    "BULKHEAD_DRILL_SOURCE_URL": None,
    "BULKHEAD_DRILL_SCRATCH_URL": None,
    "BULKHEAD_LEDGER_KEY_FILE": None,
    "BULKHEAD_LEDGER_KEY": None,
    "BULKHEAD_ACTOR": "drill-tests",
    "NO_COLOR": "1",
    "PGPASSWORD": None,
}
OBJECTIVES = """\
processes:
  - {name: warehouse, priority: critical, rto: 30m, rpo: 1h, workarounds: [Paper pick lists.]}
  - {name: transport, priority: high, rto: 1h, rpo: 4h}
  - {name: customer-service, priority: medium, rto: 4h, rpo: 1d}
"""

Hook = Callable[[Sequence[str], Mapping[str, str]], Completed | None]


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(app)
    return app


APP = _app()


@pytest.fixture
def objectives(tmp_path: Path) -> Path:
    path = tmp_path / "objectives.yaml"
    path.write_text(OBJECTIVES, encoding="utf-8")
    return path


@pytest.fixture
def use_runner(monkeypatch: pytest.MonkeyPatch) -> Callable[[Hook], list[list[str]]]:
    """Replace the CLI's subprocess runner: `hook(argv, env)` may return a result instead of
    running the tool, or raise. Returns the list of argv the runner saw."""

    def install(hook: Hook) -> list[list[str]]:
        seen: list[list[str]] = []

        def runner(
            argv: Sequence[str],
            env: Mapping[str, str],
            timeout: float | None,
            on_line: LineCallback | None = None,
        ) -> Completed:
            seen.append(list(argv))
            replaced = hook(argv, env)
            if replaced is not None:
                return replaced
            return subprocess_runner(argv, env, timeout, on_line)

        monkeypatch.setattr(drill_cli, "_default_runner", lambda: runner)
        return seen

    return install


def _run(args: Sequence[str], env: Mapping[str, str | None] | None = None) -> Result:
    return CliRunner(env={**CLEAN_ENV, **(env or {})}).invoke(APP, ["drill", *args])


def _drill(
    source: Source,
    tenant: str,
    key_file: Path,
    store: str,
    *extra: str,
    env: Mapping[str, str | None] | None = None,
) -> Result:
    return _run(
        [
            "run",
            "--tenant",
            tenant,
            "--environment",
            "prod",
            "--source",
            source.url,
            "--key-file",
            str(key_file),
            "--database",
            store,
            *extra,
        ],
        env,
    )


def _one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("bulkhead: warn")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bulkhead: error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    return lines[0]


def _stored(store: str) -> list[dict[str, Any]]:
    engine = open_engine(store)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(DrillResult.result)).scalars().all()
            entries = connection.execute(select(LedgerEntry.body)).scalars().all()
    finally:
        engine.dispose()
    assert len(rows) == len(entries)
    return [json.loads(row) for row in rows]


@pytest.fixture(autouse=True)
def nothing_left(tenant: str) -> Iterator[None]:
    yield
    left = databases(scratch_prefix(tenant))
    for name in left:
        drop(name)
    assert left == [], f"scratch databases left behind: {left}"


# --- the drill passes ------------------------------------------------------------------------


def test_end_to_end_pass(
    unchanged: Source, tenant: str, key_file: Path, store: str, objectives: Path
) -> None:
    result = _drill(
        unchanged,
        tenant,
        key_file,
        store,
        "--objectives",
        str(objectives),
        "--filestore",
        str(unchanged.filestore),
        "--format",
        "json",
    )
    assert result.exit_code == 0, (result.stdout, result.stderr)
    document = json.loads(result.stdout)
    assert document["passed"] is True and document["status"] == "passed"
    assert document["rpo_seconds"] == 0
    assert isinstance(document["rto_seconds"], int) and document["rto_seconds"] >= 0
    phases = {p["name"]: p for p in document["phases"]}
    assert set(phases) == {
        "backup",
        "encrypt",
        "fetch",
        "restore",
        "validate",
        "neutralize",
        "cleanup",
    }
    assert document["rto_ms"] == sum(p["ms"] for p in document["phases"] if p["in_rto"])
    checks = {c["name"]: c["status"] for c in document["checks"]}
    assert checks == {
        "backup-integrity": "pass",
        "restore": "pass",
        "schema": "pass",
        "tables": "pass",
        "sequences": "pass",
        "odoo-modules": "pass",
        "odoo-database-uuid": "pass",
        "odoo-admin-user": "pass",
        "odoo-filestore": "pass",
        "odoo-neutralized": "pass",
    }
    assert [p["name"] for p in document["processes"]] == [
        "warehouse",
        "transport",
        "customer-service",
    ]
    assert all(p["passed"] for p in document["processes"])
    tables = {t["table"]: t for t in document["tables"]}
    assert tables["public.sale_order"] == {"table": "public.sale_order", "ok": True, "rows": 1500}
    assert len(tables) == 14
    assert document["backup"]["latest_commit_source"] == "odoo write_date"
    assert document["backup"]["consistent_at"] >= document["backup"]["latest_commit_at"]
    assert document["scratch"]["database"].startswith(scratch_prefix(tenant))
    assert document["scratch"]["kept"] is False
    assert document["neutralization"]["crons_disabled"] == 3
    (stored,) = _stored(store)
    assert stored == document
    history = _run(["history", "--database", store, "--tenant", tenant])
    assert history.exit_code == 0 and "trend (oldest first): P  1 of 1 passed" in history.stdout


def test_keep_leaves_a_marked_neutralized_copy(
    unchanged: Source, tenant: str, key_file: Path, store: str
) -> None:
    result = _drill(unchanged, tenant, key_file, store, "--keep", "--format", "json")
    assert result.exit_code == 0, result.stderr
    name = json.loads(result.stdout)["scratch"]["database"]
    try:
        assert databases(scratch_prefix(tenant)) == [name]
        with psycopg.connect(server_url("postgres")) as admin:
            row = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                (name,),
            ).fetchone()
        assert row is not None and str(row[0]).startswith(MARKER)
        with psycopg.connect(server_url(name)) as copy, psycopg.connect(unchanged.url) as src:
            active = copy.execute("SELECT cron_name FROM ir_cron WHERE active").fetchall()
            assert active == [("Base: Auto-vacuum internal data",)]
            servers = copy.execute("SELECT name, smtp_host FROM ir_mail_server WHERE active")
            assert servers.fetchall() == [("neutralization - disable emails", "invalid")]
            query = "SELECT value FROM ir_config_parameter WHERE key = %s"
            assert copy.execute(query, ("database.is_neutralized",)).fetchone() == ("true",)
            copied = copy.execute(query, ("database.uuid",)).fetchone()
            original = src.execute(query, ("database.uuid",)).fetchone()
            assert copied and original and copied != original
        # A later drill may reuse the name of a database bulkhead created.
        again = _run(
            [
                "run",
                "--tenant",
                tenant,
                "--environment",
                "prod",
                "--source",
                unchanged.url,
                "--scratch-database",
                name,
                "--key-file",
                str(key_file),
                "--no-record",
            ]
        )
        assert again.exit_code == 0, again.stderr
        assert f"replaced the scratch database {name}" in again.stdout
    finally:
        drop(name)


def test_a_kept_backup_is_left_intact(
    unchanged: Source, tenant: str, key_file: Path, store: str, tmp_path: Path
) -> None:
    """--backup-dir keeps the drill's backup: it is encrypted beside the dump, not over it,
    and decrypted into a copy, so it verifies (and restores) afterwards."""
    result = _drill(
        unchanged,
        tenant,
        key_file,
        store,
        "--backup-dir",
        str(tmp_path / "kept"),
        "--work-dir",
        str(tmp_path / "work"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["backup"]["kept"] is True
    (backup,) = (tmp_path / "kept").iterdir()
    verified = _run(["verify", str(backup), "--key-file", str(key_file)])
    assert verified.exit_code == 0 and "is intact" in verified.stdout
    assert list((tmp_path / "work").iterdir()) == []


def test_backup_artifact_then_tampered(
    unchanged: Source, tenant: str, key_file: Path, store: str, tmp_path: Path
) -> None:
    made = _run(
        [
            "backup",
            "--tenant",
            tenant,
            "--environment",
            "prod",
            "--source",
            unchanged.url,
            "--backup-dir",
            str(tmp_path / "backups"),
            "--key-file",
            str(key_file),
        ]
    )
    assert made.exit_code == 0, made.stderr
    (backup,) = (tmp_path / "backups").iterdir()
    verified = _run(["verify", str(backup), "--key-file", str(key_file)])
    assert verified.exit_code == 0 and "is intact" in verified.stdout
    time.sleep(1.1)
    restored = _run(
        [
            "run",
            "--tenant",
            tenant,
            "--environment",
            "prod",
            "--backup",
            str(backup),
            "--scratch",
            server_url("postgres").rsplit("/", 1)[0],
            "--key-file",
            str(key_file),
            "--database",
            store,
            "--format",
            "json",
        ]
    )
    assert restored.exit_code == 0, restored.stderr
    document = json.loads(restored.stdout)
    assert document["backup"]["mode"] == "artifact"
    assert document["rpo_ms"] >= 1000, "an older backup has a measurable RPO"
    again = _run(["verify", str(backup), "--key-file", str(key_file)])
    assert again.exit_code == 0, "a given backup is read, never decrypted in place"
    # One flipped byte in the largest data file.
    largest = max((backup / "data").iterdir(), key=lambda p: p.stat().st_size)
    data = bytearray(largest.read_bytes())
    data[len(data) // 2] ^= 0x40
    largest.write_bytes(bytes(data))
    tampered = _run(
        [
            "run",
            "--tenant",
            tenant,
            "--environment",
            "prod",
            "--backup",
            str(backup),
            "--source",
            unchanged.url,
            "--key-file",
            str(key_file),
            "--database",
            store,
        ]
    )
    _one_line_error(
        tampered,
        "backup integrity check failed",
        f"data/{largest.name}",
        "nothing was restored",
    )
    broken = _run(["verify", str(backup), "--key-file", str(key_file)])
    _one_line_error(broken, f"data/{largest.name}")
    statuses = [d["status"] for d in _stored(store)]
    assert statuses == ["passed", "error"]


def test_module_stuck_in_to_upgrade_fails(
    tenant: str, key_file: Path, store: str, tmp_path: Path
) -> None:
    stuck = make_source(tmp_path, scale=100, attachments=2)
    try:
        with psycopg.connect(stuck.url, autocommit=True) as connection:
            connection.execute("UPDATE ir_module_module SET state = 'to upgrade' WHERE name='sale'")
        result = _drill(stuck, tenant, key_file, store)
        assert result.exit_code == 1, result.stderr
        assert "odoo-modules        FAIL" in result.stdout
        assert "sale (to upgrade)" in result.stdout
        assert result.stdout.splitlines()[0].endswith(": FAILED")
    finally:
        drop(stuck.name)


def test_objectives_violated_exit_1(
    unchanged: Source,
    tenant: str,
    key_file: Path,
    store: str,
    tmp_path: Path,
    use_runner: Callable[[Hook], list[list[str]]],
) -> None:
    slow = tmp_path / "tight.yaml"
    slow.write_text("processes: [{name: warehouse, priority: critical, rto: 1s, rpo: 1h}]\n")

    def slow_restore(argv: Sequence[str], _env: Mapping[str, str]) -> Completed | None:
        if argv[0].endswith("pg_restore") and "--version" not in argv:
            time.sleep(1.2)
        return None

    use_runner(slow_restore)
    result = _drill(unchanged, tenant, key_file, store, "--objectives", str(slow), "-f", "json")
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["status"] == "failed"
    assert document["rto_ms"] > 1000
    (process,) = document["processes"]
    assert process["rto_ok"] is False and process["rpo_ok"] is True
    assert all(c["status"] != "fail" for c in document["checks"])


# --- refusals and errors ---------------------------------------------------------------------


def test_refuses_to_restore_over_the_source(
    unchanged: Source, tenant: str, key_file: Path, store: str
) -> None:
    spelled_differently = server_url("template1").replace("127.0.0.1", "localhost")
    result = _drill(
        unchanged,
        tenant,
        key_file,
        store,
        "--scratch",
        spelled_differently,
        "--scratch-database",
        unchanged.name,
    )
    _one_line_error(result, "refusing to restore into", "it is the source database")


def test_refuses_a_foreign_existing_database(
    unchanged: Source, tenant: str, key_file: Path, store: str
) -> None:
    foreign = f"{scratch_prefix(tenant)}foreign"
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(foreign)))
    try:
        with psycopg.connect(server_url(foreign), autocommit=True) as connection:
            connection.execute("CREATE TABLE precious (id int); INSERT INTO precious VALUES (42)")
        result = _drill(unchanged, tenant, key_file, store, "--scratch-database", foreign)
        _one_line_error(result, f"refusing to restore into {foreign}", "not created by bulkhead")
        with psycopg.connect(server_url(foreign)) as connection:
            assert connection.execute("SELECT id FROM precious").fetchall() == [(42,)]
    finally:
        drop(foreign)


def test_unreachable_server(tenant: str, key_file: Path, store: str) -> None:
    result = _run(
        [
            "run",
            "--tenant",
            tenant,
            "--environment",
            "prod",
            "--source",
            "postgresql://postgres@127.0.0.1:1/odoo?connect_timeout=3",
            "--key-file",
            str(key_file),
            "--database",
            store,
        ]
    )
    _one_line_error(result, "cannot connect to the source postgresql://postgres@127.0.0.1:1/odoo")


def test_wrong_credentials_never_show_the_password(
    unchanged: Source, tenant: str, key_file: Path, store: str
) -> None:
    base = server_url(unchanged.name).replace("postgres@", "nosuchrole:hunter2@")
    result = _run(
        [
            "run",
            "--tenant",
            tenant,
            "--environment",
            "prod",
            "--key-file",
            str(key_file),
            "--database",
            store,
        ],
        env={"BULKHEAD_DRILL_SOURCE_URL": base},
    )
    line = _one_line_error(result, "cannot connect to the source", "nosuchrole")
    assert "hunter2" not in result.stdout + result.stderr + line
    assert "hunter2" not in json.dumps(_stored(store))


def test_password_travels_in_the_environment_only(
    unchanged: Source,
    tenant: str,
    key_file: Path,
    store: str,
    use_runner: Callable[[Hook], list[list[str]]],
) -> None:
    environments: list[dict[str, str]] = []

    def spy(_argv: Sequence[str], env: Mapping[str, str]) -> Completed | None:
        environments.append(dict(env))
        return None

    seen = use_runner(spy)
    url = unchanged.url.replace("postgres@", "postgres:s3cr3t-pw@")
    result = _drill(
        Source(unchanged.name, url, unchanged.filestore), tenant, key_file, store, "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    assert "visible" not in result.stderr or "process list" in result.stderr
    assert "carries a password" in result.stderr
    assert not any("s3cr3t" in arg for argv in seen for arg in argv)
    assert any(env.get("PGPASSWORD") == "s3cr3t-pw" for env in environments)
    assert "s3cr3t" not in result.stdout and "s3cr3t" not in json.dumps(_stored(store))


def test_missing_pg_dump(
    unchanged: Source,
    tenant: str,
    key_file: Path,
    store: str,
    use_runner: Callable[[Hook], list[list[str]]],
) -> None:
    def missing(argv: Sequence[str], _env: Mapping[str, str]) -> Completed | None:
        if "pg_dump" in argv[0]:
            raise FileNotFoundError(2, "No such file or directory", argv[0])
        return None

    use_runner(missing)
    _one_line_error(_drill(unchanged, tenant, key_file, store), "pg_dump not found", "--pg-bin")


def test_client_older_than_the_server(
    unchanged: Source,
    tenant: str,
    key_file: Path,
    store: str,
    use_runner: Callable[[Hook], list[list[str]]],
) -> None:
    def old(argv: Sequence[str], _env: Mapping[str, str]) -> Completed | None:
        if "--version" in argv and "pg_restore" in argv[0]:
            return Completed(0, "pg_restore (PostgreSQL) 9.6.24\n", "")
        return None

    use_runner(old)
    _one_line_error(
        _drill(unchanged, tenant, key_file, store), "pg_restore 15 or newer is needed", "9.6"
    )


def test_disk_full_during_the_dump(
    unchanged: Source,
    tenant: str,
    key_file: Path,
    store: str,
    use_runner: Callable[[Hook], list[list[str]]],
) -> None:
    def full(argv: Sequence[str], _env: Mapping[str, str]) -> Completed | None:
        if "pg_dump" in argv[0] and "--version" not in argv:
            return Completed(
                1,
                "",
                'pg_dump: error: could not write to file "/work/3001.dat.gz": '
                "No space left on device\n",
            )
        return None

    use_runner(full)
    _one_line_error(_drill(unchanged, tenant, key_file, store), "disk full", "pg_dump failed")


@pytest.mark.parametrize("how", ["sigint", "sigterm", "killed", "failed"])
def test_interrupted_restore_drops_the_scratch_database(
    unchanged: Source,
    tenant: str,
    key_file: Path,
    store: str,
    use_runner: Callable[[Hook], list[list[str]]],
    how: str,
) -> None:
    def interrupt(argv: Sequence[str], env: Mapping[str, str]) -> Completed | None:
        if not argv[0].endswith("pg_restore") or "--version" in argv:
            return None
        # pg_restore has loaded part of the data when the interruption comes.
        partial = [a for a in argv if a != "--exit-on-error"] + ["--section=pre-data"]
        subprocess_runner(partial, env, None)
        assert databases(scratch_prefix(tenant)), "the scratch database exists mid-restore"
        if how == "sigint":
            raise KeyboardInterrupt
        if how == "sigterm":
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        if how == "killed":
            return Completed(-9, "", "")
        return Completed(1, "", "pg_restore: error: could not execute query: ERROR: boom\n")

    use_runner(interrupt)
    result = _drill(unchanged, tenant, key_file, store)
    expected = {
        "sigint": "interrupted by SIGINT during restore",
        "sigterm": "interrupted by SIGTERM during restore",
        "killed": "pg_restore was killed by signal 9",
        "failed": "pg_restore failed (exit 1): could not execute query: ERROR: boom",
    }[how]
    _one_line_error(result, expected, "was dropped")
    assert databases(scratch_prefix(tenant)) == []
    (stored,) = _stored(store)
    assert stored["status"] == "error" and stored["error_phase"] == "restore"


def test_library_error_leaves_no_workspace(
    unchanged: Source, tenant: str, key: DrillKey, tmp_path: Path
) -> None:
    work = tmp_path / "work"

    def failing(
        argv: Sequence[str],
        env: Mapping[str, str],
        timeout: float | None,
        on_line: LineCallback | None = None,
    ) -> Completed:
        if argv[0].endswith("pg_restore") and "--version" not in argv:
            return Completed(1, "", "pg_restore: error: nope\n")
        return subprocess_runner(argv, env, timeout, on_line)

    options = DrillOptions(
        tenant=tenant,
        environment="staging",
        key=key,
        source=PgTarget.parse(unchanged.url),
        work_dir=work,
    )
    with pytest.raises(DrillError) as caught:
        run_drill(options, runner=failing)
    assert not isinstance(caught.value, DrillInterruptedError)
    assert caught.value.phase == "restore"
    assert list(work.iterdir()) == []


def test_hooks_run_after_preflight_and_before_the_restore(
    unchanged: Source, tenant: str, key: DrillKey, tmp_path: Path
) -> None:
    """The CLI opens its store in `after_preflight` (not while preflight runs) and checks it in
    `before_restore`; neither runs when preflight refuses."""
    events: list[str] = []

    def recording(
        argv: Sequence[str],
        env: Mapping[str, str],
        timeout: float | None,
        on_line: LineCallback | None = None,
    ) -> Completed:
        events.append(Path(argv[0]).name + (" --version" if "--version" in argv else ""))
        return subprocess_runner(argv, env, timeout, on_line)

    def drill(**changes: Any) -> None:
        options = DrillOptions(
            tenant=tenant,
            environment="staging",
            key=key,
            source=PgTarget.parse(unchanged.url),
            work_dir=tmp_path / "work",
            **changes,
        )
        run_drill(
            options,
            runner=recording,
            after_preflight=lambda: events.append("after_preflight"),
            before_restore=lambda: events.append("before_restore"),
        )

    drill()
    assert events == [
        "pg_dump --version",
        "pg_restore --version",
        "after_preflight",
        "pg_dump",
        "before_restore",
        "pg_restore",
    ]
    events.clear()
    with pytest.raises(DrillError, match="it is the source database"):
        drill(scratch_database=unchanged.name)
    assert "after_preflight" not in events and "pg_dump" not in events


def test_platform_objectives_and_html_history(
    unchanged: Source, key_file: Path, store: str, tmp_path: Path
) -> None:
    platform = Path(__file__).resolve().parents[2] / "examples" / "platform" / "bulkhead.yaml"
    common = [
        "run",
        "--tenant",
        "hansa-wholesale",
        "--environment",
        "prod",
        "--platform",
        str(platform),
        "--key-file",
        str(key_file),
        "--database",
        store,
    ]
    # --source wins over the platform's CloudNativePG service name.
    first = _run([*common, "--source", unchanged.url])
    assert first.exit_code == 0, first.stderr
    assert "edi-order-intake  critical  30m" in first.stdout
    report = tmp_path / "drill.html"
    second = _run(
        [*common, "--format", "html", "--output", str(report)],
        env={"BULKHEAD_DRILL_SOURCE_URL": unchanged.url},
    )
    assert second.exit_code == 0, second.stderr
    text = report.read_text(encoding="utf-8")
    assert text.count("<svg") == 2 and "<script" not in text
    assert "Trend (oldest first): <code>PP</code>, 2 of 2 passed." in text
    assert "hansa-wholesale/prod" in text
    history = _run(["history", "--database", store, "-f", "json"])
    assert json.loads(history.stdout)["trend"] == "PP"


def test_demo_runs_or_says_how_to_point_it(tmp_path: Path) -> None:
    nowhere = _run(["demo", "--server", "postgresql://postgres@127.0.0.1:1/postgres"])
    assert nowhere.exit_code == 0
    assert "BULKHEAD_DRILL_SOURCE_URL=postgresql://USER@HOST:5432/postgres" in nowhere.stdout
    result = _run(["demo", "--server", server_url("postgres")], env={"HOME": str(tmp_path)})
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "demo/staging: PASSED" in result.stdout
    assert "odoo-filestore      ok" in result.stdout
    sample_name = result.stdout.split("sample Odoo database ", 1)[1].split()[0]
    scratch = next(line for line in result.stdout.splitlines() if "scratch" in line).split()[1]
    assert databases(sample_name) == [] and databases(scratch) == []


def test_a_restore_that_differs_from_the_source_fails(
    unchanged: Source,
    tenant: str,
    key_file: Path,
    store: str,
    use_runner: Callable[[Hook], list[list[str]]],
) -> None:
    def corrupt(argv: Sequence[str], env: Mapping[str, str]) -> Completed | None:
        if not argv[0].endswith("pg_restore") or "--version" in argv:
            return None
        done = subprocess_runner(argv, env, None)
        dbname = next(a for a in argv if a.startswith("--dbname="))[len("--dbname=") :]
        with psycopg.connect(dbname, autocommit=True) as copy:
            copy.execute("DELETE FROM stock_move WHERE id = 1")
            copy.execute("UPDATE sale_order SET note = 'edited' WHERE id = 2")
            copy.execute("DROP INDEX mail_message_res_idx")
        return done

    use_runner(corrupt)
    result = _drill(unchanged, tenant, key_file, store, "--format", "json")
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    checks = {c["name"]: c for c in document["checks"]}
    assert checks["tables"]["status"] == "fail"
    assert "2 of 14 tables differ" in checks["tables"]["detail"]
    tables = {t["table"]: t for t in document["tables"]}
    assert tables["public.sale_order"]["problem"] == "content checksum differs"
    assert tables["public.stock_move"]["problem"] == "4499 rows, the source had 4500"
    assert checks["schema"]["status"] == "fail"
    assert checks["schema"]["data"]["differences"] == [
        "- index CREATE INDEX mail_message_res_idx ON public.mail_message USING btree "
        "(model, res_id)"
    ]
    assert document["status"] == "failed" and _stored(store)[0]["status"] == "failed"


def test_an_uninitialised_store_stops_the_drill_before_the_restore(
    unchanged: Source, tenant: str, key_file: Path, tmp_path: Path
) -> None:
    empty = f"sqlite:///{tmp_path / 'none' / 'bulkhead.db'}"
    result = _drill(unchanged, tenant, key_file, empty)
    _one_line_error(result, "cannot record the drill", "run bulkhead db upgrade")
    assert not (tmp_path / "none" / "bulkhead.db").exists()
    history = _run(["history", "--database", empty])
    _one_line_error(history, "database not initialised: run bulkhead db upgrade")
