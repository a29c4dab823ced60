"""Real databases for the store tests: a SQLite file and a fresh PostgreSQL database.

PostgreSQL is 127.0.0.1:5432 (trust auth, user postgres) unless BULKHEAD_TEST_POSTGRES_URL
names another server. It is never skipped: `.ci/run` starts it, and a test that cannot reach
it fails with a message saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from bulkhead.store import open_engine

POSTGRES_URL = os.environ.get(
    "BULKHEAD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    name = f"bulkhead_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({error}); start it "
            "(.ci/run does) or set BULKHEAD_TEST_POSTGRES_URL"
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base, _, _ = POSTGRES_URL.rpartition("/")
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'bulkhead.db'}"
    else:
        with postgres_database() as url:
            yield url


@contextmanager
def engine_for(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with database_url(backend, tmp_path) as url:
        engine = open_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()
