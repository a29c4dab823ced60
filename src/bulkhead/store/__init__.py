"""The persistent store: SQLAlchemy 2 models and Alembic migrations.

SQLite under the user's state directory is the embedded default; `BULKHEAD_DATABASE_URL`
selects PostgreSQL (psycopg 3). The ledger, evidence bundles and, later, drill results and
access grants live here. Only this package talks to the database.
"""

from bulkhead.store.db import (
    DATABASE_URL_VARIABLE,
    StoreError,
    current_revision,
    database_url,
    open_engine,
    upgrade,
    write_transaction,
)

__all__ = [
    "DATABASE_URL_VARIABLE",
    "StoreError",
    "current_revision",
    "database_url",
    "open_engine",
    "upgrade",
    "write_transaction",
]
