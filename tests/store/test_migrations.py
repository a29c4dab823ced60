from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bulkhead.store import StoreError, current_revision, database_url, open_engine, upgrade
from bulkhead.store.db import MIGRATIONS
from tests.database import BACKENDS, engine_for


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_zero_is_idempotent(backend: str, tmp_path: Path) -> None:
    with engine_for(backend, tmp_path) as engine:
        assert current_revision(engine) is None
        upgrade(engine)
        head = current_revision(engine)
        assert head == ScriptDirectory(str(MIGRATIONS)).get_current_head()
        upgrade(engine)
        assert current_revision(engine) == head
        tables = set(inspect(engine).get_table_names())
        assert {
            "ledger_entries",
            "ledger_checkpoints",
            "ledger_state",
            "evidence_bundles",
        } <= tables


def test_sqlite_is_durable_wal(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'nested' / 'state' / 'b.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert (tmp_path / "nested" / "state").is_dir()


def test_database_url_default_and_override(tmp_path: Path) -> None:
    assert database_url({"BULKHEAD_DATABASE_URL": "postgresql://x/y"}) == "postgresql://x/y"
    default = database_url({})
    assert default.startswith("sqlite:///") and default.endswith("bulkhead.db")


def test_postgres_urls_use_psycopg3() -> None:
    assert open_engine("postgres://u@h/db").dialect.driver == "psycopg"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_urls_are_one_line_errors(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_engine(url)
    assert "\n" not in str(caught.value)


def test_unreachable_server_is_a_store_error() -> None:
    engine = open_engine("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError, match="database error"):
        upgrade(engine)
