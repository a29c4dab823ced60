"""Tables checked while pg_restore runs (loaded.py), the re-read of an early sum that differs,
and the runner's line-by-line stderr that feeds them; on the real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bulkhead.drills.conninfo import PgTarget
from bulkhead.drills.crypto import DrillKey
from bulkhead.drills.engine import DrillOptions, _validate
from bulkhead.drills.fingerprint import Fingerprint, TableSum, fingerprint
from bulkhead.drills.loaded import LoadedTables
from bulkhead.drills.runner import subprocess_runner
from tests.drills.conftest import drop, server_url

SCHEMA = """
CREATE SCHEMA other;
CREATE TABLE public.orders (id int PRIMARY KEY, note text);
CREATE TABLE public.moves (id int, qty numeric);
CREATE TABLE public.b (id int);
CREATE TABLE other.b (id int);
INSERT INTO public.orders SELECT g, 'order ' || g FROM generate_series(1, 500) g;
INSERT INTO public.moves SELECT g, g * 1.5 FROM generate_series(1, 300) g;
INSERT INTO public.b VALUES (1), (2);
INSERT INTO other.b VALUES (3);
"""


@pytest.fixture(scope="module")
def database() -> Iterator[PgTarget]:
    name = f"bulkhead_test_loaded_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(server_url(name), autocommit=True) as connection:
            connection.execute(SCHEMA)
        yield PgTarget.parse(server_url(name))
    finally:
        drop(name)


@pytest.fixture(scope="module")
def printed(database: PgTarget) -> Fingerprint:
    with database.connect("test database") as connection:
        return fingerprint(connection)


def _sums(printed: Fingerprint) -> dict[str, TableSum]:
    return {table.qualified: table for table in printed.tables}


def test_parallel_restore_lines(database: PgTarget, printed: Fingerprint) -> None:
    with LoadedTables(database, printed.tables, parallel=True) as loaded:
        for line in (
            "pg_restore: launching item 3001 TABLE DATA orders",
            'pg_restore: processing data for table "public.moves"',
            "pg_restore: finished item 3001 TABLE DATA orders",
            "pg_restore: finished item 3005 TABLE DATA b",  # public.b or other.b: left for later
            "pg_restore: finished item 3009 INDEX orders_pkey",
            "pg_restore: finished item 3002 TABLE DATA orders",  # taken once
            "pg_restore: finished item 3003 TABLE DATA missing",
        ):
            loaded.line(line)
        early = loaded.finish()
    assert early == {"public.orders": _sums(printed)["public.orders"]}


def test_serial_restore_lines(database: PgTarget, printed: Fingerprint) -> None:
    with LoadedTables(database, printed.tables, parallel=False) as loaded:
        loaded.line('pg_restore: processing data for table "public.moves"')
        loaded.line('pg_restore: processing data for table "other.b"')
        loaded.line('pg_restore: creating INDEX "public.orders_pkey"')
        loaded.line('pg_restore: processing data for table "public.orders"')
        # The last COPY is over when pg_restore has exited: finish() takes it.
        early = loaded.finish()
    sums = _sums(printed)
    assert early == {name: sums[name] for name in ("public.moves", "other.b", "public.orders")}


def test_an_unreachable_database_only_means_nothing_early(printed: Fingerprint) -> None:
    gone = PgTarget.parse(server_url(f"bulkhead_test_absent_{uuid.uuid4().hex[:8]}"))
    with LoadedTables(gone, printed.tables, parallel=True) as loaded:
        loaded.line("pg_restore: finished item 1 TABLE DATA orders")
        loaded.line("pg_restore: finished item 2 TABLE DATA moves")
        assert loaded.finish() == {}


def test_close_without_finish_stops_the_thread(database: PgTarget, printed: Fingerprint) -> None:
    loaded = LoadedTables(database, printed.tables, parallel=True)
    loaded.line("pg_restore: finished item 1 TABLE DATA orders")
    loaded.close()
    assert not loaded._thread.is_alive() and loaded._connection is None
    loaded.close()  # twice is harmless


def test_an_early_sum_that_differs_is_read_again(
    database: PgTarget, printed: Fingerprint, key: DrillKey
) -> None:
    """A forged 'finished' line makes a table read before its COPY committed: it showed no
    rows. The verdict comes from reading it again, and a table that really differs still
    fails."""
    manifest = {"fingerprint": printed.as_dict(), "checksum_method": "columns"}
    options = DrillOptions(tenant="t", environment="e", key=key, odoo=False)
    too_early = {"public.orders": TableSum("public", "orders", 0, "0", "columns")}
    with database.connect("test database") as connection:
        checks, tables, _uuid = _validate(connection, manifest, options, too_early)
    assert all(t["ok"] for t in tables), tables
    assert {c.name: c.status for c in checks}["tables"] == "pass"

    changed = {**printed.as_dict()}
    changed["tables"] = [
        {**t, "rows": t["rows"] + 1} if t["name"] == "moves" else t for t in changed["tables"]
    ]
    manifest = {"fingerprint": changed, "checksum_method": "columns"}
    early = {"public.moves": _sums(printed)["public.moves"]}
    with database.connect("test database") as connection:
        checks, tables, _uuid = _validate(connection, manifest, options, early)
    (bad,) = [t for t in tables if not t["ok"]]
    assert bad["table"] == "public.moves" and "rows" in bad["problem"]
    assert {c.name: c.status for c in checks}["tables"] == "fail"


CHILD = """
import sys
sys.stdout.write("x" * 300000)
for n in range(5):
    sys.stderr.write(f"line {n}\\n")
    sys.stderr.flush()
sys.stderr.write("no newline at the end")
sys.exit(3)
"""


def test_runner_gives_stderr_line_by_line() -> None:
    lines: list[str] = []
    done = subprocess_runner([sys.executable, "-c", CHILD], {}, 30, lines.append)
    assert lines == [f"line {n}" for n in range(5)] + ["no newline at the end"]
    assert done.returncode == 3 and len(done.stdout) == 300000
    assert done.stderr.endswith("line 4\nno newline at the end")


def test_runner_kills_the_tool_when_the_callback_fails(tmp_path: Path) -> None:
    marker = tmp_path / "still-running"
    child = (
        "import sys, time\n"
        "sys.stderr.write('first\\n'); sys.stderr.flush()\n"
        f"time.sleep(5); open({str(marker)!r}, 'w').close()\n"
    )

    def refuse(_line: str) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        subprocess_runner([sys.executable, "-c", child], {}, 30, refuse)
    assert not marker.exists()


def test_runner_timeout_with_lines() -> None:
    child = "import time; time.sleep(30)"
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess_runner([sys.executable, "-c", child], {}, 0.5, lambda _line: None)
