"""Fixtures for the drill tests: an Odoo-like source database on the real PostgreSQL server
(tests/database.py), its filestore, a drill key, a migrated SQLite store, and a digest of the
source taken before and after every test, which must not change: a drill never writes to its
source."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from bulkhead.drills import sample
from bulkhead.drills.conninfo import PgTarget
from bulkhead.drills.crypto import DrillKey
from bulkhead.drills.fingerprint import fingerprint
from bulkhead.store import open_engine, upgrade
from tests.database import POSTGRES_URL

SCALE = 1500
"""Sale orders in the sample source: with moves, messages and partners about 12,000 rows."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    url: str
    filestore: Path

    @property
    def target(self) -> PgTarget:
        return PgTarget.parse(self.url)


def admin_url() -> str:
    return POSTGRES_URL


def server_url(database: str) -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{database}"


def _connect_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({error}); start it "
            "(.ci/run does) or set BULKHEAD_TEST_POSTGRES_URL"
        )


def make_source(root: Path, *, scale: int = SCALE, attachments: int = 12) -> Source:
    name = f"bulkhead_test_src_{uuid.uuid4().hex[:10]}"
    with _connect_admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    filestore = root / "filestore" / name
    sample.populate(server_url(name), scale=scale, attachments=attachments, filestore=filestore)
    return Source(name, server_url(name), filestore)


def drop(name: str) -> None:
    with _connect_admin() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def databases(prefix: str) -> list[str]:
    with _connect_admin() as admin:
        rows = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY 1",
            (prefix.replace("_", r"\_") + "%",),
        ).fetchall()
    return [str(r[0]) for r in rows]


def scratch_prefix(tenant: str) -> str:
    return f"bulkhead_drill_{tenant.replace('-', '_')}_"


def source_digest(url: str) -> str:
    """Schema, content and sequence positions of a database: what a drill must not change."""
    target = PgTarget.parse(url)
    with target.connect("test source") as connection:
        printed = fingerprint(connection, method="md5")
        sequences = connection.execute(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2"
        ).fetchall()
        connection.rollback()
    digest = hashlib.sha256()
    digest.update("\n".join(printed.schema).encode())
    for table in printed.tables:
        digest.update(f"{table.qualified}:{table.rows}:{table.checksum}\n".encode())
    digest.update(repr(sequences).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    """One Odoo-like source database per test module, dropped afterwards."""
    made = make_source(tmp_path_factory.mktemp("source"))
    try:
        yield made
    finally:
        drop(made.name)


@pytest.fixture
def unchanged(source: Source) -> Iterator[Source]:
    """The module's source, checked to be byte-for-byte the same after the test."""
    before = source_digest(source.url)
    yield source
    assert source_digest(source.url) == before, "the drill changed its source database"


@pytest.fixture
def key() -> DrillKey:
    return DrillKey(os.urandom(32), "test key")


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "drill.key"
    path.write_text(os.urandom(32).hex() + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store' / 'bulkhead.db'}"
    engine = open_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def tenant() -> str:
    """A tenant name of its own per test, so leftover scratch databases are attributable."""
    return f"t{uuid.uuid4().hex[:8]}"
