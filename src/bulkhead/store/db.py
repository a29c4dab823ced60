"""Engines, durable transactions and migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

DATABASE_URL_VARIABLE = "BULKHEAD_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"
# One advisory lock id for every writer of the ledger: appends are serialized across processes.
_POSTGRES_WRITE_LOCK = 0x62756C6B  # "bulk"
_WRITE = "bulkhead_write"


class StoreError(Exception):
    """A database that cannot be opened, reached or migrated; the message is one line."""


def database_url(env: Mapping[str, str] | None = None) -> str:
    """`BULKHEAD_DATABASE_URL`, else a SQLite file under the user's state directory."""
    env = os.environ if env is None else env
    configured = env.get(DATABASE_URL_VARIABLE, "").strip()
    if configured:
        return configured
    from platformdirs import user_state_dir

    return f"sqlite:///{Path(user_state_dir('bulkhead')) / 'bulkhead.db'}"


def _normalize(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def open_engine(url: str) -> Engine:
    """An engine with durable, serializable-enough writes on both backends.

    SQLite: WAL journal, `synchronous=FULL` (a commit survives power loss), foreign keys on,
    a 30 s busy timeout, and `BEGIN IMMEDIATE` for write transactions so two appenders queue
    instead of failing on upgrade from a read lock. PostgreSQL: writers take one transaction-
    scoped advisory lock (see write_transaction).
    """
    try:
        parsed = make_url(_normalize(url))
    except ArgumentError as error:
        raise StoreError(f"invalid database URL: {error}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        _sqlite_pragmas(engine)
        return engine
    backend = parsed.get_backend_name()
    if backend != "postgresql":
        raise StoreError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off: SQLAlchemy's begin event decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the store's write lock from its first statement to commit."""
    try:
        with engine.connect() as plain:
            connection = plain.execution_options(**{_WRITE: True})
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_WRITE_LOCK}
                    )
                yield connection
    except OperationalError as error:
        raise StoreError(_one_line(error)) from None


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to `revision` (idempotent)."""
    from alembic import command

    try:
        with write_transaction(engine) as connection:
            command.upgrade(_alembic_config(connection), revision)
    except SQLAlchemyError as error:
        raise StoreError(_one_line(error)) from None


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as error:
        raise StoreError(_one_line(error)) from None


def _one_line(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    first = str(original).strip().splitlines()
    return f"database error: {first[0] if first else type(original).__name__}"


# --- schema policy -------------------------------------------------------------------------
# Only `bulkhead db upgrade` migrates; everything else refuses a store that is not at the head
# of the migrations shipped with this bulkhead (migrating implicitly would let a read-only
# command take the write lock and change a shared schema under other running versions).

NOT_INITIALISED = "database not initialised: run bulkhead db upgrade"


def head_revision() -> tuple[str, frozenset[str]]:
    """The head revision of the shipped migrations, and every revision they know."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    if head is None:  # pragma: no cover - the package ships its migrations
        raise StoreError("this bulkhead has no database migrations")
    return head, frozenset(revision.revision for revision in script.walk_revisions())


def schema_problem(current: str | None) -> str | None:
    """Why a store at revision `current` cannot be used, or None when it is at head."""
    head, known = head_revision()
    if current == head:
        return None
    if current is None:
        return NOT_INITIALISED
    if current in known:
        return f"{NOT_INITIALISED} (schema revision {current}, this bulkhead needs {head})"
    return (
        f"database schema revision {current} is newer than this bulkhead knows "
        f"(head {head}): upgrade bulkhead"
    )


def require_current_schema(engine: Engine) -> None:
    problem = schema_problem(current_revision(engine))
    if problem is not None:
        raise StoreError(problem)


def missing_sqlite_file(url: str) -> bool:
    """A SQLite URL whose file does not exist (opening it would create an empty database)."""
    try:
        parsed = make_url(_normalize(url))
    except ArgumentError:
        return False  # open_engine reports it
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return False
    return not Path(database).expanduser().exists()


def open_current(url: str) -> Engine:
    """An engine on a store at the head revision; StoreError (one line) otherwise. A missing
    SQLite file is reported as not initialised, never created."""
    if missing_sqlite_file(url):
        raise StoreError(NOT_INITIALISED)
    engine = open_engine(url)
    try:
        require_current_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine
